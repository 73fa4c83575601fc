package campaignsvc

import (
	"context"
	"slices"
	"strings"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/campaign"
	"github.com/lantian-org/lantian/internal/people"
	"github.com/lantian-org/lantian/internal/region"
	"github.com/lantian-org/lantian/internal/store"
)

// ListInput selects campaigns: days From to To (YYYY-MM-DD, both optional),
// touching Region, of Status, one page.
type ListInput struct {
	From, To string
	Region   string
	Status   string
	Page     store.Page
}

// List returns the campaigns p may see that match in, latest first, and the total.
func (s *Service) List(ctx context.Context, p *auth.Principal, in ListInput) ([]campaign.Campaign, int, error) {
	if !p.CanSomewhere(auth.CampaignRead) {
		return nil, 0, apperr.ErrForbidden
	}
	f := apperr.Fields{}
	for field, v := range map[string]string{"from": in.From, "to": in.To} {
		if v != "" {
			if _, err := campaign.ParseDate(v); err != nil {
				f.Add(field, "err.format")
			}
		}
	}
	if in.Region != "" && !region.ValidCode(in.Region) {
		f.Add("region", "err.region_code")
	}
	if in.Status != "" && !campaign.Status(in.Status).Valid() {
		f.Add("status", "err.invalid_choice")
	}
	if err := f.Err(); err != nil {
		return nil, 0, err
	}
	return s.DB.Campaigns(ctx, store.CampaignFilter{Scope: scopeOf(p, auth.CampaignRead), Region: in.Region, From: in.From, To: in.To,
		Status: in.Status, Page: in.Page})
}

// canRead reports whether p may see c: a region of c overlaps p's scope, or
// p is a contact of a unit with a task in it or asked to take part.
func canRead(p *auth.Principal, c campaign.Campaign) bool {
	for _, r := range c.Regions {
		if overlaps(p, auth.CampaignRead, r) {
			return true
		}
	}
	return len(unitTasks(p, c)) > 0 || slices.ContainsFunc(c.Units, func(u campaign.UnitPart) bool {
		return slices.Contains(p.UnitScopes(auth.CampaignRead), u.UnitID)
	})
}

// seesAll reports whether p sees every task of c (not only their unit's).
func seesAll(p *auth.Principal, c campaign.Campaign) bool {
	for _, r := range c.Regions {
		if overlaps(p, auth.CampaignRead, r) {
			return true
		}
	}
	return false
}

// unitTasks lists the tasks of c that a unit of p's answers for.
func unitTasks(p *auth.Principal, c campaign.Campaign) []campaign.Task {
	units := p.UnitScopes(auth.CampaignRead)
	var out []campaign.Task
	for _, t := range c.Tasks {
		if t.UnitID != 0 && slices.Contains(units, t.UnitID) {
			out = append(out, t)
		}
	}
	return out
}

// isPlanner reports whether p may plan c: every region of c lies in p's scope.
func isPlanner(p *auth.Principal, c campaign.Campaign) bool {
	if len(c.Regions) == 0 {
		return false
	}
	for _, r := range c.Regions {
		if !p.Can(auth.CampaignPlan, auth.Target{Region: r}) {
			return false
		}
	}
	return true
}

// actorFor describes p relative to c and, when given, one of its tasks.
func actorFor(p *auth.Principal, c campaign.Campaign, t *campaign.Task) campaign.Actor {
	a := campaign.Actor{Planner: isPlanner(p, c)}
	if t != nil {
		a.Recorder = p.Can(auth.CampaignRecord, auth.Target{Region: t.Region})
	}
	return a
}

// View is a campaign as p sees it: the tasks p may see, and what p may do.
type View struct {
	campaign.Campaign
	// AllTasks is false for a unit contact, who sees their unit's tasks only.
	AllTasks bool
	Planner  bool
	// Allowed are the campaign-level actions p may take now (edit, close…).
	Allowed []campaign.Action
	// Recordable lists the ids of tasks p may record results for now.
	Recordable map[int64]bool
	DayCome    bool
	Photos     []store.CampaignPhoto
	Findings   []store.CampaignFinding
	// CanReport says whether p may report a problem found as a campaign case.
	CanReport bool
}

// Get returns campaign id as p may see it (404 when p may not).
func (s *Service) Get(ctx context.Context, p *auth.Principal, id int64) (View, error) {
	c, err := s.DB.Campaign(ctx, id)
	if err != nil {
		return View{}, err
	}
	if !canRead(p, c) {
		return View{}, apperr.ErrNotFound
	}
	v := View{Campaign: c, AllTasks: seesAll(p, c), Planner: isPlanner(p, c), DayCome: campaign.DayCome(c.Date, s.Today()), Recordable: map[int64]bool{}}
	if !v.AllTasks {
		v.Tasks = unitTasks(p, c)
	}
	v.Allowed = campaign.Allowed(campaign.Actor{Planner: v.Planner}, c.Status, v.DayCome)
	for _, t := range v.Tasks {
		if _, err := campaign.Decide(actorFor(p, c, &t), c.Status, campaign.ActRecord, v.DayCome); err == nil {
			v.Recordable[t.ID] = true
		}
	}
	v.CanReport = len(v.Recordable) > 0 && p.CanSomewhere(auth.CaseSourceCampaign)
	if v.Photos, err = s.DB.CampaignPhotos(ctx, id); err != nil {
		return v, err
	}
	if v.Findings, err = s.DB.CampaignFindings(ctx, id); err != nil {
		return v, err
	}
	if !v.AllTasks {
		keep := map[int64]bool{}
		for _, t := range v.Tasks {
			keep[t.ID] = true
		}
		v.Photos = slices.DeleteFunc(v.Photos, func(ph store.CampaignPhoto) bool { return !keep[ph.TaskID] })
		v.Findings = slices.DeleteFunc(v.Findings, func(f store.CampaignFinding) bool { return !keep[f.TaskID] })
	}
	return v, nil
}

// TaskInput is a task as a planner gives it: a kind, a title (the place or
// job), and who answers for it — a community or grid (Region) or a unit.
type TaskInput struct {
	Kind     string
	Title    string
	Region   string
	UnitID   int64
	Lat, Lon *float64
}

// Input is a campaign as a planner gives it.
type Input struct {
	Title   string
	Date    string
	Regions []string
	Note    string
	Tasks   []TaskInput
	// People are person ids taking part; Units are units asked, with their headcount.
	People []int64
	Units  []campaign.UnitPart
}

// build checks in against the database and p's scope and returns the campaign it describes.
func (s *Service) build(ctx context.Context, p *auth.Principal, in Input) (campaign.Campaign, error) {
	c := campaign.Campaign{Title: strings.TrimSpace(in.Title), Date: strings.TrimSpace(in.Date), Note: strings.TrimSpace(in.Note),
		Regions: uniq(in.Regions), People: uniq(in.People)}
	f := apperr.Fields{}
	// Regions must exist and lie in the planner's scope: one outside it is
	// answered as one that does not exist.
	for _, code := range c.Regions {
		if !region.ValidCode(code) {
			continue // Validate names it
		}
		if _, err := s.region(ctx, code); err != nil || !p.Can(auth.CampaignPlan, auth.Target{Region: code}) {
			if err != nil && !apperr.Is(err, apperr.NotFound) {
				return c, err
			}
			f.Add("regions", "err.region_unknown")
		}
	}
	c.Street = campaign.StreetOf(c.Regions)
	for _, ti := range in.Tasks {
		t, err := s.buildTask(ctx, p, ti)
		if err != nil {
			if e := apperr.As(err); e.Code == apperr.Invalid {
				for _, m := range e.Fields {
					f.Add("tasks", m.Key, m.Args...)
				}
				continue
			}
			return c, err
		}
		c.Tasks = append(c.Tasks, t)
	}
	if err := s.checkParticipants(ctx, p, &c, in.Units, f); err != nil {
		return c, err
	}
	if err := c.Validate(); err != nil {
		for k, m := range apperr.As(err).Fields {
			f.Add(k, m.Key, m.Args...)
		}
	}
	return c, f.Err()
}

// buildTask checks a task's kind, region and unit. A unit's task lies in the
// unit's grid; a unit p may not see is answered as one that does not exist.
func (s *Service) buildTask(ctx context.Context, p *auth.Principal, in TaskInput) (campaign.Task, error) {
	t := campaign.Task{Kind: campaign.TaskKind(strings.TrimSpace(in.Kind)), Title: strings.TrimSpace(in.Title), Region: strings.TrimSpace(in.Region),
		UnitID: in.UnitID, Lat: in.Lat, Lon: in.Lon}
	f := apperr.Fields{}
	if t.UnitID != 0 {
		u, err := s.visibleUnit(ctx, p, t.UnitID)
		if err != nil {
			if !apperr.Is(err, apperr.NotFound) {
				return t, err
			}
			f.Add("tasks", "err.unit_unknown")
		} else {
			t.Region = u.Region
			if t.Title == "" {
				t.Title = u.Name
			}
		}
	} else if region.ValidCode(t.Region) {
		if _, err := s.region(ctx, t.Region); err != nil {
			if !apperr.Is(err, apperr.NotFound) {
				return t, err
			}
			f.Add("tasks", "err.region_unknown")
		}
	}
	t.Validate(f, "tasks")
	return t, f.Err()
}

// checkParticipants checks the people (active, with a role p may see) and
// the units (active, visible to p, inside the campaign) taking part.
func (s *Service) checkParticipants(ctx context.Context, p *auth.Principal, c *campaign.Campaign, units []campaign.UnitPart, f apperr.Fields) error {
	for _, id := range c.People {
		person, err := s.DB.Person(ctx, id)
		if err != nil && !apperr.Is(err, apperr.NotFound) {
			return err
		}
		ok := err == nil && person.Active && slices.ContainsFunc(person.Roles, func(a people.Assignment) bool {
			return a.Region != "" && overlaps(p, auth.CampaignRead, a.Region)
		})
		if !ok {
			f.Add("people", "err.campaign.person_unknown")
		}
	}
	seen := map[int64]bool{}
	for _, up := range units {
		if seen[up.UnitID] {
			continue
		}
		seen[up.UnitID] = true
		u, err := s.visibleUnit(ctx, p, up.UnitID)
		if err != nil {
			if !apperr.Is(err, apperr.NotFound) {
				return err
			}
			f.Add("units", "err.unit_unknown")
			continue
		}
		if len(c.Regions) > 0 && !c.Covers(u.Region) {
			f.Add("units", campaign.MsgRegionOutside)
			continue
		}
		c.Units = append(c.Units, campaign.UnitPart{UnitID: u.ID, Name: u.Name, Headcount: up.Headcount})
	}
	return nil
}

// Create plans a new campaign on any date, in regions of p's scope.
func (s *Service) Create(ctx context.Context, who store.Actor, p *auth.Principal, in Input) (campaign.Campaign, error) {
	if !p.CanSomewhere(auth.CampaignPlan) {
		return campaign.Campaign{}, apperr.ErrForbidden
	}
	c, err := s.build(ctx, p, in)
	if err != nil {
		return c, err
	}
	c.Status = campaign.Planned
	err = s.DB.Write(ctx, who, func(tx *store.Tx) error {
		_, err := tx.InsertCampaign(ctx, &c)
		return err
	})
	return c, err
}

// EditInput changes a campaign's title, date, regions and note.
type EditInput struct {
	Title   string
	Date    string
	Regions []string
	Note    string
}

// Update edits a campaign (a proposal edited becomes planned). Tasks keep
// their results; a task outside the new regions is refused.
func (s *Service) Update(ctx context.Context, who store.Actor, p *auth.Principal, id int64, in EditInput) (campaign.Campaign, error) {
	var out campaign.Campaign
	err := s.DB.Write(ctx, who, func(tx *store.Tx) error {
		c, err := s.loadForWrite(ctx, tx, p, id)
		if err != nil {
			return err
		}
		next, err := campaign.Decide(actorFor(p, c, nil), c.Status, campaign.ActEdit, campaign.DayCome(c.Date, s.Today()))
		if err != nil {
			return err
		}
		built, err := s.build(ctx, p, Input{Title: in.Title, Date: in.Date, Regions: in.Regions, Note: in.Note})
		if err != nil {
			return err
		}
		before := c
		c.Title, c.Date, c.Regions, c.Note, c.Status = built.Title, built.Date, built.Regions, built.Note, next
		if built.Street != c.Street {
			return apperr.Field("regions", campaign.MsgOneStreet)
		}
		if err := c.Validate(); err != nil {
			return err
		}
		if c.Proposed && c.Month() != before.Month() {
			// A proposal stands for its month: moving it out would let a second be proposed.
			return apperr.Field("date", "err.campaign.proposal_month")
		}
		if err := tx.UpdateCampaign(ctx, &c); err != nil {
			return err
		}
		out = c
		return tx.Audit(ctx, "campaign", c.ID, "update", store.CampaignSummary(before), store.CampaignSummary(c))
	})
	return out, err
}

// loadForWrite loads a campaign inside a write: 404 when p may not see it.
func (s *Service) loadForWrite(ctx context.Context, tx *store.Tx, p *auth.Principal, id int64) (campaign.Campaign, error) {
	c, err := tx.Campaign(ctx, id)
	if err != nil {
		return c, err
	}
	if !canRead(p, c) {
		return c, apperr.ErrNotFound
	}
	return c, nil
}

// AddTask adds a task to a campaign being planned.
func (s *Service) AddTask(ctx context.Context, who store.Actor, p *auth.Principal, id int64, in TaskInput) (campaign.Task, error) {
	var t campaign.Task
	err := s.DB.Write(ctx, who, func(tx *store.Tx) error {
		c, err := s.loadForWrite(ctx, tx, p, id)
		if err != nil {
			return err
		}
		next, err := campaign.Decide(actorFor(p, c, nil), c.Status, campaign.ActEdit, campaign.DayCome(c.Date, s.Today()))
		if err != nil {
			return err
		}
		if len(c.Tasks) >= campaign.MaxTasks {
			return apperr.Field("tasks", "err.too_many_items", campaign.MaxTasks)
		}
		if t, err = s.buildTask(ctx, p, in); err != nil {
			return err
		}
		if !c.Covers(t.Region) {
			return apperr.Field("tasks", campaign.MsgRegionOutside)
		}
		if err := tx.InsertTask(ctx, c.ID, &t); err != nil {
			return err
		}
		if next != c.Status {
			c.Status = next
			if err := tx.UpdateCampaign(ctx, &c); err != nil {
				return err
			}
		} else if err := tx.TouchCampaign(ctx, c.ID); err != nil {
			return err
		}
		return tx.Audit(ctx, "campaign", c.ID, "add_task", nil, map[string]any{"task": t.ID, "kind": t.Kind, "title": t.Title, "region": t.Region, "unit": t.UnitID})
	})
	return t, err
}

// DeleteTask removes a task that has nothing recorded.
func (s *Service) DeleteTask(ctx context.Context, who store.Actor, p *auth.Principal, id, taskID int64) error {
	return s.DB.Write(ctx, who, func(tx *store.Tx) error {
		c, err := s.loadForWrite(ctx, tx, p, id)
		if err != nil {
			return err
		}
		t, ok := c.Task(taskID)
		if !ok {
			return apperr.ErrNotFound
		}
		if _, err := campaign.Decide(actorFor(p, c, nil), c.Status, campaign.ActEdit, campaign.DayCome(c.Date, s.Today())); err != nil {
			return err
		}
		if err := tx.DeleteTask(ctx, c.ID, taskID); err != nil {
			return err
		}
		if err := tx.TouchCampaign(ctx, c.ID); err != nil {
			return err
		}
		return tx.Audit(ctx, "campaign", c.ID, "delete_task", map[string]any{"task": t.ID, "title": t.Title}, nil)
	})
}

// SetParticipants replaces the people and units taking part.
func (s *Service) SetParticipants(ctx context.Context, who store.Actor, p *auth.Principal, id int64, persons []int64, units []campaign.UnitPart) error {
	return s.DB.Write(ctx, who, func(tx *store.Tx) error {
		c, err := s.loadForWrite(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if _, err := campaign.Decide(actorFor(p, c, nil), c.Status, campaign.ActEdit, campaign.DayCome(c.Date, s.Today())); err != nil {
			return err
		}
		before := map[string]any{"people": len(c.People), "units": len(c.Units)}
		c.People, c.Units = uniq(persons), nil
		f := apperr.Fields{}
		if err := s.checkParticipants(ctx, p, &c, units, f); err != nil {
			return err
		}
		if err := c.Validate(); err != nil {
			for k, m := range apperr.As(err).Fields {
				f.Add(k, m.Key, m.Args...)
			}
		}
		if err := f.Err(); err != nil {
			return err
		}
		if err := tx.SetCampaignParticipants(ctx, c.ID, c.People, c.Units); err != nil {
			return err
		}
		if err := tx.TouchCampaign(ctx, c.ID); err != nil {
			return err
		}
		return tx.Audit(ctx, "campaign", c.ID, "participants", before, map[string]any{"people": len(c.People), "units": len(c.Units)})
	})
}

// Transition closes, reopens or cancels a campaign.
func (s *Service) Transition(ctx context.Context, who store.Actor, p *auth.Principal, id int64, act campaign.Action) (campaign.Campaign, error) {
	if act != campaign.ActClose && act != campaign.ActReopen && act != campaign.ActCancel {
		return campaign.Campaign{}, apperr.Field("action", "err.invalid_choice")
	}
	var out campaign.Campaign
	err := s.DB.Write(ctx, who, func(tx *store.Tx) error {
		c, err := s.loadForWrite(ctx, tx, p, id)
		if err != nil {
			return err
		}
		next, err := campaign.Decide(actorFor(p, c, nil), c.Status, act, campaign.DayCome(c.Date, s.Today()))
		if err != nil {
			return err
		}
		before := c.Status
		c.Status = next
		if err := tx.UpdateCampaign(ctx, &c); err != nil {
			return err
		}
		out = c
		return tx.Audit(ctx, "campaign", c.ID, string(act), map[string]any{"status": before}, map[string]any{"status": next})
	})
	return out, err
}
