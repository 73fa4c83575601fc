package demo

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/lantian-org/lantian/internal/cases"
	"github.com/lantian-org/lantian/internal/inspect"
	"github.com/lantian-org/lantian/internal/region"
	"github.com/lantian-org/lantian/internal/store"
)

// deductions are what an inspector writes beside points lost, per item.
var deductions = map[string][]string{
	"patrol":     {"第2网格周二下午巡查记录缺失", "巡查轨迹过短，存疑2次", "巡查记录本未及时签字"},
	"ledger":     {"超期案件1件未办结", "台账登记不及时，滞后2天", "承诺件未按期核查"},
	"onspot":     {"即办件缺处置后照片", "小广告清理不彻底"},
	"hotspots":   {"上周反映的油烟问题无进展", "热点问题无责任人", "整改时限不明确"},
	"publicity":  {"宣传资料未入户", "志愿者本周未上报问题"},
	"site_order": {"工地出入口未冲洗车轮", "餐饮店油烟净化器未开启", "裸土未覆盖"},
}

// SeedInspections adds a year of weekly inspections before now to a demo
// street that has its cases (SeedCases): one per community and week on the
// working-day calendar, the past ones scored plausibly, acknowledged and
// closed, with the inspection group's cases of that week as findings, this
// week's planned; and a few tracked problems in each status. It does
// nothing when inspections exist. It returns how many it made.
func SeedInspections(ctx context.Context, db *store.DB, loc *time.Location, now time.Time) (int, error) {
	if _, n, err := db.Inspections(ctx, store.InspectionFilter{All: true, Page: store.Page{Size: 1}}); err != nil || n > 0 {
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
	inspectors, err := db.PeopleWithRole(ctx, "inspector", StreetCode)
	if err != nil {
		return 0, err
	}
	// The inspection group's cases, by community and week: the findings.
	found := map[string][]cases.Case{}
	for page := 1; ; page++ {
		list, total, err := db.Cases(ctx, store.CaseFilter{All: true, Source: string(cases.SourceInspection), Page: store.Page{Page: page, Size: 100}})
		if err != nil {
			return 0, err
		}
		for _, c := range list {
			d, _ := time.ParseInLocation(inspect.DateLayout, c.Day, loc)
			k := region.AncestorAt(c.Region, region.Community) + inspect.Monday(d).Format(inspect.DateLayout)
			found[k] = append(found[k], c)
		}
		if page*100 >= total {
			break
		}
	}
	rnd := rand.New(rand.NewPCG(2017, 410))
	local := now.In(loc)
	today := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, loc)
	first := inspect.Monday(today.AddDate(0, 0, -7*52))
	made := 0
	err = db.Write(ctx, store.System, func(tx *store.Tx) error {
		sheets := map[int]inspect.Checklist{}
		for mon := first; !mon.After(today); mon = mon.AddDate(0, 0, 7) {
			date, ok := inspect.ScheduledDate(cal, mon, time.Friday)
			if !ok {
				continue
			}
			cl, ok := sheets[date.Year()]
			if !ok {
				cl = inspect.DefaultChecklist(date.Year())
				sheets[date.Year()] = cl
			}
			for c := range cols {
				comm := CommunityCode(c)
				in := inspect.Inspection{Region: comm, Street: StreetCode, Date: date.Format(inspect.DateLayout), Slot: mon.Format(inspect.DateLayout),
					Status: inspect.StatusPlanned, Year: date.Year(), Items: cl.Sheet(), Max: cl.Max(), Inspectors: inspectors[:min(2, len(inspectors))]}
				if date.Before(today) {
					// A community's level drifts over the year; most items keep full marks.
					base := 0.6 + 0.25*math.Sin(float64(c)+float64(mon.YearDay())/40)
					for i := range in.Items {
						it := &in.Items[i]
						lost := 0.0
						if rnd.Float64() > base {
							lost = float64(1+rnd.IntN(min(it.Max/4, 5))) - float64(rnd.IntN(2))*0.5
						}
						v := float64(it.Max) - lost
						it.Score = &v
						if lost > 0 {
							notes := deductions[it.Key]
							it.Note = notes[rnd.IntN(len(notes))]
						}
					}
					in.Score = inspect.Total(in.Items)
					at := date.Add(9 * time.Hour)
					in.Status, in.OpenedAt, in.AgendaAt = inspect.StatusClosed, at, at
					in.ClosedAt, in.ClosedBy = date.Add(11*time.Hour+time.Duration(rnd.IntN(60))*time.Minute), ids["inspector"]
					in.Ack = inspect.Ack{Name: fmt.Sprintf("%s网格长", Communities[c]), PersonID: ids[fmt.Sprintf("community%d", c+1)], At: in.ClosedAt.Add(-5 * time.Minute)}
				}
				if _, err := tx.CreateInspection(ctx, &in); err != nil {
					return err
				}
				made++
				if in.Status != inspect.StatusClosed {
					continue
				}
				for _, fc := range found[comm+in.Slot] {
					if err := tx.AddInspectionFinding(ctx, in.ID, fc.ID, fc.Number); err != nil {
						return err
					}
				}
			}
			if date.Before(today) {
				if _, err := tx.MarkWeekSent(ctx, StreetCode, mon.Format(inspect.DateLayout)); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return made, err
	}
	return made, seedProblems(ctx, db, loc, today, ids)
}

// seedProblems adopts, in three communities, three cases of a category as
// a tracked problem: one open, one resolved and one closed.
func seedProblems(ctx context.Context, db *store.DB, loc *time.Location, today time.Time, ids map[string]int64) error {
	plans := []struct {
		c        int
		category string
		title    string
		status   inspect.ProblemStatus
		notes    []string
	}{
		{0, "06027", "忠武巷餐饮油烟反复扰民", inspect.ProblemOpen, []string{"已约谈三家餐馆负责人，限期安装油烟净化器"}},
		{2, "L005", "澄源巷小广告屡清屡贴", inspect.ProblemResolved, []string{"联合物业每日巡查清理", "安装公共信息栏，两周未见新贴小广告"}},
		{4, "06010", "自由路背街暴露垃圾", inspect.ProblemClosed, []string{"协调环卫增加清运频次", "设置分类收集点并落实门前三包", "连续四周复查无暴露垃圾，销号"}},
	}
	for _, pl := range plans {
		comm := CommunityCode(pl.c)
		list, _, err := db.Cases(ctx, store.CaseFilter{All: true, Region: comm, Category: pl.category, Page: store.Page{Size: 3}})
		if err != nil {
			return err
		}
		if len(list) < 3 {
			continue
		}
		var nums []string
		for _, c := range list {
			nums = append(nums, c.Number)
		}
		refs, err := db.CaseRefs(ctx, nums)
		if err != nil {
			return err
		}
		leader := store.Actor{ID: ids["street"], Name: "street"}
		owner := ids[fmt.Sprintf("community%d", pl.c+1)]
		err = db.Write(ctx, leader, func(tx *store.Tx) error {
			p := inspect.Problem{Region: comm, Street: StreetCode, Title: pl.title, OwnerID: owner,
				Due: today.AddDate(0, 0, 21).Format(inspect.DateLayout), Hotspot: "place:" + pl.category + ":" + nums[0]}
			if err := tx.CreateProblem(ctx, &p, refs, pl.title); err != nil {
				return err
			}
			for i, note := range pl.notes {
				before := p
				switch {
				case i == len(pl.notes)-1 && pl.status == inspect.ProblemClosed:
					p.Status, p.ClosedAt = inspect.ProblemClosed, today
				case i == len(pl.notes)-1 && pl.status == inspect.ProblemResolved:
					p.Status, p.ResolvedAt = inspect.ProblemResolved, today
				}
				action := "note"
				if p.Status != before.Status {
					action = map[inspect.ProblemStatus]string{inspect.ProblemClosed: "close", inspect.ProblemResolved: "resolve"}[p.Status]
				}
				if err := tx.UpdateProblem(ctx, before, &p, action, note); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}
