package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/patrol"
	"github.com/lantian-org/lantian/internal/store"
)

// Compliance pages count grid-days; a month of a street's thirty grids fits one page.
const (
	compliancePage    = 1000
	compliancePageMax = 5000
	// MaxComplianceDays bounds the dates of one compliance request.
	MaxComplianceDays = 366
)

type complianceJSON struct {
	Grid            string        `json:"grid"`
	Date            string        `json:"date"`
	Required        int           `json:"required"`
	Done            int           `json:"done"`
	InWindow        int           `json:"in_window"`
	WindowsRequired int           `json:"windows_required"`
	Flags           []patrol.Flag `json:"flags"`
	Doubtful        int           `json:"doubtful"`
	DurationMin     int64         `json:"duration_min"`
	LengthM         int64         `json:"length_m"`
	SitesVisited    int           `json:"sites_visited"`
	SitesPlanned    int           `json:"sites_planned"`
	Status          patrol.Status `json:"status"`
}

// patrolRoots works out the grids a request may cover: the caller's patrol
// scope, narrowed to region when given. A region wholly outside the scope is
// 404; no patrol scope at all is 403.
func patrolRoots(p *auth.Principal, regionCode string) (all bool, roots []string, err error) {
	return p.Within(auth.PatrolRead, regionCode)
}

func (a *API) compliance(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	all, roots, err := patrolRoots(userOf(r), q.Get("region"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	now := a.app.Cases.Now()
	today := patrol.Day(now, a.app.Loc)
	to, from := today, ""
	if s, err := dateParam(r, "to"); err != nil {
		a.fail(w, r, err)
		return
	} else if s != "" {
		to = s
	}
	if from, err = dateParam(r, "from"); err != nil {
		a.fail(w, r, err)
		return
	}
	toDay, _ := time.ParseInLocation(patrol.DateLayout, to, a.app.Loc)
	if from == "" {
		from = toDay.AddDate(0, 0, -6).Format(patrol.DateLayout)
	}
	fromDay, _ := time.ParseInLocation(patrol.DateLayout, from, a.app.Loc)
	switch {
	case toDay.Before(fromDay):
		a.fail(w, r, apperr.Field("to", "err.patrol.range"))
		return
	case fromDay.AddDate(0, 0, MaxComplianceDays).Before(toDay.AddDate(0, 0, 1)):
		a.fail(w, r, apperr.Field("to", "err.patrol.range_too_long", MaxComplianceDays))
		return
	}
	grids, err := a.app.DB.GridsUnder(ctx, all, roots)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	codes := make([]string, len(grids))
	for i, g := range grids {
		codes[i] = g.Code
	}
	page, _ := strconv.Atoi(q.Get("page"))
	size, _ := strconv.Atoi(q.Get("page_size"))
	page = max(page, 1)
	if size <= 0 {
		size = compliancePage
	}
	size = min(size, compliancePageMax)
	cal, err := a.app.Cases.Calendar(ctx)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	list, total, err := a.app.DB.Compliance(ctx, cal, store.ComplianceQuery{Grids: codes, From: from, To: to, Today: today,
		Offset: (page - 1) * size, Limit: size})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	items := make([]complianceJSON, 0, len(list))
	for _, c := range list {
		items = append(items, complianceJSON{Grid: c.Grid, Date: c.Date, Required: c.Required, Done: c.Done, InWindow: c.InWindow,
			WindowsRequired: c.WindowsNeed, Flags: c.Flags, Doubtful: c.Doubtful, DurationMin: int64(c.Duration / time.Minute),
			LengthM: int64(c.Length), SitesVisited: c.SitesVisited, SitesPlanned: c.SitesPlanned, Status: c.Status})
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "total": total, "from": from, "to": to})
}
