package messages

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/people"
	"github.com/lantian-org/lantian/internal/region"
)

// Limits of a notice.
const (
	MaxTitle         = 100
	MaxBody          = 10000
	MaxNoticeFiles   = 10
	MaxAudienceRoles = 6
	MaxRegions       = 100
	MaxPeople        = 2000
	// RemindEvery is how often the sender may remind those who have not acknowledged.
	RemindEvery = time.Hour
)

// Audience says who receives a notice: the people holding one of Roles in
// one of Regions or below, or the People named — one or the other.
type Audience struct {
	Roles   []people.Role `json:"roles,omitempty"`
	Regions []string      `json:"regions,omitempty"`
	People  []int64       `json:"people,omitempty"`
}

// Notice is a document or decision sent to people, who may be asked to
// acknowledge it (回执) by a deadline.
type Notice struct {
	ID         int64
	Title      string
	Body       string
	Audience   Audience
	Receipt    bool
	Due        string // local date "2006-01-02" receipts are due by; "" for none
	Region     string // where it was sent: the region its outbound channels belong to
	SenderID   int64
	SenderName string
	Files      []File
	Recipients int // how many received it
	Read       int // how many opened it
	Acked      int // how many acknowledged it
	RemindedAt time.Time
	CreatedAt  time.Time
}

// Outstanding is how many recipients have not acknowledged yet.
func (n Notice) Outstanding() int { return n.Recipients - n.Acked }

// NoticeInput is a notice as composed, before its recipients are found.
type NoticeInput struct {
	Title    string
	Body     string
	Audience Audience
	Receipt  bool
	Due      string   // local date, "" for none
	Files    []string // ids of files uploaded by the sender
}

// Normalize trims the text, drops blank and repeated audience entries.
func (in *NoticeInput) Normalize() {
	in.Title = strings.TrimSpace(in.Title)
	in.Body = strings.TrimSpace(strings.ReplaceAll(in.Body, "\r\n", "\n"))
	in.Due = strings.TrimSpace(in.Due)
	in.Audience.Roles = compact(in.Audience.Roles, func(r people.Role) bool { return r == "" })
	for i, r := range in.Audience.Regions {
		in.Audience.Regions[i] = strings.TrimSpace(r)
	}
	in.Audience.Regions = compact(in.Audience.Regions, func(r string) bool { return r == "" })
	in.Audience.People = compact(in.Audience.People, func(id int64) bool { return id == 0 })
	in.Files = compact(in.Files, func(s string) bool { return s == "" })
}

// compact drops the values drop says to and keeps the first of repeats, in order.
func compact[T comparable](in []T, drop func(T) bool) []T {
	var out []T
	for _, v := range in {
		if !drop(v) && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// Validate checks a notice before its recipients are looked up; today is
// the sender's local date, which a due date may not be before.
func (in NoticeInput) Validate(today string) error {
	f := apperr.Fields{}
	text := func(field, s string, max int) {
		switch n := utf8.RuneCountInString(s); {
		case n == 0:
			f.Add(field, "err.required")
		case n > max:
			f.Add(field, "err.too_long", max)
		}
	}
	text("title", in.Title, MaxTitle)
	text("body", in.Body, MaxBody)
	a := in.Audience
	byRole := len(a.Roles) > 0 || len(a.Regions) > 0
	switch {
	case byRole && len(a.People) > 0:
		f.Add("audience", "err.messages.audience_both")
	case len(a.People) > MaxPeople:
		f.Add("people", "err.messages.too_many", MaxPeople)
	case len(a.People) > 0:
	case !byRole:
		f.Add("audience", "err.messages.audience_required")
	default:
		if len(a.Roles) == 0 {
			f.Add("roles", "err.required")
		}
		for _, r := range a.Roles {
			if !slices.Contains(people.Roles, r) {
				f.Add("roles", "err.messages.role_unknown", string(r))
			}
		}
		if len(a.Roles) > MaxAudienceRoles {
			f.Add("roles", "err.messages.too_many", MaxAudienceRoles)
		}
		if len(a.Regions) == 0 {
			f.Add("regions", "err.required")
		}
		if len(a.Regions) > MaxRegions {
			f.Add("regions", "err.messages.too_many", MaxRegions)
		}
		for _, r := range a.Regions {
			if !region.ValidCode(r) {
				f.Add("regions", "err.region_code")
			}
		}
	}
	if in.Due != "" {
		d, err := time.Parse("2006-01-02", in.Due)
		switch {
		case err != nil:
			f.Add("due", "err.format")
		case !in.Receipt:
			f.Add("due", "err.messages.due_needs_receipt")
		case d.Format("2006-01-02") < today:
			f.Add("due", "err.messages.due_past")
		}
	}
	if len(in.Files) > MaxNoticeFiles {
		f.Add("files", "err.messages.too_many", MaxNoticeFiles)
	}
	return f.Err()
}

// NoticeRegion is the region a notice belongs to: the lowest region that
// holds all the regions of its audience, or, for named people, the
// sender's own (first) scope.
func NoticeRegion(a Audience, senderScope string) string {
	if len(a.Regions) == 0 {
		return senderScope
	}
	common := a.Regions[0]
	for _, r := range a.Regions[1:] {
		for common != "" && !region.Contains(common, r) {
			common = region.ParentOf(common)
		}
	}
	return common
}

// Block is one paragraph or list of a notice's body.
type Block struct {
	List    bool // a list: Ordered numbers it
	Ordered bool
	Lines   []string
}

// Blocks splits a notice's plain text into paragraphs (separated by blank
// lines) and lists (lines starting "- ", "· ", "• " or "1. ", "1、").
func Blocks(body string) []Block {
	var out []Block
	var cur *Block
	flush := func() {
		if cur != nil && len(cur.Lines) > 0 {
			out = append(out, *cur)
		}
		cur = nil
	}
	for _, line := range strings.Split(strings.ReplaceAll(body, "\r\n", "\n"), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			flush()
			continue
		}
		item, ordered, isItem := listItem(line)
		switch {
		case isItem && (cur == nil || !cur.List || cur.Ordered != ordered):
			flush()
			cur = &Block{List: true, Ordered: ordered, Lines: []string{item}}
		case isItem:
			cur.Lines = append(cur.Lines, item)
		case cur == nil || cur.List:
			flush()
			cur = &Block{Lines: []string{line}}
		default:
			cur.Lines = append(cur.Lines, line)
		}
	}
	flush()
	return out
}

// listItem recognises a list line and returns its text without the marker.
func listItem(line string) (string, bool, bool) {
	for _, m := range []string{"- ", "· ", "• ", "* "} {
		if rest, ok := strings.CutPrefix(line, m); ok {
			return strings.TrimSpace(rest), false, true
		}
	}
	i := 0
	for i < len(line) && i < 3 && line[i] >= '0' && line[i] <= '9' {
		i++
	}
	if i > 0 && i < len(line) {
		for _, sep := range []string{". ", "、", "）", ") "} {
			if rest, ok := strings.CutPrefix(line[i:], sep); ok {
				return strings.TrimSpace(rest), true, true
			}
		}
	}
	return "", false, false
}

// Relation is how a person stands to a notice; a set of them is a bit mask.
type Relation uint8

// The relations to a notice.
const (
	Recipient Relation = 1 << iota // received it
	Sender                         // sent it
	Overseer                       // administers a region holding it
)

// NoticeAction is something done with a notice.
type NoticeAction string

// The notice actions Decide rules on.
const (
	ActOpen     NoticeAction = "open"     // read it (a recipient's first opening records "read")
	ActAck      NoticeAction = "ack"      // acknowledge it (回执)
	ActReceipts NoticeAction = "receipts" // see who read and acknowledged it, and export that
	ActRemind   NoticeAction = "remind"   // remind those who have not acknowledged
)

// noticeRules is the one table of who may do what with a notice.
var noticeRules = map[NoticeAction]Relation{
	ActOpen:     Recipient | Sender | Overseer,
	ActAck:      Recipient,
	ActReceipts: Sender | Overseer,
	ActRemind:   Sender | Overseer,
}

// DecideNotice rules on action a by someone standing rel to notice n at
// now: nil to go ahead; 404 for someone with no relation (the notice is
// not theirs to know of) and for acknowledging one not received; 403 for
// the rest not allowed; for reminders, 409 when there is nothing to remind
// of and 429 within an hour of the last.
func DecideNotice(rel Relation, a NoticeAction, n Notice, now time.Time) error {
	need, ok := noticeRules[a]
	if !ok {
		return apperr.New(apperr.Invalid, "err.invalid")
	}
	if rel == 0 || a == ActAck && rel&Recipient == 0 {
		return apperr.ErrNotFound
	}
	if rel&need == 0 {
		return apperr.ErrForbidden
	}
	if a == ActRemind {
		switch {
		case !n.Receipt:
			return apperr.New(apperr.Conflict, "err.messages.no_receipt")
		case n.Outstanding() <= 0:
			return apperr.New(apperr.Conflict, "err.messages.none_outstanding")
		case !n.RemindedAt.IsZero() && now.Sub(n.RemindedAt) < RemindEvery:
			return apperr.TooManyFor(n.RemindedAt.Add(RemindEvery).Sub(now), "err.messages.remind_wait")
		}
	}
	return nil
}

// Allowed lists the notice actions rel may take on n now (for the page's buttons).
func Allowed(rel Relation, n Notice, now time.Time) []NoticeAction {
	var out []NoticeAction
	for _, a := range []NoticeAction{ActOpen, ActAck, ActReceipts, ActRemind} {
		if DecideNotice(rel, a, n, now) == nil {
			out = append(out, a)
		}
	}
	return out
}
