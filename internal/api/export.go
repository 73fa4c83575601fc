package api

import (
	"net/http"
	"net/url"
)

// exportCases streams the ledger of the current filter as an Excel workbook.
func (a *API) exportCases(w http.ResponseWriter, r *http.Request) {
	f, err := a.caseFilter(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	names, err := a.app.RegionNames(r.Context())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	p := printer(r, a.app.Cfg.Lang)
	name := p.T("export.filename") + "-" + a.app.Cases.Now().In(a.app.Loc).Format("20060102") + ".xlsx"
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", "attachment; filename=\"ledger.xlsx\"; filename*=UTF-8''"+url.PathEscape(name))
	if err := a.app.Cases.ExportXLSX(r.Context(), w, p, f, names); err != nil {
		a.app.Log.Error("export failed", "err", err)
	}
}
