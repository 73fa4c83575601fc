package demo

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/paulmach/orb"

	"github.com/lantian-org/lantian/internal/patrol"
	"github.com/lantian-org/lantian/internal/store"
)

// FullTrackDays is how many recent days of demo patrols keep their whole
// GPS track; older ones keep their measures only (the record book and
// compliance need no more), which keeps seeding a year fast.
const FullTrackDays = 30

var patrolSummaries = []string{
	"按路线巡查，未发现明显问题", "巡查重点单位，油烟净化设施运行正常", "巡查背街小巷，督促清理卫生死角",
	"检查工地围挡和覆盖情况", "巡查沿街商铺门前三包", "劝导居民不要焚烧树叶垃圾", "巡查散煤使用情况，宣传清洁取暖",
	"巡查主次干道，发现道路遗撒已通知清扫", "检查餐饮单位油烟净化器清洗记录", "巡查小区院落，提醒物业及时清运垃圾",
}

var visitNotes = []string{"", "", "设施运行正常", "已提醒负责人", "现场整洁", "净化器清洗记录齐全", "覆盖到位", "未发现焚烧痕迹"}

var disputes = []struct{ parties, summary, outcome string }{
	{"烧烤摊主与楼上住户", "烧烤油烟扰民引发争执", "摊主同意加装净化器并移至远离住户处经营"},
	{"两户邻居", "一户在院内焚烧落叶，烟雾影响邻居", "双方达成谅解，落叶改为装袋清运"},
	{"物业公司与业主", "垃圾清运不及时引发矛盾", "物业承诺每日清运两次"},
	{"施工单位与周边居民", "夜间施工扬尘和噪声", "施工单位调整作业时间并增加洒水"},
}

// SeedPatrols adds a year of patrols before now to a demo street made by
// Seed: about twice a day per grid on the calendar's working days (one grid
// also walks weekends by its plan), with realistic gaps, a few doubtful
// ones of each kind, key-site visits, dispute and promotion records, and the
// patrollers' cases linked as findings. Patrols of the last FullTrackDays
// days keep a GPS track of 20–40 points. It does nothing when patrols exist
// and returns how many it stored.
func SeedPatrols(ctx context.Context, db *store.DB, loc *time.Location, now time.Time) (int, error) {
	if _, n, err := db.Patrols(ctx, store.PatrolFilter{All: true, Page: store.Page{Size: 1}}); err != nil || n > 0 {
		return 0, err
	}
	h, err := newHistory(ctx, db, loc, now, 2018, 4)
	if err != nil {
		return 0, err
	}
	g := &patrolGen{history: h, sites: map[string][]site{}, plans: map[string]patrol.Plan{}}
	for c := range cols {
		for r := range rows {
			code := GridCode(c, r)
			units, err := db.KeySites(ctx, code)
			if err != nil {
				return 0, err
			}
			for _, u := range units {
				g.sites[code] = append(g.sites[code], site{patrol.SiteRef{UnitID: u.ID}, orb.Point{u.Lon, u.Lat}})
			}
			g.plans[code] = patrol.DefaultPlan(code)
		}
	}
	// 伏羲广场's grid is walked every day, the square busiest at weekends.
	square := GridCode(4, 2)
	plan := patrol.DefaultPlan(square)
	plan.Weekends = true
	lat, lon := g.b.spot(4, 2)
	plan.Points = []patrol.FreePoint{{Name: "伏羲广场东门", Lat: lat, Lon: lon}}
	if err := db.Write(ctx, store.Actor{Name: "demo"}, func(tx *store.Tx) error {
		if _, err := tx.SavePatrolPlan(ctx, &plan); err != nil {
			return err
		}
		return tx.Audit(ctx, "patrol_plan", plan.Grid, "save", nil, map[string]any{"per_day": plan.PerDay, "weekends": plan.Weekends, "points": plan.Points})
	}); err != nil {
		return 0, err
	}
	g.plans[square] = plan
	g.sites[square] = append(g.sites[square], site{patrol.SiteRef{Point: 1}, orb.Point{lon, lat}})

	// A first day written and rolled back has SQLite's writer prepare the
	// statements, which a transaction cannot do for itself (see store's
	// statement cache): the year then goes in one transaction a third faster.
	warm := rand.New(rand.NewPCG(1, 1))
	_ = db.Write(ctx, store.Actor{Name: "demo"}, func(tx *store.Tx) error {
		g := *g
		g.rnd = warm
		var batch []store.PatrolHistory
		for c := range cols {
			for r := range rows {
				batch = append(batch, g.day(now.AddDate(0, 0, -1), c, r)...)
			}
		}
		for i := range batch {
			batch[i].Patrol.UID = fmt.Sprintf("00000000-0000-4000-9fff-%012d", i+1)
			for j := range batch[i].Visits {
				batch[i].Visits[j].UID = fmt.Sprintf("00000000-0000-4000-9ffe-%012d", i*4+j+1)
			}
			for j := range batch[i].Records {
				batch[i].Records[j].UID = fmt.Sprintf("00000000-0000-4000-9ffd-%012d", i*4+j+1)
			}
		}
		tx.InsertPatrolHistories(ctx, batch)
		return errWarmUp
	})
	count := 0
	err = db.Write(ctx, store.Actor{Name: "demo"}, func(tx *store.Tx) error {
		start := now.AddDate(-1, 0, 0)
		var batch []store.PatrolHistory
		for day := start; day.Before(now); day = day.AddDate(0, 0, 1) {
			batch = batch[:0]
			for c := range cols {
				for r := range rows {
					for _, h := range g.day(day, c, r) {
						h.Patrol.UID = fmt.Sprintf("00000000-0000-4000-9000-%012d", count+1)
						for i := range h.Visits {
							h.Visits[i].UID = fmt.Sprintf("00000000-0000-4000-9100-%012d", count*4+i+1)
						}
						for i := range h.Records {
							h.Records[i].UID = fmt.Sprintf("00000000-0000-4000-9200-%012d", count*4+i+1)
						}
						batch = append(batch, h)
						count++
					}
				}
			}
			if err := tx.InsertPatrolHistories(ctx, batch); err != nil {
				return fmt.Errorf("demo patrols of %s: %w", day.Format(patrol.DateLayout), err)
			}
		}
		if err := tx.RefreshPatrolDays(ctx, GridCode(0, 0), GridCode(cols-1, rows-1), patrol.Day(start, loc), patrol.Day(now, loc)); err != nil {
			return err
		}
		_, err := tx.LinkPatrolFindings(ctx)
		return err
	})
	return count, err
}

var errWarmUp = errors.New("demo: warm-up, rolled back")

type site struct {
	ref patrol.SiteRef
	at  orb.Point // lon, lat
}

type patrolGen struct {
	history
	sites map[string][]site
	plans map[string]patrol.Plan
}

// day returns grid (c, r)'s patrols on the local date of day.
func (g *patrolGen) day(day time.Time, c, r int) []store.PatrolHistory {
	code := GridCode(c, r)
	plan := g.plans[code]
	required := plan.Required(g.cal, day)
	// Gaps: grid (3, 4) had a bad month in spring; everyone misses now and then.
	miss := 0.04
	if day.Month() == time.April && c == 3 && r == 4 {
		miss = 0.45
	}
	var out []store.PatrolHistory
	for i, w := range plan.Windows {
		walk := i < required && g.rnd.Float64() >= miss
		if i >= required && g.rnd.Float64() < 0.04 {
			walk = true // a rest-day patrol all the same
		}
		if !walk {
			continue
		}
		from, to := w.Bounds(day, g.loc)
		span := int(to.Sub(from) / time.Minute)
		start := from.Add(time.Duration(g.rnd.IntN(span*2/3)) * time.Minute).Add(time.Duration(g.rnd.IntN(60)) * time.Second)
		if g.rnd.Float64() < 0.03 {
			start = to.Add(time.Duration(5+g.rnd.IntN(40)) * time.Minute) // late: outside the window
		}
		if !start.Before(g.now) {
			continue
		}
		who := fmt.Sprintf("patrol%02d", (c*rows+r)*2+1+(i+day.YearDay())%2)
		out = append(out, g.one(code, c, r, plan, start, g.ids[who], day))
	}
	return out
}

// doubt picks, rarely, the way a patrol is doubtful.
func (g *patrolGen) doubt() patrol.Flag {
	switch n := g.rnd.IntN(1000); {
	case n < 6:
		return patrol.FlagShort
	case n < 10:
		return patrol.FlagFast
	case n < 14:
		return patrol.FlagOutside
	case n < 18:
		return patrol.FlagStill
	}
	return ""
}

// inCell returns the point at (u, v) of grid (c, r)'s quad, both in 0..1.
func (g *patrolGen) inCell(c, r int, u, v float64) orb.Point {
	l := g.b.lattice
	p00, p10, p11, p01 := l[c][r], l[c+1][r], l[c+1][r+1], l[c][r+1]
	return orb.Point{
		(1-u)*(1-v)*p00[0] + u*(1-v)*p10[0] + u*v*p11[0] + (1-u)*v*p01[0],
		(1-u)*(1-v)*p00[1] + u*(1-v)*p10[1] + u*v*p11[1] + (1-u)*v*p01[1],
	}
}

// one makes a patrol of grid (c, r) starting at start.
func (g *patrolGen) one(code string, c, r int, plan patrol.Plan, start time.Time, who int64, day time.Time) store.PatrolHistory {
	kind := g.doubt()
	// A walk through a few waypoints, passing the key sites it checks.
	sites := g.sites[code]
	var checked []site
	if len(sites) > 0 {
		for _, k := range g.rnd.Perm(len(sites))[:min(len(sites), 1+g.rnd.IntN(2))] {
			checked = append(checked, sites[k])
		}
	}
	cc, rr := c, r
	if kind == patrol.FlagOutside {
		// Walking the neighbouring grid by mistake.
		if cc++; cc >= cols {
			cc -= 2
		}
	}
	way := []orb.Point{g.inCell(cc, rr, 0.15+0.2*g.rnd.Float64(), 0.15+0.2*g.rnd.Float64())}
	for k := 0; k < 3+g.rnd.IntN(3); k++ {
		way = append(way, g.inCell(cc, rr, 0.1+0.8*g.rnd.Float64(), 0.1+0.8*g.rnd.Float64()))
		if k < len(checked) && kind != patrol.FlagOutside {
			way = append(way, checked[k].at)
		}
	}
	switch kind {
	case patrol.FlagStill:
		way = []orb.Point{way[0], way[0]}
	case patrol.FlagShort:
		way = way[:2] // turned back after the first stretch
	}
	// seg[k] is the length of the stretch from way[k] to way[k+1].
	seg := make([]float64, len(way)-1)
	length := 0.0
	for k := range seg {
		seg[k] = patrol.Distance(way[k][1], way[k][0], way[k+1][1], way[k+1][0])
		length += seg[k]
	}
	// Walking at 3–4 km/h with stops.
	dur := time.Duration((length/(0.85+0.3*g.rnd.Float64()) + float64(300+g.rnd.IntN(900))) * float64(time.Second))
	switch {
	case kind == patrol.FlagShort:
		dur = time.Duration(4+g.rnd.IntN(5)) * time.Minute
	case kind == patrol.FlagStill:
		dur = time.Duration(20+g.rnd.IntN(20)) * time.Minute
	case dur < 20*time.Minute:
		dur = 20*time.Minute + time.Duration(g.rnd.IntN(600))*time.Second
	case dur > 80*time.Minute:
		dur = 80 * time.Minute
	}
	n := 20 + g.rnd.IntN(21)
	if kind == patrol.FlagShort {
		n = 6 + g.rnd.IntN(5)
	}
	pts := make([]patrol.Point, 0, n)
	w := walker{way: way, seg: seg}
	for k := 0; k < n; k++ {
		f := float64(k) / float64(n-1)
		at := start.Add(time.Duration(f * float64(dur)))
		p := w.at(f * length)
		// GPS noise of a few metres.
		p[0] += (g.rnd.Float64() - 0.5) * 0.00006
		p[1] += (g.rnd.Float64() - 0.5) * 0.00005
		if kind == patrol.FlagStill {
			p[0] += (g.rnd.Float64() - 0.5) * 0.00004
		}
		pts = append(pts, patrol.Point{T: at.Truncate(time.Second), Lat: round6(p[1]), Lon: round6(p[0]), Acc: float64(4 + g.rnd.IntN(12))})
	}
	if kind == patrol.FlagFast {
		// A dash on an electric bike to a spot a kilometre away and back.
		pts[n/2].Lon += 0.012
	}
	end := start.Add(dur)
	p := patrol.Patrol{Grid: code, PatrollerID: who, Day: patrol.Day(start, g.loc), Window: plan.WindowOf(start, g.loc),
		State: patrol.StateEnded, StartedAt: start, EndedAt: end, UpdatedAt: end,
		Summary: patrolSummaries[g.rnd.IntN(len(patrolSummaries))]}
	if !end.Before(g.now) {
		// Still walking: the track so far, no end yet.
		p.State, p.EndedAt, p.Summary, p.UpdatedAt = patrol.StateOpen, time.Time{}, "", g.now
		for len(pts) > 1 && pts[len(pts)-1].T.After(g.now) {
			pts = pts[:len(pts)-1]
		}
	}
	cell := g.b.cell(c, r)
	p.Assessment = patrol.Assess(p.StartedAt, p.EndedAt, pts, func(lat, lon float64) bool { return cell.Contains(lon, lat) })
	h := store.PatrolHistory{Patrol: p}
	if g.now.Sub(day) < FullTrackDays*24*time.Hour {
		h.Track = pts
	}
	if kind != patrol.FlagOutside && kind != patrol.FlagStill {
		for k, s := range checked {
			at := start.Add(dur * time.Duration(k+1) / time.Duration(len(checked)+1))
			if at.After(g.now) {
				break
			}
			h.Visits = append(h.Visits, patrol.Visit{Site: s.ref, At: at.Truncate(time.Second), Lat: round6(s.at[1] + 0.00003), Lon: round6(s.at[0] - 0.00002),
				Note: visitNotes[g.rnd.IntN(len(visitNotes))]})
		}
	}
	if p.State == patrol.StateEnded {
		at := start.Add(dur / 2).Truncate(time.Second)
		switch roll := g.rnd.IntN(100); {
		case roll < 2:
			d := disputes[g.rnd.IntN(len(disputes))]
			h.Records = append(h.Records, patrol.Record{Kind: patrol.KindDispute, At: at, Parties: d.parties, Summary: d.summary, Outcome: d.outcome})
		case roll < 7 || (roll < 20 && (day.Month() >= time.October || day.Month() <= time.February)):
			// Clean-energy promotion, mostly in the heating season.
			h.Records = append(h.Records, patrol.Record{Kind: patrol.KindPromotion, At: at, Households: 5 + g.rnd.IntN(36), Note: "宣传清洁取暖和散煤治理政策"})
		}
	}
	return h
}

// walker finds points along a polyline at increasing distances from its start.
type walker struct {
	way  []orb.Point
	seg  []float64 // stretch lengths
	k    int       // current stretch
	done float64   // length of the stretches before it
}

// at returns the point d metres along the way; d never decreases between calls.
func (w *walker) at(d float64) orb.Point {
	for w.k < len(w.seg)-1 && d > w.done+w.seg[w.k] {
		w.done += w.seg[w.k]
		w.k++
	}
	if len(w.seg) == 0 || w.seg[w.k] == 0 {
		return w.way[w.k]
	}
	t := math.Min(1, (d-w.done)/w.seg[w.k])
	a, b := w.way[w.k], w.way[w.k+1]
	return orb.Point{a[0] + t*(b[0]-a[0]), a[1] + t*(b[1]-a[1])}
}
