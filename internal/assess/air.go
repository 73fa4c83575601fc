package assess

import (
	"encoding/csv"
	"errors"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
)

// AirDay is one day's air quality at the street's monitoring station.
type AirDay struct {
	Day  string
	AQI  int
	PM25 *float64
	PM10 *float64
}

// Good reports whether the day's air was excellent or good (AQI ≤ 100, HJ 633-2012).
func (d AirDay) Good() bool { return d.AQI <= 100 }

// MaxAirRows bounds one import.
const MaxAirRows = 5000

// ParseAirCSV reads daily figures from a CSV as the national monitoring
// stations export them: a header naming the columns 日期 (or date), AQI,
// PM2.5 and PM10 in any order, among others that are ignored; dates as
// 2026-11-03 or 2026/11/3 (a time after the date is ignored), "—" or an
// empty cell for a missing figure. A bad line is a field error on "file"
// naming the line.
func ParseAirCSV(r io.Reader) ([]AirDay, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	head, err := cr.Read()
	if err != nil {
		return nil, apperr.Field("file", "err.assess.air_header")
	}
	col := map[string]int{}
	for i, h := range head {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		h = strings.NewReplacer(" ", "", "_", "", "（μg/m³）", "", "(μg/m3)", "", "₂.₅", "2.5", "pm25", "pm2.5").Replace(h)
		switch {
		case h == "日期" || h == "date" || h == "监测日期" || h == "时间":
			col["day"] = i
		case h == "aqi" || strings.HasPrefix(h, "aqi"):
			if _, ok := col["aqi"]; !ok {
				col["aqi"] = i
			}
		case strings.HasPrefix(h, "pm2.5"):
			col["pm25"] = i
		case strings.HasPrefix(h, "pm10"):
			col["pm10"] = i
		}
	}
	if _, ok := col["day"]; !ok {
		return nil, apperr.Field("file", "err.assess.air_header")
	}
	if _, ok := col["aqi"]; !ok {
		return nil, apperr.Field("file", "err.assess.air_header")
	}
	var out []AirDay
	seen := map[string]bool{}
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		bad := apperr.Field("file", "err.assess.air_line", line)
		if err != nil {
			return nil, bad
		}
		if len(out) >= MaxAirRows {
			return nil, apperr.Field("file", "err.assess.air_too_many", MaxAirRows)
		}
		cell := func(k string) string {
			i, ok := col[k]
			if !ok || i >= len(rec) {
				return ""
			}
			v := strings.TrimSpace(rec[i])
			if v == "—" || v == "-" || v == "--" {
				return ""
			}
			return v
		}
		if strings.Join(rec, "") == "" {
			continue
		}
		day, ok := airDate(cell("day"))
		aqi, err := strconv.Atoi(cell("aqi"))
		if !ok || err != nil || aqi < 0 || aqi > 1000 || seen[day] {
			return nil, bad
		}
		seen[day] = true
		d := AirDay{Day: day, AQI: aqi}
		for k, dst := range map[string]**float64{"pm25": &d.PM25, "pm10": &d.PM10} {
			if v := cell(k); v != "" {
				f, err := strconv.ParseFloat(v, 64)
				if err != nil || f < 0 || f > 5000 {
					return nil, bad
				}
				*dst = &f
			}
		}
		out = append(out, d)
	}
	if len(out) == 0 {
		return nil, apperr.Field("file", "err.assess.air_empty")
	}
	return out, nil
}

// airDate reads 2026-11-03, 2026/11/3 or 2026年11月3日, with anything after a space ignored.
func airDate(s string) (string, bool) {
	s, _, _ = strings.Cut(s, " ")
	s = strings.NewReplacer("/", "-", "年", "-", "月", "-", "日", "").Replace(s)
	t, err := time.Parse("2006-1-2", s)
	if err != nil || !validYear(t.Year()) {
		return "", false
	}
	return t.Format(DateLayout), true
}
