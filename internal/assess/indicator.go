package assess

import "slices"

// Key names an indicator.
type Key string

// The indicators (DESIGN.md §7). Each is computed from records by the
// store's aggregates; Defs says what it counts.
const (
	PatrolCompletion      Key = "patrol_completion"
	ClosingRate           Key = "closing_rate"
	OnTimeClosing         Key = "on_time_closing"
	ReworkRate            Key = "rework_rate"
	OnSpotShare           Key = "onspot_share"
	ValidReports          Key = "valid_reports"
	VolunteerReports      Key = "volunteer_reports"
	OverdueCases          Key = "overdue_cases"
	LettersSigned         Key = "letters_signed"
	InspectionScore       Key = "inspection_score"
	CampaignParticipation Key = "campaign_participation"
	Outreach              Key = "outreach"
	NoticeAck             Key = "notice_ack"
)

// SubjectKind is what is assessed.
type SubjectKind string

// The subject kinds.
const (
	Street    SubjectKind = "street"
	Community SubjectKind = "community"
	Grid      SubjectKind = "grid"
	Unit      SubjectKind = "unit"
	Person    SubjectKind = "person"
)

// SubjectKinds lists the kinds in order.
var SubjectKinds = []SubjectKind{Street, Community, Grid, Unit, Person}

// Valid reports whether k is a subject kind.
func (k SubjectKind) Valid() bool { return slices.Contains(SubjectKinds, k) }

// IsRegion reports whether subjects of kind k are regions.
func (k SubjectKind) IsRegion() bool { return k == Street || k == Community || k == Grid }

// Def describes an indicator: the kind of record it counts (what its
// drill-down lists), whether it has a denominator, whether a lower rate is
// better, and the subject kinds it is computed for.
type Def struct {
	Key      Key
	Record   string // case, patrol, unit, inspection, campaign, outreach, notice
	Rate     bool   // num / den; false: a count (num only)
	LowerBad bool   // true when a higher rate is better (all but rework)
	For      []SubjectKind
}

var regions = []SubjectKind{Street, Community, Grid}

// Defs is THE table of indicators, in display order.
var Defs = []Def{
	{PatrolCompletion, "patrol", true, true, regions},
	{ClosingRate, "case", true, true, []SubjectKind{Street, Community, Grid, Unit}},
	{OnTimeClosing, "case", true, true, []SubjectKind{Street, Community, Grid, Unit}},
	{ReworkRate, "case", true, false, []SubjectKind{Street, Community, Grid, Unit}},
	{OnSpotShare, "case", true, true, []SubjectKind{Street, Community, Grid, Person}},
	{ValidReports, "case", true, true, []SubjectKind{Street, Community, Grid, Person}},
	{VolunteerReports, "case", false, true, []SubjectKind{Street, Community, Grid, Person}},
	{OverdueCases, "case", false, false, []SubjectKind{Street, Community, Grid, Unit}},
	{LettersSigned, "unit", true, true, []SubjectKind{Street, Community, Grid, Unit}},
	{InspectionScore, "inspection", true, true, []SubjectKind{Street, Community}},
	{CampaignParticipation, "unit", true, true, []SubjectKind{Street, Community, Grid, Unit}},
	{Outreach, "outreach", false, true, regions},
	{NoticeAck, "notice", true, true, []SubjectKind{Street, Community, Grid, Person}},
}

// DefOf returns the definition of key.
func DefOf(k Key) (Def, bool) {
	i := slices.IndexFunc(Defs, func(d Def) bool { return d.Key == k })
	if i < 0 {
		return Def{}, false
	}
	return Defs[i], true
}

// Applies reports whether the indicator is computed for kind.
func (d Def) Applies(kind SubjectKind) bool { return slices.Contains(d.For, kind) }

// Value is one indicator's figure for a subject: num over den. Rate is
// nil when there is no denominator or it is zero ("no data", never 100 %).
type Value struct {
	Num float64
	Den float64
	// HasDen is false for counts.
	HasDen bool
}

// Rate returns num/den, or nil for a count or an empty denominator.
func (v Value) Rate() *float64 {
	if !v.HasDen || v.Den == 0 {
		return nil
	}
	r := v.Num / v.Den
	return &r
}

// Subject is one assessed thing.
type Subject struct {
	Kind SubjectKind `json:"kind"`
	ID   string      `json:"id"`
	Name string      `json:"name"`
}
