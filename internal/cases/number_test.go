package cases

import (
	"math"
	"testing"
	"time"
)

func TestFormatNumber(t *testing.T) {
	cst := time.FixedZone("CST", 8*3600)
	tests := []struct {
		day  time.Time
		seq  int
		want string
	}{
		{time.Date(2026, 11, 28, 9, 0, 0, 0, cst), 42, "XG-20261128-0042"},
		{time.Date(2026, 1, 2, 0, 0, 0, 0, cst), 1, "XG-20260102-0001"},
		{time.Date(2026, 11, 28, 9, 0, 0, 0, cst), 12345, "XG-20261128-12345"},
		{time.Date(2026, 11, 27, 16, 30, 0, 0, time.UTC).In(cst), 7, "XG-20261128-0007"}, // the street's date
	}
	for _, tc := range tests {
		if got := FormatNumber("XG", tc.day, tc.seq); got != tc.want {
			t.Errorf("FormatNumber(%v, %d) = %s, want %s", tc.day, tc.seq, got, tc.want)
		}
	}
}

func TestDistance(t *testing.T) {
	degree := earthRadius * math.Pi / 180 // 111 195 m
	tests := []struct {
		name                   string
		lat1, lon1, lat2, lon2 float64
		want                   float64
	}{
		{"same point", 34.58, 105.72, 34.58, 105.72, 0},
		{"one degree of latitude", 34, 105, 35, 105, degree},
		{"one degree on the equator", 0, 10, 0, 11, degree},
		{"across the antimeridian", 0, 179.5, 0, -179.5, degree},
		{"antipodes", 10, 20, -10, -160, math.Pi * earthRadius},
		{"0.001° of longitude at Tianshui", 34.58, 105.72, 34.58, 105.721, 91.55},
		{"Beijing to Shanghai", 39.9042, 116.4074, 31.2304, 121.4737, 1067.3e3},
	}
	for _, tc := range tests {
		got := Distance(tc.lat1, tc.lon1, tc.lat2, tc.lon2)
		if math.Abs(got-tc.want) > 0.001*tc.want+1e-6 {
			t.Errorf("%s: %.2f m, want %.2f m", tc.name, got, tc.want)
		}
		if back := Distance(tc.lat2, tc.lon2, tc.lat1, tc.lon1); math.Abs(back-got) > 1e-6 {
			t.Errorf("%s: not symmetric", tc.name)
		}
	}
	// Every point 100 m away lies in the Around box.
	minLat, minLon, maxLat, maxLon := Around(34.58, 105.72, 100)
	for deg := 0.0; deg < 360; deg += 15 {
		a := deg * math.Pi / 180
		lat := 34.58 + 100*math.Cos(a)/degree
		lon := 105.72 + 100*math.Sin(a)/(degree*math.Cos(34.58*math.Pi/180))
		if d := Distance(34.58, 105.72, lat, lon); math.Abs(d-100) > 0.5 {
			t.Fatalf("test point %v° is %.2f m away", deg, d)
		}
		if lat < minLat || lat > maxLat || lon < minLon || lon > maxLon {
			t.Errorf("point at %v° (%f, %f) outside box", deg, lat, lon)
		}
	}
}

func TestIsDuplicateCandidate(t *testing.T) {
	a := Snapshot{Number: "XG-20261128-0002", Category: "08004", Lat: 34.58, Lon: 105.72, ReportedAt: now, Status: StatusReported}
	metre := 1 / (earthRadius * math.Pi / 180) // degrees of latitude per metre
	tests := []struct {
		name string
		edit func(*Snapshot)
		want bool
	}{
		{"same place", func(*Snapshot) {}, true},
		{"99 m north", func(b *Snapshot) { b.Lat += 99 * metre }, true},
		{"101 m north", func(b *Snapshot) { b.Lat += 101 * metre }, false},
		{"0.001° east (92 m)", func(b *Snapshot) { b.Lon += 0.001 }, true},
		{"0.0011° east (101 m)", func(b *Snapshot) { b.Lon += 0.0011 }, false},
		{"7 days before", func(b *Snapshot) { b.ReportedAt = now.Add(-DuplicateWindow) }, true},
		{"7 days and a minute before", func(b *Snapshot) { b.ReportedAt = now.Add(-DuplicateWindow - time.Minute) }, false},
		{"8 days after", func(b *Snapshot) { b.ReportedAt = now.Add(8 * 24 * time.Hour) }, false},
		{"other category", func(b *Snapshot) { b.Category = "06014" }, false},
		{"filed", func(b *Snapshot) { b.Status = StatusFiled }, true},
		{"assigned", func(b *Snapshot) { b.Status = StatusAssigned }, true},
		{"handled", func(b *Snapshot) { b.Status = StatusHandled }, true},
		{"closed", func(b *Snapshot) { b.Status = StatusClosed }, false},
		{"rejected", func(b *Snapshot) { b.Status = StatusRejected }, false},
		{"itself", func(b *Snapshot) { b.Number = a.Number }, false},
	}
	for _, tc := range tests {
		b := a
		b.Number = "XG-20261125-0001"
		b.ReportedAt = now.Add(-72 * time.Hour)
		tc.edit(&b)
		if got := IsDuplicateCandidate(a, b); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}
