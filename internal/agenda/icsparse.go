package agenda

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Event is a VEVENT as ParseICS reads it: its properties by name (with
// parameters kept in Params), TEXT values unescaped.
type Event struct {
	Props  map[string]string
	Params map[string]string // property name → its parameters, e.g. "VALUE=DATE"
}

// Calendar is a parsed feed: the calendar's own properties, its time zones and events.
type Calendar struct {
	Props     map[string]string
	TimeZones []string // TZIDs
	Events    []Event
}

// ParseICS reads an iCalendar feed strictly, as a check that a feed is well
// formed: lines end in CRLF and are at most 75 octets, folded lines are valid
// UTF-8 (folding never splits a character), components nest properly, and each VEVENT has a UID,
// a DTSTAMP and a DTSTART. Tests and the feed's own checks use it.
func ParseICS(data string) (Calendar, error) {
	var cal Calendar
	if !strings.HasSuffix(data, "\r\n") {
		return cal, errors.New("ics: the feed does not end with CRLF")
	}
	raw := strings.Split(strings.TrimSuffix(data, "\r\n"), "\r\n")
	var lines []string
	for i, l := range raw {
		if strings.ContainsAny(l, "\r\n") {
			return cal, fmt.Errorf("ics: line %d holds a bare CR or LF", i+1)
		}
		if len(l) > 75 {
			return cal, fmt.Errorf("ics: line %d is %d octets long (more than 75)", i+1, len(l))
		}
		if !utf8.ValidString(l) {
			return cal, fmt.Errorf("ics: line %d is not valid UTF-8 (a character split by folding?)", i+1)
		}
		if strings.HasPrefix(l, " ") || strings.HasPrefix(l, "\t") {
			if len(lines) == 0 {
				return cal, errors.New("ics: the feed starts with a continuation line")
			}
			lines[len(lines)-1] += l[1:]
			continue
		}
		lines = append(lines, l)
	}
	var stack []string
	var ev *Event
	cal.Props = map[string]string{}
	for i, l := range lines {
		head, value, ok := strings.Cut(l, ":")
		if !ok {
			return cal, fmt.Errorf("ics: content line %d has no colon: %q", i+1, l)
		}
		name, params, _ := strings.Cut(head, ";")
		if name == "" || strings.ToUpper(name) != name {
			return cal, fmt.Errorf("ics: content line %d has a bad name %q", i+1, name)
		}
		switch name {
		case "BEGIN":
			stack = append(stack, value)
			if value == "VEVENT" {
				if len(stack) != 2 || stack[0] != "VCALENDAR" {
					return cal, fmt.Errorf("ics: VEVENT at line %d is not directly inside VCALENDAR", i+1)
				}
				ev = &Event{Props: map[string]string{}, Params: map[string]string{}}
			}
			continue
		case "END":
			if len(stack) == 0 || stack[len(stack)-1] != value {
				return cal, fmt.Errorf("ics: END:%s at line %d closes %v", value, i+1, stack)
			}
			stack = stack[:len(stack)-1]
			if value == "VEVENT" {
				for _, p := range []string{"UID", "DTSTAMP", "DTSTART"} {
					if ev.Props[p] == "" {
						return cal, fmt.Errorf("ics: a VEVENT ending at line %d has no %s", i+1, p)
					}
				}
				cal.Events = append(cal.Events, *ev)
				ev = nil
			}
			continue
		}
		if len(stack) == 0 {
			return cal, fmt.Errorf("ics: line %d is outside VCALENDAR", i+1)
		}
		text, err := unescapeText(value)
		if err != nil {
			return cal, fmt.Errorf("ics: line %d: %v", i+1, err)
		}
		switch {
		case ev != nil:
			if _, dup := ev.Props[name]; dup && name != "CATEGORIES" {
				return cal, fmt.Errorf("ics: %s twice in one VEVENT (line %d)", name, i+1)
			}
			ev.Props[name] = text
			if params != "" {
				ev.Params[name] = params
			}
		case stack[len(stack)-1] == "VTIMEZONE" && name == "TZID":
			cal.TimeZones = append(cal.TimeZones, value)
		case len(stack) == 1:
			cal.Props[name] = text
		}
	}
	if len(stack) != 0 {
		return cal, fmt.Errorf("ics: %v left open", stack)
	}
	if cal.Props["VERSION"] != "2.0" || cal.Props["PRODID"] == "" {
		return cal, errors.New("ics: VERSION:2.0 and PRODID are required")
	}
	return cal, nil
}

// unescapeText undoes escapeText, refusing a backslash before anything else.
func unescapeText(s string) (string, error) {
	if !strings.Contains(s, `\`) {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			b.WriteByte(s[i])
			continue
		}
		if i+1 == len(s) {
			return "", errors.New("a TEXT value ends in a backslash")
		}
		i++
		switch s[i] {
		case '\\', ';', ',':
			b.WriteByte(s[i])
		case 'n', 'N':
			b.WriteByte('\n')
		default:
			return "", fmt.Errorf("a bad escape \\%c", s[i])
		}
	}
	return b.String(), nil
}
