// Package messages is the work group's domain: notices with receipts, the
// feed of posts, outbound channels (WeCom and DingTalk group robots, SMTP
// e-mail, signed JSON webhooks) and the rules of which event goes where. It
// formats and signs what a channel is sent but sends nothing itself: the
// store writes outbox rows inside the transaction of the event that caused
// them, and the worker delivers them. No SQL, HTTP or other I/O here.
package messages

import (
	"slices"

	"github.com/lantian-org/lantian/internal/notify"
	"github.com/lantian-org/lantian/internal/region"
)

// Event names a kind of outbound message a channel subscribes to (a
// channel's "events" list); its value is what the API accepts and shows.
type Event string

// The events a channel may subscribe to.
const (
	CaseAssigned    Event = "case_assigned"    // a case was assigned to a region, person or unit
	CaseOverdue     Event = "case_overdue"     // a case passed its deadline
	CaseEscalated   Event = "case_escalated"   // a case climbed to the street
	Supervise       Event = "supervise"        // a leader pressed for progress (督办)
	PatrolMissed    Event = "patrol_missed"    // a grid's patrol window passed without a patrol
	LettersUnsigned Event = "letters_unsigned" // the weekly list of units that have not signed
	NoticeOut       Event = "notice"           // a notice was published
	Inspection      Event = "inspection"       // an inspection's scored sheet
	Digest          Event = "digest"           // the day's figures, at 18:00
)

// Outbox rows that no channel subscribes to.
const (
	// Test is a channel's test message, sent to that channel alone.
	Test Event = "test"
	// Personal is one person's own notification sent to their e-mail address.
	Personal Event = "personal"
)

// Events lists the subscribable events in the order forms show them.
var Events = []Event{CaseAssigned, CaseOverdue, CaseEscalated, Supervise, PatrolMissed, LettersUnsigned, NoticeOut, Inspection, Digest}

// KnownEvent reports whether e is an event a channel may subscribe to.
func KnownEvent(e Event) bool { return slices.Contains(Events, e) }

// ChannelEvents maps the kinds of notify event to the channel event they
// send. It is the one table of what leaves Lantian: an area that adds a
// notify kind worth a group message adds one line here (an inspection's
// scored sheet maps to Inspection). Kinds not listed stay in the inbox.
// The message of an event the worker has no words of its own for is made
// from the event's Args: "title" (one line), "lines" (a list of strings)
// and "path" (the record's page, such as "/inspections/4").
var ChannelEvents = map[notify.Kind]Event{
	notify.CaseAssigned:     CaseAssigned,
	notify.CaseOverdue:      CaseOverdue,
	notify.CaseEscalated:    CaseEscalated,
	notify.CaseSupervise:    Supervise,
	notify.PatrolMissed:     PatrolMissed,
	notify.LettersUnsigned:  LettersUnsigned,
	notify.NoticePublished:  NoticeOut,
	notify.Digest:           Digest,
	notify.InspectionClosed: Inspection,
}

// exactRegion lists the events made once for each region (a summary of a
// street, and of each of its communities): they go to the channels of that
// region only, so a street's group gets the street's summary and not six
// community ones as well.
var exactRegion = map[Event]bool{Digest: true, LettersUnsigned: true}

// EventOf returns the channel event of a notify kind, if it has one.
func EventOf(k notify.Kind) (Event, bool) {
	e, ok := ChannelEvents[k]
	return e, ok
}

// RecordRegion is the region holding an event's record: the record's own
// region when the event names it, else the region its subject is about.
func RecordRegion(ev notify.Event) string {
	switch {
	case ev.Record.Region != "":
		return ev.Record.Region
	case ev.Subject.Region != "":
		return ev.Subject.Region
	}
	return ev.Subject.Held
}

// Routes returns the channels an event is sent to, in the order given: a
// channel's test message goes to that channel; any other event goes to
// each enabled channel that subscribes to its channel event and whose
// region holds the event's record (exactly that region for per-region
// summaries).
func Routes(ev notify.Event, chans []Channel) []Channel {
	var out []Channel
	if ev.Kind == notify.ChannelTest {
		for _, c := range chans {
			if c.ID == ev.Subject.Channel && c.Enabled {
				out = append(out, c)
			}
		}
		return out
	}
	e, ok := EventOf(ev.Kind)
	if !ok {
		return nil
	}
	where := RecordRegion(ev)
	if where == "" {
		return nil
	}
	for _, c := range chans {
		if !c.Enabled || !slices.Contains(c.Events, e) {
			continue
		}
		if exactRegion[e] && c.Region != where || !region.Contains(c.Region, where) {
			continue
		}
		out = append(out, c)
	}
	return out
}

// MailChannel picks the SMTP channel that carries a person's own e-mail
// about a record in region where: the enabled one with the deepest region
// holding the record, else the enabled one highest in the tree (the
// office's mail server), the lowest id among equals. ok is false when no
// SMTP channel is enabled.
func MailChannel(where string, chans []Channel) (Channel, bool) {
	var best Channel
	found, holds := false, false
	for _, c := range chans {
		if c.Kind != SMTP || !c.Enabled {
			continue
		}
		h := where != "" && region.Contains(c.Region, where)
		lv, blv := region.LevelOf(c.Region), region.LevelOf(best.Region)
		better := false
		switch {
		case !found:
			better = true
		case h != holds:
			better = h
		case h:
			better = lv > blv || lv == blv && c.ID < best.ID
		default:
			better = lv < blv || lv == blv && c.ID < best.ID
		}
		if better {
			best, found, holds = c, true, h
		}
	}
	return best, found
}
