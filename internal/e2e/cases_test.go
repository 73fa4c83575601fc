package e2e

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"github.com/lantian-org/lantian/internal/cases"
	"github.com/lantian-org/lantian/internal/demo"
)

// The case ledger's browser journeys (issue 3): a patroller's report with a
// photo taken round the whole loop on phones, a volunteer's report, actions
// that are refused, and the Excel export.

// On a phone patrol01 reports exposed rubbish with a photo, its point from
// the device's GPS; community1 assigns it to the grid from the inbox;
// patrol02 of that grid feeds back with an after photo; patrol01 verifies
// it, and the case is closed with the four steps on its timeline in order.
func TestCaseLoopOnPhone(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *site) {
		grid := demo.GridCode(0, 0) // 忠武巷社区第1网格, patrol01's and patrol02's
		const (
			desc        = "巷口垃圾桶旁堆放暴露垃圾，约两立方米，影响通行"
			assignNote  = "请第1网格当日清运"
			handleNote  = "已清运完毕，现场恢复整洁"
			verifyNote  = "复查现场已干净"
			statusAfter = "待核查"
		)
		before, after := writePNG(t, "before.png"), writePNG(t, "after.png")

		// 1. patrol01 reports on a phone.
		phone, number := reportOnPhone(t, s, "patrol01", phoneReport{Category: "06010", Description: desc, Photo: before})
		if !strings.HasPrefix(number, "XG-") {
			t.Errorf("case number %s, want XG-…", number)
		}
		if v := phone.caseProp("问题类别"); !strings.Contains(v, "暴露垃圾") || !strings.Contains(v, "06010") {
			t.Errorf("问题类别 on the case page = %q, want 暴露垃圾 06010", v)
		}
		if v := phone.caseProp("问题描述"); v != desc {
			t.Errorf("问题描述 on the case page = %q, want %q", v, desc)
		}
		if v := phone.caseProp("办理方式"); v != "上报件" {
			t.Errorf("办理方式 on the case page = %q, want 上报件", v)
		}
		if v := phone.caseProp("来源"); v != "网格巡查" {
			t.Errorf("来源 of patrol01's report = %q, want 网格巡查", v)
		}
		if v := phone.caseProp("位置"); !strings.Contains(v, reportGridName) || !strings.Contains(v, "34.572500, 105.702500") {
			t.Errorf("位置 on the case page = %q, want %s and 34.572500, 105.702500", v, reportGridName)
		}
		thumbs := phone.thumbsLoaded("#case-photos .thumbs img", 1)
		c := dbCase(t, s, number)
		if c.Status != cases.StatusReported || c.Class != cases.ClassEscalated || c.Source != cases.SourcePatrol || c.Category != "06010" ||
			c.Region != grid || c.Description != desc || math.Abs(c.Lat-reportLat) > 1e-6 || math.Abs(c.Lon-reportLon) > 1e-6 {
			t.Errorf("the database holds %s as status %s, class %s, source %s, category %s, region %s, point %f, %f, description %q; want reported, escalated, patrol, 06010, %s, %f, %f, %q",
				number, c.Status, c.Class, c.Source, c.Category, c.Region, c.Lat, c.Lon, c.Description, grid, reportLat, reportLon, desc)
		}
		if len(c.Photos) != 1 || c.Photos[0].Step != cases.StepBefore {
			t.Fatalf("the database holds photos %+v for %s, want one before photo", c.Photos, number)
		}
		if want := "/photos/" + c.Photos[0].ID + "?thumb=1"; len(thumbs) != 1 || thumbs[0] != want {
			t.Errorf("the case page's thumbnails %q, want [%s]", thumbs, want)
		}
		phone.fitsPhone("the case page")
		if forms := phone.actionForms(); slices.Contains(forms, "act-assign") || slices.Contains(forms, "act-verify") {
			t.Errorf("the reporting patroller is offered %q on a reported case; no assign or verify", forms)
		}

		// 2. community1, on a desktop, follows the inbox message and assigns it to the grid.
		leader := s.newTab(t)
		leader.signIn("community1", demo.Password)
		if n := leader.text("#unread-count"); n == "" || n == "0" {
			t.Errorf("community1's unread count reads %q after a report in its community", n)
		}
		leader.openFromInbox(number, "新上报问题待立案")
		if st := leader.text("#case-status"); st != "待立案" {
			t.Errorf("community1 sees status %q, want 待立案", st)
		}
		leader.openAction("assign")
		leader.fill("assignee", "region:"+grid)
		if o := eval[string](leader, `document.getElementById("assignee").selectedOptions[0].innerText`); !strings.Contains(o, reportGridName) {
			t.Errorf("the assignee chosen reads %q, want %s", o, reportGridName)
		}
		leader.do("type the assignment note", chromedp.SendKeys(chromedp.ID("note-assign"), assignNote))
		if st := leader.submit("#assign-form button[type=submit]"); st != 200 {
			t.Fatalf("community1 assigns: status %d; error %q %q", st, leader.errorText(), leader.texts(".field-error"))
		}
		if p := leader.path(); p != "/cases/"+number {
			t.Errorf("after assigning the page is %s, want /cases/%s", p, number)
		}
		if f := leader.flash(); f != "已保存" {
			t.Errorf("the flash after assigning reads %q, want 已保存", f)
		}
		if st := leader.text("#case-status"); st != "办理中" {
			t.Errorf("status after assigning = %q, want 办理中", st)
		}
		if a := leader.text("#case-assignee"); !strings.Contains(a, reportGridName) {
			t.Errorf("承办对象 after assigning = %q, want %s", a, reportGridName)
		}
		if c := dbCase(t, s, number); c.Status != cases.StatusAssigned || c.Assignee != "region:"+grid {
			t.Errorf("after assigning the database holds status %s, assignee %s; want assigned, region:%s", c.Status, c.Assignee, grid)
		}

		// 3. patrol02 of the grid, on a phone, feeds back with an after photo.
		handler := s.newTab(t)
		handler.phone()
		handler.signIn("patrol02", demo.Password)
		handler.openFromInbox(number, "有问题派给您办理")
		if forms := handler.actionForms(); !slices.Contains(forms, "act-handle") {
			t.Fatalf("patrol02 is offered %q on the assigned case, want act-handle among them", forms)
		}
		handler.openAction("handle")
		handler.do("type the feedback and attach the after photo",
			chromedp.SendKeys(chromedp.ID("note-handle"), handleNote),
			chromedp.SetUploadFiles(chromedp.ID("handle-photos"), []string{after}))
		if st := handler.tapSubmit("#handle-form button[type=submit]"); st != 200 {
			t.Fatalf("patrol02 feeds back: status %d; error %q %q", st, handler.errorText(), handler.texts(".field-error"))
		}
		if st := handler.text("#case-status"); st != statusAfter {
			t.Errorf("status after the feedback = %q, want %s", st, statusAfter)
		}
		handler.thumbsLoaded("#case-photos .thumbs img", 2)
		if forms := handler.actionForms(); slices.Contains(forms, "act-verify") {
			t.Errorf("patrol02, who handled the case, is offered to verify it too (%q)", forms)
		}
		c = dbCase(t, s, number)
		if c.Status != cases.StatusHandled || len(c.Photos) != 2 {
			t.Fatalf("after the feedback the database holds status %s with %d photos, want handled with 2", c.Status, len(c.Photos))
		}

		// 4. patrol01 verifies it from the inbox, on the phone: closed.
		phone.openFromInbox(number, "问题已处置，待核查")
		if forms := phone.actionForms(); !slices.Contains(forms, "act-verify") {
			t.Fatalf("patrol01 is offered %q on the handled case, want act-verify among them", forms)
		}
		phone.openAction("verify")
		phone.do("choose 通过 and type a note",
			chromedp.Tap(chromedp.CSS(`#verify-form input[name="passed"][value="yes"]`), chromedp.NodeVisible),
			chromedp.SendKeys(chromedp.ID("note-verify"), verifyNote))
		if st := phone.tapSubmit("#verify-form button[type=submit]"); st != 200 {
			t.Fatalf("patrol01 verifies: status %d; error %q %q", st, phone.errorText(), phone.texts(".field-error"))
		}
		if st := phone.text("#case-status"); st != "已办结" {
			t.Errorf("status after verifying = %q, want 已办结", st)
		}
		if forms := phone.actionForms(); slices.Contains(forms, "act-verify") || slices.Contains(forms, "act-handle") {
			t.Errorf("a closed case still offers %q to its reporter", forms)
		}
		if c := dbCase(t, s, number); c.Status != cases.StatusClosed || c.ClosedAt.IsZero() || c.Rework != 0 {
			t.Errorf("after verifying the database holds status %s, closed at %v, rework %d; want closed, a time, 0", c.Status, c.ClosedAt, c.Rework)
		}

		// The timeline: the four steps in order, by whom, with their notes and photos.
		type step struct{ actor, action, status, note string }
		want := []step{
			{personName(t, s, "patrol01"), "上报", "待立案", ""},
			{personName(t, s, "community1"), "派遣", "办理中", assignNote},
			{personName(t, s, "patrol02"), "处置反馈", "待核查", handleNote},
			{personName(t, s, "patrol01"), "核查", "已办结", verifyNote},
		}
		rows := phone.timeline()
		if len(rows) != len(want) {
			t.Fatalf("the timeline has %d rows %+v, want %d", len(rows), rows, len(want))
		}
		for i, w := range want {
			r := rows[i]
			if r.Actor != w.actor || r.Action != w.action || !strings.HasPrefix(r.Status, w.status+" · ") || !strings.Contains(r.Note, w.note) {
				t.Errorf("timeline row %d = %+v, want actor %s, action %s, status %s, note %q", i+1, r, w.actor, w.action, w.status, w.note)
			}
			if i > 0 && r.At < rows[i-1].At {
				t.Errorf("timeline row %d at %s comes before row %d at %s", i+1, r.At, i, rows[i-1].At)
			}
		}
		if n := eval[int](phone, `document.querySelectorAll("#case-timeline tbody tr:nth-child(3) .thumbs img").length`); n != 1 {
			t.Errorf("the feedback's timeline row shows %d photos, want the after photo", n)
		}
	})
}

// A volunteer reports on a phone, the point by a tap on the map: the case's
// source is 志愿者, and it reaches the community's ledger.
func TestVolunteerReportOnPhone(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *site) {
		const desc = "小区门口共享单车乱停乱放，堵塞人行道"
		phone, number := reportOnPhone(t, s, "volunteer01", phoneReport{Category: "06010", Description: desc, ByMap: true})
		if v := phone.caseProp("来源"); v != "志愿者" {
			t.Errorf("来源 of volunteer01's report = %q, want 志愿者", v)
		}
		if v := phone.caseProp("位置"); !strings.Contains(v, reportGridName) {
			t.Errorf("位置 of the report tapped in %s = %q", reportGridName, v)
		}
		phone.fitsPhone("the case page")
		c := dbCase(t, s, number)
		if c.Source != cases.SourceVolunteer || c.Region != demo.GridCode(0, 0) || c.Status != cases.StatusReported || c.Description != desc {
			t.Errorf("the database holds %s as source %s, region %s, status %s, description %q; want volunteer, %s, reported, %q",
				number, c.Source, c.Region, c.Status, c.Description, demo.GridCode(0, 0), desc)
		}
		if len(c.Photos) != 0 {
			t.Errorf("a report without a photo has %d photos", len(c.Photos))
		}

		// The community's ledger lists it under 志愿者.
		leader := s.newTab(t)
		leader.signIn("community1", demo.Password)
		if st := leader.open("/cases?source=volunteer"); st != 200 {
			t.Fatalf("GET /cases?source=volunteer: status %d", st)
		}
		rows := leader.texts("#case-table tbody tr")
		if len(rows) != 1 || !strings.Contains(rows[0], number) || !strings.Contains(rows[0], "待立案") || !strings.Contains(rows[0], reportGridName) {
			t.Errorf("community1's ledger filtered by 志愿者 lists %q, want one row for %s, 待立案, %s", rows, number, reportGridName)
		}
	})
}

// Actions that may not be taken are refused with a message: another
// community's leader opening the case gets the 404 page, and a form sent from
// a tab that was opened before someone else acted answers 409 with the stale
// message, changing nothing.
func TestCaseActionRefused(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *site) {
		const desc = "人行道上建筑垃圾无人清理"
		_, number := reportOnPhone(t, s, "patrol01", phoneReport{Category: "06010", Description: desc})

		// community2 leads another community: the case does not exist for it.
		other := s.newTab(t)
		other.signIn("community2", demo.Password)
		if st := other.open("/cases/" + number); st != 404 {
			t.Errorf("community2 opening %s: status %d, want 404", number, st)
		}
		if h := other.text("h1"); h != "找不到该记录" {
			t.Errorf("h1 of community2's page for %s = %q, want 找不到该记录", number, h)
		}
		if body := other.text("body"); strings.Contains(body, desc) || strings.Contains(body, number) {
			t.Errorf("community2's 404 page shows the case's number or description:\n%s", body)
		}

		// community1 has the case open in two tabs and assigns it in the first.
		first := s.newTab(t)
		first.signIn("community1", demo.Password)
		second := first.sibling()
		for _, tb := range []*tab{first, second} {
			if st := tb.open("/cases/" + number); st != 200 {
				t.Fatalf("community1 opening %s: status %d", number, st)
			}
			if st := tb.text("#case-status"); st != "待立案" {
				t.Fatalf("community1 sees %s as %q, want 待立案", number, st)
			}
		}
		first.openAction("assign")
		first.fill("assignee", "region:"+demo.GridCode(0, 0))
		if st := first.submit("#assign-form button[type=submit]"); st != 200 {
			t.Fatalf("assigning in the first tab: status %d; error %q %q", st, first.errorText(), first.texts(".field-error"))
		}
		if st := first.text("#case-status"); st != "办理中" {
			t.Fatalf("status after assigning in the first tab = %q, want 办理中", st)
		}
		v := dbCase(t, s, number).Version

		// The second tab still shows the case as it was, and assigns it elsewhere.
		if st := second.text("#case-status"); st != "待立案" {
			t.Fatalf("the second tab shows %q before reloading, want the old 待立案", st)
		}
		second.openAction("assign")
		second.fill("assignee", "region:"+demo.GridCode(0, 1))
		second.do("type a note", chromedp.SendKeys(chromedp.ID("note-assign"), "改派第2网格"))
		if st := second.submit("#assign-form button[type=submit]"); st != 409 {
			t.Errorf("assigning from the stale tab: status %d, want 409", st)
		}
		if e := second.errorText(); e != "该问题已被他人更新，请刷新后重试" {
			t.Errorf("the stale tab's message reads %q, want 该问题已被他人更新，请刷新后重试", e)
		}
		// The page shows the case as it now stands, ready for another try.
		if st := second.text("#case-status"); st != "办理中" {
			t.Errorf("after the refusal the page shows status %q, want the current 办理中", st)
		}
		if got := eval[string](second, `document.querySelector('#assign-form input[name="version"]').value`); got != strconv.Itoa(v) {
			t.Errorf("after the refusal the assign form carries version %s, want the current %d", got, v)
		}
		c := dbCase(t, s, number)
		if c.Version != v || c.Assignee != "region:"+demo.GridCode(0, 0) {
			t.Errorf("the refused assignment changed the case: version %d (want %d), assignee %s (want region:%s)", c.Version, v, c.Assignee, demo.GridCode(0, 0))
		}
		for _, r := range second.timeline() {
			if strings.Contains(r.Note, "改派第2网格") {
				t.Errorf("the refused assignment is on the timeline: %+v", r)
			}
		}
	})
}

// community1 exports its ledger to Excel from /cases: the workbook downloads,
// opens, and holds the header row and one row per case of its community —
// and none of them is in another community's export.
func TestCaseExcelExport(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *site) {
		const (
			patrolDesc    = "路边绿化带内有暴露垃圾"
			volunteerDesc = "街角垃圾桶满溢无人清运"
		)
		_, patrolCase := reportOnPhone(t, s, "patrol01", phoneReport{Category: "06010", Description: patrolDesc})
		_, volunteerCase := reportOnPhone(t, s, "volunteer01", phoneReport{Category: "06010", Description: volunteerDesc})

		leader := s.newTab(t)
		leader.signIn("community1", demo.Password)
		if st := leader.open("/cases"); st != 200 {
			t.Fatalf("GET /cases: status %d", st)
		}
		if b := leader.text("#case-export"); b != "导出Excel" {
			t.Errorf("the export link reads %q, want 导出Excel", b)
		}
		if n := len(leader.texts("#case-table tbody tr")); n != 2 {
			t.Errorf("community1's ledger lists %d rows, want the 2 cases just reported", n)
		}
		path, name := leader.download("#case-export")
		if !strings.HasSuffix(name, ".xlsx") || !strings.HasPrefix(name, "问题台账") {
			t.Errorf("the download is named %q, want 问题台账-….xlsx", name)
		}
		rows := xlsxRows(t, path)
		header := []string{"编号", "上报时间", "问题类别", "办理方式", "严重程度", "来源", "状态", "办理层级", "所在网格", "地址", "问题描述",
			"办理期限", "是否超期", "办结时间", "返工次数", "办理过程"}
		if len(rows) == 0 || !slices.Equal(rows[0], header) {
			t.Fatalf("the export's header row is %q, want %q", firstRow(rows), header)
		}
		if len(rows) != 3 {
			t.Fatalf("the export has %d rows %q, want the header and the 2 cases", len(rows), rows)
		}
		byNumber := map[string][]string{}
		for _, r := range rows[1:] {
			if len(r) < len(header) {
				r = append(r, make([]string, len(header)-len(r))...)
			}
			byNumber[r[0]] = r
		}
		for _, w := range []struct{ number, source, desc string }{
			{patrolCase, "网格巡查", patrolDesc},
			{volunteerCase, "志愿者", volunteerDesc},
		} {
			r, ok := byNumber[w.number]
			if !ok {
				t.Errorf("the export has no row for %s; its numbers are %q", w.number, keys(byNumber))
				continue
			}
			got := map[string]string{"问题类别": r[2], "办理方式": r[3], "来源": r[5], "状态": r[6], "所在网格": r[8], "问题描述": r[10], "办理过程": r[15]}
			want := map[string]string{"问题类别": "暴露垃圾", "办理方式": "上报件", "来源": w.source, "状态": "待立案", "所在网格": reportGridName, "问题描述": w.desc}
			for k, v := range want {
				if got[k] != v {
					t.Errorf("the export's %s of %s = %q, want %q", k, w.number, got[k], v)
				}
			}
			if !strings.Contains(got["办理过程"], "上报") {
				t.Errorf("the export's 办理过程 of %s = %q, want the 上报 step", w.number, got["办理过程"])
			}
		}

		// Another community's export holds neither case.
		other := s.newTab(t)
		other.signIn("community2", demo.Password)
		if st := other.open("/cases"); st != 200 {
			t.Fatalf("community2 GET /cases: status %d", st)
		}
		otherPath, _ := other.download("#case-export")
		otherRows := xlsxRows(t, otherPath)
		if len(otherRows) != 1 || !slices.Equal(otherRows[0], header) {
			t.Errorf("community2's export has rows %q, want only the header", otherRows)
		}
	})
}

// xlsxRows opens a downloaded workbook and returns the rows of its first sheet.
func xlsxRows(t *testing.T, path string) [][]string {
	t.Helper()
	x, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatalf("the downloaded export does not open as a workbook: %v", err)
	}
	defer x.Close()
	if sheet := x.GetSheetName(0); sheet != "问题台账" {
		t.Errorf("the export's sheet is named %q, want 问题台账", sheet)
	}
	rows, err := x.GetRows(x.GetSheetName(0))
	if err != nil {
		t.Fatalf("read the export's rows: %v", err)
	}
	return rows
}

func firstRow(rows [][]string) []string {
	if len(rows) == 0 {
		return nil
	}
	return rows[0]
}

func keys(m map[string][]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
