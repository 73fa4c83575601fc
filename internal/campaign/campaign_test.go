package campaign

import (
	"slices"
	"testing"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/calendar"
	"github.com/lantian-org/lantian/internal/region"
)

const (
	street    = "620502004000000"
	community = "620502004001000"
	grid      = "620502004001001"
	otherSt   = "620502005000000"
)

// TestDecide is the rule table: relation × status × action, with the day come or not.
func TestDecide(t *testing.T) {
	planner, recorder, none := Actor{Planner: true}, Actor{Recorder: true}, Actor{}
	tests := []struct {
		name    string
		a       Actor
		st      Status
		act     Action
		dayCome bool
		want    Status
		code    apperr.Code
	}{
		{"PlannerEditsProposal", planner, Proposed, ActEdit, false, Planned, ""},
		{"PlannerEditsPlanned", planner, Planned, ActEdit, true, Planned, ""},
		{"RecorderCannotEdit", recorder, Planned, ActEdit, false, Planned, apperr.Forbidden},
		{"NobodyCannotEdit", none, Proposed, ActEdit, false, Proposed, apperr.Forbidden},
		{"EditClosedConflict", planner, Closed, ActEdit, true, Closed, apperr.Conflict},
		{"EditCancelledConflict", planner, Cancelled, ActEdit, true, Cancelled, apperr.Conflict},
		{"RecorderRecordsOnTheDay", recorder, Planned, ActRecord, true, Planned, ""},
		{"PlannerRecordsOnTheDay", planner, Planned, ActRecord, true, Planned, ""},
		{"RecordBeforeTheDay", recorder, Planned, ActRecord, false, Planned, apperr.Conflict},
		{"RecordProposalConflict", planner, Proposed, ActRecord, true, Proposed, apperr.Conflict},
		{"RecordClosedConflict", recorder, Closed, ActRecord, true, Closed, apperr.Conflict},
		{"RecordCancelledConflict", recorder, Cancelled, ActRecord, true, Cancelled, apperr.Conflict},
		{"NobodyCannotRecord", none, Planned, ActRecord, true, Planned, apperr.Forbidden},
		{"PlannerCloses", planner, Planned, ActClose, true, Closed, ""},
		{"CloseBeforeTheDay", planner, Planned, ActClose, false, Planned, apperr.Conflict},
		{"RecorderCannotClose", recorder, Planned, ActClose, true, Planned, apperr.Forbidden},
		{"CloseProposalConflict", planner, Proposed, ActClose, true, Proposed, apperr.Conflict},
		{"PlannerReopens", planner, Closed, ActReopen, true, Planned, ""},
		{"ReopenPlannedConflict", planner, Planned, ActReopen, true, Planned, apperr.Conflict},
		{"PlannerCancelsProposal", planner, Proposed, ActCancel, false, Cancelled, ""},
		{"PlannerCancelsPlanned", planner, Planned, ActCancel, true, Cancelled, ""},
		{"CancelClosedConflict", planner, Closed, ActCancel, true, Closed, apperr.Conflict},
		{"RecorderCannotCancel", recorder, Planned, ActCancel, false, Planned, apperr.Forbidden},
		{"UnknownAction", planner, Planned, "explode", true, Planned, apperr.Invalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Decide(tt.a, tt.st, tt.act, tt.dayCome)
			if tt.code == "" {
				if err != nil || got != tt.want {
					t.Fatalf("Decide = %s, %v; want %s, nil", got, err, tt.want)
				}
				return
			}
			if !apperr.Is(err, tt.code) {
				t.Fatalf("Decide error = %v, want code %s", err, tt.code)
			}
			if got != tt.want {
				t.Fatalf("Decide left status %s, want %s", got, tt.want)
			}
		})
	}
}

func TestAllowed(t *testing.T) {
	if got := Allowed(Actor{Planner: true}, Planned, true); !slices.Equal(got, []Action{ActEdit, ActRecord, ActClose, ActCancel}) {
		t.Errorf("planner on the day: %v", got)
	}
	if got := Allowed(Actor{Recorder: true}, Planned, false); len(got) != 0 {
		t.Errorf("recorder before the day: %v", got)
	}
	if got := Allowed(Actor{Planner: true}, Closed, true); !slices.Equal(got, []Action{ActReopen}) {
		t.Errorf("planner on a closed campaign: %v", got)
	}
}

// TestProposalDay checks the month-end rule on the real 2025 and 2026
// holiday schedules: the last Friday, or the last working day of that week
// before it, or none when the whole week rests.
func TestProposalDay(t *testing.T) {
	cal, err := calendar.New([]calendar.Day{
		{Date: "2025-01-26", Kind: calendar.Workday}, {Date: "2025-01-28", Kind: calendar.Holiday}, {Date: "2025-01-29", Kind: calendar.Holiday},
		{Date: "2025-01-30", Kind: calendar.Holiday}, {Date: "2025-01-31", Kind: calendar.Holiday},
		// An invented week of rest, Monday to Friday, to test "no working day before it".
		{Date: "2026-06-22", Kind: calendar.Holiday}, {Date: "2026-06-23", Kind: calendar.Holiday}, {Date: "2026-06-24", Kind: calendar.Holiday},
		{Date: "2026-06-25", Kind: calendar.Holiday}, {Date: "2026-06-26", Kind: calendar.Holiday},
		{Date: "2026-04-24", Kind: calendar.Holiday},
	}, time.FixedZone("CST", 8*3600))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		year  int
		month time.Month
		want  string // "" for none
	}{
		{"PlainLastFriday", 2026, time.March, "2026-03-27"},
		{"MonthEndingOnFriday", 2026, time.July, "2026-07-31"},
		{"FridayIsHolidayGoesToThursday", 2026, time.April, "2026-04-23"},
		{"SpringFestivalWeekGoesToMonday", 2025, time.January, "2025-01-27"},
		{"WholeWeekRestsNone", 2026, time.June, ""},
		{"December", 2026, time.December, "2026-12-25"},
		{"FebruaryLeapYear", 2028, time.February, "2028-02-25"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, ok := ProposalDay(tt.year, tt.month, cal.IsWorkday)
			got := ""
			if ok {
				got = d.Format(DateLayout)
			}
			if got != tt.want {
				t.Fatalf("ProposalDay(%d, %s) = %q, want %q", tt.year, tt.month, got, tt.want)
			}
		})
	}
}

func TestParseCounts(t *testing.T) {
	c, err := ParseCounts(map[string]float64{"ads": 12, "corners": 3, "bags": 40, "people": 25, "tonnes": 1.25})
	if err != nil || c != (Counts{Ads: 12, Corners: 3, Bags: 40, People: 25, Tonnes: 1.25}) {
		t.Fatalf("ParseCounts = %+v, %v", c, err)
	}
	bad := []struct {
		name string
		in   map[string]float64
		key  string
	}{
		{"Negative", map[string]float64{"ads": -1}, "err.not_negative"},
		{"Unknown", map[string]float64{"cats": 1}, MsgCountUnknown},
		{"Fraction", map[string]float64{"bags": 1.5}, MsgCountWhole},
		{"Huge", map[string]float64{"people": 1e9}, "err.out_of_range"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseCounts(tt.in)
			e := apperr.As(err)
			if e.Code != apperr.Invalid || e.Fields["counts"].Key != tt.key {
				t.Fatalf("ParseCounts(%v) = %v, want counts: %s", tt.in, err, tt.key)
			}
		})
	}
}

func TestCampaignValidate(t *testing.T) {
	ok := Campaign{Title: "三月月末综合整治", Date: "2026-03-27", Regions: []string{community},
		Tasks: []Task{{Kind: TaskAds, Title: "忠武巷小广告", Region: grid}, {Kind: TaskCourtyard, Title: "12号院", UnitID: 4}}}
	if err := ok.Validate(); err != nil {
		t.Fatalf("valid campaign: %v", err)
	}
	tests := []struct {
		name  string
		edit  func(c *Campaign)
		field string
		key   string
	}{
		{"NoTitle", func(c *Campaign) { c.Title = " " }, "title", "err.required"},
		{"BadDate", func(c *Campaign) { c.Date = "2026-02-30" }, "date", "err.format"},
		{"NoRegions", func(c *Campaign) { c.Regions = nil }, "regions", "err.required"},
		{"TwoStreets", func(c *Campaign) { c.Regions = []string{community, otherSt} }, "regions", MsgOneStreet},
		{"GridOutsideCampaign", func(c *Campaign) { c.Tasks[0].Region = "620502004002001" }, "tasks", MsgRegionOutside},
		{"TaskWithoutPlace", func(c *Campaign) { c.Tasks[0].Region = "" }, "tasks", MsgTaskPlace},
		{"TaskBadKind", func(c *Campaign) { c.Tasks[0].Kind = "dance" }, "tasks", "err.invalid_choice"},
		{"NegativeHeadcount", func(c *Campaign) { c.Units = []UnitPart{{UnitID: 1, Headcount: -2}} }, "units", "err.not_negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ok
			c.Tasks = slices.Clone(ok.Tasks)
			tt.edit(&c)
			e := apperr.As(c.Validate())
			if e.Fields[tt.field].Key != tt.key {
				t.Fatalf("Validate = %v, want %s: %s", e, tt.field, tt.key)
			}
		})
	}
}

func TestSummarize(t *testing.T) {
	c := Campaign{Units: []UnitPart{{UnitID: 1, Name: "华天集团", Headcount: 12}, {UnitID: 2, Name: "市三中"}},
		Tasks: []Task{
			{ID: 1, Done: true, Counts: Counts{Ads: 10, Bags: 4, Tonnes: 0.5}},
			{ID: 2, UnitID: 3, Done: true, Counts: Counts{Corners: 2, Tonnes: 0.25}},
			{ID: 3, UnitID: 4, Counts: Counts{Ads: 1}},
		}}
	r := Summarize(c, map[int64]string{3: "永红家园", 4: "庆华庭居"}, 2)
	if r.Counts != (Counts{Ads: 11, Corners: 2, Bags: 4, Tonnes: 0.75}) || r.Tasks != 3 || r.TasksDone != 2 || r.Findings != 2 {
		t.Fatalf("totals: %+v", r)
	}
	names := func(us []UnitPart) []string {
		var out []string
		for _, u := range us {
			out = append(out, u.Name)
		}
		return out
	}
	if got := names(r.UnitsPresent); !slices.Equal(got, []string{"华天集团", "永红家园"}) {
		t.Errorf("present = %v", got)
	}
	if got := names(r.UnitsAbsent); !slices.Equal(got, []string{"市三中", "庆华庭居"}) {
		t.Errorf("absent = %v", got)
	}
}

func TestCoverage(t *testing.T) {
	regions := []region.Region{
		{Code: "620502004001000", Name: "A", Households: 100},
		{Code: "620502004002000", Name: "B", Households: 200},
		{Code: "620502004003000", Name: "C", Households: 50},
		{Code: "620502004004000", Name: "D", Households: 0},
	}
	rows := Coverage(regions, map[string]int{"620502004001000": 150, "620502004002000": 50})
	var order []string
	for _, r := range rows {
		order = append(order, r.Name)
	}
	if !slices.Equal(order, []string{"C", "D", "B", "A"}) {
		t.Errorf("order = %v, want the unreached first (C, D), then by rate", order)
	}
	if rows[3].Reached != 100 || rows[3].Rate != 1 {
		t.Errorf("A is capped at 100%%: %+v", rows[3])
	}
	if rows[2].Rate != 0.25 {
		t.Errorf("B rate = %v", rows[2].Rate)
	}
	if rows[1].Rate != 0 {
		t.Errorf("a region without households has rate 0: %+v", rows[1])
	}
}

func TestDistributionValidate(t *testing.T) {
	d := Distribution{Region: community, Households: 300, Date: "2026-03-20"}
	if err := d.Validate(300); err != nil {
		t.Fatalf("valid: %v", err)
	}
	if e := apperr.As(d.Validate(299)); e.Fields["households"].Key != "err.campaign.households_over" {
		t.Errorf("over capacity: %v", e)
	}
	d.Households = 0
	if e := apperr.As(d.Validate(300)); e.Fields["households"].Key != "err.campaign.households_positive" {
		t.Errorf("zero: %v", e)
	}
	d.Region = street
	d.Households = 1
	if e := apperr.As(d.Validate(300)); e.Fields["region"].Key != "err.region_code" {
		t.Errorf("a street is not a place to hand out: %v", e)
	}
}

func TestMoveInput(t *testing.T) {
	if k := (MoveInput{Delta: 10}).Kind(); k != MoveIn {
		t.Errorf("delivery kind %s", k)
	}
	if k := (MoveInput{Delta: -10, Region: community}).Kind(); k != MoveGive {
		t.Errorf("gift kind %s", k)
	}
	if k := (MoveInput{Delta: -10}).Kind(); k != MoveOut {
		t.Errorf("out kind %s", k)
	}
	if e := apperr.As((MoveInput{Delta: 0, Reason: "x"}).Validate()); e.Fields["delta"].Key != "err.campaign.delta_zero" {
		t.Errorf("zero delta: %v", e)
	}
	if e := apperr.As((MoveInput{Delta: -5}).Validate()); e.Fields["reason"].Key != "err.required" {
		t.Errorf("no reason: %v", e)
	}
	if e := apperr.As((MoveInput{Delta: 5, Reason: "到货", Region: community}).Validate()); e.Fields["region"].Key != "err.campaign.region_on_delivery" {
		t.Errorf("region on a delivery: %v", e)
	}
}

func TestLowCrossed(t *testing.T) {
	tests := []struct {
		low, before, after int
		want               bool
	}{
		{100, 150, 100, true}, {100, 150, 101, false}, {100, 100, 50, false}, {0, 10, 0, false}, {100, 90, 200, false},
	}
	for _, tt := range tests {
		if got := LowCrossed(tt.low, tt.before, tt.after); got != tt.want {
			t.Errorf("LowCrossed(%d, %d, %d) = %v", tt.low, tt.before, tt.after, got)
		}
	}
}

func TestHandoutRender(t *testing.T) {
	h := Handout{Title: "{street}清洁能源倡议书", Body: "全体居民：\n\n{street}倡议使用清洁能源。\r\n{street}办事处\n{date}", Date: "2026-03-05"}
	title, ps := h.Render("西关街道")
	if title != "西关街道清洁能源倡议书" {
		t.Errorf("title %q", title)
	}
	want := []string{"全体居民：", "西关街道倡议使用清洁能源。", "西关街道办事处", "2026年3月5日"}
	if !slices.Equal(ps, want) {
		t.Errorf("paragraphs %q, want %q", ps, want)
	}
}

func TestPublicityValidate(t *testing.T) {
	lat, lon := 34.58, 105.72
	p := Publicity{Date: "2026-03-10", Venue: "伏羲广场", Lat: &lat, Lon: &lon, Kind: PubBoards, Reach: 300,
		Materials: []Use{{MaterialID: 1, Quantity: 50}}}
	if err := p.Validate(); err != nil {
		t.Fatalf("valid: %v", err)
	}
	p.Materials = append(p.Materials, Use{MaterialID: 1, Quantity: 2})
	if e := apperr.As(p.Validate()); e.Fields["materials"].Key != "err.campaign.material_twice" {
		t.Errorf("same material twice: %v", e)
	}
	p.Materials = []Use{{MaterialID: 1, Quantity: 0}}
	if e := apperr.As(p.Validate()); e.Fields["materials"].Key != "err.campaign.quantity" {
		t.Errorf("zero quantity: %v", e)
	}
	p.Materials, p.Lat = nil, nil
	if e := apperr.As(p.Validate()); e.Fields["venue"].Key != "err.campaign.venue_point" {
		t.Errorf("place without a point: %v", e)
	}
}
