package demo

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"time"

	"github.com/lantian-org/lantian/internal/calendar"
	"github.com/lantian-org/lantian/internal/cases"
	"github.com/lantian-org/lantian/internal/photo"
	"github.com/lantian-org/lantian/internal/region"
	"github.com/lantian-org/lantian/internal/store"
)

// descriptions gives a few plausible reports per category.
var descriptions = map[string][]string{
	"08004": {"工地土方作业未洒水，扬尘明显", "施工现场裸土未覆盖，风起扬尘", "拆除作业未采取降尘措施"},
	"08007": {"工地围挡破损，长度约十米", "围挡高度不足，未连续设置"},
	"08008": {"工地出入口道路未硬化，泥土外带"},
	"08012": {"渣土车出场未冲洗车轮，路面有泥印", "工地门口冲洗设施未使用"},
	"08011": {"渣土车未苫盖，沿途遗撒", "运输车辆篷布破损，扬尘"},
	"06014": {"道路有砂石遗撒约二十米", "路面遗撒煤渣"},
	"06012": {"路面积尘较厚，车过扬尘", "人行道泥土堆积未清扫"},
	"06010": {"巷口垃圾堆放未清运", "垃圾桶满溢，周边散落垃圾", "绿化带内暴露垃圾"},
	"06020": {"居民院内焚烧树叶", "路边有人焚烧垃圾，烟雾较大"},
	"06027": {"饭店油烟未经净化直排", "油烟净化器未开启", "烟道破损，油烟外溢"},
	"06029": {"夜市占道露天烧烤", "店外摆设炭火烧烤炉"},
	"L001":  {"居民院内燃放鞭炮", "婚庆现场燃放烟花"},
	"L002":  {"平房区使用散煤取暖，冒黑烟", "小锅炉燃煤未改造"},
	"L003":  {"货车尾气冒黑烟", "柴油车怠速冒烟"},
	"L004":  {"厂区烟囱排放异味气体"},
	"L005":  {"电线杆上张贴小广告", "楼道内小广告牛皮癣"},
	"L006":  {"楼后卫生死角堆积杂物", "背街小巷卫生死角"},
	"L007":  {"邻里因油烟问题发生纠纷，已调解", "烧烤摊与居民纠纷"},
	"L999":  {"其他环境问题"},
}

// categoryWeights makes common problems common.
var categoryWeights = []struct {
	code string
	w    int
}{
	{"06010", 14}, {"L005", 12}, {"06012", 10}, {"06027", 9}, {"L006", 8}, {"06020", 6}, {"08004", 6}, {"08012", 5},
	{"06014", 5}, {"06029", 4}, {"08007", 3}, {"08011", 3}, {"L002", 4}, {"L001", 3}, {"L003", 3}, {"08008", 2},
	{"L007", 2}, {"L004", 1}, {"L999", 1},
}

// SeedCases adds about a year of cases before now to a demo street made by
// Seed: every class, state and category, on the working-day calendar, with
// photos from photos (nil for none). It does nothing when cases exist.
func SeedCases(ctx context.Context, db *store.DB, photos *photo.Store, loc *time.Location, now time.Time) (int, error) {
	if _, n, err := db.Cases(ctx, store.CaseFilter{All: true, Page: store.Page{Size: 1}}); err != nil || n > 0 {
		return 0, err
	}
	h, err := newHistory(ctx, db, loc, now, 2016, 12)
	if err != nil {
		return 0, err
	}
	tree, err := db.Categories(ctx)
	if err != nil {
		return 0, err
	}
	cats := map[string]cases.Category{}
	for _, t := range tree {
		for _, c := range t.Children {
			cats[c.Code] = c
		}
	}
	var pics []string
	if photos != nil {
		if pics, err = demoPhotos(ctx, db, photos); err != nil {
			return 0, err
		}
	}
	g := &caseGen{history: h, cats: cats, pics: pics}
	count := 0
	err = db.Write(ctx, store.Actor{Name: "demo"}, func(tx *store.Tx) error {
		start := now.AddDate(-1, 0, 0)
		for day := start; day.Before(now); day = day.AddDate(0, 0, 1) {
			n := 6 + g.rnd.IntN(7)
			if !g.cal.IsWorkday(day) {
				n = 2 + g.rnd.IntN(3)
			}
			for i := 0; i < n; i++ {
				at := time.Date(day.Year(), day.Month(), day.Day(), 8, 30, 0, 0, loc).Add(time.Duration(g.rnd.IntN(9*60)) * time.Minute)
				if at.After(now) {
					continue
				}
				c, events, photoIDs := g.one(at, count)
				if err := tx.InsertCaseHistory(ctx, "XG", &c, events); err != nil {
					return fmt.Errorf("demo case %d: %w", count, err)
				}
				for _, p := range photoIDs {
					if err := tx.AttachDemoPhoto(ctx, c.ID, p.id, p.step, c.ReportedAt); err != nil {
						return err
					}
				}
				count++
			}
		}
		return nil
	})
	return count, err
}

type caseGen struct {
	history
	cats map[string]cases.Category
	pics []string
}

type demoPhoto struct{ id, step string }

func (g *caseGen) pick() string {
	total := 0
	for _, c := range categoryWeights {
		total += c.w
	}
	n := g.rnd.IntN(total)
	for _, c := range categoryWeights {
		if n < c.w {
			return c.code
		}
		n -= c.w
	}
	return "L999"
}

// after returns a moment some working hours after t.
func (g *caseGen) after(t time.Time, minH, maxH float64) time.Time {
	h := minH + g.rnd.Float64()*(maxH-minH)
	return g.cal.AddWorkingHours(t, time.Duration(h*float64(time.Hour)))
}

func (g *caseGen) deadline(l calendar.Limit, from time.Time) time.Time {
	d, err := l.Deadline(g.cal, from)
	if err != nil {
		return from.Add(24 * time.Hour)
	}
	return d
}

func (g *caseGen) one(at time.Time, seq int) (cases.Case, []cases.Event, []demoPhoto) {
	col, row := g.rnd.IntN(cols), g.rnd.IntN(rows)
	grid := GridCode(col, row)
	lat, lon := g.b.spot(col, row)
	code := g.pick()
	cat := g.cats[code]
	descs := descriptions[code]
	patroller := fmt.Sprintf("patrol%02d", (col*rows+row)*2+1+g.rnd.IntN(2))
	leader := fmt.Sprintf("community%d", col+1)
	reporter := patroller
	source := cases.SourcePatrol
	switch r := g.rnd.IntN(100); {
	case r < 18:
		reporter, source = fmt.Sprintf("volunteer%02d", col*7+1+g.rnd.IntN(7)), cases.SourceVolunteer
	case r < 24:
		reporter, source = "inspector", cases.SourceInspection
	case r < 27:
		reporter, source = leader, cases.SourceHotline12345
	}
	class := cases.ClassEscalated
	switch r := g.rnd.IntN(100); {
	case source == cases.SourceVolunteer || source == cases.SourceHotline12345:
	case r < 50:
		class = cases.ClassOnSpot
	case r < 65:
		class = cases.ClassCommitted
	}
	c := cases.Case{ClientID: fmt.Sprintf("00000000-0000-4000-8000-%012d", seq+1), Description: descs[g.rnd.IntN(len(descs))],
		Region: grid, Source: source, Day: at.In(g.loc).Format("2006-01-02")}
	c.Category, c.Lat, c.Lon, c.ReportedAt, c.Class, c.Severity = code, lat, lon, at, class, cat.Severity
	c.Level = cases.InitialLevel(cat.Severity)
	if cat.Level < c.Level {
		c.Level = cat.Level
	}
	c.Held = region.AncestorAt(grid, region.Level(c.Level))
	c.ReporterID = g.ids[reporter]
	if source == cases.SourceHotline12345 {
		c.HotlineRef = fmt.Sprintf("12345-%s-%04d", at.Format("20060102"), 1+g.rnd.IntN(9999))
	}
	c.Version = 1
	var ev []cases.Event
	var pics []demoPhoto
	add := func(t time.Time, who string, a cases.Action, s cases.Status, note string) {
		ev = append(ev, cases.Event{At: t, ActorID: g.ids[who], ActorName: who, Action: a, Status: s, Level: c.Level, Note: note})
		c.Status, c.UpdatedAt = s, t
		c.Version++
	}
	photo := func(step string) {
		if len(g.pics) > 0 {
			pics = append(pics, demoPhoto{g.pics[g.rnd.IntN(len(g.pics))], step})
			if step == cases.StepAfter {
				c.AfterPhotos++
			}
		}
	}
	photo(cases.StepBefore)
	ev = append(ev, cases.Event{At: at, ActorID: c.ReporterID, ActorName: reporter, Action: cases.ActionReport, Status: cases.StatusReported, Level: c.Level})
	c.Status, c.UpdatedAt = cases.StatusReported, at
	if class == cases.ClassOnSpot {
		add(at, reporter, cases.ActionHandle, cases.StatusHandled, "已当场劝导并处理")
		add(at, reporter, cases.ActionClose, cases.StatusClosed, "")
		c.ClosedAt, c.HandledBy = at, c.ReporterID
		if g.rnd.IntN(10) > 0 {
			photo(cases.StepAfter)
		}
		return c, ev, pics
	}
	holder := leader
	if c.Level == cases.LevelStreet {
		holder = "street"
	}
	c.Deadline, c.DeadlineFrom = g.deadline(cat.File, at), at
	// Filing.
	t := g.after(at, 0.2, 5)
	if t.After(g.now) {
		return c, ev, pics
	}
	if g.rnd.IntN(100) < 5 {
		add(t, holder, cases.ActionReject, cases.StatusRejected, "经核实不属实")
		c.Deadline, c.DeadlineFrom = time.Time{}, time.Time{}
		return c, ev, pics
	}
	// Some minor cases wait too long and the system moves them up.
	if c.Level == cases.LevelCommunity && t.After(c.Deadline.Add(4*time.Hour)) {
		esc := c.Deadline.Add(4*time.Hour + time.Minute)
		c.Level = cases.LevelStreet
		c.Held = region.AncestorAt(grid, region.Level(c.Level))
		ev = append(ev, cases.Event{At: esc, ActorName: "system", Action: cases.ActionEscalate, Status: c.Status, Level: c.Level, Note: "overdue"})
		c.Version++
		holder = "street"
		c.Deadline, c.DeadlineFrom = g.deadline(cat.File, esc), esc
	}
	// Assigning (which files it).
	assignee := cases.AssigneeRef("region", grid)
	handler := patroller
	if class == cases.ClassCommitted {
		if u := g.unitIn(grid); u != 0 {
			assignee = cases.AssigneeRef("unit", u)
			handler = leader
			c.Commitment = "承诺限期整改完毕"
		}
	}
	if g.rnd.IntN(100) < 25 {
		// Filed first, assigned later.
		add(t, holder, cases.ActionFile, cases.StatusFiled, "")
		c.Deadline, c.DeadlineFrom = g.deadline(cat.File, t), t
		t = g.after(t, 0.5, 8)
		if t.After(g.now) {
			return c, ev, pics
		}
	}
	c.Assignee = assignee
	c.Deadline, c.DeadlineFrom = g.deadline(cat.Handle, t), t
	add(t, holder, cases.ActionAssign, cases.StatusAssigned, "请按期处置")
	for round := 0; ; round++ {
		late := g.rnd.IntN(100) < 12
		hmax := 6.0
		if late {
			hmax = 40
		}
		h := g.after(t, 0.5, hmax)
		if h.After(g.now) {
			return c, ev, pics
		}
		c.HandledBy = g.ids[handler]
		add(h, handler, cases.ActionHandle, cases.StatusHandled, "已处置完毕")
		photo(cases.StepAfter)
		c.Deadline, c.DeadlineFrom = g.deadline(cat.Verify, h), h
		v := g.after(h, 1, 24)
		if v.After(g.now) {
			return c, ev, pics
		}
		if round == 0 && g.rnd.IntN(100) < 8 {
			c.Rework++
			add(v, holder, cases.ActionVerify, cases.StatusAssigned, "复查仍有问题，请返工")
			c.Deadline, c.DeadlineFrom = g.deadline(cat.Handle, v), v
			t = v
			continue
		}
		add(v, holder, cases.ActionVerify, cases.StatusClosed, "复查合格")
		c.ClosedAt, c.Deadline, c.DeadlineFrom = v, time.Time{}, time.Time{}
		return c, ev, pics
	}
}

// unitIn returns a demo unit of the grid, 0 when none.
func (g *caseGen) unitIn(grid string) int64 {
	if ids := g.ids["grid:"+grid]; ids != 0 {
		return ids
	}
	return 0
}

// history is what a generator of the demo's history works from: its own
// random source (the same every run), a batch builder, the working-day
// calendar, the zone and the moment the history runs up to, and the demo's
// ids by username (see usernames).
type history struct {
	rnd *rand.Rand
	b   *builder
	cal *calendar.Calendar
	loc *time.Location
	now time.Time
	ids map[string]int64
}

// newHistory reads the calendar in loc and the ids for a generator whose
// random source starts from seed.
func newHistory(ctx context.Context, db *store.DB, loc *time.Location, now time.Time, seed1, seed2 uint64) (history, error) {
	h := history{rnd: rand.New(rand.NewPCG(seed1, seed2)), b: newBuilder(), loc: loc, now: now}
	var err error
	if h.cal, err = db.Calendar(ctx, loc); err != nil {
		return h, err
	}
	h.ids, err = usernames(ctx, db)
	return h, err
}

// usernames maps each demo username to its id, and "grid:<code>" to a unit of that grid.
func usernames(ctx context.Context, db *store.DB) (map[string]int64, error) {
	out := map[string]int64{}
	for page := 1; ; page++ {
		ps, total, err := db.People(ctx, store.PeopleFilter{All: true, Page: store.Page{Page: page, Size: 100}})
		if err != nil {
			return nil, err
		}
		for _, p := range ps {
			out[p.Username] = p.ID
		}
		if page*100 >= total {
			break
		}
	}
	units, _, err := db.Units(ctx, store.UnitFilter{Roots: []string{DistrictCode}, Page: store.Page{Size: 100}})
	if err != nil {
		return nil, err
	}
	for _, u := range units {
		out["grid:"+u.Region] = u.ID
	}
	return out, nil
}

// demoPhotos makes a few synthetic pictures (coloured scenes, no real
// places) and stores them, returning their ids.
func demoPhotos(ctx context.Context, db *store.DB, ps *photo.Store) ([]string, error) {
	var ids []string
	rnd := rand.New(rand.NewPCG(7, 7))
	for i := 0; i < 8; i++ {
		img := image.NewRGBA(image.Rect(0, 0, 480, 360))
		sky := color.RGBA{uint8(150 + rnd.IntN(80)), uint8(170 + rnd.IntN(60)), uint8(200 + rnd.IntN(55)), 255}
		ground := color.RGBA{uint8(90 + rnd.IntN(80)), uint8(80 + rnd.IntN(60)), uint8(60 + rnd.IntN(40)), 255}
		for y := 0; y < 360; y++ {
			for x := 0; x < 480; x++ {
				c := sky
				if y > 200+int(20*float64(x%97)/97) {
					c = ground
				}
				img.Set(x, y, c)
			}
		}
		// A few blocks as buildings and heaps.
		for k := 0; k < 6; k++ {
			x0, w, h := rnd.IntN(420), 20+rnd.IntN(60), 30+rnd.IntN(120)
			col := color.RGBA{uint8(rnd.IntN(200)), uint8(rnd.IntN(200)), uint8(rnd.IntN(200)), 255}
			for y := 300 - h; y < 300; y++ {
				for x := x0; x < x0+w && x < 480; x++ {
					img.Set(x, y, col)
				}
			}
		}
		var buf bytes.Buffer
		if err := png.Encode(&buf, img); err != nil {
			return nil, err
		}
		p, err := photo.Process(&buf, photo.Limits{})
		if err != nil {
			return nil, err
		}
		id, err := ps.Put(p)
		if err != nil {
			return nil, err
		}
		if err := db.SavePhoto(ctx, store.Actor{Name: "demo"}, store.PhotoRecord{ID: id, Width: p.Width, Height: p.Height, Format: p.Format}); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, nil
}
