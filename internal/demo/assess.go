package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/lantian-org/lantian/internal/assess"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/service/assesssvc"
	"github.com/lantian-org/lantian/internal/store"
)

// SeedAssess gives the demo street its assessment: the default community
// and unit rubrics of the years of the last two months, a few manual
// entries with their reasons, and a published bulletin of the communities
// for each of those months (the later one public). Call it after the other
// seeders, whose records the bulletins freeze. It does nothing when
// rubrics exist, and returns how many bulletins it published.
func SeedAssess(ctx context.Context, svc *assesssvc.Service, now time.Time) (int, error) {
	db := svc.DB
	if have, err := db.Rubrics(ctx, 0, true, nil); err != nil || len(have) > 0 {
		return 0, err
	}
	person, _, err := db.Credentials(ctx, "admin")
	if err != nil {
		return 0, err
	}
	p := &auth.Principal{PersonID: person.ID, Username: person.Username, Name: person.Name, Roles: person.Roles}
	actor := store.Actor{ID: person.ID, Name: person.Username}
	units, err := db.AssessSubjects(ctx, store.AssessQuery{Kind: assess.Unit, Roots: []string{StreetCode}}, nil, nil)
	if err != nil {
		return 0, err
	}
	local := now.In(svc.Loc)
	first := time.Date(local.Year(), local.Month(), 1, 0, 0, 0, 0, svc.Loc)
	published := 0
	for i, month := range []time.Time{first.AddDate(0, -2, 0), first.AddDate(0, -1, 0)} {
		rubrics, err := svc.EnsureDefaults(ctx, actor, month.Year(), StreetCode)
		if err != nil {
			return published, err
		}
		period := month.Format("2006-01")
		for _, r := range rubrics {
			var entries []assesssvc.ManualInput
			switch r.Kind {
			case assess.Community:
				entries = []assesssvc.ManualInput{
					{Subject: CommunityCode(1 + i), Item: "conduct", Points: pts(3), Reason: "两次未按时报送巡查周报"},
					{Subject: CommunityCode(4), Item: "conduct", Points: pts(4), Reason: "巡查台账填写不规范，已督促整改"},
				}
			case assess.Unit:
				if len(units) > 2 {
					entries = []assesssvc.ManualInput{{Subject: units[2+i].ID, Item: "self_check", Points: pts(2), Reason: "未建立自查自纠台账"}}
				}
			}
			for _, e := range entries {
				e.Rubric, e.Period = r.ID, period
				if _, err := svc.SetManual(ctx, actor, p, e); err != nil {
					return published, fmt.Errorf("demo manual score: %w", err)
				}
			}
			if r.Kind != assess.Community {
				continue
			}
			title := fmt.Sprintf("西关街道%d年%d月大气污染防治工作考核通报", month.Year(), int(month.Month()))
			if _, err := svc.Publish(ctx, actor, p, assesssvc.PublishInput{Rubric: r.ID, Period: period, Title: title, Public: i == 1}); err != nil {
				return published, fmt.Errorf("demo bulletin: %w", err)
			}
			published++
		}
	}
	return published, nil
}

func pts(v float64) *float64 { return &v }
