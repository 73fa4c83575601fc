package web

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/campaign"
	"github.com/lantian-org/lantian/internal/region"
	"github.com/lantian-org/lantian/internal/service/campaignsvc"
	"github.com/lantian-org/lantian/internal/store"
)

// Handouts (倡议书 / 温馨提示): the documents, printed on A4 as households
// receive them, their distributions, and household coverage in a table and
// on a map coloured by coverage.

// handoutForm is what the handout form holds.
type handoutForm struct {
	Region, Kind, Title, Body, Date string
}

type handoutsPage struct {
	Page
	Tabs     []NavItem
	Rows     []campaign.Handout
	Total    int
	Pager    pager
	CanWrite bool
	Stores   []option
	Kinds    []campaign.HandoutKind
	Form     handoutForm
}

func (s *Server) handoutsList(w http.ResponseWriter, r *http.Request) {
	f := handoutForm{Kind: string(campaign.Proposal), Date: time.Now().In(s.app.Loc).Format(time.DateOnly), Body: printer(r).T("campaign.handout.body_example")}
	s.handoutsPageWith(w, r, http.StatusOK, f, nil)
}

func (s *Server) handoutsPageWith(w http.ResponseWriter, r *http.Request, status int, f handoutForm, ferr error) {
	u := userOf(r)
	pg := store.Page{Page: atoiDefault(r.URL.Query().Get("page"), 1), Size: 20}.Clamp()
	list, total, err := s.app.Campaigns.Handouts(r.Context(), u, pg)
	if err != nil {
		s.pageFailed(w, r, err)
		return
	}
	data := handoutsPage{Page: s.page(r, "campaign.handouts_title"), Tabs: s.campaignTabs(r), Rows: list, Total: total,
		Pager: newPager(r, pg.Page, pg.Size, total), Kinds: campaign.HandoutKinds, Form: f}
	opts, _, err := s.regionOptions(r, region.Street)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	for _, o := range opts {
		if region.LevelOf(o.Value) <= region.Community && u.Can(auth.HandoutWrite, auth.Target{Region: o.Value}) {
			data.Stores = append(data.Stores, o)
		}
	}
	data.CanWrite = len(data.Stores) > 0
	if ferr != nil {
		data.withError(printer(r), ferr)
	}
	s.render(w, r, status, "handouts", data)
}

func formHandout(r *http.Request) handoutForm {
	return handoutForm{Region: r.PostFormValue("region"), Kind: r.PostFormValue("kind"), Title: r.PostFormValue("title"), Body: r.PostFormValue("body"),
		Date: r.PostFormValue("date")}
}

func (s *Server) handoutCreate(w http.ResponseWriter, r *http.Request) {
	f := formHandout(r)
	h, err := s.app.Campaigns.CreateHandout(r.Context(), s.actor(r), userOf(r), campaignsvc.HandoutInput{Region: f.Region, Kind: f.Kind, Title: f.Title, Body: f.Body, Date: f.Date})
	if err != nil {
		if s.pageFailed(w, r, err) {
			return
		}
		s.handoutsPageWith(w, r, statusFor(err), f, err)
		return
	}
	setFlash(w, "flash.saved")
	http.Redirect(w, r, handoutURL(h.ID), http.StatusSeeOther)
}

func handoutURL(id int64) string { return "/handouts/" + strconv.FormatInt(id, 10) }

// distForm is what the distribution form holds.
type distForm struct {
	Region, Building, Households, Date string
}

type handoutPage struct {
	Page
	Tabs          []NavItem
	H             campaign.Handout
	PrintTitle    string
	Paragraphs    []string
	Cov           campaignsvc.Coverage
	CovParent     string // the region above the coverage shown, when p may see it
	Dists         []campaign.Distribution
	DistTotal     int
	Pager         pager
	Names         map[string]string
	CanWrite      bool
	CanHandOut    bool
	Places        []option
	Form          distForm
	Edit          handoutForm
	Kinds         []campaign.HandoutKind
	CoverageQuery string
}

// Percent shows a rate as a whole percentage.
func (handoutPage) Percent(rate float64) int { return int(rate*100 + 0.5) }

func (s *Server) handoutDetail(w http.ResponseWriter, r *http.Request) {
	id, ok := pathInt(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	s.handoutPageWith(w, r, http.StatusOK, id, distForm{Date: time.Now().In(s.app.Loc).Format(time.DateOnly)}, nil, nil)
}

func (s *Server) handoutPageWith(w http.ResponseWriter, r *http.Request, status int, id int64, f distForm, edit *handoutForm, ferr error) {
	ctx := r.Context()
	u := userOf(r)
	h, err := s.app.Campaigns.Handout(ctx, u, id)
	if err != nil {
		s.pageFailed(w, r, err)
		return
	}
	names, err := s.app.DB.RegionNames(ctx)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	data := handoutPage{Page: s.page(r, "campaign.handout_title"), Tabs: s.campaignTabs(r), H: h, Names: names, Form: f, Kinds: campaign.HandoutKinds,
		CanWrite: campaignsvc.CanWriteHandout(u, h), CanHandOut: u.CanSomewhere(auth.HandoutHandOut),
		Edit: handoutForm{Kind: string(h.Kind), Title: h.Title, Body: h.Body, Date: h.Date}}
	if edit != nil {
		data.Edit = *edit
	}
	data.PrintTitle, data.Paragraphs = h.Render(names[h.Region])
	data.Title = data.PrintTitle
	code := r.URL.Query().Get("region")
	data.Cov, err = s.app.Campaigns.Coverage(ctx, u, id, code)
	if err != nil {
		if apperr.Is(err, apperr.NotFound) || apperr.As(err).Code == apperr.Invalid {
			// A region outside the handout or the viewer's area: show the handout's own.
			data.Cov, err = s.app.Campaigns.Coverage(ctx, u, id, "")
		}
		if err != nil {
			s.pageFailed(w, r, err)
			return
		}
	}
	data.CoverageQuery = "?region=" + data.Cov.Region.Code
	if data.Cov.Region.Code != h.Region {
		data.CovParent = region.ParentOf(data.Cov.Region.Code)
	}
	pg := store.Page{Page: atoiDefault(r.URL.Query().Get("page"), 1), Size: 20}.Clamp()
	data.Dists, data.DistTotal, err = s.app.Campaigns.Distributions(ctx, u, id, pg)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	data.Pager = newPager(r, pg.Page, pg.Size, data.DistTotal)
	if data.CanHandOut {
		rs, err := s.app.DB.Regions(ctx, []string{h.Region}, false)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		for _, rg := range rs {
			if rg.Level >= region.Community && u.Can(auth.HandoutHandOut, auth.Target{Region: rg.Code}) {
				label := s.householdLabel(r, rg)
				if rg.Level == region.Grid {
					label = "　" + label
				}
				data.Places = append(data.Places, option{rg.Code, label})
			}
		}
		data.CanHandOut = len(data.Places) > 0
	}
	if ferr != nil {
		data.withError(printer(r), ferr)
	}
	s.render(w, r, status, "handout", data)
}

func (s *Server) householdLabel(r *http.Request, rg region.Region) string {
	return printer(r).T("campaign.region_households", rg.Name, rg.Households)
}

func (s *Server) handoutUpdate(w http.ResponseWriter, r *http.Request) {
	id, ok := pathInt(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	f := formHandout(r)
	_, err := s.app.Campaigns.UpdateHandout(r.Context(), s.actor(r), userOf(r), id, campaignsvc.HandoutInput{Kind: f.Kind, Title: f.Title, Body: f.Body, Date: f.Date})
	if err != nil {
		if s.pageFailed(w, r, err) {
			return
		}
		s.handoutPageWith(w, r, statusFor(err), id, distForm{}, &f, err)
		return
	}
	setFlash(w, "flash.saved")
	http.Redirect(w, r, handoutURL(id), http.StatusSeeOther)
}

// handoutDistribute records households reached in a community or grid.
func (s *Server) handoutDistribute(w http.ResponseWriter, r *http.Request) {
	id, ok := pathInt(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	f := distForm{Region: r.PostFormValue("region"), Building: r.PostFormValue("building"), Households: r.PostFormValue("households"), Date: r.PostFormValue("date")}
	n, err := strconv.Atoi(strings.TrimSpace(f.Households))
	if err != nil {
		s.handoutPageWith(w, r, http.StatusUnprocessableEntity, id, f, nil, apperr.Field("households", "err.format"))
		return
	}
	d, err := s.app.Campaigns.Distribute(r.Context(), s.actor(r), userOf(r), id, campaignsvc.DistributionInput{Region: f.Region, Building: f.Building, Households: n, Date: f.Date})
	if err != nil {
		if s.pageFailed(w, r, err) {
			return
		}
		s.handoutPageWith(w, r, statusFor(err), id, f, nil, err)
		return
	}
	setFlash(w, "campaign.flash.distributed")
	http.Redirect(w, r, handoutURL(id)+"?region="+region.AncestorAt(d.Region, region.Community)+"#coverage", http.StatusSeeOther)
}

type handoutPrintPage struct {
	Page
	H          campaign.Handout
	PrintTitle string
	Paragraphs []string
}

// handoutPrint is the handout as households receive it, on A4.
func (s *Server) handoutPrint(w http.ResponseWriter, r *http.Request) {
	id, ok := pathInt(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	h, err := s.app.Campaigns.Handout(r.Context(), userOf(r), id)
	if err != nil {
		s.pageFailed(w, r, err)
		return
	}
	street := ""
	if rg, err := s.app.DB.Region(r.Context(), h.Region); err == nil {
		street = rg.Name
	}
	data := handoutPrintPage{Page: s.page(r, "campaign.handout_title"), H: h}
	data.PrintTitle, data.Paragraphs = h.Render(street)
	data.Title = data.PrintTitle
	s.render(w, r, http.StatusOK, "handout_print", data)
}

// handoutCoverageMap is the coverage of one region's parts as GeoJSON, for the map.
func (s *Server) handoutCoverageMap(w http.ResponseWriter, r *http.Request) {
	id, ok := pathInt(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	ctx := r.Context()
	cov, err := s.app.Campaigns.Coverage(ctx, userOf(r), id, r.URL.Query().Get("region"))
	if err != nil {
		if s.pageFailed(w, r, err) {
			return
		}
		s.notFound(w, r)
		return
	}
	rs, err := s.app.DB.Regions(ctx, []string{cov.Region.Code}, true)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	rows := map[string]campaign.CoverageRow{}
	for _, c := range cov.Rows {
		rows[c.Region] = c
	}
	var shown []region.Region
	for _, rg := range rs {
		if _, ok := rows[rg.Code]; ok && rg.Geometry != nil {
			shown = append(shown, rg)
		}
	}
	fc := region.Collection(shown, false)
	p := printer(r)
	for i := range fc.Features {
		props := fc.Features[i].Properties
		c := rows[props["code"].(string)]
		props["rate"], props["reached"] = c.Rate, c.Reached
		props["label"] = p.T("campaign.coverage_label", c.Reached, c.Households, int(c.Rate*100+0.5))
		if region.LevelOf(c.Region) == region.Community {
			props["href"] = handoutURL(id) + "?region=" + c.Region + "#coverage"
		}
	}
	w.Header().Set("Content-Type", "application/geo+json")
	json.NewEncoder(w).Encode(fc)
}
