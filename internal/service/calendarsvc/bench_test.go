package calendarsvc_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/store"
	"github.com/lantian-org/lantian/internal/testutil"
)

// BenchmarkFeed writes the street leader's feed over the demo street with a
// year of cases, campaigns, publicity and letters (SQLite).
func BenchmarkFeed(b *testing.B) {
	srv := testutil.Start(b, "sqlite")
	ctx := context.Background()
	now := time.Now()
	if _, err := demo.SeedCases(ctx, srv.App.DB, nil, srv.App.Loc, now); err != nil {
		b.Fatal(err)
	}
	if _, err := demo.SeedLetters(ctx, srv.App.DB, srv.App.Letters, now.In(srv.App.Loc)); err != nil {
		b.Fatal(err)
	}
	if _, err := demo.SeedCampaigns(ctx, srv.App.DB, nil, srv.App.Loc, now); err != nil {
		b.Fatal(err)
	}
	p, _, err := srv.App.DB.Credentials(ctx, "street")
	if err != nil {
		b.Fatal(err)
	}
	path, err := srv.App.Agenda.ResetFeed(ctx, store.Actor{ID: p.ID, Name: p.Username}, &auth.Principal{PersonID: p.ID, Roles: p.Roles})
	if err != nil {
		b.Fatal(err)
	}
	secret := strings.TrimSuffix(strings.TrimPrefix(path, "/calendar/"), ".ics")
	var n int
	for b.Loop() {
		body, err := srv.App.Agenda.Feed(ctx, secret, "lantian.example")
		if err != nil {
			b.Fatal(err)
		}
		n = strings.Count(string(body), "BEGIN:VEVENT")
	}
	b.ReportMetric(float64(n), "events")
}
