package campaignsvc_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/campaign"
	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/service/campaignsvc"
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

// TestConcurrentEvents records events that together want more bags than the
// store holds, at once: those that fit are written with their moves, the
// others are refused naming the bags, with no event and no move left behind.
func TestConcurrentEvents(t *testing.T) {
	for _, backend := range storetest.Backends(t) {
		t.Run(backend, func(t *testing.T) {
			srv := testutil.Start(t, backend)
			ctx := context.Background()
			p, who := principal(t, srv, "street")
			svc := srv.App.Campaigns
			m, err := svc.CreateMaterial(ctx, who, p, campaignsvc.MaterialInput{Name: "环保购物袋", Kind: "bag", Unit: "个", Stock: 100})
			if err != nil {
				t.Fatal(err)
			}
			lat, lon := 34.5805, 105.7305
			const events, each = 8, 30
			var wg sync.WaitGroup
			var mu sync.Mutex
			ok, short := 0, 0
			for range events {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, err := svc.CreatePublicity(ctx, who, p, campaignsvc.PublicityInput{Date: "2026-03-10", Venue: "伏羲广场", Lat: &lat, Lon: &lon,
						Kind: "boards", Materials: []campaign.Use{{MaterialID: m.ID, Quantity: each}}})
					mu.Lock()
					defer mu.Unlock()
					var se *campaignsvc.ShortError
					switch {
					case err == nil:
						ok++
					case errors.As(err, &se) && apperr.Is(err, apperr.Conflict) && se.Material.ID == m.ID:
						short++
					default:
						t.Errorf("event: %v", err)
					}
				}()
			}
			wg.Wait()
			if ok != 100/each || short != events-100/each {
				t.Fatalf("%d events written, %d refused; want %d and %d", ok, short, 100/each, events-100/each)
			}
			_, total, tot, err := svc.Publicities(ctx, p, campaignsvc.PublicityListInput{})
			if err != nil || total != ok || len(tot.Materials) != 1 || tot.Materials[0].Quantity != ok*each {
				t.Fatalf("events stored %d, materials %+v (%v)", total, tot.Materials, err)
			}
			cur, moves, n, err := svc.Material(ctx, p, m.ID, store.Page{Size: 100})
			if err != nil || cur.Stock != 100-ok*each || n != 1+ok {
				t.Fatalf("stock %d with %d moves (%v)", cur.Stock, n, err)
			}
			for _, mv := range moves {
				if mv.Kind == campaign.MoveUse && mv.PublicityID == 0 {
					t.Error("a use without its event")
				}
			}
		})
	}
}

// TestRecordRules checks who may record what, when, through the service.
func TestRecordRules(t *testing.T) {
	srv := testutil.Start(t, "sqlite")
	ctx := context.Background()
	street, sw := principal(t, srv, "street")
	svc := srv.App.Campaigns
	today := time.Now().In(srv.App.Loc).Format(time.DateOnly)
	c, err := svc.Create(ctx, sw, street, campaignsvc.Input{Title: "整治", Date: today, Regions: []string{demo.CommunityCode(0)},
		Tasks: []campaignsvc.TaskInput{{Kind: "ads", Title: "小广告", Region: demo.GridCode(0, 0)}, {Kind: "road", Title: "道路", Region: demo.GridCode(0, 3)}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		user string
		task int
		code apperr.Code
	}{
		{"patrol01", 0, ""},                // their grid
		{"patrol01", 1, apperr.Forbidden},  // another grid of the community
		{"volunteer01", 1, ""},             // volunteers hold the community
		{"grid04", 1, ""},                  // the grid's leader
		{"inspector", 0, apperr.Forbidden}, // inspectors read
		{"patrol25", 0, apperr.NotFound},   // another community: not found
		{"unit01", 0, apperr.NotFound},     // a unit with no task here
		{"community1", 0, ""},              // the community's leader
		{"community2", 0, apperr.NotFound}, // another community's leader
		{"admin", 1, ""},                   // the district admin
		{"street", 1, ""},                  // the street leader
		{"community1", 5, apperr.Invalid},  // no such task
	} {
		p, who := principal(t, srv, tc.user)
		taskID := int64(999999)
		if tc.task < len(c.Tasks) {
			taskID = c.Tasks[tc.task].ID
		}
		_, err := svc.RecordResult(ctx, who, p, c.ID, campaignsvc.ResultInput{Task: taskID, Counts: map[string]float64{"ads": 1}})
		if tc.code == "" && err != nil || tc.code != "" && !apperr.Is(err, tc.code) {
			t.Errorf("%s records task %d: %v, want %q", tc.user, tc.task, err, tc.code)
		}
	}
	// A closed campaign takes no more results, until reopened.
	if _, err := svc.Transition(ctx, sw, street, c.ID, campaign.ActClose); err != nil {
		t.Fatal(err)
	}
	p, who := principal(t, srv, "patrol01")
	if _, err := svc.RecordResult(ctx, who, p, c.ID, campaignsvc.ResultInput{Task: c.Tasks[0].ID}); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("result on a closed campaign: %v", err)
	}
	if _, err := svc.Transition(ctx, who, p, c.ID, campaign.ActReopen); !apperr.Is(err, apperr.Forbidden) {
		t.Errorf("a patroller reopens: %v", err)
	}
	if _, err := svc.Transition(ctx, sw, street, c.ID, campaign.ActReopen); err != nil {
		t.Errorf("the street reopens: %v", err)
	}
	// A proposal may move within its month only.
	made, err := svc.Propose(ctx, sw, street, 2027)
	if err != nil || len(made) != 12 {
		t.Fatalf("propose: %d, %v", len(made), err)
	}
	_, err = svc.Update(ctx, sw, street, made[0].ID, campaignsvc.EditInput{Title: made[0].Title, Date: "2027-02-05", Regions: made[0].Regions})
	if apperr.As(err).Fields["date"].Key != "err.campaign.proposal_month" {
		t.Errorf("moving January's proposal into February: %v", err)
	}
	up, err := svc.Update(ctx, sw, street, made[0].ID, campaignsvc.EditInput{Title: made[0].Title, Date: "2027-01-28", Regions: made[0].Regions})
	if err != nil || up.Status != campaign.Planned {
		t.Errorf("moving it a day earlier: %+v, %v", up, err)
	}
}
