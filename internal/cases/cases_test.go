package cases

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
)

func TestEnums(t *testing.T) {
	for _, s := range Statuses {
		open := s != StatusClosed && s != StatusRejected
		if s.Open() != open {
			t.Errorf("%s.Open() = %v", s, s.Open())
		}
	}
	if Status("done").Valid() || Status("done").Open() || Class("x").Valid() || Severity("").Valid() || Source("fax").Valid() {
		t.Error("unknown values accepted")
	}
	if !SourceHotline12369.Hotline() || !SourceHotline12345.Hotline() || SourcePublic.Hotline() {
		t.Error("Hotline")
	}
}

func TestLevels(t *testing.T) {
	if InitialLevel(SeverityMinor) != LevelCommunity || InitialLevel(SeverityMajor) != LevelStreet {
		t.Error("InitialLevel")
	}
	grace := 4 * time.Hour
	c := func(s Status, sev Severity, level int, overdue time.Duration) Snapshot {
		x := Snapshot{Status: s, Severity: sev, Level: level}
		if overdue != 0 {
			x.Deadline = now.Add(-overdue)
		}
		return x
	}
	tests := []struct {
		name string
		c    Snapshot
		want bool
	}{
		{"minor on time", c(StatusAssigned, SeverityMinor, LevelCommunity, -time.Hour), false},
		{"minor no deadline", c(StatusReported, SeverityMinor, LevelCommunity, 0), false},
		{"minor overdue within grace", c(StatusAssigned, SeverityMinor, LevelCommunity, 3*time.Hour), false},
		{"minor overdue exactly grace", c(StatusAssigned, SeverityMinor, LevelCommunity, 4*time.Hour), false},
		{"minor overdue past grace", c(StatusAssigned, SeverityMinor, LevelCommunity, 5*time.Hour), true},
		{"grid overdue past grace", c(StatusFiled, SeverityMinor, LevelGrid, 5*time.Hour), true},
		{"street overdue", c(StatusAssigned, SeverityMinor, LevelStreet, 50*time.Hour), false},
		{"major at community", c(StatusReported, SeverityMajor, LevelCommunity, 0), true},
		{"major at grid", c(StatusAssigned, SeverityMajor, LevelGrid, 0), true},
		{"major at street", c(StatusAssigned, SeverityMajor, LevelStreet, 0), false},
		{"handled overdue", c(StatusHandled, SeverityMinor, LevelCommunity, 50*time.Hour), false},
		{"closed major", c(StatusClosed, SeverityMajor, LevelCommunity, 0), false},
		{"rejected overdue", c(StatusRejected, SeverityMinor, LevelCommunity, 50*time.Hour), false},
	}
	for _, tc := range tests {
		if got := ShouldEscalate(tc.c, now, grace); got != tc.want {
			t.Errorf("%s: ShouldEscalate = %v, want %v", tc.name, got, tc.want)
		}
	}
	if !c(StatusAssigned, SeverityMinor, 3, time.Second).Overdue(now) || c(StatusAssigned, SeverityMinor, 3, -time.Second).Overdue(now) ||
		c(StatusHandled, SeverityMinor, 3, time.Hour).Overdue(now) || c(StatusFiled, SeverityMinor, 3, 0).Overdue(now) {
		t.Error("Overdue")
	}
}

func valid() Input {
	return Input{
		ClientID: "7f9c2a4e-1b3d-4c5e-8f6a-0b1c2d3e4f50", Category: "08004", Description: "工地未覆盖裸土，扬尘明显",
		Lat: 34.58, Lon: 105.72, Class: ClassEscalated, Severity: SeverityMinor, Source: SourcePatrol,
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Input)
		want map[string]string
	}{
		{"valid", func(*Input) {}, nil},
		{"valid upper-case uuid", func(in *Input) { in.ClientID = strings.ToUpper(in.ClientID) }, nil},
		{"valid local category", func(in *Input) { in.Category = "L001" }, nil},
		{"valid 2000 runes", func(in *Input) { in.Description = strings.Repeat("尘", 2000) }, nil},
		{"valid hotline", func(in *Input) { in.Source, in.HotlineRef = SourceHotline12345, "GD2026112800123" }, nil},
		{"valid onspot", func(in *Input) { in.Class, in.Note = ClassOnSpot, "已覆盖" }, nil},
		{"empty", func(in *Input) { *in = Input{} }, map[string]string{
			"client_id": MsgRequired, "category": MsgRequired, "description": MsgRequired, "lat": MsgRequired, "lon": MsgRequired,
			"class": MsgRequired, "severity": MsgRequired, "source": MsgRequired}},
		{"bad uuid", func(in *Input) { in.ClientID = "7f9c2a4e1b3d4c5e8f6a0b1c2d3e4f50" }, map[string]string{"client_id": MsgFormat}},
		{"bad category", func(in *Input) { in.Category = "08-004" }, map[string]string{"category": MsgFormat}},
		{"blank description", func(in *Input) { in.Description = " \n\t" }, map[string]string{"description": MsgRequired}},
		{"2001 runes", func(in *Input) { in.Description = strings.Repeat("尘", 2001) }, map[string]string{"description": MsgTooLong}},
		{"long address", func(in *Input) { in.Address = strings.Repeat("路", 201) }, map[string]string{"address": MsgTooLong}},
		{"lat out of range", func(in *Input) { in.Lat = 91 }, map[string]string{"lat": MsgRange}},
		{"lon out of range", func(in *Input) { in.Lon = -180.5 }, map[string]string{"lon": MsgRange}},
		{"NaN", func(in *Input) { in.Lat = math.NaN() }, map[string]string{"lat": MsgRange}},
		{"bad enums", func(in *Input) { in.Class, in.Severity, in.Source = "urgent", "huge", "fax" }, map[string]string{
			"class": MsgChoice, "severity": MsgChoice, "source": MsgChoice}},
		{"hotline without ref", func(in *Input) { in.Source = SourceHotline12369 }, map[string]string{"hotline_ref": MsgRequired}},
		{"long hotline ref", func(in *Input) { in.Source, in.HotlineRef = SourceHotline12345, strings.Repeat("1", 65) }, map[string]string{"hotline_ref": MsgTooLong}},
		{"onspot without note", func(in *Input) { in.Class, in.Note = ClassOnSpot, "  " }, map[string]string{"note": MsgRequired}},
		{"long note", func(in *Input) { in.Note = strings.Repeat("x", 2001) }, map[string]string{"note": MsgTooLong}},
	}
	for _, tc := range tests {
		in := valid()
		tc.edit(&in)
		got := fieldKeys(in.Validate())
		if len(got) != len(tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
			continue
		}
		for k, v := range tc.want {
			if got[k] != v {
				t.Errorf("%s: %s = %q, want %q", tc.name, k, got[k], v)
			}
		}
	}
}

func TestNewCase(t *testing.T) {
	in := valid()
	in.Severity = SeverityMajor
	c, tl, err := NewCase(in, 101, now)
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != StatusReported || c.Level != LevelStreet || c.Version != 1 || c.ReporterID != 101 || !c.ReportedAt.Equal(now) ||
		len(tl) != 1 || tl[0].Action != ActionReport || tl[0].Status != StatusReported {
		t.Errorf("NewCase: %+v %+v", c, tl)
	}

	in = valid()
	in.Class, in.Note = ClassOnSpot, " 已洒水降尘 "
	for _, f := range []func(Input, int64, time.Time) (Snapshot, []Entry, error){NewCase, NewOnSpot} {
		c, tl, err = f(in, 101, now)
		if err != nil {
			t.Fatal(err)
		}
		if c.Status != StatusClosed || c.Level != LevelCommunity || c.HandledBy != 101 || c.Version != 1 || len(tl) != 3 {
			t.Fatalf("on the spot: %+v %+v", c, tl)
		}
		for i, want := range []Status{StatusReported, StatusHandled, StatusClosed} {
			if tl[i].Status != want || tl[i].ActorID != 101 || !tl[i].At.Equal(now) {
				t.Errorf("entry %d: %+v", i, tl[i])
			}
		}
		if tl[1].Action != ActionHandle || tl[1].Note != "已洒水降尘" || tl[2].Action != ActionClose {
			t.Errorf("entries: %+v", tl)
		}
	}

	in.Note = ""
	_, _, err = NewOnSpot(in, 101, now)
	if fe := fieldKeys(err); fe["note"] != MsgRequired || len(fe) != 1 || !apperr.Is(err, apperr.Invalid) {
		t.Errorf("on the spot without note: %v", err)
	}
	in = valid() // escalated class through NewOnSpot
	if _, _, err = NewOnSpot(in, 101, now); fieldKeys(err)["class"] != MsgChoice {
		t.Errorf("NewOnSpot with class escalated: %v", err)
	}
	in.Description = ""
	if _, _, err = NewCase(in, 101, now); fieldKeys(err)["description"] != MsgRequired {
		t.Errorf("NewCase invalid: %v", err)
	}
}

// fieldKeys returns an apperr error's fields as field → message key (nil for no error).
func fieldKeys(err error) map[string]string {
	var e *apperr.Error
	if !errors.As(err, &e) {
		return nil
	}
	out := map[string]string{}
	for k, m := range e.Fields {
		out[k] = m.Key
	}
	return out
}
