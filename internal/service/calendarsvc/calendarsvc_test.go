package calendarsvc_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lantian-org/lantian/internal/agenda"
	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/cases"
	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/service/campaignsvc"
	"github.com/lantian-org/lantian/internal/service/casesvc"
	"github.com/lantian-org/lantian/internal/service/inspectsvc"
	"github.com/lantian-org/lantian/internal/service/lettersvc"
	"github.com/lantian-org/lantian/internal/service/outreachsvc"
	"github.com/lantian-org/lantian/internal/store"
	"github.com/lantian-org/lantian/internal/store/storetest"
	"github.com/lantian-org/lantian/internal/testutil"
)

func principal(t *testing.T, srv *testutil.Server, username string) (*auth.Principal, store.Actor) {
	t.Helper()
	p, _, err := srv.App.DB.Credentials(context.Background(), username)
	if err != nil {
		t.Fatal(err)
	}
	return &auth.Principal{PersonID: p.ID, Username: p.Username, Name: p.Name, Roles: p.Roles}, store.Actor{ID: p.ID, Name: p.Username}
}

// TestCalendar merges every source for each viewer's scope: campaigns,
// publicity, a committed case's due date, the letters' term, and a source
// registered the way another area wires its own (inspections here); it
// filters by kind and region, and serves each person's feed until reset.
func TestCalendar(t *testing.T) {
	for _, backend := range storetest.Backends(t) {
		t.Run(backend, func(t *testing.T) {
			srv := testutil.Start(t, backend)
			ctx := context.Background()
			loc := srv.App.Loc
			now := time.Now().In(loc)
			day := now.Format(time.DateOnly)
			street, sw := principal(t, srv, "street")
			c, err := srv.App.Campaigns.Create(ctx, sw, street, campaignsvc.Input{Title: "整治", Date: day, Regions: []string{demo.CommunityCode(0)}})
			if err != nil {
				t.Fatal(err)
			}
			lat, lon := 34.5805, 105.7305 // 伏羲广场, community 5
			ev, err := srv.App.Campaigns.CreatePublicity(ctx, sw, street, campaignsvc.PublicityInput{Date: day, Venue: "伏羲广场", Lat: &lat, Lon: &lon, Kind: "desk"})
			if err != nil {
				t.Fatal(err)
			}
			// A committed case due in three days, found in community 1 and promised by a unit there.
			units, _, _ := srv.App.DB.Units(ctx, store.UnitFilter{Roots: []string{demo.CommunityCode(0)}, Page: store.Page{Size: 1}})
			cs, _, err := srv.App.Cases.Report(ctx, sw, street, casesvc.Report{Input: cases.Input{ClientID: "6c1e0c52-0000-4000-8000-000000000001", Category: "L006",
				Description: "卫生死角", Lat: 34.5725, Lon: 105.7025, Class: cases.ClassCommitted}, UnitID: units[0].ID, Commitment: "三日内清理", Due: now.Add(72 * time.Hour)})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := srv.App.LetterSvc.Issue(ctx, sw, street, lettersvc.IssueInput{Year: now.Year(), Region: demo.StreetCode}); err != nil {
				t.Fatal(err)
			}
			// The other areas' sources, as app.New wires them: an inspection and a lecture.
			in, err := srv.App.Inspect.Create(ctx, sw, street, inspectsvc.Extra{Region: demo.CommunityCode(0), Date: day})
			if err != nil {
				t.Fatal(err)
			}
			start := now.Add(2 * time.Hour)
			lec, err := srv.App.Outreach.CreateLecture(ctx, sw, street, outreachsvc.LectureInput{Title: "大气污染防治讲座", Speaker: "李老师", VenueName: "社区活动室",
				StartsAt: start, EndsAt: start.Add(time.Hour), Regions: []string{demo.CommunityCode(0)}})
			if err != nil {
				t.Fatal(err)
			}

			month := time.Date(now.Year(), now.Month(), 1, 12, 0, 0, 0, time.UTC)
			q := agenda.Query{From: month.Format(time.DateOnly), To: month.AddDate(0, 2, 0).Format(time.DateOnly)}
			ids := func(user string, q agenda.Query) []string {
				t.Helper()
				p, _ := principal(t, srv, user)
				items, err := srv.App.Agenda.Items(ctx, p, q)
				if err != nil {
					t.Fatal(err)
				}
				var out []string
				for _, it := range items {
					out = append(out, string(it.Kind)+":"+it.ID)
				}
				return out
			}
			camp, pub, com, insp := fmt.Sprintf("campaign:%d", c.ID), fmt.Sprintf("publicity:%d", ev.ID), "commitment:"+cs.Number, fmt.Sprintf("inspection:%d", in.ID)
			lecture := fmt.Sprintf("lecture:%d", lec.ID)
			letter := fmt.Sprintf("letter:%d", now.Year())
			for _, tc := range []struct {
				user      string
				q         agenda.Query
				want, not []string
			}{
				{"street", q, []string{camp, pub, com, insp, lecture}, nil},
				{"community1", q, []string{camp, com, insp, lecture}, []string{pub}},
				{"patrol01", q, []string{camp}, []string{pub, insp}},
				{"community5", q, []string{pub}, []string{camp, com, insp, lecture}},
				{"street", agenda.Query{From: q.From, To: q.To, Kinds: []agenda.Kind{agenda.Publicity}}, []string{pub}, []string{camp, com, insp}},
				{"street", agenda.Query{From: q.From, To: q.To, Region: demo.CommunityCode(4)}, []string{pub}, []string{camp, com, insp}},
				{"street", agenda.Query{From: fmt.Sprintf("%d-12-01", now.Year()), To: fmt.Sprintf("%d-12-31", now.Year())}, []string{letter}, nil},
			} {
				got := ids(tc.user, tc.q)
				for _, w := range tc.want {
					if !slices.Contains(got, w) {
						t.Errorf("%s %+v: lacks %s in %v", tc.user, tc.q, w, got)
					}
				}
				for _, n := range tc.not {
					if slices.Contains(got, n) {
						t.Errorf("%s %+v: shows %s", tc.user, tc.q, n)
					}
				}
			}

			// The feed: made, read, reset (the old secret stops working), and closed to an inactive person.
			path, err := srv.App.Agenda.ResetFeed(ctx, sw, street)
			if err != nil {
				t.Fatal(err)
			}
			secret := strings.TrimSuffix(strings.TrimPrefix(path, "/calendar/"), ".ics")
			body, err := srv.App.Agenda.Feed(ctx, secret, "lantian.example:8080")
			if err != nil {
				t.Fatal(err)
			}
			cal, err := agenda.ParseICS(string(body))
			if err != nil {
				t.Fatalf("feed: %v", err)
			}
			uids := map[string]string{}
			for _, e := range cal.Events {
				uids[e.Props["UID"]] = e.Props["SUMMARY"]
			}
			if s := uids[fmt.Sprintf("campaign-%d@lantian.example", c.ID)]; s != "月末整治：整治" {
				t.Errorf("the campaign's summary is %q (uids %v)", s, uids)
			}
			if s := uids[fmt.Sprintf("inspection-%d@lantian.example", in.ID)]; s != "督查：忠武巷社区每周督查" {
				t.Errorf("the inspection's summary is %q (uids %v)", s, uids)
			}
			if s := uids[fmt.Sprintf("lecture-%d@lantian.example", lec.ID)]; s != "科普讲堂：大气污染防治讲座" {
				t.Errorf("the lecture's summary is %q (uids %v)", s, uids)
			}
			if _, err := srv.App.Agenda.ResetFeed(ctx, sw, street); err != nil {
				t.Fatal(err)
			}
			if _, err := srv.App.Agenda.Feed(ctx, secret, "x"); !apperr.Is(err, apperr.NotFound) {
				t.Errorf("the old secret after a reset: %v", err)
			}
			if _, err := srv.App.Agenda.Feed(ctx, "nonsense", "x"); !apperr.Is(err, apperr.NotFound) {
				t.Errorf("a made-up secret: %v", err)
			}
		})
	}
}
