package inspectsvc

import (
	"context"
	"slices"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/inspect"
	"github.com/lantian-org/lantian/internal/region"
	"github.com/lantian-org/lantian/internal/store"
)

// MaxSpan is the longest range one call schedules: a year.
const MaxSpan = 366

// Checklist returns the checklist of a year (the built-in default until an
// admin saves one).
func (s *Service) Checklist(ctx context.Context, p *auth.Principal, year int) (inspect.Checklist, error) {
	if !p.CanSomewhere(auth.InspectRead) && !p.CanSomewhere(auth.InspectChecklist) {
		return inspect.Checklist{}, apperr.ErrForbidden
	}
	if year < 2000 || year > 2100 {
		return inspect.Checklist{}, apperr.Field("year", "err.inspect.year")
	}
	c, _, err := s.DB.InspectionChecklist(ctx, year)
	return c, err
}

// SaveChecklist stores a year's checklist; inspections already made keep
// the sheet they were made with.
func (s *Service) SaveChecklist(ctx context.Context, who store.Actor, p *auth.Principal, c inspect.Checklist) (inspect.Checklist, error) {
	if !p.CanSomewhere(auth.InspectChecklist) {
		return c, apperr.ErrForbidden
	}
	if err := c.Validate(); err != nil {
		return c, err
	}
	err := s.DB.Write(ctx, who, func(tx *store.Tx) error { return tx.SaveChecklist(ctx, &c) })
	return c, err
}

// planScope lists the communities p may plan inspections in.
func (s *Service) planScope(ctx context.Context, p *auth.Principal) ([]store.GridRef, error) {
	if !p.CanSomewhere(auth.InspectPlan) {
		return nil, apperr.ErrForbidden
	}
	return s.DB.Communities(ctx, p.Can(auth.InspectPlan, auth.Target{}), p.Scopes(auth.InspectPlan))
}

// sheet is what a new inspection starts from: the year's checklist as items.
type sheets map[int]inspect.Checklist

func (s *Service) sheet(ctx context.Context, cache sheets, year int) (inspect.Checklist, error) {
	if c, ok := cache[year]; ok {
		return c, nil
	}
	c, _, err := s.DB.InspectionChecklist(ctx, year)
	if err != nil {
		return c, err
	}
	cache[year] = c
	return c, nil
}

// Schedule makes the weekly inspections of every community p plans for,
// for the weeks between the local dates from and to (inclusive): one per
// community and week, on the street's weekday when it is a working day,
// else the last working day of that week before it, and none in a week
// with no such day. A week that already has its inspection (whatever became
// of it) gets no second one, so calling it again creates nothing. It
// returns the inspections made.
func (s *Service) Schedule(ctx context.Context, who store.Actor, p *auth.Principal, from, to string) ([]inspect.Inspection, error) {
	comms, err := s.planScope(ctx, p)
	if err != nil {
		return nil, err
	}
	today := s.today()
	f := apperr.Fields{}
	fd, err := inspect.ParseDate("from", from, today)
	if err != nil {
		f.Add("from", apperr.As(err).Fields["from"].Key, apperr.As(err).Fields["from"].Args...)
	}
	td, err := inspect.ParseDate("to", to, today)
	if err != nil {
		f.Add("to", apperr.As(err).Fields["to"].Key, apperr.As(err).Fields["to"].Args...)
	}
	if len(f) == 0 {
		switch {
		case td.Before(fd):
			f.Add("to", "err.inspect.to_before_from")
		case td.Sub(fd).Hours()/24 > MaxSpan:
			f.Add("to", "err.inspect.span", MaxSpan)
		}
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	return s.schedule(ctx, who, comms, fd, td)
}

// ScheduleAhead makes, as the system, the weekly inspections of every
// community from today to the end of next week, so that the schedule is
// there without anyone asking (the worker runs it). It returns how many it made.
func (s *Service) ScheduleAhead(ctx context.Context) (int, error) {
	comms, err := s.DB.Communities(ctx, true, nil)
	if err != nil || len(comms) == 0 {
		return 0, err
	}
	today := s.today()
	made, err := s.schedule(ctx, store.System, comms, today, inspect.Monday(today).AddDate(0, 0, 13))
	return len(made), err
}

// schedule makes the inspections of comms dated from fd to td (see Schedule).
func (s *Service) schedule(ctx context.Context, who store.Actor, comms []store.GridRef, fd, td time.Time) ([]inspect.Inspection, error) {
	cal, err := s.Cal.Get(ctx)
	if err != nil {
		return nil, err
	}
	settings := map[string]Settings{}
	cache := sheets{}
	var made []inspect.Inspection
	err = s.DB.Write(ctx, who, func(tx *store.Tx) error {
		made = nil
		for monday := inspect.Monday(fd); !monday.After(td); monday = monday.AddDate(0, 0, 7) {
			for _, c := range comms {
				street := region.AncestorAt(c.Code, region.Street)
				st, ok := settings[street]
				if !ok {
					if st, err = s.settings(ctx, street); err != nil {
						return err
					}
					settings[street] = st
				}
				wd, _ := inspect.Weekday(st.Weekday)
				d, ok := inspect.ScheduledDate(cal, monday, wd)
				if !ok || d.Before(fd) || d.After(td) {
					continue
				}
				cl, err := s.sheet(ctx, cache, d.Year())
				if err != nil {
					return err
				}
				in := inspect.Inspection{Region: c.Code, Street: street, Date: d.Format(inspect.DateLayout), Slot: monday.Format(inspect.DateLayout),
					Status: inspect.StatusPlanned, Year: d.Year(), Items: cl.Sheet(), Max: cl.Max(), Inspectors: st.Inspectors}
				created, err := tx.CreateInspection(ctx, &in)
				if err != nil {
					return err
				}
				if created {
					made = append(made, in)
				}
			}
		}
		return nil
	})
	if made == nil {
		made = []inspect.Inspection{}
	}
	return made, err
}

// Extra is an inspection added by hand, outside the weekly schedule.
type Extra struct {
	Region     string
	Date       string
	Inspectors []int64
}

// Create adds an extra inspection of a community on any sensible date.
func (s *Service) Create(ctx context.Context, who store.Actor, p *auth.Principal, x Extra) (inspect.Inspection, error) {
	if !p.CanSomewhere(auth.InspectPlan) {
		return inspect.Inspection{}, apperr.ErrForbidden
	}
	f := apperr.Fields{}
	comm, err := s.community(ctx, p, "region", x.Region, auth.InspectPlan)
	if err != nil {
		if !apperr.Is(err, apperr.Invalid) {
			return inspect.Inspection{}, err
		}
		f.Add("region", "err.inspect.community")
	}
	d, err := inspect.ParseDate("date", x.Date, s.today())
	if err != nil {
		m := apperr.As(err).Fields["date"]
		f.Add("date", m.Key, m.Args...)
	}
	var ids []int64
	if comm.Code != "" {
		if ids, err = s.checkInspectors(ctx, comm.Code, x.Inspectors); err != nil {
			if !apperr.Is(err, apperr.Invalid) {
				return inspect.Inspection{}, err
			}
			f.Add("inspectors", "err.inspect.inspector")
		}
	}
	if err := f.Err(); err != nil {
		return inspect.Inspection{}, err
	}
	if len(ids) == 0 {
		st, err := s.settings(ctx, region.AncestorAt(comm.Code, region.Street))
		if err != nil {
			return inspect.Inspection{}, err
		}
		ids = st.Inspectors
	}
	cl, _, err := s.DB.InspectionChecklist(ctx, d.Year())
	if err != nil {
		return inspect.Inspection{}, err
	}
	in := inspect.Inspection{Region: comm.Code, Street: region.AncestorAt(comm.Code, region.Street), Date: d.Format(inspect.DateLayout),
		Status: inspect.StatusPlanned, Year: d.Year(), Items: cl.Sheet(), Max: cl.Max(), Inspectors: ids}
	err = s.DB.Write(ctx, who, func(tx *store.Tx) error {
		_, err := tx.CreateInspection(ctx, &in)
		return err
	})
	return in, err
}

// Query is a list of inspections as people ask for it.
type Query struct {
	Region   string
	From, To string
	Status   string
	Page     store.Page
}

// List returns the inspections p may see, by date and community, with the total.
func (s *Service) List(ctx context.Context, p *auth.Principal, q Query) ([]inspect.Inspection, int, error) {
	all, roots, err := scope(p, q.Region)
	if err != nil {
		return nil, 0, err
	}
	f := apperr.Fields{}
	today := s.today()
	for _, d := range []struct{ name, v string }{{"from", q.From}, {"to", q.To}} {
		if d.v == "" {
			continue
		}
		if _, err := inspect.ParseDate(d.name, d.v, today); err != nil {
			m := apperr.As(err).Fields[d.name]
			f.Add(d.name, m.Key, m.Args...)
		}
	}
	if q.Status != "" && !inspect.Status(q.Status).Valid() {
		f.Add("status", "err.invalid_choice")
	}
	if err := f.Err(); err != nil {
		return nil, 0, err
	}
	return s.DB.Inspections(ctx, store.InspectionFilter{All: all, Roots: roots, From: q.From, To: q.To, Status: q.Status, Page: q.Page})
}

// Communities lists the communities p may read inspections of (for pickers and the month page).
func (s *Service) Communities(ctx context.Context, p *auth.Principal) ([]store.GridRef, error) {
	if !p.CanSomewhere(auth.InspectRead) {
		return nil, apperr.ErrForbidden
	}
	list, err := s.DB.Communities(ctx, p.Can(auth.InspectRead, auth.Target{}), p.Scopes(auth.InspectRead))
	if err != nil {
		return nil, err
	}
	// A grid leader's scope holds no community.
	return slices.DeleteFunc(list, func(g store.GridRef) bool { return !p.Can(auth.InspectRead, auth.Target{Region: g.Code}) }), nil
}
