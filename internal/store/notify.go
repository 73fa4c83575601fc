package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/lantian-org/lantian/internal/messages"
	"github.com/lantian-org/lantian/internal/notify"
	"github.com/lantian-org/lantian/internal/region"
)

// Notify writes events inside the transaction: it resolves each event's
// audience (package notify's rule for its kind) to active people and writes
// one inbox message per person and event; and, for the work group, one
// outbox message per outbound channel the event goes to (package messages'
// routing: the channel's region holds the event's record and it subscribes
// to the event) and one per recipient who has this kind e-mailed to them.
// An outbox message is thus never lost and never exists without its cause.
// It returns how many inbox messages it wrote. This is the one place
// messages are written.
func (tx *Tx) Notify(ctx context.Context, evs ...notify.Event) (int, error) {
	n := 0
	for _, ev := range evs {
		if !notify.Known(ev.Kind) {
			return n, fmt.Errorf("notify: unknown event kind %q", ev.Kind)
		}
		people, err := tx.Recipients(ctx, notify.Audience(ev))
		if err != nil {
			return n, fmt.Errorf("notify %s: recipients: %w", ev.Kind, err)
		}
		args := ""
		if len(ev.Args) > 0 {
			b, err := json.Marshal(ev.Args)
			if err != nil {
				return n, err
			}
			args = string(b)
		}
		var caseID any
		if ev.Record.Kind == "case" && ev.Record.ID != 0 {
			caseID = ev.Record.ID
		}
		for _, p := range people {
			if _, err := tx.ExecContext(ctx, `INSERT INTO inbox (person_id, kind, case_id, number, args, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
				p, string(ev.Kind), caseID, ev.Record.Ref, args, tx.now); err != nil {
				return n, err
			}
			n++
		}
		tx.change.Inbox = append(tx.change.Inbox, people...)
		if err := tx.outbound(ctx, ev, people); err != nil {
			return n, fmt.Errorf("notify %s: outbox: %w", ev.Kind, err)
		}
	}
	return n, nil
}

// outbound writes the outbox messages of ev, whose inbox recipients are people.
func (tx *Tx) outbound(ctx context.Context, ev notify.Event, people []int64) error {
	_, grouped := messages.EventOf(ev.Kind)
	grouped = grouped || ev.Kind == notify.ChannelTest
	var mail []int64
	if len(people) > 0 {
		want, err := queryIDs(ctx, tx, `SELECT k.person_id FROM person_mail_kinds k JOIN person_settings s ON s.person_id = k.person_id
			WHERE k.kind = $1 AND s.email <> ''`, string(ev.Kind))
		if err != nil {
			return err
		}
		for _, id := range want {
			if slices.Contains(people, id) {
				mail = append(mail, id)
			}
		}
	}
	if !grouped && len(mail) == 0 {
		return nil
	}
	chans, err := tx.enabledChannels(ctx)
	if err != nil {
		return err
	}
	routes := messages.Routes(ev, chans)
	mailTo, hasMail := messages.MailChannel(messages.RecordRegion(ev), chans)
	if len(routes) == 0 && (!hasMail || len(mail) == 0) {
		return nil
	}
	facts, err := tx.facts(ctx, ev)
	if err != nil {
		return err
	}
	put := func(channel int64, person any, event messages.Event) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO outbox (channel_id, person_id, event, kind, record_kind, record_id, record_ref, region, facts, next_at, since, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $10)`,
			channel, person, string(event), string(ev.Kind), ev.Record.Kind, ev.Record.ID, ev.Record.Ref, messages.RecordRegion(ev), facts, tx.now)
		return err
	}
	for _, c := range routes {
		e, _ := messages.EventOf(ev.Kind)
		if ev.Kind == notify.ChannelTest {
			e = messages.Test
		}
		if err := put(c.ID, nil, e); err != nil {
			return err
		}
	}
	if hasMail {
		for _, p := range mail {
			if err := put(mailTo.ID, p, messages.Personal); err != nil {
				return err
			}
		}
	}
	tx.change.Outbox = true
	return nil
}

// enabledChannels loads the enabled channels once per transaction, with what routing reads.
func (tx *Tx) enabledChannels(ctx context.Context) ([]messages.Channel, error) {
	if tx.chans != nil {
		return *tx.chans, nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, kind, region, events FROM channels WHERE enabled = 1 ORDER BY id`)
	if err != nil {
		return nil, err
	}
	list, err := scanAll(rows, func(sc interface{ Scan(...any) error }) (messages.Channel, error) {
		c := messages.Channel{Enabled: true}
		var evs string
		err := sc.Scan(&c.ID, &c.Kind, &c.Region, &evs)
		c.Events = splitEvents(evs)
		return c, err
	})
	if err != nil {
		return nil, err
	}
	tx.chans = &list
	return list, nil
}

// facts is what an outbox message shows, as JSON: the event's arguments,
// and for a case what a group needs to act on it (number, category,
// address, description, grid, assignee, deadline).
func (tx *Tx) facts(ctx context.Context, ev notify.Event) (string, error) {
	m := map[string]any{}
	if ev.Record.Kind == "case" && ev.Record.ID != 0 {
		var number, desc, addr, reg, sev, assignee, catZh, catEn, regName string
		var deadline int64
		err := tx.QueryRowContext(ctx, `SELECT c.number, c.description, c.address, c.region, c.severity, c.assignee, c.deadline,
				COALESCE(k.name_zh, c.category), COALESCE(k.name_en, c.category), COALESCE(r.name, '')
			FROM cases c LEFT JOIN categories k ON k.code = c.category LEFT JOIN regions r ON r.code = c.region WHERE c.id = $1`, ev.Record.ID).
			Scan(&number, &desc, &addr, &reg, &sev, &assignee, &deadline, &catZh, &catEn, &regName)
		if err != nil {
			return "", err
		}
		who, err := tx.assigneeName(ctx, assignee)
		if err != nil {
			return "", err
		}
		m = map[string]any{"number": number, "description": desc, "address": addr, "grid": reg, "grid_name": regName,
			"severity": sev, "assignee": who, "deadline": deadline, "category_zh": catZh, "category_en": catEn}
	}
	for k, v := range ev.Args {
		m[k] = v
	}
	if len(m) == 0 {
		return "", nil
	}
	b, err := json.Marshal(m)
	return string(b), err
}

// assigneeName names a case's assignee (person:N, region:CODE, unit:N) for a message.
func (tx *Tx) assigneeName(ctx context.Context, ref string) (string, error) {
	kind, v, _ := strings.Cut(ref, ":")
	var q string
	switch kind {
	case "person":
		q = `SELECT name FROM people WHERE id = $1`
	case "region":
		q = `SELECT name FROM regions WHERE code = $1`
	case "unit":
		q = `SELECT name FROM units WHERE id = $1`
	default:
		return "", nil
	}
	var arg any = v
	if kind != "region" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return "", nil
		}
		arg = id
	}
	var name string
	if err := tx.QueryRowContext(ctx, q, arg).Scan(&name); err != nil && !isNoRows(err) {
		return "", err
	}
	return name, nil
}

// Recipients resolves selectors to the ids of active people, each once, in order.
func (tx *Tx) Recipients(ctx context.Context, sels []notify.Selector) ([]int64, error) {
	seen := map[int64]bool{}
	var out []int64
	add := func(ids []int64) {
		for _, id := range ids {
			if id != 0 && !seen[id] {
				seen[id] = true
				out = append(out, id)
			}
		}
	}
	for _, s := range sels {
		var ids []int64
		var err error
		switch s.Role {
		case notify.Person:
			ids = []int64{s.PersonID}
		case notify.UnitContacts:
			ids, err = queryIDs(ctx, tx, `SELECT ra.person_id FROM role_assignments ra JOIN people p ON p.id = ra.person_id
				WHERE p.active = 1 AND ra.role = 'unit_contact' AND ra.unit_id = $1 ORDER BY ra.person_id`, s.Unit)
		case notify.Leaders, notify.Patrollers:
			for code := s.Region; code != ""; code = region.ParentOf(code) {
				ids, err = queryIDs(ctx, tx, `SELECT DISTINCT ra.person_id FROM role_assignments ra JOIN people p ON p.id = ra.person_id
					WHERE p.active = 1 AND ra.role = $1 AND ra.region = $2 ORDER BY ra.person_id`, string(s.Role), code)
				if err != nil || len(ids) > 0 || !s.Up || region.LevelOf(code) <= region.Street {
					break
				}
			}
		default:
			err = fmt.Errorf("unknown selector role %q", s.Role)
		}
		if err != nil {
			return nil, err
		}
		add(ids)
	}
	return out, nil
}

// queryIDs runs a query whose rows are one id each.
func queryIDs(ctx context.Context, q querier, query string, args ...any) ([]int64, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return scanAll(rows, scanValue[int64])
}
