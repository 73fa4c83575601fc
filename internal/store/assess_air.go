package store

import (
	"context"

	"github.com/lantian-org/lantian/internal/assess"
)

// UpsertAirDays stores a region's daily air quality, replacing the days
// imported before; audited once with the count and the dates covered.
func (tx *Tx) UpsertAirDays(ctx context.Context, code string, days []assess.AirDay) error {
	first, last := "", ""
	for _, d := range days {
		if _, err := tx.ExecContext(ctx, `INSERT INTO air_days (region, day, aqi, pm25, pm10, imported_at) VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (region, day) DO UPDATE SET aqi = excluded.aqi, pm25 = excluded.pm25, pm10 = excluded.pm10, imported_at = excluded.imported_at`,
			code, d.Day, d.AQI, d.PM25, d.PM10, tx.now); err != nil {
			return err
		}
		if first == "" || d.Day < first {
			first = d.Day
		}
		if d.Day > last {
			last = d.Day
		}
	}
	return tx.Audit(ctx, "air_days", code, "import", nil, map[string]any{"days": len(days), "from": first, "to": last})
}

// AirDays returns the air quality of the regions whose code is an ancestor
// of root or root itself (a street's station serves its communities), from..to.
func (db *DB) AirDays(ctx context.Context, roots []string, from, to string) ([]assess.AirDay, error) {
	var b binder
	w := "1=1"
	if len(roots) > 0 {
		w = overlapAny("region", roots, &b)
	}
	rows, err := db.r.QueryContext(ctx, "SELECT day, MAX(aqi) FROM air_days WHERE day BETWEEN "+b.add(from)+" AND "+b.add(to)+" AND "+w+" GROUP BY day ORDER BY day", b.args...)
	if err != nil {
		return nil, err
	}
	var out []assess.AirDay
	return out, eachRow(rows, func(sc rowScanner) error {
		var d assess.AirDay
		if err := sc.Scan(&d.Day, &d.AQI); err != nil {
			return err
		}
		out = append(out, d)
		return nil
	})
}
