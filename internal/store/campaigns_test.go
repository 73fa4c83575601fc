package store_test

import (
	"context"
	"slices"
	"sync"
	"testing"

	"github.com/lantian-org/lantian/internal/campaign"
	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/store"
	"github.com/lantian-org/lantian/internal/store/storetest"
)

// TestMoveStockConcurrent takes from one material in many transactions at
// once: the balance never goes below zero, exactly the moves that fit are
// written, and the ledger adds up to the balance.
func TestMoveStockConcurrent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		seeded(t, db)
		m := campaign.Material{Region: demo.StreetCode, Name: "环保购物袋", Kind: campaign.MatBag, Unit: "个", Low: 20}
		err := db.Write(ctx, store.System, func(tx *store.Tx) error {
			if err := tx.CreateMaterial(ctx, &m); err != nil {
				return err
			}
			_, _, ok, err := tx.MoveStock(ctx, &campaign.Move{MaterialID: m.ID, Delta: 100, Kind: campaign.MoveStart, Reason: "期初"})
			if !ok && err == nil {
				t.Error("opening balance refused")
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		const takers, each = 30, 7
		var wg sync.WaitGroup
		var mu sync.Mutex
		taken, refused := 0, 0
		for i := 0; i < takers; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var ok bool
				err := db.Write(ctx, store.Actor{ID: 0, Name: "taker"}, func(tx *store.Tx) error {
					var err error
					_, _, ok, err = tx.MoveStock(ctx, &campaign.Move{MaterialID: m.ID, Delta: -each, Kind: campaign.MoveOut, Reason: "活动"})
					return err
				})
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err != nil:
					t.Errorf("move: %v", err)
				case ok:
					taken++
				default:
					refused++
				}
			}()
		}
		wg.Wait()
		if taken != 100/each || refused != takers-100/each {
			t.Errorf("taken %d, refused %d; want %d and %d", taken, refused, 100/each, takers-100/each)
		}
		got, err := db.Material(ctx, m.ID)
		if err != nil || got.Stock != 100-each*(100/each) {
			t.Fatalf("stock = %d, %v; want %d", got.Stock, err, 100-each*(100/each))
		}
		moves, total, err := db.Moves(ctx, m.ID, store.Page{Size: 100})
		if err != nil || total != 1+taken {
			t.Fatalf("ledger holds %d moves, %v; want %d", total, err, 1+taken)
		}
		sum := 0
		for _, mv := range moves {
			sum += mv.Delta
			if mv.StockAfter < 0 {
				t.Errorf("a move left %d", mv.StockAfter)
			}
		}
		if sum != got.Stock || moves[0].StockAfter != got.Stock {
			t.Errorf("ledger sums to %d, last balance %d; stock %d", sum, moves[0].StockAfter, got.Stock)
		}
		// A refused move reports the balance left and writes nothing.
		var left int
		var ok bool
		db.Write(ctx, store.System, func(tx *store.Tx) error {
			var err error
			left, _, ok, err = tx.MoveStock(ctx, &campaign.Move{MaterialID: m.ID, Delta: -50, Kind: campaign.MoveOut, Reason: "x"})
			return err
		})
		if ok || left != got.Stock {
			t.Errorf("over-stock move: ok %v, left %d", ok, left)
		}
	})
}

func TestCampaignStore(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		seeded(t, db)
		lat, lon := 34.58, 105.71
		c := campaign.Campaign{Street: demo.StreetCode, Title: "三月月末综合整治", Date: "2026-03-27", Regions: []string{demo.CommunityCode(0), demo.CommunityCode(1)},
			Status: campaign.Planned, Tasks: []campaign.Task{
				{Kind: campaign.TaskAds, Title: "忠武巷小广告", Region: demo.GridCode(0, 0), Lat: &lat, Lon: &lon},
				{Kind: campaign.TaskCourtyard, Title: "12号院", Region: demo.GridCode(1, 2), UnitID: 1},
			}, Units: []campaign.UnitPart{{UnitID: 2, Headcount: 0}}}
		err := db.Write(ctx, store.System, func(tx *store.Tx) error {
			_, err := tx.InsertCampaign(ctx, &c)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		got, err := db.Campaign(ctx, c.ID)
		if err != nil || got.Title != c.Title || len(got.Tasks) != 2 || !slices.Equal(got.Regions, c.Regions) || len(got.Units) != 1 {
			t.Fatalf("Campaign = %+v, %v", got, err)
		}
		if got.Tasks[0].Lat == nil || *got.Tasks[0].Lat != lat || got.Tasks[1].UnitID != 1 || got.Tasks[1].Lat != nil {
			t.Errorf("tasks read back: %+v", got.Tasks)
		}
		// Scope: a grid inside a covered community sees it, a grid of another community does not,
		// a unit contact of a task's unit does; the street does.
		for _, tc := range []struct {
			name  string
			scope store.AreaScope
			want  int
		}{
			{"GridInside", store.AreaScope{Roots: []string{demo.GridCode(0, 3)}}, 1},
			{"GridOutside", store.AreaScope{Roots: []string{demo.GridCode(4, 0)}}, 0},
			{"Street", store.AreaScope{Roots: []string{demo.StreetCode}}, 1},
			{"TaskUnit", store.AreaScope{UnitIDs: []int64{1}}, 1},
			{"InvitedUnit", store.AreaScope{UnitIDs: []int64{2}}, 1},
			{"OtherUnit", store.AreaScope{UnitIDs: []int64{3}}, 0},
			{"NoScope", store.AreaScope{}, 0},
		} {
			_, n, err := db.Campaigns(ctx, store.CampaignFilter{Scope: tc.scope})
			if err != nil || n != tc.want {
				t.Errorf("%s: %d campaigns, %v; want %d", tc.name, n, err, tc.want)
			}
		}
		if _, n, _ := db.Campaigns(ctx, store.CampaignFilter{Scope: store.AreaScope{All: true}, From: "2026-03-28"}); n != 0 {
			t.Errorf("from after the day: %d", n)
		}
		// Only one proposal per street and month.
		for i := 0; i < 2; i++ {
			p := campaign.Campaign{Street: demo.StreetCode, Title: "提议", Date: "2026-03-27", Regions: []string{demo.StreetCode}, Status: campaign.Proposed, Proposed: true}
			var created bool
			err := db.Write(ctx, store.System, func(tx *store.Tx) error {
				var err error
				created, err = tx.InsertCampaign(ctx, &p)
				return err
			})
			if err != nil || created != (i == 0) {
				t.Fatalf("proposal %d: created %v, %v", i, created, err)
			}
		}
		months, err := db.ProposedMonths(ctx, demo.StreetCode, 2026)
		if err != nil || !months["2026-03"] || len(months) != 1 {
			t.Errorf("ProposedMonths = %v, %v", months, err)
		}
		// A task with a result cannot be deleted.
		task := got.Tasks[0]
		task.Counts, task.Done = campaign.Counts{Ads: 3}, true
		if err := db.Write(ctx, store.System, func(tx *store.Tx) error { return tx.RecordResult(ctx, task) }); err != nil {
			t.Fatal(err)
		}
		err = db.Write(ctx, store.System, func(tx *store.Tx) error { return tx.DeleteTask(ctx, c.ID, task.ID) })
		if fieldKey(err, "") != "" || err == nil {
			t.Errorf("deleting a recorded task: %v", err)
		}
		if err := db.Write(ctx, store.System, func(tx *store.Tx) error { return tx.DeleteTask(ctx, c.ID, got.Tasks[1].ID) }); err != nil {
			t.Errorf("deleting an empty task: %v", err)
		}
	})
}

func TestHandoutReach(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		seeded(t, db)
		h := campaign.Handout{Region: demo.StreetCode, Kind: campaign.Proposal, Title: "倡议书", Body: "全体居民", Date: "2026-03-01"}
		err := db.Write(ctx, store.System, func(tx *store.Tx) error {
			if err := tx.InsertHandout(ctx, &h); err != nil {
				return err
			}
			for _, d := range []campaign.Distribution{
				{HandoutID: h.ID, Region: demo.GridCode(0, 0), Households: 30, Date: "2026-03-02"},
				{HandoutID: h.ID, Region: demo.GridCode(0, 0), Households: 20, Date: "2026-03-03", Building: "3号楼"},
				{HandoutID: h.ID, Region: demo.CommunityCode(1), Households: 100, Date: "2026-03-03"},
			} {
				if err := tx.InsertDistribution(ctx, &d); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		reached, err := db.ReachedByRegion(ctx, h.ID)
		if err != nil || reached[demo.GridCode(0, 0)] != 50 || reached[demo.CommunityCode(1)] != 100 {
			t.Fatalf("ReachedByRegion = %v, %v", reached, err)
		}
		list, total, err := db.Distributions(ctx, h.ID, false, []string{demo.CommunityCode(0)}, store.Page{})
		if err != nil || total != 2 || len(list) != 2 || list[0].Building != "3号楼" {
			t.Fatalf("distributions in community 1: %+v, %d, %v", list, total, err)
		}
	})
}

// BenchmarkMoveStock takes one item at a time from one material from many
// goroutines: every move is a conditional update, a ledger row and an audit row.
func BenchmarkMoveStock(b *testing.B) {
	for _, backend := range storetest.Backends(b) {
		b.Run(backend, func(b *testing.B) {
			ctx := context.Background()
			db := storetest.Open(b, backend)
			if _, err := demo.Seed(ctx, db); err != nil {
				b.Fatal(err)
			}
			m := campaign.Material{Region: demo.StreetCode, Name: "环保购物袋", Kind: campaign.MatBag, Unit: "个"}
			db.Write(ctx, store.System, func(tx *store.Tx) error {
				if err := tx.CreateMaterial(ctx, &m); err != nil {
					return err
				}
				_, _, _, err := tx.MoveStock(ctx, &campaign.Move{MaterialID: m.ID, Delta: campaign.MaxStock, Kind: campaign.MoveStart, Reason: "期初"})
				return err
			})
			b.SetParallelism(8)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					err := db.Write(ctx, store.System, func(tx *store.Tx) error {
						_, _, _, err := tx.MoveStock(ctx, &campaign.Move{MaterialID: m.ID, Delta: -1, Kind: campaign.MoveOut, Reason: "活动"})
						return err
					})
					if err != nil {
						b.Error(err)
					}
				}
			})
		})
	}
}
