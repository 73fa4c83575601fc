package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/campaign"
	"github.com/lantian-org/lantian/internal/photo"
	"github.com/lantian-org/lantian/internal/region"
	"github.com/lantian-org/lantian/internal/service/campaignsvc"
	"github.com/lantian-org/lantian/internal/store"
	"github.com/lantian-org/lantian/internal/unit"
)

// The materials store (its stock and ledger of moves) and the publicity
// events that draw from it.

// materialForm is what the add-material form holds.
type materialForm struct {
	Region, Name, Kind, Unit, Low, Stock string
}

type materialsPage struct {
	Page
	Tabs     []NavItem
	Rows     []campaign.Material
	Names    map[string]string
	Total    int
	Pager    pager
	CanWrite bool
	Stores   []option
	Kinds    []campaign.MaterialKind
	Form     materialForm
}

// writableStores lists the streets and communities whose store the user may write.
func (s *Server) writableStores(r *http.Request) ([]option, map[string]string, error) {
	u := userOf(r)
	opts, names, err := s.regionOptions(r, region.Street)
	if err != nil {
		return nil, nil, err
	}
	var out []option
	for _, o := range opts {
		if region.LevelOf(o.Value) <= region.Community && campaignsvc.CanWriteStore(u, o.Value) {
			out = append(out, o)
		}
	}
	return out, names, nil
}

func (s *Server) materialsList(w http.ResponseWriter, r *http.Request) {
	s.materialsPageWith(w, r, http.StatusOK, materialForm{Kind: string(campaign.MatBag), Unit: printer(r).T("campaign.unit_default")}, nil)
}

func (s *Server) materialsPageWith(w http.ResponseWriter, r *http.Request, status int, f materialForm, ferr error) {
	u := userOf(r)
	pg := store.Page{Page: atoiDefault(r.URL.Query().Get("page"), 1), Size: 50}.Clamp()
	list, total, err := s.app.Campaigns.Materials(r.Context(), u, pg)
	if err != nil {
		s.pageFailed(w, r, err)
		return
	}
	data := materialsPage{Page: s.page(r, "campaign.materials_title"), Tabs: s.campaignTabs(r), Rows: list, Total: total,
		Pager: newPager(r, pg.Page, pg.Size, total), Kinds: campaign.MaterialKinds, Form: f}
	stores, _, err := s.writableStores(r)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	// Stores above the viewer's own area (the street's, for a community) are named too.
	if data.Names, err = s.app.DB.RegionNames(r.Context()); err != nil {
		s.serverError(w, r, err)
		return
	}
	data.Stores, data.CanWrite = stores, len(stores) > 0
	if ferr != nil {
		data.withError(printer(r), ferr)
	}
	s.render(w, r, status, "materials", data)
}

func (s *Server) materialCreate(w http.ResponseWriter, r *http.Request) {
	f := materialForm{Region: r.PostFormValue("region"), Name: r.PostFormValue("name"), Kind: r.PostFormValue("kind"), Unit: r.PostFormValue("unit"),
		Low: r.PostFormValue("low"), Stock: r.PostFormValue("stock")}
	in := campaignsvc.MaterialInput{Region: f.Region, Name: f.Name, Kind: f.Kind, Unit: f.Unit}
	errs := apperr.Fields{}
	num := func(field, v string) int {
		if strings.TrimSpace(v) == "" {
			return 0
		}
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			errs.Add(field, "err.format")
		}
		return n
	}
	in.Low, in.Stock = num("low", f.Low), num("stock", f.Stock)
	err := errs.Err()
	var m campaign.Material
	if err == nil {
		m, err = s.app.Campaigns.CreateMaterial(r.Context(), s.actor(r), userOf(r), in)
	}
	if err != nil {
		if s.pageFailed(w, r, err) {
			return
		}
		s.materialsPageWith(w, r, statusFor(err), f, err)
		return
	}
	setFlash(w, "flash.saved")
	http.Redirect(w, r, "/materials/"+strconv.FormatInt(m.ID, 10), http.StatusSeeOther)
}

// moveForm is what the move form holds.
type moveForm struct {
	Direction, Quantity, Reason, Region string
}

type materialPage struct {
	Page
	Tabs     []NavItem
	M        campaign.Material
	Store    string
	Moves    []campaign.Move
	Names    map[string]string
	Total    int
	Pager    pager
	CanWrite bool
	Gives    []option // communities and grids stock may be given to
	Form     moveForm
}

func (s *Server) materialDetail(w http.ResponseWriter, r *http.Request) {
	id, ok := pathInt(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	s.materialPageWith(w, r, http.StatusOK, id, moveForm{Direction: "out"}, nil)
}

func (s *Server) materialPageWith(w http.ResponseWriter, r *http.Request, status int, id int64, f moveForm, ferr error) {
	pg := store.Page{Page: atoiDefault(r.URL.Query().Get("page"), 1), Size: 30}.Clamp()
	m, moves, total, err := s.app.Campaigns.Material(r.Context(), userOf(r), id, pg)
	if err != nil {
		s.pageFailed(w, r, err)
		return
	}
	names, err := s.app.DB.RegionNames(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	data := materialPage{Page: s.page(r, "campaign.material_title"), Tabs: s.campaignTabs(r), M: m, Store: names[m.Region], Moves: moves, Names: names,
		Total: total, Pager: newPager(r, pg.Page, pg.Size, total), CanWrite: campaignsvc.CanWriteStore(userOf(r), m.Region), Form: f}
	data.Title = m.Name
	if data.CanWrite {
		rs, err := s.app.DB.Regions(r.Context(), []string{m.Region}, false)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		for _, rg := range rs {
			if rg.Level >= region.Community {
				label := rg.Name
				if rg.Level == region.Grid {
					label = "　" + label
				}
				data.Gives = append(data.Gives, option{rg.Code, label})
			}
		}
	}
	if ferr != nil {
		data.withError(printer(r), ferr)
	}
	s.render(w, r, status, "material", data)
}

// materialMove adds or takes stock: a delivery, stock given to a community,
// or taken out for another reason. A move below zero comes back as 409 with
// the stock left.
func (s *Server) materialMove(w http.ResponseWriter, r *http.Request) {
	id, ok := pathInt(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	f := moveForm{Direction: r.PostFormValue("direction"), Quantity: r.PostFormValue("quantity"), Reason: r.PostFormValue("reason"), Region: r.PostFormValue("region")}
	n, err := strconv.Atoi(strings.TrimSpace(f.Quantity))
	if err != nil || n <= 0 {
		s.materialPageWith(w, r, http.StatusUnprocessableEntity, id, f, apperr.Field("delta", "err.campaign.quantity"))
		return
	}
	in := campaign.MoveInput{Delta: n, Reason: f.Reason}
	if f.Direction != "in" {
		in.Delta, in.Region = -n, f.Region
	}
	_, _, err = s.app.Campaigns.Move(r.Context(), s.actor(r), userOf(r), id, in)
	if err != nil {
		if s.pageFailed(w, r, err) {
			return
		}
		s.materialPageWith(w, r, statusFor(err), id, f, err)
		return
	}
	setFlash(w, "campaign.flash.moved")
	http.Redirect(w, r, "/materials/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}

// ---- Publicity ----

// publicityForm is what the event form holds; up to maxUses materials.
type publicityForm struct {
	Date, Venue, Place, Lat, Lon, Kind, Reach, People, Note string
	Uses                                                    []useForm
}

type useForm struct{ Material, Quantity string }

const maxUses = 3

type publicityPage struct {
	Page
	Tabs      []NavItem
	Month     string
	PrevMonth string
	NextMonth string
	Rows      []campaign.Publicity
	Totals    store.PublicityTotals
	Total     int
	Pager     pager
	Names     map[string]string
	CanWrite  bool
	Units     []option
	Materials []option
	Kinds     []campaign.PublicityKind
	Form      publicityForm
}

func (s *Server) publicityList(w http.ResponseWriter, r *http.Request) {
	f := publicityForm{Date: time.Now().In(s.app.Loc).Format(time.DateOnly), Kind: string(campaign.PubBoards), Uses: make([]useForm, maxUses)}
	s.publicityPageWith(w, r, http.StatusOK, f, nil)
}

func (s *Server) publicityPageWith(w http.ResponseWriter, r *http.Request, status int, f publicityForm, ferr error) {
	ctx := r.Context()
	u := userOf(r)
	if !u.CanSomewhere(auth.PublicityRead) {
		s.forbidden(w, r)
		return
	}
	month := r.URL.Query().Get("month")
	m, err := time.Parse("2006-01", month)
	if err != nil {
		now := time.Now().In(s.app.Loc)
		m = time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	}
	data := publicityPage{Page: s.page(r, "campaign.publicity_title"), Tabs: s.campaignTabs(r), Month: m.Format("2006-01"),
		PrevMonth: m.AddDate(0, -1, 0).Format("2006-01"), NextMonth: m.AddDate(0, 1, 0).Format("2006-01"), Kinds: campaign.PublicityKinds,
		CanWrite: u.CanSomewhere(auth.PublicityWrite), Form: f}
	pg := store.Page{Page: atoiDefault(r.URL.Query().Get("page"), 1), Size: 30}.Clamp()
	list, total, tot, err := s.app.Campaigns.Publicities(ctx, u, campaignsvc.PublicityListInput{From: m.Format(time.DateOnly),
		To: m.AddDate(0, 1, -1).Format(time.DateOnly), Page: pg})
	if err != nil {
		s.pageFailed(w, r, err)
		return
	}
	data.Rows, data.Total, data.Totals, data.Pager = list, total, tot, newPager(r, pg.Page, pg.Size, total)
	if data.Names, err = s.app.DB.RegionNames(ctx); err != nil {
		s.serverError(w, r, err)
		return
	}
	if data.CanWrite {
		units, _, err := s.app.DB.Units(ctx, store.UnitFilter{Roots: u.Scopes(auth.PublicityWrite), Status: unit.Active, Sort: "name", Page: store.Page{Size: 100}})
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		for _, un := range units {
			data.Units = append(data.Units, option{strconv.FormatInt(un.ID, 10), un.Name})
		}
		mats, _, err := s.app.Campaigns.Materials(ctx, u, store.Page{Size: 100})
		if err != nil && !apperr.Is(err, apperr.Forbidden) {
			s.serverError(w, r, err)
			return
		}
		for _, mt := range mats {
			data.Materials = append(data.Materials, option{strconv.FormatInt(mt.ID, 10), printer(r).T("campaign.material_option", mt.Name, mt.Stock, mt.Unit)})
		}
	}
	if ferr != nil {
		data.withError(printer(r), ferr)
	}
	s.render(w, r, status, "publicity", data)
}

// publicityCreate records an event and takes its materials from the store;
// a material short of stock comes back as 409 naming it, nothing written.
func (s *Server) publicityCreate(w http.ResponseWriter, r *http.Request) {
	f := publicityForm{Date: r.PostFormValue("date"), Venue: r.PostFormValue("venue"), Place: r.PostFormValue("place"), Lat: r.PostFormValue("lat"),
		Lon: r.PostFormValue("lon"), Kind: r.PostFormValue("kind"), Reach: r.PostFormValue("reach"), People: r.PostFormValue("people"), Note: r.PostFormValue("note")}
	for i := range maxUses {
		f.Uses = append(f.Uses, useForm{Material: r.PostFormValue("material" + strconv.Itoa(i)), Quantity: r.PostFormValue("quantity" + strconv.Itoa(i))})
	}
	in := campaignsvc.PublicityInput{Date: f.Date, Kind: f.Kind, People: f.People, Note: f.Note}
	errs := apperr.Fields{}
	if v := strings.TrimSpace(f.Reach); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			errs.Add("reach", "err.format")
		}
		in.Reach = n
	}
	if id, err := strconv.ParseInt(f.Venue, 10, 64); err == nil && id > 0 {
		in.UnitID = id
	} else {
		in.Venue = f.Place
		if f.Lat != "" || f.Lon != "" {
			la, lo, ok := region.ParsePoint(f.Lat, f.Lon)
			if !ok {
				errs.Add("venue", "err.coords")
			}
			in.Lat, in.Lon = &la, &lo
		}
	}
	for _, u := range f.Uses {
		if strings.TrimSpace(u.Material) == "" && strings.TrimSpace(u.Quantity) == "" {
			continue
		}
		id, err1 := strconv.ParseInt(u.Material, 10, 64)
		n, err2 := strconv.Atoi(strings.TrimSpace(u.Quantity))
		if err1 != nil || err2 != nil {
			errs.Add("materials", "err.campaign.quantity")
			continue
		}
		in.Materials = append(in.Materials, campaign.Use{MaterialID: id, Quantity: n})
	}
	err := errs.Err()
	var ev campaign.Publicity
	if err == nil {
		ev, err = s.app.Campaigns.CreatePublicity(r.Context(), s.actor(r), userOf(r), in)
	}
	if err != nil {
		var short *campaignsvc.ShortError
		if errors.As(err, &short) {
			s.publicityPageWith(w, r, http.StatusConflict, f, err)
			return
		}
		if s.pageFailed(w, r, err) {
			return
		}
		s.publicityPageWith(w, r, statusFor(err), f, err)
		return
	}
	setFlash(w, "campaign.flash.publicity_saved")
	http.Redirect(w, r, "/publicity/"+strconv.FormatInt(ev.ID, 10), http.StatusSeeOther)
}

type publicityEventPage struct {
	Page
	Tabs      []NavItem
	E         campaign.Publicity
	GridName  string
	CanUpload bool
	MaxPhotos int
}

func (s *Server) publicityDetail(w http.ResponseWriter, r *http.Request) {
	id, ok := pathInt(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	s.publicityEventWith(w, r, http.StatusOK, id, nil)
}

func (s *Server) publicityEventWith(w http.ResponseWriter, r *http.Request, status int, id int64, ferr error) {
	u := userOf(r)
	ev, err := s.app.Campaigns.GetPublicity(r.Context(), u, id)
	if err != nil {
		s.pageFailed(w, r, err)
		return
	}
	data := publicityEventPage{Page: s.page(r, "campaign.publicity_event"), Tabs: s.campaignTabs(r), E: ev,
		CanUpload: u.Can(auth.PublicityWrite, auth.Target{Region: ev.Region}), MaxPhotos: campaignsvc.MaxPublicityPhotos}
	data.Title = ev.Venue
	if rg, err := s.app.DB.Region(r.Context(), ev.Region); err == nil {
		data.GridName = rg.Name
	}
	if ferr != nil {
		data.withError(printer(r), ferr)
	}
	s.render(w, r, status, "publicity_event", data)
}

func (s *Server) publicityPhotoUpload(w http.ResponseWriter, r *http.Request) {
	id, ok := pathInt(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	err := parseMultipart(w, r, maxPhotoBody, "photo")
	if r.MultipartForm != nil {
		defer r.MultipartForm.RemoveAll()
	}
	if err == nil {
		files := uploads(r, "photo")
		if len(files) == 0 {
			err = apperr.Field("photo", "err.required")
		}
		for _, fh := range files {
			f, ferr := fh.Open()
			if ferr != nil {
				s.serverError(w, r, ferr)
				return
			}
			_, err = s.app.Campaigns.AddPublicityPhoto(r.Context(), s.actor(r), userOf(r), id, f)
			f.Close()
			if err != nil {
				break
			}
		}
	}
	if err != nil {
		if s.pageFailed(w, r, err) {
			return
		}
		s.publicityEventWith(w, r, statusFor(err), id, err)
		return
	}
	setFlash(w, "campaign.flash.photos_saved")
	http.Redirect(w, r, "/publicity/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}

func (s *Server) publicityPhoto(w http.ResponseWriter, r *http.Request) {
	id, ok := pathInt(r, "id")
	ph := r.PathValue("photo")
	if !ok || !photo.ValidID(ph) {
		s.notFound(w, r)
		return
	}
	seen, err := s.app.Campaigns.CanSeePublicityPhoto(r.Context(), userOf(r), id, ph)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if !seen {
		s.notFound(w, r)
		return
	}
	s.servePhoto(w, r, ph)
}
