package importer

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/lantian-org/lantian/internal/region"
	"github.com/lantian-org/lantian/internal/store"
)

// lookup answers the dry run's questions about what the database already
// holds, through the read pool, caching region levels. The queries are the
// read-only checks the store's write methods make again inside Apply's
// transaction (unique columns, region and unit existence).
type lookup struct {
	db     *store.DB
	levels map[string]region.Level // 0: no such region
}

func newLookup(db *store.DB) *lookup {
	return &lookup{db: db, levels: map[string]region.Level{}}
}

// level returns a stored region's level, 0 when there is no such region.
func (l *lookup) level(ctx context.Context, code string) (region.Level, error) {
	if lv, ok := l.levels[code]; ok {
		return lv, nil
	}
	var lv region.Level
	if region.ValidCode(code) {
		err := l.db.Reader().QueryRowContext(ctx, `SELECT level FROM regions WHERE code = $1`, code).Scan(&lv)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return 0, err
		}
	}
	l.levels[code] = lv
	return lv, nil
}

// exists runs a query selecting at most one row for one value.
func (l *lookup) exists(ctx context.Context, query, value string) (bool, error) {
	var one int
	err := l.db.Reader().QueryRowContext(ctx, query, value).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

func (l *lookup) creditCodeTaken(ctx context.Context, code string) (bool, error) {
	return l.exists(ctx, `SELECT 1 FROM units WHERE credit_code = $1`, code)
}

func (l *lookup) usernameTaken(ctx context.Context, username string) (bool, error) {
	return l.exists(ctx, `SELECT 1 FROM people WHERE username = $1`, username)
}

func (l *lookup) mobileTaken(ctx context.Context, mobile string) (bool, error) {
	return l.exists(ctx, `SELECT 1 FROM people WHERE mobile = $1`, mobile)
}

// unitRef is a stored unit as a unit contact's row names it.
type unitRef struct {
	id     int64
	region string
}

// units finds stored units by credit code or, failing that, by exact name;
// more than one result means the name is ambiguous.
func (l *lookup) units(ctx context.Context, ref string) ([]unitRef, error) {
	var out []unitRef
	for _, q := range []struct{ sql, arg string }{
		{`SELECT id, region FROM units WHERE credit_code = $1 ORDER BY id LIMIT 2`, strings.ToUpper(ref)},
		{`SELECT id, region FROM units WHERE name = $1 ORDER BY id LIMIT 2`, ref},
	} {
		rows, err := l.db.Reader().QueryContext(ctx, q.sql, q.arg)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var u unitRef
			if err := rows.Scan(&u.id, &u.region); err != nil {
				rows.Close()
				return nil, err
			}
			out = append(out, u)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		if len(out) > 0 {
			return out, nil
		}
	}
	return nil, nil
}
