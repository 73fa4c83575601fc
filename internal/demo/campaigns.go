package demo

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/lantian-org/lantian/internal/campaign"
	"github.com/lantian-org/lantian/internal/cases"
	"github.com/lantian-org/lantian/internal/photo"
	"github.com/lantian-org/lantian/internal/region"
	"github.com/lantian-org/lantian/internal/store"
	"github.com/lantian-org/lantian/internal/unit"
)

// campaignTasks are the jobs a community takes on at a month-end clean-up.
var campaignTasks = []struct {
	kind  campaign.TaskKind
	title string
}{
	{campaign.TaskAds, "清理电线杆、楼道小广告"},
	{campaign.TaskCorners, "清理楼后卫生死角"},
	{campaign.TaskRoad, "背街小巷道路清扫"},
	{campaign.TaskCourtyard, "院落环境整治"},
	{campaign.TaskSite, "工地周边清理"},
}

// SeedCampaigns adds the outreach work of the year before now to a demo
// street made by Seed: a month-end clean-up on each month's last Friday with
// tasks per community, results, before and after photos and the units that
// came; the street's materials store with deliveries and gifts; two publicity
// events a month at the units the seed names; and a proposal letter and a
// reminder, handed out in part of the street. It does nothing when
// campaigns exist. photos may be nil for none.
func SeedCampaigns(ctx context.Context, db *store.DB, photos *photo.Store, loc *time.Location, now time.Time) (int, error) {
	if _, n, err := db.Campaigns(ctx, store.CampaignFilter{Scope: store.AreaScope{All: true}, Page: store.Page{Size: 1}}); err != nil || n > 0 {
		return 0, err
	}
	cal, err := db.Calendar(ctx, loc)
	if err != nil {
		return 0, err
	}
	ids, err := usernames(ctx, db)
	if err != nil {
		return 0, err
	}
	units, _, err := db.Units(ctx, store.UnitFilter{Roots: []string{StreetCode}, Status: unit.Active, Page: store.Page{Size: 100}})
	if err != nil {
		return 0, err
	}
	slices.SortFunc(units, func(a, b unit.Unit) int { return cmp.Compare(a.ID, b.ID) })
	var pics []string
	if photos != nil {
		if pics, err = demoPhotos(ctx, db, photos); err != nil {
			return 0, err
		}
	}
	var grids []region.Region
	rs, err := db.Regions(ctx, []string{StreetCode}, false)
	if err != nil {
		return 0, err
	}
	for _, r := range rs {
		if r.Level == region.Grid {
			grids = append(grids, r)
		}
	}
	rnd := rand.New(rand.NewPCG(2017, 11))
	actor := store.Actor{ID: ids["street"], Name: "street"}
	today := now.In(loc).Format(campaign.DateLayout)
	n := 0
	err = db.Write(ctx, actor, func(tx *store.Tx) error {
		// A year of month-end clean-ups, the coming one still planned.
		start := now.In(loc).AddDate(-1, 0, 0)
		yearAgo := start.Format(campaign.DateLayout)
		for i := 0; i < 14; i++ {
			m := time.Date(start.Year(), start.Month()+time.Month(i), 1, 12, 0, 0, 0, time.UTC)
			day, ok := campaign.ProposalDay(m.Year(), m.Month(), func(t time.Time) bool {
				return cal.IsWorkday(time.Date(t.Year(), t.Month(), t.Day(), 12, 0, 0, 0, loc))
			})
			if !ok {
				continue
			}
			date := day.Format(campaign.DateLayout)
			if date < yearAgo {
				continue
			}
			if err := seedCampaign(ctx, tx, rnd, units, pics, date, date <= today); err != nil {
				return fmt.Errorf("demo campaign %s: %w", date, err)
			}
			n++
			if date > today {
				break
			}
		}
		mats, err := seedMaterials(ctx, tx, rnd, now.In(loc))
		if err != nil {
			return err
		}
		if err := seedPublicity(ctx, tx, rnd, units, mats, now.In(loc)); err != nil {
			return err
		}
		return seedHandouts(ctx, tx, rnd, grids, now.In(loc))
	})
	return n, err
}

// seedCampaign adds one month's clean-up over the whole street: two tasks a
// community, a few units asked; held ones have results, photos and
// headcounts and are closed.
func seedCampaign(ctx context.Context, tx *store.Tx, rnd *rand.Rand, units []unit.Unit, pics []string, date string, held bool) error {
	t, _ := time.Parse(campaign.DateLayout, date)
	c := campaign.Campaign{Street: StreetCode, Title: fmt.Sprintf("%d年%d月月末综合整治", t.Year(), int(t.Month())), Date: date,
		Regions: []string{StreetCode}, Status: campaign.Planned, Proposed: true,
		Note: "各社区组织网格员、红袖标志愿者和辖区单位，清理小广告、卫生死角和背街小巷，居民院落自扫门前雪。"}
	for comm := range cols {
		for k := 0; k < 2; k++ {
			job := campaignTasks[rnd.IntN(len(campaignTasks))]
			grid := GridCode(comm, rnd.IntN(rows))
			task := campaign.Task{Kind: job.kind, Title: Communities[comm] + job.title, Region: grid}
			if job.kind == campaign.TaskCourtyard || job.kind == campaign.TaskSite {
				// A unit of the community answers for its own courtyard or site.
				for _, u := range units {
					if region.AncestorAt(u.Region, region.Community) == CommunityCode(comm) && (u.Kind == "courtyard" || u.Kind == "property" || u.Kind == "site") {
						task.UnitID, task.Region, task.Title = u.ID, u.Region, u.Name+"及周边"
						break
					}
				}
			}
			if task.UnitID == 0 && k == 1 {
				task.Region = CommunityCode(comm)
			}
			c.Tasks = append(c.Tasks, task)
		}
	}
	asked := map[int64]bool{}
	for len(c.Units) < 6 {
		u := units[rnd.IntN(len(units))]
		if asked[u.ID] {
			continue
		}
		asked[u.ID] = true
		c.Units = append(c.Units, campaign.UnitPart{UnitID: u.ID})
	}
	if _, err := tx.InsertCampaign(ctx, &c); err != nil {
		return err
	}
	if !held {
		return nil
	}
	for i, task := range c.Tasks {
		task.Done = rnd.IntN(10) > 0
		task.Counts = campaign.Counts{People: 4 + rnd.IntN(12), Bags: 3 + rnd.IntN(20)}
		switch task.Kind {
		case campaign.TaskAds:
			task.Counts.Ads = 10 + rnd.IntN(60)
		case campaign.TaskCorners:
			task.Counts.Corners = 1 + rnd.IntN(6)
			task.Counts.Vehicles = rnd.IntN(2)
		case campaign.TaskRoad, campaign.TaskSite:
			task.Counts.Tonnes = float64(rnd.IntN(20)) / 10
			task.Counts.Vehicles = 1 + rnd.IntN(2)
		}
		if task.Done {
			task.Note = "已清理完毕"
		} else {
			task.Note = "垃圾量大，需环卫车辆另行清运"
		}
		if err := tx.RecordResult(ctx, task); err != nil {
			return err
		}
		if len(pics) >= 2 && i%2 == 0 {
			before, after := pics[rnd.IntN(len(pics))], pics[rnd.IntN(len(pics))]
			if err := tx.AttachCampaignPhoto(ctx, c.ID, task.ID, store.PhotoRecord{ID: before, Width: 480, Height: 360, Format: "jpeg"}, cases.StepBefore); err != nil {
				return err
			}
			if after != before {
				if err := tx.AttachCampaignPhoto(ctx, c.ID, task.ID, store.PhotoRecord{ID: after, Width: 480, Height: 360, Format: "jpeg"}, cases.StepAfter); err != nil {
					return err
				}
			}
		}
	}
	for _, u := range c.Units {
		if rnd.IntN(4) > 0 {
			if err := tx.SetUnitHeadcount(ctx, c.ID, u.UnitID, 2+rnd.IntN(15)); err != nil {
				return err
			}
		}
	}
	loaded, err := tx.Campaign(ctx, c.ID)
	if err != nil {
		return err
	}
	loaded.Status = campaign.Closed
	return tx.UpdateCampaign(ctx, &loaded)
}

// seedMaterials fills the street's store with its deliveries and gifts to
// communities over the year; it returns the materials by kind.
func seedMaterials(ctx context.Context, tx *store.Tx, rnd *rand.Rand, now time.Time) (map[campaign.MaterialKind]campaign.Material, error) {
	out := map[campaign.MaterialKind]campaign.Material{}
	for _, spec := range []struct {
		name string
		kind campaign.MaterialKind
		unit string
		low  int
		in   int
	}{
		{"环保购物袋（印“蓝天行动”）", campaign.MatBag, "个", 300, 3000},
		{"大气污染防治宣传单", campaign.MatLeaflet, "份", 500, 6000},
		{"“蓝天行动”宣传展板", campaign.MatBoard, "块", 4, 16},
		{"禁放烟花爆竹横幅", campaign.MatBanner, "条", 5, 40},
		{"清洁能源宣传片U盘", campaign.MatVideo, "个", 2, 10},
		{"节能减排海报", campaign.MatPoster, "张", 50, 400},
	} {
		m := campaign.Material{Region: StreetCode, Name: spec.name, Kind: spec.kind, Unit: spec.unit, Low: spec.low}
		if err := tx.CreateMaterial(ctx, &m); err != nil {
			return nil, err
		}
		moves := []campaign.Move{{Delta: spec.in, Kind: campaign.MoveStart, Reason: "期初库存"}}
		if spec.kind == campaign.MatBag || spec.kind == campaign.MatLeaflet || spec.kind == campaign.MatPoster {
			for c := range cols {
				moves = append(moves, campaign.Move{Delta: -spec.in / 20, Kind: campaign.MoveGive, Region: CommunityCode(c),
					Reason: "发给" + Communities[c] + "入户宣传"})
			}
			moves = append(moves, campaign.Move{Delta: spec.in / 2, Kind: campaign.MoveIn, Reason: "区环保局配发"})
		}
		for _, mv := range moves {
			mv.MaterialID = m.ID
			if _, after, ok, err := tx.MoveStock(ctx, &mv); err != nil || !ok {
				return nil, fmt.Errorf("demo move of %s: ok %v, %w", m.Name, ok, err)
			} else {
				m.Stock = after
			}
		}
		out[spec.kind] = m
	}
	return out, nil
}

// seedPublicity holds two events a month at the units the seed names, each
// drawing bags and leaflets from the store.
func seedPublicity(ctx context.Context, tx *store.Tx, rnd *rand.Rand, units []unit.Unit, mats map[campaign.MaterialKind]campaign.Material, now time.Time) error {
	venues := units[:min(len(namedUnits), len(units))]
	kinds := []campaign.PublicityKind{campaign.PubBoards, campaign.PubDesk, campaign.PubLeaflet, campaign.PubVideo}
	for i := 0; i < 24; i++ {
		day := now.AddDate(0, 0, -7-i*15+rnd.IntN(5))
		u := venues[i%len(venues)]
		lat, lon := u.Lat, u.Lon
		ev := campaign.Publicity{Date: day.Format(campaign.DateLayout), Region: u.Region, UnitID: u.ID, Venue: u.Name, Lat: &lat, Lon: &lon,
			Kind: kinds[rnd.IntN(len(kinds))], Reach: 80 + rnd.IntN(500), People: "街道宣传组、社区网格员、红袖标志愿者",
			Note: "讲解大气污染防治法、禁放烟花爆竹和清洁取暖知识。"}
		uses := []campaign.Use{{MaterialID: mats[campaign.MatBag].ID, Quantity: 20 + rnd.IntN(40)}, {MaterialID: mats[campaign.MatLeaflet].ID, Quantity: 50 + rnd.IntN(100)}}
		ev.Materials = uses
		if err := tx.InsertPublicity(ctx, &ev); err != nil {
			return err
		}
		for _, use := range uses {
			mv := campaign.Move{MaterialID: use.MaterialID, Delta: -use.Quantity, Kind: campaign.MoveUse, Reason: ev.Venue, PublicityID: ev.ID}
			if _, _, ok, err := tx.MoveStock(ctx, &mv); err != nil || !ok {
				return fmt.Errorf("demo event at %s: stock ok %v, %w", ev.Venue, ok, err)
			}
		}
	}
	return nil
}

// seedHandouts writes a proposal letter and a winter reminder, handed out in
// some grids (the proposal further than the reminder).
func seedHandouts(ctx context.Context, tx *store.Tx, rnd *rand.Rand, grids []region.Region, now time.Time) error {
	hs := []campaign.Handout{
		{Region: StreetCode, Kind: campaign.Proposal, Title: "{street}“蓝天行动”清洁能源倡议书", Date: now.AddDate(0, -3, 0).Format(campaign.DateLayout),
			Body: "全体居民朋友们：\n" +
				"为深入开展大气污染防治“蓝天行动”，持续改善空气质量，{street}向辖区全体居民发出如下倡议：\n" +
				"一、使用电、天然气等清洁能源取暖做饭，不燃用散煤，不使用燃煤小锅炉。\n" +
				"二、婚丧嫁娶、开业庆典不燃放烟花爆竹。\n" +
				"三、不露天焚烧垃圾、树叶和秸秆，垃圾分类投放。\n" +
				"四、绿色出行，少开车，多步行、骑行和乘坐公交。\n" +
				"让我们从自身做起，从点滴做起，共建“碧水蓝天”的美好家园！\n" +
				"{street}办事处\n{date}"},
		{Region: StreetCode, Kind: campaign.Reminder, Title: "冬季清洁取暖温馨提示", Date: now.AddDate(0, -1, 0).Format(campaign.DateLayout),
			Body: "尊敬的居民朋友：\n" +
				"冬季取暖期间，请使用清洁能源，严禁燃用散煤；使用燃气时注意通风，谨防一氧化碳中毒。发现露天焚烧、燃煤冒黑烟等问题，请拨打12369环保热线或告知网格员。\n" +
				"{street}办事处\n{date}"},
	}
	for i := range hs {
		if err := tx.InsertHandout(ctx, &hs[i]); err != nil {
			return err
		}
	}
	for _, r := range grids {
		for i, h := range hs {
			// The proposal reached two grids in three, the reminder one in three; some only in part.
			if rnd.IntN(3) < 2-i {
				share := 0.4 + rnd.Float64()*0.6
				d := campaign.Distribution{HandoutID: h.ID, Region: r.Code, Households: max(1, int(float64(r.Households)*share)),
					Date: now.AddDate(0, -2+i, rnd.IntN(20)).Format(campaign.DateLayout)}
				if err := tx.InsertDistribution(ctx, &d); err != nil {
					return err
				}
			}
		}
	}
	return nil
}
