package worker

import (
	"context"

	"github.com/lantian-org/lantian/internal/app"
)

// ProposeCampaigns proposes this month's and next month's month-end
// clean-ups for every street whose day has not passed, on the last-Friday
// rule; a month that has a proposal gets no second, so running it again
// does nothing. It returns how many it proposed.
func ProposeCampaigns(ctx context.Context, a *app.App) (int, error) {
	return a.Campaigns.ProposeUpcoming(ctx)
}
