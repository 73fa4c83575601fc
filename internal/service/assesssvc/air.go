package assesssvc

import (
	"context"
	"io"
	"strings"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/assess"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/region"
	"github.com/lantian-org/lantian/internal/store"
)

// ImportAir stores a monitoring station's daily figures for the region
// code (the admin's own area when empty): 403 for anyone but admins over
// it, 422 naming the line of a CSV that does not read; nothing is written
// unless every line reads. It returns how many days it stored.
func (s *Service) ImportAir(ctx context.Context, actor store.Actor, p *auth.Principal, code string, r io.Reader) (int, error) {
	code = strings.TrimSpace(code)
	if code == "" {
		if sc := p.Scopes(auth.AssessAdmin); len(sc) > 0 {
			code = sc[0]
		}
	}
	if !p.CanSomewhere(auth.AssessAdmin) {
		return 0, apperr.ErrForbidden
	}
	if !region.ValidCode(code) || !p.Can(auth.AssessAdmin, auth.Target{Region: code}) {
		return 0, apperr.Field("region", "err.not_found")
	}
	if _, err := s.DB.Region(ctx, code); err != nil {
		return 0, notFoundAsField(err, "region")
	}
	days, err := assess.ParseAirCSV(io.LimitReader(r, 4<<20))
	if err != nil {
		return 0, err
	}
	return len(days), s.DB.Write(ctx, actor, func(tx *store.Tx) error { return tx.UpsertAirDays(ctx, code, days) })
}

// AirSummary is the good-air days among the days with figures.
type AirSummary struct {
	Good, Days int
}

func (s *Service) airSummary(ctx context.Context, v viewer, from, to string) (AirSummary, error) {
	var roots []string
	if !v.All {
		roots = v.Roots
	}
	days, err := s.DB.AirDays(ctx, roots, from, to)
	var out AirSummary
	for _, d := range days {
		out.Days++
		if d.Good() {
			out.Good++
		}
	}
	return out, err
}
