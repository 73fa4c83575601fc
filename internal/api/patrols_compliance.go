package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/lantian-org/lantian/internal/patrol"
	"github.com/lantian-org/lantian/internal/service/patrolsvc"
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

func (a *API) compliance(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	page, _ := strconv.Atoi(q.Get("page"))
	size, _ := strconv.Atoi(q.Get("page_size"))
	res, err := a.app.Patrols.Compliance(r.Context(), userOf(r), patrolsvc.ComplianceQuery{Region: q.Get("region"), From: q.Get("from"), To: q.Get("to"),
		Page: page, Size: size})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	items := make([]complianceJSON, 0, len(res.Items))
	for _, c := range res.Items {
		items = append(items, complianceJSON{Grid: c.Grid, Date: c.Date, Required: c.Required, Done: c.Done, InWindow: c.InWindow,
			WindowsRequired: c.WindowsNeed, Flags: c.Flags, Doubtful: c.Doubtful, DurationMin: int64(c.Duration / time.Minute),
			LengthM: int64(c.Length), SitesVisited: c.SitesVisited, SitesPlanned: c.SitesPlanned, Status: c.Status})
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "total": res.Total, "from": res.From, "to": res.To})
}
