package notify

import (
	"slices"
	"testing"

	"github.com/lantian-org/lantian/internal/locale"
)

const (
	grid      = "620502001001001"
	community = "620502001001000"
	street    = "620502001000000"
)

// TestAudience is the table of who is told of what: one row per kind and subject shape.
func TestAudience(t *testing.T) {
	leaders := func(code string) Selector { return Selector{Role: Leaders, Region: code} }
	tests := []struct {
		name string
		ev   Event
		want []Selector
	}{
		{"ReportedToHoldingLeaders", Event{Kind: CaseReported, Subject: Subject{Held: community}}, []Selector{leaders(community)}},
		{"FiledToHoldingLeaders", Event{Kind: CaseFiled, Subject: Subject{Held: street}}, []Selector{leaders(street)}},
		{"AssignedToGrid", Event{Kind: CaseAssigned, Subject: Subject{Held: community, Assignee: "region:" + grid}},
			[]Selector{leaders(grid), {Role: Patrollers, Region: grid}}},
		{"AssignedToCommunityHasNoPatrollers", Event{Kind: CaseAssigned, Subject: Subject{Assignee: "region:" + community}},
			[]Selector{leaders(community)}},
		{"AssignedToPerson", Event{Kind: CaseAssigned, Subject: Subject{Assignee: "person:42"}}, []Selector{{Role: Person, PersonID: 42}}},
		{"AssignedToUnit", Event{Kind: CaseAssigned, Subject: Subject{Assignee: "unit:7"}}, []Selector{{Role: UnitContacts, Unit: 7}}},
		{"EscalatedTellsBothLevels", Event{Kind: CaseEscalated, Subject: Subject{Held: street, Before: community}},
			[]Selector{leaders(street), leaders(community)}},
		{"EscalatedByHandHasNoBefore", Event{Kind: CaseEscalated, Subject: Subject{Held: street}}, []Selector{leaders(street)}},
		{"VerifyTellsReporter", Event{Kind: CaseVerify, Subject: Subject{Held: community, Reporter: 5, Actor: 9}},
			[]Selector{leaders(community), {Role: Person, PersonID: 5}}},
		{"VerifyNotTheReporterWhoHandled", Event{Kind: CaseVerify, Subject: Subject{Held: community, Reporter: 5, Actor: 5}},
			[]Selector{leaders(community)}},
		{"OverdueToAssigneeAndLeaders", Event{Kind: CaseOverdue, Subject: Subject{Held: community, Assignee: "unit:3"}},
			[]Selector{{Role: UnitContacts, Unit: 3}, leaders(community)}},
		{"SuperviseSameRegionOnce", Event{Kind: CaseSupervise, Subject: Subject{Held: community, Assignee: "region:" + community}},
			[]Selector{leaders(community)}},
		{"ReopenedUnassigned", Event{Kind: CaseReopened, Subject: Subject{Held: community}}, []Selector{leaders(community)}},
		{"PatrolMissedToCommunityLeadersOrAbove", Event{Kind: PatrolMissed, Subject: Subject{Region: grid}},
			[]Selector{{Role: Leaders, Region: community, Up: true}}},
		{"LetterReminderToContacts", Event{Kind: LetterReminder, Subject: Subject{Unit: 11}}, []Selector{{Role: UnitContacts, Unit: 11}}},
		{"MaterialLowToTheStoreLeaders", Event{Kind: MaterialLow, Subject: Subject{Region: street}}, []Selector{{Role: Leaders, Region: street, Up: true}}},
		{"NoticeToNamedPeople", Event{Kind: NoticePublished, Subject: Subject{People: []int64{4, 9, 4}}},
			[]Selector{{Role: Person, PersonID: 4}, {Role: Person, PersonID: 9}}},
		{"NoticeReminderToNamedPeople", Event{Kind: NoticeReminder, Subject: Subject{People: []int64{9}}}, []Selector{{Role: Person, PersonID: 9}}},
		{"DigestChannelsOnly", Event{Kind: Digest, Subject: Subject{Region: community}}, nil},
		{"LettersUnsignedChannelsOnly", Event{Kind: LettersUnsigned, Subject: Subject{Region: street}}, nil},
		{"ChannelTestChannelsOnly", Event{Kind: ChannelTest, Subject: Subject{Channel: 3}}, nil},
		{"UnknownKindNobody", Event{Kind: "nonsense", Subject: Subject{Held: community}}, nil},
		{"EmptySubjectNobody", Event{Kind: CaseFiled}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Audience(tt.ev); !slices.Equal(got, tt.want) {
				t.Errorf("Audience(%s) = %+v, want %+v", tt.ev.Kind, got, tt.want)
			}
		})
	}
}

// TestEveryKindHasARule keeps the constants and the table in step.
func TestEveryKindHasARule(t *testing.T) {
	for _, k := range []Kind{CaseReported, CaseCommitted, CaseFiled, CaseAssigned, CaseEscalated, CaseReturned, CaseVerify,
		CaseRework, CaseReopened, CaseSupervise, CaseOverdue, PatrolMissed, LetterReminder,
		InspectionClosed, InspectionWeek, ProblemOwner, MaterialLow,
		NoticePublished, NoticeReminder, LettersUnsigned, Digest, ChannelTest} {
		if !Known(k) {
			t.Errorf("kind %s has no rule", k)
		}
	}
	if len(Kinds()) != 22 {
		t.Errorf("Kinds() = %v: a kind was added without a row here", Kinds())
	}
}

// TestEveryKindHasText checks that the inbox can name every kind in both languages.
func TestEveryKindHasText(t *testing.T) {
	for _, k := range Kinds() {
		for _, lang := range locale.Languages {
			if !locale.Has(lang, "inbox.kind."+string(k)) {
				t.Errorf("inbox.kind.%s is missing from the %s catalog", k, lang)
			}
		}
	}
}
