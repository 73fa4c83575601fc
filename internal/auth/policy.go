// Package auth decides who may do what where. Every permission decision in
// Lantian goes through Can; handlers never test roles themselves.
package auth

import (
	"slices"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/people"
	"github.com/lantian-org/lantian/internal/region"
)

// Action is something a principal may want to do.
type Action string

// Actions of the foundation; later packages add theirs to the table below.
const (
	RegionRead  Action = "region.read"
	RegionEdit  Action = "region.edit"
	UnitRead    Action = "unit.read"
	UnitEdit    Action = "unit.edit" // create, change and close
	UnitImport  Action = "unit.import"
	PersonRead  Action = "person.read"
	PersonEdit  Action = "person.edit" // create, change, assign roles, reset passwords
	AuditRead   Action = "audit.read"
	MobileRead  Action = "person.read_mobile" // see mobiles unmasked (through Mobile and PersonMobile)
	CaseRead    Action = "case.read"
	CaseReport  Action = "case.report"  // report a problem as a signed-in person
	CaseOnSpot  Action = "case.onspot"  // close a problem on the spot (即办件)
	CaseHotline Action = "case.hotline" // record a transfer from the 12345 or 12369 hotline
	CaseAdmin   Action = "case.admin"   // edit categories and the holiday calendar
	// CaseSourceInspection and CaseSourceCampaign may report a case as found
	// by the inspection group or during a clean-up campaign.
	CaseSourceInspection Action = "case.source_inspection"
	CaseSourceCampaign   Action = "case.source_campaign"

	LetterRead     Action = "letter.read"      // see responsibility letters, their coverage and clause breaches
	LetterIssue    Action = "letter.issue"     // issue, renew, withdraw and send reminders
	LetterSign     Action = "letter.sign"      // sign for the street and upload signed scans (for both parties)
	LetterSignUnit Action = "letter.sign_unit" // sign for one's own unit
	LetterTemplate Action = "letter.template"  // edit the yearly letter templates

	PatrolRead  Action = "patrol.read"  // see patrols, their tracks and the compliance of grids
	PatrolWrite Action = "patrol.write" // walk patrols on one's grids: start, track, visits, records, end
	PatrolPlan  Action = "patrol.plan"  // set grids' patrol plans

	InspectRead      Action = "inspect.read"      // see inspections, their agendas and summaries, hotspots and tracked problems
	InspectScore     Action = "inspect.score"     // run an inspection: open, score, record findings, close, correct
	InspectPlan      Action = "inspect.plan"      // schedule, add, move and cancel inspections; set the weekday and inspectors
	InspectAck       Action = "inspect.ack"       // acknowledge a community's inspection sheet
	InspectChecklist Action = "inspect.checklist" // edit the yearly checklist template
	ProblemAdopt     Action = "problem.adopt"     // adopt a hotspot as a tracked problem, resolve and close problems
	ProblemNote      Action = "problem.note"      // add notes to tracked problems
	OutreachRead     Action = "outreach.read"     // see lectures, quizzes, attendance, leaderboards and the question bank
	OutreachManage   Action = "outreach.manage"   // organise lectures and quizzes in one's area, see attendees' mobiles
	OutreachBank     Action = "outreach.bank"     // edit, import and retire the question bank (street level and above)
	CampaignRead     Action = "campaign.read"     // see clean-up campaigns (unit contacts: those with their unit's tasks)
	CampaignPlan     Action = "campaign.plan"     // plan, propose, edit, close and cancel campaigns
	CampaignRecord   Action = "campaign.record"   // record tasks' results, photos and units' headcounts
	MaterialRead     Action = "material.read"     // see the materials store and its ledger
	MaterialWrite    Action = "material.write"    // add materials and move stock
	PublicityRead    Action = "publicity.read"    // see publicity events
	PublicityWrite   Action = "publicity.write"   // record publicity events (drawing materials from the store)
	HandoutRead      Action = "handout.read"      // see handouts, their distributions and coverage
	HandoutWrite     Action = "handout.write"     // write handouts
	HandoutHandOut   Action = "handout.hand_out"  // record distributions to households
	NoticeSend       Action = "notice.send"       // send notices to people of one's regions
	NoticeOversee    Action = "notice.oversee"    // see the receipts of any notice of one's regions, and remind
	PostRead         Action = "post.read"         // read the work group's feed and comment on it
	PostWrite        Action = "post.write"        // post to the feed of one's regions
	ChannelManage    Action = "channel.manage"    // configure outbound channels of one's regions, see and retry their outbox

	AssessRead  Action = "assess.read"  // see indicators, scores and bulletins of one's area (unit contacts: their unit; patrollers see themselves)
	AssessAdmin Action = "assess.admin" // edit rubrics, enter manual scores, publish bulletins
)

// Principal is the signed-in person with their role assignments.
type Principal struct {
	PersonID int64
	Username string
	Name     string
	Roles    []people.Assignment
}

// Target is where an action applies: a region code, a unit (with its grid), or both empty for "anywhere".
type Target struct {
	Region string
	UnitID int64
}

// grants says which roles may take which action; scope is checked separately.
var grants = map[Action][]people.Role{
	RegionRead:  {people.Admin, people.Leader, people.Inspector, people.Patroller, people.Volunteer, people.UnitContact},
	RegionEdit:  {people.Admin},
	UnitRead:    {people.Admin, people.Leader, people.Inspector, people.Patroller, people.Volunteer, people.UnitContact},
	UnitEdit:    {people.Admin, people.Leader},
	UnitImport:  {people.Admin},
	PersonRead:  {people.Admin, people.Leader},
	PersonEdit:  {people.Admin, people.Leader},
	AuditRead:   {people.Admin},
	MobileRead:  {people.Admin, people.Leader},
	CaseRead:    {people.Admin, people.Leader, people.Inspector, people.Patroller, people.Volunteer, people.UnitContact},
	CaseReport:  {people.Admin, people.Leader, people.Inspector, people.Patroller, people.Volunteer, people.UnitContact},
	CaseOnSpot:  {people.Admin, people.Leader, people.Inspector, people.Patroller},
	CaseHotline: {people.Admin, people.Leader},
	CaseAdmin:   {people.Admin},

	CaseSourceInspection: {people.Admin, people.Leader, people.Inspector},
	CaseSourceCampaign:   {people.Admin, people.Leader},

	LetterRead:     {people.Admin, people.Leader, people.Inspector, people.UnitContact},
	LetterIssue:    {people.Admin, people.Leader},
	LetterSign:     {people.Admin, people.Leader},
	LetterSignUnit: {people.UnitContact},
	LetterTemplate: {people.Admin},

	PatrolRead:  {people.Admin, people.Leader, people.Inspector, people.Patroller},
	PatrolWrite: {people.Leader, people.Patroller},
	PatrolPlan:  {people.Admin, people.Leader},

	InspectRead:      {people.Admin, people.Leader, people.Inspector},
	InspectScore:     {people.Admin, people.Leader, people.Inspector},
	InspectPlan:      {people.Admin, people.Leader},
	InspectAck:       {people.Leader},
	InspectChecklist: {people.Admin},
	ProblemAdopt:     {people.Admin, people.Leader},
	ProblemNote:      {people.Admin, people.Leader, people.Inspector},
	OutreachRead:     {people.Admin, people.Leader, people.Inspector},
	OutreachManage:   {people.Admin, people.Leader},
	OutreachBank:     {people.Admin, people.Leader},
	CampaignRead:     {people.Admin, people.Leader, people.Inspector, people.Patroller, people.Volunteer, people.UnitContact},
	CampaignPlan:     {people.Admin, people.Leader},
	CampaignRecord:   {people.Admin, people.Leader, people.Patroller, people.Volunteer},
	MaterialRead:     {people.Admin, people.Leader, people.Inspector},
	MaterialWrite:    {people.Admin, people.Leader},
	PublicityRead:    {people.Admin, people.Leader, people.Inspector, people.Patroller, people.Volunteer},
	PublicityWrite:   {people.Admin, people.Leader},
	HandoutRead:      {people.Admin, people.Leader, people.Inspector, people.Patroller, people.Volunteer},
	HandoutWrite:     {people.Admin, people.Leader},
	HandoutHandOut:   {people.Admin, people.Leader, people.Patroller, people.Volunteer},
	NoticeSend:       {people.Admin, people.Leader},
	NoticeOversee:    {people.Admin},
	PostRead:         {people.Admin, people.Leader, people.Inspector, people.Patroller, people.Volunteer},
	PostWrite:        {people.Admin, people.Leader, people.Inspector, people.Patroller},
	ChannelManage:    {people.Admin, people.Leader},

	AssessRead:  {people.Admin, people.Leader, people.Inspector, people.UnitContact},
	AssessAdmin: {people.Admin},
}

// highest bounds, for some actions, how low an assignment may sit and still
// grant them: the street office signs letters, so a community or grid leader
// may not sign for the street even inside their own community.
var highest = map[Action]region.Level{
	LetterSign: region.Street,
	// The inspection is the street's: its group scores and its office plans;
	// a community's own leader acknowledges the sheet but does not score it.
	InspectScore: region.Street,
	InspectPlan:  region.Street,
	// The question bank is the whole street's; communities use it.
	OutreachBank: region.Street,
}

// grantsTo reports whether assignment as may take action a at all, before scope.
func grantsTo(as people.Assignment, a Action) bool {
	if !slices.Contains(grants[a], as.Role) {
		return false
	}
	if l, ok := highest[a]; ok && as.Role != people.UnitContact {
		lv := region.LevelOf(as.Region)
		return lv != 0 && lv <= l
	}
	return true
}

// covers reports whether one assignment's scope includes the target.
func covers(a people.Assignment, t Target) bool {
	if a.Role == people.UnitContact {
		// A unit contact's scope is the unit alone, and the grid it lies in for reading its map.
		return t.UnitID != 0 && t.UnitID == a.UnitID
	}
	if a.Region == "" {
		return false
	}
	if t.Region == "" {
		// "Anywhere": only a scope at district level or above reaches every record.
		return region.LevelOf(a.Region) == region.District
	}
	return region.Contains(a.Region, t.Region)
}

// Can reports whether p may take action a on target t.
func (p *Principal) Can(a Action, t Target) bool {
	if p == nil {
		return false
	}
	for _, as := range p.Roles {
		if grantsTo(as, a) && covers(as, t) {
			return true
		}
	}
	return false
}

// CanSomewhere reports whether p may take action a in at least part of the tree
// (to show a menu entry, say); each record is still checked with Can.
func (p *Principal) CanSomewhere(a Action) bool {
	if p == nil {
		return false
	}
	for _, as := range p.Roles {
		if grantsTo(as, a) {
			return true
		}
	}
	return false
}

// Scopes returns the region codes where p may take action a, with nested ones
// removed; queries filter by these prefixes. Unit contacts' units come from UnitScopes.
func (p *Principal) Scopes(a Action) []string {
	if p == nil {
		return nil
	}
	var out []string
	for _, as := range p.Roles {
		if as.Role == people.UnitContact || as.Region == "" || !grantsTo(as, a) {
			continue
		}
		out = append(out, as.Region)
	}
	// Drop scopes inside others.
	var roots []string
	for _, s := range out {
		inside := false
		for _, o := range out {
			if o != s && region.Contains(o, s) {
				inside = true
				break
			}
		}
		if !inside && !slices.Contains(roots, s) {
			roots = append(roots, s)
		}
	}
	return roots
}

// UnitScopes returns the units p reaches through a unit_contact role for action a.
func (p *Principal) UnitScopes(a Action) []int64 {
	if p == nil || !slices.Contains(grants[a], people.UnitContact) {
		return nil
	}
	var out []int64
	for _, as := range p.Roles {
		if as.Role == people.UnitContact && as.UnitID != 0 {
			out = append(out, as.UnitID)
		}
	}
	return out
}

// CanGrant reports whether p may give role r over target t: admins anything
// in scope; leaders any role but admin, strictly inside or at their scope.
func (p *Principal) CanGrant(r people.Role, t Target) bool {
	if !p.Can(PersonEdit, t) {
		return false
	}
	if r == people.Admin {
		for _, as := range p.Roles {
			if as.Role == people.Admin && covers(as, t) {
				return true
			}
		}
		return false
	}
	return true
}

// IsAdmin reports whether p holds the admin role anywhere.
func (p *Principal) IsAdmin() bool {
	return p != nil && slices.ContainsFunc(p.Roles, func(a people.Assignment) bool { return a.Role == people.Admin })
}

// Has reports whether p holds role r anywhere.
func (p *Principal) Has(r people.Role) bool {
	return p != nil && slices.ContainsFunc(p.Roles, func(a people.Assignment) bool { return a.Role == r })
}

// CanOnPerson reports whether p may take action a on a person whose roles lie
// at targets: reading needs any of them in scope; editing needs all of them (a
// leader cannot edit someone who also holds a role elsewhere). A person with
// no roles needs district scope.
func (p *Principal) CanOnPerson(a Action, targets []Target) bool {
	if p.Can(a, Target{}) {
		return true
	}
	if len(targets) == 0 {
		return false
	}
	all, some := true, false
	for _, t := range targets {
		if p.Can(a, t) {
			some = true
		} else {
			all = false
		}
	}
	if a == PersonRead {
		return some
	}
	return all
}

// Within returns where p may take action a, narrowed to the subtree of
// regionCode when it is given: all is true for a district-wide scope, roots
// lists the subtrees otherwise. A region wholly outside p's scope is not
// found; no scope at all for a is forbidden; a malformed code is a field error.
func (p *Principal) Within(a Action, regionCode string) (all bool, roots []string, err error) {
	if !p.CanSomewhere(a) {
		return false, nil, apperr.ErrForbidden
	}
	if regionCode == "" {
		return p.Can(a, Target{}), p.Scopes(a), nil
	}
	if !region.ValidCode(regionCode) {
		return false, nil, apperr.Field("region", "err.region_code")
	}
	if p.Can(a, Target{Region: regionCode}) {
		return false, []string{regionCode}, nil
	}
	for _, s := range p.Scopes(a) {
		if region.Contains(regionCode, s) {
			roots = append(roots, s)
		}
	}
	if len(roots) == 0 {
		return false, nil, apperr.ErrNotFound
	}
	return false, roots, nil
}

// SeesMobiles is the one rule for mobile numbers: p sees them whole on a
// record lying at targets — a person's role places, a unit (region and id), a
// case's grid — when p is an admin or a leader whose scope holds one of the
// targets; everyone else sees them masked. With no targets only a
// district-wide scope sees them whole. Every page, API answer and export that
// shows a mobile goes through Mobile or PersonMobile, which apply it.
func (p *Principal) SeesMobiles(targets ...Target) bool {
	if p.Can(MobileRead, Target{}) {
		return true
	}
	for _, t := range targets {
		if p.Can(MobileRead, t) {
			return true
		}
	}
	return false
}

// Mobile returns the number m of a record at targets as p may see it: whole,
// or masked (138****5678) by people.MaskMobile. See SeesMobiles.
func (p *Principal) Mobile(m string, targets ...Target) string {
	if m == "" || p.SeesMobiles(targets...) {
		return m
	}
	return people.MaskMobile(m)
}

// PersonMobile returns a person's mobile as p may see it: whole to the person
// themself, otherwise by the rule of SeesMobiles with targets, the places of
// the person's roles (peoplesvc.Service.Targets).
func (p *Principal) PersonMobile(person people.Person, targets []Target) string {
	if p != nil && person.ID != 0 && p.PersonID == person.ID {
		return person.Mobile
	}
	return p.Mobile(person.Mobile, targets...)
}
