package agenda

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
)

func shanghai(t *testing.T) *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// TestWriteICS writes a feed with every awkward value and reads it back with the strict parser.
func TestWriteICS(t *testing.T) {
	loc := shanghai(t)
	now := time.Date(2026, 3, 1, 8, 0, 0, 0, loc)
	long := strings.Repeat("西关街道月末综合整治，清理小广告；卫生死角\\", 6)
	items := []Item{
		{Kind: Campaign, ID: "12", Title: "三月月末综合整治", Date: "2026-03-27", Region: "620502004000000", Path: "/campaigns/12",
			Note: long + "\n第二行", Updated: time.Date(2026, 2, 20, 10, 0, 0, 0, loc)},
		{Kind: Publicity, ID: "7", Title: "伏羲广场, 展板; 宣传", Date: "2026-03-10", Place: "伏羲广场"},
		{Kind: Commitment, ID: "XG-20260301-0001", Title: "承诺件到期", Date: "2026-03-05",
			Start: time.Date(2026, 3, 5, 17, 30, 0, 0, loc)},
	}
	var buf bytes.Buffer
	err := WriteICS(&buf, Feed{Name: "蓝天 · 张伟", Host: "lantian.example", BaseURL: "https://lantian.example/", Loc: loc, Now: now,
		Categories: map[Kind]string{Campaign: "月末整治"}}, items)
	if err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if strings.Contains(strings.ReplaceAll(out, "\r\n", ""), "\n") {
		t.Fatal("a line ends without CR")
	}
	cal, err := ParseICS(out)
	if err != nil {
		t.Fatalf("the feed does not parse: %v\n%s", err, out)
	}
	if len(cal.TimeZones) != 1 || cal.TimeZones[0] != "Asia/Shanghai" {
		t.Errorf("time zones = %v", cal.TimeZones)
	}
	if !strings.Contains(out, "TZOFFSETTO:+0800\r\n") {
		t.Error("no +0800 offset in the VTIMEZONE")
	}
	if cal.Props["X-WR-CALNAME"] != "蓝天 · 张伟" {
		t.Errorf("calendar name %q", cal.Props["X-WR-CALNAME"])
	}
	if len(cal.Events) != 3 {
		t.Fatalf("%d events, want 3", len(cal.Events))
	}
	c := cal.Events[0]
	if c.Props["UID"] != "campaign-12@lantian.example" || c.Props["DTSTART"] != "20260327" || c.Params["DTSTART"] != "VALUE=DATE" ||
		c.Props["DTEND"] != "20260328" || c.Props["DTSTAMP"] != "20260220T020000Z" {
		t.Errorf("campaign event: %+v", c)
	}
	if c.Props["DESCRIPTION"] != long+"\n第二行" {
		t.Errorf("the long note did not survive folding and escaping: %q", c.Props["DESCRIPTION"])
	}
	if c.Props["URL"] != "https://lantian.example/campaigns/12" || c.Props["CATEGORIES"] != "月末整治" {
		t.Errorf("url %q categories %q", c.Props["URL"], c.Props["CATEGORIES"])
	}
	p := cal.Events[1]
	if p.Props["SUMMARY"] != "伏羲广场, 展板; 宣传" || !strings.Contains(out, `SUMMARY:伏羲广场\, 展板\; 宣传`) {
		t.Errorf("summary not escaped: %q", p.Props["SUMMARY"])
	}
	if p.Props["DTSTAMP"] != "20260301T000000Z" {
		t.Errorf("an item without update time is stamped now in UTC: %q", p.Props["DTSTAMP"])
	}
	k := cal.Events[2]
	if k.Props["DTSTART"] != "20260305T173000" || k.Params["DTSTART"] != "TZID=Asia/Shanghai" || k.Props["DTEND"] != "20260305T183000" {
		t.Errorf("timed event: %+v", k)
	}
	// Writing again gives the same UIDs (stable across fetches).
	var again bytes.Buffer
	WriteICS(&again, Feed{Host: "lantian.example", Loc: loc, Now: now.Add(time.Hour)}, items)
	cal2, err := ParseICS(again.String())
	if err != nil || cal2.Events[0].Props["UID"] != c.Props["UID"] {
		t.Errorf("UIDs change between fetches: %v", err)
	}
}

// TestParseICSStrict checks that the parser refuses what a sloppy writer makes.
func TestParseICSStrict(t *testing.T) {
	good := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTAMP:20260101T000000Z\r\nDTSTART;VALUE=DATE:20260101\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
	if _, err := ParseICS(good); err != nil {
		t.Fatalf("good feed: %v", err)
	}
	bad := map[string]string{
		"BareLF":     strings.ReplaceAll(good, "\r\n", "\n"),
		"LongLine":   strings.Replace(good, "UID:a", "UID:"+strings.Repeat("a", 80), 1),
		"SplitRune":  strings.Replace(good, "UID:a", "UID:"+strings.Repeat("a", 69)+"\xe8\xa5\r\n \xbf", 1),
		"NoUID":      strings.Replace(good, "UID:a\r\n", "", 1),
		"Unclosed":   strings.TrimSuffix(good, "END:VCALENDAR\r\n"),
		"BadEscape":  strings.Replace(good, "UID:a", "UID:a\\x", 1),
		"WrongClose": strings.Replace(good, "END:VEVENT", "END:VTODO", 1),
	}
	for name, feed := range bad {
		if _, err := ParseICS(feed); err == nil {
			t.Errorf("%s: parsed without error", name)
		}
	}
}

func TestFoldNeverSplitsARune(t *testing.T) {
	var buf bytes.Buffer
	WriteICS(&buf, Feed{Now: time.Now()}, []Item{{Kind: Campaign, ID: "1", Date: "2026-01-01", Title: "a" + strings.Repeat("蓝", 100)}})
	for _, l := range strings.Split(buf.String(), "\r\n") {
		if len(l) > 75 {
			t.Errorf("line of %d octets", len(l))
		}
	}
	cal, err := ParseICS(buf.String())
	if err != nil || cal.Events[0].Props["SUMMARY"] != "a"+strings.Repeat("蓝", 100) {
		t.Fatalf("folded title: %v", err)
	}
}

func TestParseQuery(t *testing.T) {
	q, err := ParseQuery("2026-03-01", "2026-03-31", "620502004001000", "campaign,publicity")
	if err != nil || len(q.Kinds) != 2 || !q.Wants(Campaign) || q.Wants(Inspection) {
		t.Fatalf("ParseQuery = %+v, %v", q, err)
	}
	for _, tc := range []struct{ from, to, region, kinds, field, key string }{
		{"2026-03-31", "2026-03-01", "", "", "to", "err.agenda.range_order"},
		{"2026-01-01", "2028-01-01", "", "", "to", "err.agenda.range_long"},
		{"x", "2026-01-01", "", "", "from", "err.format"},
		{"2026-01-01", "2026-01-02", "12", "", "region", "err.region_code"},
		{"2026-01-01", "2026-01-02", "", "party", "kind", "err.invalid_choice"},
	} {
		_, err := ParseQuery(tc.from, tc.to, tc.region, tc.kinds)
		if apperr.As(err).Fields[tc.field].Key != tc.key {
			t.Errorf("ParseQuery(%q, %q, %q, %q) = %v, want %s: %s", tc.from, tc.to, tc.region, tc.kinds, err, tc.field, tc.key)
		}
	}
	if !(Query{Region: "620502004001000"}).Touches("620502004000000") || !(Query{Region: "620502004001000"}).Touches("620502004001003") ||
		(Query{Region: "620502004001000"}).Touches("620502004002001") {
		t.Error("Touches: a street item belongs to its communities; another community's grid does not")
	}
}

func TestMonthGrid(t *testing.T) {
	weeks := MonthGrid(2026, time.March, "2026-03-27", []Item{{Kind: Campaign, ID: "1", Date: "2026-03-27"}})
	// March 2026 starts on a Sunday: the grid starts Monday 23 February and ends Sunday 5 April.
	if weeks[0][0].Date != "2026-02-23" || weeks[len(weeks)-1][6].Date != "2026-04-05" || len(weeks) != 6 {
		t.Fatalf("grid from %s to %s, %d weeks", weeks[0][0].Date, weeks[len(weeks)-1][6].Date, len(weeks))
	}
	found := false
	for _, w := range weeks {
		if len(w) != 7 || w[0].Weekday != time.Monday {
			t.Errorf("week %v does not run Monday to Sunday", w[0].Date)
		}
		for _, d := range w {
			if d.Date == "2026-03-27" {
				found = d.Today && len(d.Items) == 1 && d.InMonth
			}
		}
	}
	if !found {
		t.Error("the 27th is not today with its item")
	}
	from, to := MonthRange(2026, time.March)
	if from != "2026-02-23" || to != "2026-04-05" {
		t.Errorf("MonthRange = %s..%s", from, to)
	}
	wk := WeekGrid(time.Date(2026, 3, 27, 12, 0, 0, 0, time.UTC), "", nil)
	if len(wk) != 1 || wk[0][0].Date != "2026-03-23" || wk[0][6].Date != "2026-03-29" {
		t.Errorf("week grid %v", wk)
	}
}
