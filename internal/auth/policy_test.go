package auth

import (
	"testing"

	"github.com/lantian-org/lantian/internal/people"
)

const (
	district  = "620502000000000"
	street    = "620502004000000"
	community = "620502004001000"
	grid      = "620502004001002"
	otherComm = "620502004002000"
	otherGrid = "620502004002001"
	otherSt   = "620502005000000"
)

func principal(role people.Role, region string, unit int64) *Principal {
	return &Principal{PersonID: 1, Roles: []people.Assignment{{Role: role, Region: region, UnitID: unit}}}
}

// matrixRow is a principal and the "action@scope" pairs it may take;
// every other pair must be denied.
type matrixRow struct {
	who     *Principal
	allowed []string
}

// allAt lists each of acts at each of scopes as "action@scope".
func allAt(acts []Action, scopes ...string) []string {
	var out []string
	for _, a := range acts {
		for _, s := range scopes {
			out = append(out, string(a)+"@"+s)
		}
	}
	return out
}

// checkMatrix checks every row's principal against every action at every
// scope: it may take exactly the pairs the row allows.
func checkMatrix(t *testing.T, actions []Action, scopes map[string]Target, rows map[string]matrixRow) {
	t.Helper()
	for name, r := range rows {
		allowed := map[string]bool{}
		for _, a := range r.allowed {
			allowed[a] = true
		}
		for _, a := range actions {
			for s, target := range scopes {
				want := allowed[string(a)+"@"+s]
				if got := r.who.Can(a, target); got != want {
					t.Errorf("%s: Can(%s, %s) = %v, want %v", name, a, s, got, want)
				}
			}
		}
	}
}

// TestMatrix checks every role × action × scope decision of the foundation.
func TestMatrix(t *testing.T) {
	scopes := map[string]Target{
		"own grid":        {Region: grid, UnitID: 7},
		"own community":   {Region: community},
		"other community": {Region: otherGrid, UnitID: 8},
		"other street":    {Region: otherSt},
		"anywhere":        {},
	}
	actions := []Action{RegionRead, RegionEdit, UnitRead, UnitEdit, UnitImport, PersonRead, PersonEdit, AuditRead, MobileRead}
	everyScope := []string{"own grid", "own community", "other community", "other street", "anywhere"}
	streetScopes := []string{"own grid", "own community", "other community"}
	commScopes := []string{"own grid", "own community"}
	readers := []Action{RegionRead, UnitRead}
	rows := map[string]matrixRow{
		"admin@district": {principal(people.Admin, district, 0), allAt(actions, everyScope...)},
		"admin@street":   {principal(people.Admin, street, 0), allAt(actions, streetScopes...)},
		"leader@street":  {principal(people.Leader, street, 0), allAt([]Action{RegionRead, UnitRead, UnitEdit, PersonRead, PersonEdit, MobileRead}, streetScopes...)},
		"leader@community": {principal(people.Leader, community, 0),
			allAt([]Action{RegionRead, UnitRead, UnitEdit, PersonRead, PersonEdit, MobileRead}, commScopes...)},
		"leader@grid":         {principal(people.Leader, grid, 0), allAt([]Action{RegionRead, UnitRead, UnitEdit, PersonRead, PersonEdit, MobileRead}, "own grid")},
		"inspector@street":    {principal(people.Inspector, street, 0), allAt(readers, streetScopes...)},
		"patroller@grid":      {principal(people.Patroller, grid, 0), allAt(readers, "own grid")},
		"volunteer@community": {principal(people.Volunteer, community, 0), allAt(readers, commScopes...)},
		"unit_contact@7":      {principal(people.UnitContact, "", 7), allAt(readers, "own grid")},
		"nobody":              {&Principal{PersonID: 2}, nil},
	}
	checkMatrix(t, actions, scopes, rows)
	var nilP *Principal
	if nilP.Can(RegionRead, Target{Region: grid}) {
		t.Error("a nil principal may read")
	}
}

func TestCanGrant(t *testing.T) {
	leader := principal(people.Leader, community, 0)
	admin := principal(people.Admin, district, 0)
	for _, tc := range []struct {
		name string
		who  *Principal
		role people.Role
		t    Target
		want bool
	}{
		{"LeaderGrantsPatrollerInScope", leader, people.Patroller, Target{Region: grid}, true},
		{"LeaderGrantsOutsideScope", leader, people.Patroller, Target{Region: otherGrid}, false},
		{"LeaderCannotGrantAdmin", leader, people.Admin, Target{Region: grid}, false},
		{"AdminGrantsAdmin", admin, people.Admin, Target{Region: street}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.who.CanGrant(tc.role, tc.t); got != tc.want {
				t.Fatalf("CanGrant = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestCanOnPerson(t *testing.T) {
	leader := principal(people.Leader, community, 0)
	inside := []Target{{Region: grid}}
	mixed := []Target{{Region: grid}, {Region: otherGrid}}
	if !leader.CanOnPerson(PersonRead, mixed) {
		t.Error("leader cannot read someone with one role in scope")
	}
	if leader.CanOnPerson(PersonEdit, mixed) {
		t.Error("leader may edit someone who also holds a role outside scope")
	}
	if !leader.CanOnPerson(PersonEdit, inside) {
		t.Error("leader cannot edit a patroller of their own grid")
	}
	if leader.CanOnPerson(PersonRead, nil) {
		t.Error("leader may read a person without roles")
	}
	if !principal(people.Admin, district, 0).CanOnPerson(PersonEdit, nil) {
		t.Error("district admin cannot edit a person without roles")
	}
}

func TestScopes(t *testing.T) {
	p := &Principal{Roles: []people.Assignment{{Role: people.Leader, Region: community}, {Role: people.Patroller, Region: grid}, {Role: people.Leader, Region: otherComm}}}
	got := p.Scopes(UnitRead)
	if len(got) != 2 || got[0] != community || got[1] != otherComm {
		t.Fatalf("Scopes = %v, want the two communities with the nested grid removed", got)
	}
}

// TestLetterMatrix checks every role × letter action × scope decision: the
// street side (admins and street leaders) signs and uploads scans, leaders
// issue inside their scope, a unit contact reads and signs for their unit only.
func TestLetterMatrix(t *testing.T) {
	scopes := map[string]Target{
		"own unit":        {Region: grid, UnitID: 7},
		"own community":   {Region: community},
		"other community": {Region: otherGrid, UnitID: 8},
		"other street":    {Region: otherSt},
		"anywhere":        {},
	}
	actions := []Action{LetterRead, LetterIssue, LetterSign, LetterSignUnit, LetterTemplate}
	every := []string{"own unit", "own community", "other community", "other street", "anywhere"}
	inStreet := []string{"own unit", "own community", "other community"}
	inCommunity := []string{"own unit", "own community"}
	rows := map[string]matrixRow{
		"admin@district":      {principal(people.Admin, district, 0), allAt([]Action{LetterRead, LetterIssue, LetterSign, LetterTemplate}, every...)},
		"admin@street":        {principal(people.Admin, street, 0), allAt([]Action{LetterRead, LetterIssue, LetterSign, LetterTemplate}, inStreet...)},
		"leader@street":       {principal(people.Leader, street, 0), allAt([]Action{LetterRead, LetterIssue, LetterSign}, inStreet...)},
		"leader@community":    {principal(people.Leader, community, 0), allAt([]Action{LetterRead, LetterIssue}, inCommunity...)},
		"leader@grid":         {principal(people.Leader, grid, 0), allAt([]Action{LetterRead, LetterIssue}, "own unit")},
		"inspector@street":    {principal(people.Inspector, street, 0), allAt([]Action{LetterRead}, inStreet...)},
		"patroller@grid":      {principal(people.Patroller, grid, 0), nil},
		"volunteer@community": {principal(people.Volunteer, community, 0), nil},
		"unit_contact@7":      {principal(people.UnitContact, "", 7), allAt([]Action{LetterRead, LetterSignUnit}, "own unit")},
		"nobody":              {&Principal{PersonID: 2}, nil},
	}
	checkMatrix(t, actions, scopes, rows)
	// Scopes and CanSomewhere follow the same level rule.
	if got := principal(people.Leader, community, 0).Scopes(LetterSign); len(got) != 0 {
		t.Errorf("a community leader has street-signing scopes %v", got)
	}
	if principal(people.Leader, community, 0).CanSomewhere(LetterSign) {
		t.Error("a community leader may sign for the street somewhere")
	}
	if got := principal(people.Leader, street, 0).Scopes(LetterSign); len(got) != 1 || got[0] != street {
		t.Errorf("street leader's signing scopes = %v", got)
	}
	if got := principal(people.UnitContact, "", 7).UnitScopes(LetterSignUnit); len(got) != 1 || got[0] != 7 {
		t.Errorf("unit contact's signing units = %v", got)
	}
}

// TestPatrolMatrix checks every role × patrol action × scope decision:
// patrollers walk and read their own grid only; leaders walk, read and plan
// inside their scope; inspectors read; admins read and plan but do not walk;
// volunteers and unit contacts see no patrols.
func TestPatrolMatrix(t *testing.T) {
	scopes := map[string]Target{
		"own grid":        {Region: grid},
		"own community":   {Region: community},
		"other community": {Region: otherGrid},
		"other street":    {Region: otherSt},
		"anywhere":        {},
	}
	actions := []Action{PatrolRead, PatrolWrite, PatrolPlan}
	every := []string{"own grid", "own community", "other community", "other street", "anywhere"}
	inStreet := []string{"own grid", "own community", "other community"}
	inCommunity := []string{"own grid", "own community"}
	rows := map[string]matrixRow{
		"admin@district":      {principal(people.Admin, district, 0), allAt([]Action{PatrolRead, PatrolPlan}, every...)},
		"admin@street":        {principal(people.Admin, street, 0), allAt([]Action{PatrolRead, PatrolPlan}, inStreet...)},
		"leader@street":       {principal(people.Leader, street, 0), allAt(actions, inStreet...)},
		"leader@community":    {principal(people.Leader, community, 0), allAt(actions, inCommunity...)},
		"leader@grid":         {principal(people.Leader, grid, 0), allAt(actions, "own grid")},
		"inspector@street":    {principal(people.Inspector, street, 0), allAt([]Action{PatrolRead}, inStreet...)},
		"patroller@grid":      {principal(people.Patroller, grid, 0), allAt([]Action{PatrolRead, PatrolWrite}, "own grid")},
		"volunteer@community": {principal(people.Volunteer, community, 0), nil},
		"unit_contact@7":      {principal(people.UnitContact, "", 7), nil},
		"nobody":              {&Principal{PersonID: 2}, nil},
	}
	checkMatrix(t, actions, scopes, rows)
	if got := principal(people.Patroller, grid, 0).Scopes(PatrolRead); len(got) != 1 || got[0] != grid {
		t.Errorf("patroller's patrol scopes = %v", got)
	}
	if principal(people.UnitContact, "", 7).UnitScopes(PatrolRead) != nil {
		t.Error("a unit contact reaches patrols through their unit")
	}
}

// TestCaseMatrix checks who may read, report, close on the spot, record
// hotline transfers and change case settings; the state-by-state rules of
// cases live in package cases' own table.
func TestCaseMatrix(t *testing.T) {
	actions := []Action{CaseRead, CaseReport, CaseOnSpot, CaseHotline, CaseAdmin}
	want := map[people.Role][]Action{
		people.Admin:       {CaseRead, CaseReport, CaseOnSpot, CaseHotline, CaseAdmin},
		people.Leader:      {CaseRead, CaseReport, CaseOnSpot, CaseHotline},
		people.Inspector:   {CaseRead, CaseReport, CaseOnSpot},
		people.Patroller:   {CaseRead, CaseReport, CaseOnSpot},
		people.Volunteer:   {CaseRead, CaseReport},
		people.UnitContact: {CaseRead, CaseReport},
	}
	for role, allowed := range want {
		p := principal(role, district, 7)
		if role == people.UnitContact {
			p = principal(role, "", 7)
		}
		for _, a := range actions {
			got := p.CanSomewhere(a)
			exp := false
			for _, x := range allowed {
				exp = exp || x == a
			}
			if got != exp {
				t.Errorf("%s: CanSomewhere(%s) = %v, want %v", role, a, got, exp)
			}
		}
	}
	// Reading a case is scoped like any record.
	if principal(people.Volunteer, community, 0).Can(CaseRead, Target{Region: otherGrid}) {
		t.Error("a volunteer reads another community's case")
	}
	if !principal(people.UnitContact, "", 7).Can(CaseRead, Target{UnitID: 7}) {
		t.Error("a unit contact cannot read a case about their unit")
	}
}

// TestMobiles states the one masking rule: whole to admins and to leaders
// whose scope holds the record (for a person, any of their roles' places),
// and to the person themself; masked for everyone else.
func TestMobiles(t *testing.T) {
	const m, masked = "13812345678", "138****5678"
	person := people.Person{ID: 9, Mobile: m}
	inGrid := []Target{{Region: grid}}
	mixed := []Target{{Region: otherGrid}, {Region: grid}}
	for _, tc := range []struct {
		name    string
		who     *Principal
		targets []Target
		whole   bool
	}{
		{"AdminAnywhere", principal(people.Admin, district, 0), nil, true},
		{"AdminOfStreetInside", principal(people.Admin, street, 0), inGrid, true},
		{"AdminOfOtherStreet", principal(people.Admin, otherSt, 0), inGrid, false},
		{"LeaderOfCommunityInside", principal(people.Leader, community, 0), inGrid, true},
		{"LeaderOfCommunityOneRoleInside", principal(people.Leader, community, 0), mixed, true},
		{"LeaderOfOtherCommunity", principal(people.Leader, otherComm, 0), inGrid, false},
		{"LeaderNoTargets", principal(people.Leader, street, 0), nil, false},
		{"LeaderOfUnitsGrid", principal(people.Leader, grid, 0), []Target{{Region: grid, UnitID: 7}}, true},
		{"InspectorOfStreet", principal(people.Inspector, street, 0), inGrid, false},
		{"PatrollerOfGrid", principal(people.Patroller, grid, 0), inGrid, false},
		{"VolunteerOfCommunity", principal(people.Volunteer, community, 0), inGrid, false},
		{"UnitContactOfUnit", principal(people.UnitContact, "", 7), []Target{{Region: grid, UnitID: 7}}, false},
		{"Public", nil, inGrid, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := masked
			if tc.whole {
				want = m
			}
			if got := tc.who.Mobile(m, tc.targets...); got != want {
				t.Errorf("Mobile = %s, want %s", got, want)
			}
			if got := tc.who.PersonMobile(person, tc.targets); got != want {
				t.Errorf("PersonMobile = %s, want %s", got, want)
			}
		})
	}
	self := principal(people.Volunteer, community, 0)
	self.PersonID = person.ID
	if got := self.PersonMobile(person, nil); got != m {
		t.Errorf("one's own mobile is shown %s", got)
	}
	if got := principal(people.Volunteer, community, 0).Mobile("", inGrid...); got != "" {
		t.Errorf("no mobile became %q", got)
	}
}

// TestInspectMatrix: inspectors and street leaders run every community's
// inspection; a community's leader reads and acknowledges only their own
// and neither scores nor plans; patrollers, volunteers and unit contacts
// have none of it.
func TestInspectMatrix(t *testing.T) {
	type row struct {
		who                    *Principal
		read, score, plan, ack []string // scopes allowed for each action
	}
	scopes := map[string]Target{"own community": {Region: community}, "other community": {Region: otherComm}, "other street": {Region: otherSt}}
	rows := map[string]row{
		"admin@district":      {who: principal(people.Admin, district, 0), read: []string{"own community", "other community", "other street"}, score: []string{"own community", "other community", "other street"}, plan: []string{"own community", "other community", "other street"}},
		"leader@street":       {who: principal(people.Leader, street, 0), read: []string{"own community", "other community"}, score: []string{"own community", "other community"}, plan: []string{"own community", "other community"}, ack: []string{"own community", "other community"}},
		"inspector@street":    {who: principal(people.Inspector, street, 0), read: []string{"own community", "other community"}, score: []string{"own community", "other community"}},
		"leader@community":    {who: principal(people.Leader, community, 0), read: []string{"own community"}, ack: []string{"own community"}},
		"patroller@grid":      {who: principal(people.Patroller, grid, 0)},
		"volunteer@community": {who: principal(people.Volunteer, community, 0)},
		"unit_contact@7":      {who: principal(people.UnitContact, "", 7)},
	}
	for name, r := range rows {
		for _, a := range []struct {
			act   Action
			where []string
		}{{InspectRead, r.read}, {InspectScore, r.score}, {InspectPlan, r.plan}, {InspectAck, r.ack}} {
			for s, tg := range scopes {
				want := false
				for _, w := range a.where {
					want = want || w == s
				}
				if got := r.who.Can(a.act, tg); got != want {
					t.Errorf("%s: Can(%s, %s) = %v, want %v", name, a.act, s, got, want)
				}
			}
		}
	}
	if principal(people.Inspector, street, 0).CanSomewhere(ProblemAdopt) || !principal(people.Inspector, street, 0).CanSomewhere(ProblemNote) {
		t.Error("inspectors note problems but do not adopt them")
	}
}

// TestWorkGroupMatrix checks every role × work-group action × scope
// decision: admins and leaders send notices and manage channels inside
// their scope; only admins oversee others' notices; staff post to the feed;
// volunteers read it; unit contacts have no part in it.
func TestWorkGroupMatrix(t *testing.T) {
	scopes := map[string]Target{
		"own grid":        {Region: grid},
		"own community":   {Region: community},
		"other community": {Region: otherGrid},
		"other street":    {Region: otherSt},
	}
	actions := []Action{NoticeSend, NoticeOversee, PostRead, PostWrite, ChannelManage}
	every := []string{"own grid", "own community", "other community", "other street"}
	inStreet := []string{"own grid", "own community", "other community"}
	inCommunity := []string{"own grid", "own community"}
	all := func(acts []Action, scopes ...string) []string {
		var out []string
		for _, a := range acts {
			for _, s := range scopes {
				out = append(out, string(a)+"@"+s)
			}
		}
		return out
	}
	rows := map[string]struct {
		who     *Principal
		allowed []string
	}{
		"admin@district":      {principal(people.Admin, district, 0), all(actions, every...)},
		"admin@street":        {principal(people.Admin, street, 0), all(actions, inStreet...)},
		"leader@street":       {principal(people.Leader, street, 0), all([]Action{NoticeSend, PostRead, PostWrite, ChannelManage}, inStreet...)},
		"leader@community":    {principal(people.Leader, community, 0), all([]Action{NoticeSend, PostRead, PostWrite, ChannelManage}, inCommunity...)},
		"inspector@street":    {principal(people.Inspector, street, 0), all([]Action{PostRead, PostWrite}, inStreet...)},
		"patroller@grid":      {principal(people.Patroller, grid, 0), all([]Action{PostRead, PostWrite}, "own grid")},
		"volunteer@community": {principal(people.Volunteer, community, 0), all([]Action{PostRead}, inCommunity...)},
		"unit_contact@7":      {principal(people.UnitContact, "", 7), nil},
		"nobody":              {&Principal{PersonID: 2}, nil},
	}
	for name, r := range rows {
		allowed := map[string]bool{}
		for _, a := range r.allowed {
			allowed[a] = true
		}
		for _, a := range actions {
			for s, target := range scopes {
				want := allowed[string(a)+"@"+s]
				if got := r.who.Can(a, target); got != want {
					t.Errorf("%s: Can(%s, %s) = %v, want %v", name, a, s, got, want)
				}
			}
		}
	}
}
