package assess

// ItemNameKey is the catalog key of a default item's name: defaults are
// written in the office's language when a rubric is made from them.
func ItemNameKey(key string) string { return "assess.item." + key }

var bandsClosing = []Band{{0.95, 1}, {0.85, 0.8}, {0.7, 0.6}, {0.5, 0.3}}

// DefaultItems are the items of a default rubric of kind, with names as
// catalog keys (ItemNameKey): what a street would recognise, totalling 100.
// Persons (patrollers) have no default; nil for them.
func DefaultItems(kind SubjectKind) []Item {
	switch kind {
	case Community:
		return []Item{
			{Key: "patrol", Max: 20, Method: MethodRate, Indicator: PatrolCompletion},
			{Key: "closing", Max: 15, Method: MethodBands, Indicator: ClosingRate, Bands: bandsClosing},
			{Key: "on_time", Max: 10, Method: MethodRate, Indicator: OnTimeClosing},
			{Key: "rework", Max: 10, Method: MethodRate, Indicator: ReworkRate},
			{Key: "overdue", Max: 10, Method: MethodDeduct, Indicator: OverdueCases, Per: 2},
			{Key: "valid", Max: 5, Method: MethodRate, Indicator: ValidReports},
			{Key: "inspection", Max: 10, Method: MethodRate, Indicator: InspectionScore},
			{Key: "letters", Max: 5, Method: MethodRate, Indicator: LettersSigned},
			{Key: "volunteer", Max: 5, Method: MethodBonus, Indicator: VolunteerReports, Per: 0.5},
			{Key: "outreach", Max: 5, Method: MethodBonus, Indicator: Outreach, Per: 1},
			{Key: "conduct", Max: 5, Method: MethodManual},
		}
	case Unit:
		return []Item{
			{Key: "closing", Max: 25, Method: MethodRate, Indicator: ClosingRate},
			{Key: "on_time", Max: 25, Method: MethodBands, Indicator: OnTimeClosing, Bands: bandsClosing},
			{Key: "rework", Max: 10, Method: MethodRate, Indicator: ReworkRate},
			{Key: "overdue", Max: 15, Method: MethodDeduct, Indicator: OverdueCases, Per: 5},
			{Key: "letters", Max: 10, Method: MethodBands, Indicator: LettersSigned, Bands: []Band{{1, 1}}},
			{Key: "campaign", Max: 10, Method: MethodRate, Indicator: CampaignParticipation},
			{Key: "self_check", Max: 5, Method: MethodManual},
		}
	}
	return nil
}
