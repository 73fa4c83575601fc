package casesvc

import (
	"context"
	"time"
)

// StreetSettings gives the settings that differ by street; service.Streets
// implements it over the stored rows.
type StreetSettings interface {
	CasePrefix(ctx context.Context, code string) (string, error)
	Grace(ctx context.Context, code string) (time.Duration, error)
}

// prefix is the case-number prefix of the street holding code.
func (s *Service) prefix(ctx context.Context, code string) (string, error) {
	if s.Streets == nil {
		return s.Prefix, nil
	}
	return s.Streets.CasePrefix(ctx, code)
}

// grace is the escalation grace of the street holding code.
func (s *Service) grace(ctx context.Context, code string) (time.Duration, error) {
	if s.Streets == nil {
		return s.Grace, nil
	}
	return s.Streets.Grace(ctx, code)
}
