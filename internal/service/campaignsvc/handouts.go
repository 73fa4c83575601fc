package campaignsvc

import (
	"context"
	"strings"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/campaign"
	"github.com/lantian-org/lantian/internal/region"
	"github.com/lantian-org/lantian/internal/store"
)

// Handouts lists the handouts p may see, newest first, with the total.
func (s *Service) Handouts(ctx context.Context, p *auth.Principal, pg store.Page) ([]campaign.Handout, int, error) {
	if !p.CanSomewhere(auth.HandoutRead) {
		return nil, 0, apperr.ErrForbidden
	}
	return s.DB.Handouts(ctx, scopeOf(p, auth.HandoutRead), pg)
}

// Handout returns a handout p may see (404 otherwise).
func (s *Service) Handout(ctx context.Context, p *auth.Principal, id int64) (campaign.Handout, error) {
	h, err := s.DB.Handout(ctx, id)
	if err != nil {
		return h, err
	}
	if !overlaps(p, auth.HandoutRead, h.Region) {
		return campaign.Handout{}, apperr.ErrNotFound
	}
	return h, nil
}

// CanWriteHandout reports whether p may change h.
func CanWriteHandout(p *auth.Principal, h campaign.Handout) bool {
	return p.Can(auth.HandoutWrite, auth.Target{Region: h.Region})
}

// HandoutInput is a handout as written. Region is the street (or community)
// issuing it, "" for p's own; Date "" for today.
type HandoutInput struct {
	Region string
	Kind   string
	Title  string
	Body   string
	Date   string
}

func (s *Service) handoutOf(ctx context.Context, p *auth.Principal, in HandoutInput) (campaign.Handout, error) {
	h := campaign.Handout{Region: strings.TrimSpace(in.Region), Kind: campaign.HandoutKind(strings.TrimSpace(in.Kind)), Title: strings.TrimSpace(in.Title),
		Body: strings.TrimSpace(in.Body), Date: strings.TrimSpace(in.Date)}
	if h.Date == "" {
		h.Date = s.Today()
	}
	if h.Region == "" {
		code, err := s.defaultStore(ctx, p, auth.HandoutWrite)
		if err != nil {
			return h, err
		}
		h.Region = code
	}
	f := apperr.Fields{}
	if err := h.Validate(); err != nil {
		for k, m := range apperr.As(err).Fields {
			f.Add(k, m.Key, m.Args...)
		}
	}
	if _, bad := f["region"]; !bad {
		if _, err := s.region(ctx, h.Region); err != nil || !p.Can(auth.HandoutWrite, auth.Target{Region: h.Region}) {
			if err != nil && !apperr.Is(err, apperr.NotFound) {
				return h, err
			}
			f.Add("region", "err.region_unknown")
		}
	}
	return h, f.Err()
}

// CreateHandout writes a new handout for a street or community p leads.
func (s *Service) CreateHandout(ctx context.Context, who store.Actor, p *auth.Principal, in HandoutInput) (campaign.Handout, error) {
	if !p.CanSomewhere(auth.HandoutWrite) {
		return campaign.Handout{}, apperr.ErrForbidden
	}
	h, err := s.handoutOf(ctx, p, in)
	if err != nil {
		return h, err
	}
	return h, s.DB.Write(ctx, who, func(tx *store.Tx) error { return tx.InsertHandout(ctx, &h) })
}

// UpdateHandout changes a handout's title, kind, text and date (its region stays).
func (s *Service) UpdateHandout(ctx context.Context, who store.Actor, p *auth.Principal, id int64, in HandoutInput) (campaign.Handout, error) {
	before, err := s.Handout(ctx, p, id)
	if err != nil {
		return before, err
	}
	if !CanWriteHandout(p, before) {
		return before, apperr.ErrForbidden
	}
	in.Region = before.Region
	h, err := s.handoutOf(ctx, p, in)
	if err != nil {
		return h, err
	}
	h.ID, h.CreatedBy, h.CreatedAt = before.ID, before.CreatedBy, before.CreatedAt
	return h, s.DB.Write(ctx, who, func(tx *store.Tx) error { return tx.UpdateHandout(ctx, before, h) })
}

// DistributionInput is a hand-out round as recorded.
type DistributionInput struct {
	Region     string
	Building   string
	Households int
	Date       string // "" for today
}

// Distribute records households reached in a community or grid of the
// handout's area that p may hand out in. A region that does not exist, or
// lies outside p's area, is a 422 on "region"; more households than the
// region has is a 422 on "households".
func (s *Service) Distribute(ctx context.Context, who store.Actor, p *auth.Principal, id int64, in DistributionInput) (campaign.Distribution, error) {
	h, err := s.Handout(ctx, p, id)
	if err != nil {
		return campaign.Distribution{}, err
	}
	if !p.CanSomewhere(auth.HandoutHandOut) {
		return campaign.Distribution{}, apperr.ErrForbidden
	}
	d := campaign.Distribution{HandoutID: h.ID, Region: strings.TrimSpace(in.Region), Building: strings.TrimSpace(in.Building), Households: in.Households,
		Date: strings.TrimSpace(in.Date)}
	if d.Date == "" {
		d.Date = s.Today()
	}
	capacity := 0
	if region.ValidCode(d.Region) && region.LevelOf(d.Region) >= region.Community {
		r, err := s.region(ctx, d.Region)
		switch {
		case apperr.Is(err, apperr.NotFound) || (err == nil && (!region.Contains(h.Region, d.Region) || !p.Can(auth.HandoutHandOut, auth.Target{Region: d.Region}))):
			return d, apperr.Field("region", "err.region_unknown")
		case err != nil:
			return d, err
		}
		capacity = r.Households
	}
	if err := d.Validate(capacity); err != nil {
		return d, err
	}
	return d, s.DB.Write(ctx, who, func(tx *store.Tx) error { return tx.InsertDistribution(ctx, &d) })
}

// Distributions lists a handout's rounds in p's area, newest first, with the total.
func (s *Service) Distributions(ctx context.Context, p *auth.Principal, id int64, pg store.Page) ([]campaign.Distribution, int, error) {
	h, err := s.Handout(ctx, p, id)
	if err != nil {
		return nil, 0, err
	}
	return s.DB.Distributions(ctx, h.ID, p.Can(auth.HandoutRead, auth.Target{Region: h.Region}), p.Scopes(auth.HandoutRead), pg)
}

// Coverage is a handout's household coverage in one region: its own total
// and a row per region under it (communities of a street, grids of a community).
type Coverage struct {
	Region region.Region
	Total  campaign.CoverageRow
	Rows   []campaign.CoverageRow
}

// Coverage returns handout id's coverage in code ("" for the handout's own
// region) for p: the regions under it that p may see, the regions not yet
// reached first. A region outside the handout's area or p's is NotFound.
func (s *Service) Coverage(ctx context.Context, p *auth.Principal, id int64, code string) (Coverage, error) {
	var out Coverage
	h, err := s.Handout(ctx, p, id)
	if err != nil {
		return out, err
	}
	code = strings.TrimSpace(code)
	if code == "" {
		code = h.Region
	}
	if !region.ValidCode(code) {
		return out, apperr.Field("region", "err.region_code")
	}
	if !region.Contains(h.Region, code) && !region.Contains(code, h.Region) {
		return out, apperr.ErrNotFound
	}
	if region.Contains(code, h.Region) {
		code = h.Region // above the handout's area: count its own
	}
	if !overlaps(p, auth.HandoutRead, code) {
		return out, apperr.ErrNotFound
	}
	if out.Region, err = s.region(ctx, code); err != nil {
		return out, err
	}
	sub, err := s.DB.Regions(ctx, []string{code}, false)
	if err != nil {
		return out, err
	}
	reached, err := s.DB.ReachedByRegion(ctx, h.ID)
	if err != nil {
		return out, err
	}
	within := func(root string) int {
		n := 0
		for c, k := range reached {
			if region.Contains(root, c) {
				n += k
			}
		}
		return n
	}
	var children []region.Region
	for _, r := range sub {
		if r.Parent == code && (p.Can(auth.HandoutRead, auth.Target{Region: r.Code}) || overlaps(p, auth.HandoutRead, r.Code)) {
			children = append(children, r)
		}
	}
	if len(children) == 0 {
		children = []region.Region{out.Region}
	}
	counts := map[string]int{}
	for _, r := range children {
		counts[r.Code] = within(r.Code)
	}
	out.Rows = campaign.Coverage(children, counts)
	out.Total = campaign.Coverage([]region.Region{out.Region}, map[string]int{code: within(code)})[0]
	return out, nil
}
