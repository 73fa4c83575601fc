package agenda

import (
	"bufio"
	"io"
	"strings"
	"time"
	"unicode/utf8"
)

// Feed is what an iCalendar feed holds besides its items.
type Feed struct {
	// Name is the calendar's name as apps show it (X-WR-CALNAME).
	Name string
	// Host makes the items' UIDs unique to this site.
	Host string
	// BaseURL, when set, makes each item's URL (BaseURL + Path).
	BaseURL string
	// Loc is the time zone of timed items (Asia/Shanghai); its VTIMEZONE is included.
	Loc *time.Location
	// Now stamps items whose update time is unknown (DTSTAMP must be UTC).
	Now time.Time
	// Categories names each kind in the reader's language (CATEGORIES).
	Categories map[Kind]string
}

// WriteICS writes items as an RFC 5545 calendar: one VEVENT per item with a
// stable UID, all-day items as DATE values (DTEND the next day, exclusive),
// timed ones in the feed's time zone with its VTIMEZONE, lines ended by CRLF
// and folded at 75 octets, TEXT values escaped.
func WriteICS(w io.Writer, f Feed, items []Item) error {
	bw := bufio.NewWriter(w)
	line := func(name, value string) { writeFolded(bw, name+":"+value) }
	loc := f.Loc
	if loc == nil {
		loc = time.UTC
	}
	tzid := loc.String()
	line("BEGIN", "VCALENDAR")
	line("VERSION", "2.0")
	line("PRODID", "-//Lantian//Lantian calendar//ZH")
	line("CALSCALE", "GREGORIAN")
	line("METHOD", "PUBLISH")
	if f.Name != "" {
		line("X-WR-CALNAME", escapeText(f.Name))
	}
	line("X-WR-TIMEZONE", tzid)
	// A zone without daylight saving, as China's: one STANDARD rule with the
	// zone's offset now. (A zone with DST would need its transitions.)
	_, off := f.Now.In(loc).Zone()
	line("BEGIN", "VTIMEZONE")
	line("TZID", tzid)
	line("BEGIN", "STANDARD")
	line("DTSTART", "19700101T000000")
	line("TZOFFSETFROM", offset(off))
	line("TZOFFSETTO", offset(off))
	if name, _ := f.Now.In(loc).Zone(); name != "" && !strings.ContainsAny(name, "+-") {
		line("TZNAME", name)
	}
	line("END", "STANDARD")
	line("END", "VTIMEZONE")
	for _, it := range items {
		stamp := it.Updated
		if stamp.IsZero() {
			stamp = f.Now
		}
		line("BEGIN", "VEVENT")
		line("UID", it.UID(f.Host))
		line("DTSTAMP", stamp.UTC().Format("20060102T150405Z"))
		if it.Start.IsZero() {
			day, err := time.Parse(time.DateOnly, it.Date)
			if err != nil {
				continue
			}
			writeFolded(bw, "DTSTART;VALUE=DATE:"+day.Format("20060102"))
			writeFolded(bw, "DTEND;VALUE=DATE:"+day.AddDate(0, 0, 1).Format("20060102"))
		} else {
			end := it.End
			if end.IsZero() || !end.After(it.Start) {
				end = it.Start.Add(time.Hour)
			}
			writeFolded(bw, "DTSTART;TZID="+tzid+":"+it.Start.In(loc).Format("20060102T150405"))
			writeFolded(bw, "DTEND;TZID="+tzid+":"+end.In(loc).Format("20060102T150405"))
		}
		line("SUMMARY", escapeText(it.Title))
		if it.Place != "" {
			line("LOCATION", escapeText(it.Place))
		}
		if it.Note != "" {
			line("DESCRIPTION", escapeText(it.Note))
		}
		if c := f.Categories[it.Kind]; c != "" {
			line("CATEGORIES", escapeText(c))
		}
		if f.BaseURL != "" && it.Path != "" {
			line("URL", strings.TrimRight(f.BaseURL, "/")+it.Path)
		}
		line("TRANSP", "TRANSPARENT")
		line("END", "VEVENT")
	}
	line("END", "VCALENDAR")
	return bw.Flush()
}

// offset formats a UTC offset in seconds as +HHMM.
func offset(sec int) string {
	sign := "+"
	if sec < 0 {
		sign, sec = "-", -sec
	}
	h, m := sec/3600, sec%3600/60
	return sign + string(rune('0'+h/10)) + string(rune('0'+h%10)) + string(rune('0'+m/10)) + string(rune('0'+m%10))
}

// escapeText escapes a TEXT value (RFC 5545 §3.3.11): backslash, semicolon,
// comma and line breaks; other control characters are dropped.
func escapeText(s string) string {
	var b strings.Builder
	for _, r := range strings.ReplaceAll(s, "\r\n", "\n") {
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case r == ';':
			b.WriteString(`\;`)
		case r == ',':
			b.WriteString(`\,`)
		case r == '\n':
			b.WriteString(`\n`)
		case r < 0x20 || r == 0x7f:
			// Dropped: RFC 5545 allows no other control characters in TEXT.
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// writeFolded writes one content line ended by CRLF, folded so that no line
// is longer than 75 octets: continuation lines start with a space, and a
// UTF-8 character is never split.
func writeFolded(w *bufio.Writer, s string) {
	limit := 75
	for len(s) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		w.WriteString(s[:cut])
		w.WriteString("\r\n ")
		s = s[cut:]
		limit = 74 // the leading space counts
	}
	w.WriteString(s)
	w.WriteString("\r\n")
}
