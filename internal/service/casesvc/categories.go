package casesvc

import (
	"context"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/calendar"
	"github.com/lantian-org/lantian/internal/cases"
	"github.com/lantian-org/lantian/internal/store"
)

// SaveCategories stores the categories of the settings table in one
// transaction, auditing each one that changed; it returns how many changed.
// Only admins of the whole district may (403). A bad value is a field error
// named "<field>.<code>" (name_zh.06010), and nothing is written.
func (s *Service) SaveCategories(ctx context.Context, who store.Actor, p *auth.Principal, list []cases.Category) (int, error) {
	if !p.Can(auth.CaseAdmin, auth.Target{}) {
		return 0, apperr.ErrForbidden
	}
	f := apperr.Fields{}
	for _, c := range list {
		if trim(c.NameZh) == "" {
			f.Add("name_zh."+c.Code, "err.required")
		}
		if !c.Severity.Valid() {
			f.Add("severity."+c.Code, "err.invalid_choice")
		}
		if c.Level < cases.LevelStreet || c.Level > cases.LevelGrid {
			f.Add("level."+c.Code, "err.invalid_choice")
		}
		for name, l := range map[string]calendar.Limit{"file_limit": c.File, "handle_limit": c.Handle, "verify_limit": c.Verify} {
			if l.Validate() != nil {
				f.Add(name+"."+c.Code, "err.limit")
			}
		}
	}
	if err := f.Err(); err != nil {
		return 0, err
	}
	n := 0
	err := s.DB.Write(ctx, who, func(tx *store.Tx) error {
		n = 0
		for _, c := range list {
			changed, err := tx.UpdateCategory(ctx, c)
			if err != nil {
				return err
			}
			if changed {
				n++
			}
		}
		return nil
	})
	return n, err
}
