package worker

import (
	"encoding/json"
	"net/url"
	"strconv"
	"time"

	"github.com/lantian-org/lantian/internal/locale"
	"github.com/lantian-org/lantian/internal/messages"
	"github.com/lantian-org/lantian/internal/store"
)

// Compose puts an outbox message into words in lang (the catalogs'
// outbox.* texts): a title, short lines and a link to the record on the
// server's public address (none when --base-url is not set). Group
// messages are in the server's language; a person's e-mail in theirs.
func Compose(it store.OutboxItem, lang, baseURL string, loc *time.Location) messages.Message {
	p := locale.New(lang)
	var f facts
	if it.Facts != "" {
		json.Unmarshal([]byte(it.Facts), &f.m)
	}
	m := messages.Message{ID: it.ID, Event: it.Event, Link: p.T("outbox.link"), More: p.T("outbox.more")}
	if rec := recordRef(it); rec != nil {
		m.Record = rec
	}
	category := f.str("category_zh")
	if lang == "en" && f.str("category_en") != "" {
		category = f.str("category_en")
	}
	caseLines := func() []string {
		var out []string
		if where := f.str("grid_name") + " " + f.str("address"); where != " " {
			out = append(out, p.T("outbox.line.place", where))
		}
		if d := f.str("description"); d != "" {
			out = append(out, p.T("outbox.line.problem", messages.Shorten(d, 80)))
		}
		if a := f.str("assignee"); a != "" {
			out = append(out, p.T("outbox.line.assignee", a))
		}
		if d := f.num("deadline"); d > 0 {
			out = append(out, p.T("outbox.line.deadline", time.UnixMilli(int64(d)).In(loc).Format("2006-01-02 15:04")))
		}
		return out
	}
	event := it.Event
	if event == messages.Personal {
		// A person's own e-mail: the inbox's words for the kind, and the record's lines.
		m.Title = p.T("outbox.personal", p.T("inbox.kind."+it.Kind), it.RecordRef)
		if it.RecordKind == "case" {
			m.Lines = caseLines()
		} else if ev, ok := personalEvent[it.Kind]; ok {
			m.Lines = eventLines(p, ev, f, loc)
		}
	} else {
		switch event {
		case messages.CaseAssigned, messages.CaseOverdue, messages.CaseEscalated, messages.Supervise:
			m.Title = p.T("outbox.title."+string(event), it.RecordRef, category)
			m.Lines = caseLines()
		case messages.PatrolMissed, messages.NoticeOut, messages.Test:
			m.Title = p.T("outbox.title."+string(event), it.RecordRef)
			m.Lines = eventLines(p, event, f, loc)
		case messages.LettersUnsigned:
			m.Title = p.T("outbox.title.letters_unsigned", f.str("name"), int(f.num("year")), int(f.num("total")))
			m.Lines = f.strs("units")
			m.Hidden = max(0, int(f.num("total"))-len(m.Lines))
		case messages.Digest:
			m.Title = p.T("outbox.title.digest", f.str("name"), f.str("date"))
			m.Lines = eventLines(p, event, f, loc)
		case messages.Inspection:
			m.Title = p.T("outbox.title.inspection", f.str("name"), it.RecordRef)
			m.Lines = []string{p.T("outbox.line.inspection", f.str("score"), int(f.num("max")), int(f.num("findings")))}
		default:
			// An event another area added: its own title and lines, if it gave them.
			m.Title = f.str("title")
			if m.Title == "" {
				m.Title = p.T("outbox.title.other", it.RecordRef)
			}
			m.Lines = f.strs("lines")
		}
	}
	if baseURL != "" {
		if path := recordPath(it, f); path != "" {
			m.URL = baseURL + path
		}
	}
	return m
}

// personalEvent gives the lines of a person's e-mail about a non-case kind.
var personalEvent = map[string]messages.Event{"notice": messages.NoticeOut, "notice_reminder": messages.NoticeOut, "patrol_missed": messages.PatrolMissed}

// eventLines are the lines of the events that carry their facts as arguments.
func eventLines(p locale.Printer, ev messages.Event, f facts, loc *time.Location) []string {
	var out []string
	switch ev {
	case messages.PatrolMissed:
		out = append(out, p.T("outbox.line.patrol", f.str("date"), f.str("window")))
	case messages.NoticeOut:
		if s := f.str("sender"); s != "" {
			out = append(out, p.T("outbox.line.sender", s))
		}
		if d := f.str("due"); d != "" {
			out = append(out, p.T("outbox.line.due", d))
		}
		if e := f.str("excerpt"); e != "" {
			out = append(out, e)
		}
	case messages.Digest:
		out = append(out, p.T("outbox.line.digest", int(f.num("reported")), int(f.num("closed")), int(f.num("overdue")),
			int(f.num("patrols_done")), int(f.num("patrols_required"))))
		if parts, ok := f.m["parts"].([]any); ok {
			for _, x := range parts {
				pm, _ := x.(map[string]any)
				pf := facts{m: pm}
				out = append(out, p.T("outbox.line.digest_part", pf.str("name"), int(pf.num("reported")), int(pf.num("closed")),
					int(pf.num("overdue")), int(pf.num("patrols_done")), int(pf.num("patrols_required"))))
			}
		}
	case messages.Test:
		out = append(out, p.T("outbox.line.test", f.str("by")))
	}
	return out
}

// recordRef names the record in a webhook body: a case by its number, others by id or code.
func recordRef(it store.OutboxItem) *messages.RecordRef {
	switch it.RecordKind {
	case "", "channel":
		return nil
	case "case", "patrol_alert":
		return &messages.RecordRef{Kind: it.RecordKind, ID: it.RecordRef}
	case "region":
		return &messages.RecordRef{Kind: it.RecordKind, ID: it.Region}
	}
	return &messages.RecordRef{Kind: it.RecordKind, ID: strconv.FormatInt(it.RecordID, 10)}
}

// recordPath is the page of a message's record, or "".
func recordPath(it store.OutboxItem, f facts) string {
	switch it.RecordKind {
	case "case":
		return "/cases/" + url.PathEscape(it.RecordRef)
	case "notice":
		return "/notices/" + strconv.FormatInt(it.RecordID, 10)
	case "patrol_alert":
		return "/patrols/day?date=" + url.QueryEscape(f.str("date")) + "&region=" + url.QueryEscape(f.str("grid"))
	case "region":
		if it.Event == messages.LettersUnsigned {
			return "/letters?region=" + url.QueryEscape(it.Region) + "#unsigned"
		}
		return "/cases?region=" + url.QueryEscape(it.Region)
	}
	return f.str("path")
}

// facts reads an outbox message's JSON facts.
type facts struct{ m map[string]any }

func (f facts) str(k string) string {
	switch v := f.m[k].(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return ""
}

func (f facts) num(k string) float64 {
	v, _ := f.m[k].(float64)
	return v
}

func (f facts) strs(k string) []string {
	list, _ := f.m[k].([]any)
	var out []string
	for _, x := range list {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}
