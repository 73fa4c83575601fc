package importer

import (
	"context"
	"errors"
	"io"
	"strconv"
	"strings"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/region"
	"github.com/lantian-org/lantian/internal/store"
	"github.com/lantian-org/lantian/internal/unit"
)

// unitColumns are the columns of a units file, in template order: our field
// name and the accepted header texts, the canonical Chinese one first.
var unitColumns = []column{
	{"name", []string{"名称", "单位名称", "name"}, true},
	{"kind", []string{"类型", "单位类型", "kind"}, true},
	{"credit_code", []string{"统一社会信用代码", "信用代码", "credit_code"}, false},
	{"address", []string{"地址", "address"}, false},
	{"lat", []string{"纬度", "lat", "latitude"}, false},
	{"lon", []string{"经度", "lon", "lng", "longitude"}, false},
	{"region", []string{"网格编码", "网格", "region", "grid"}, false},
	{"contact_name", []string{"联系人", "contact_name", "contact"}, false},
	{"contact_phone", []string{"联系电话", "电话", "contact_phone", "phone"}, false},
	{"tags", []string{"风险标签", "标签", "tags"}, false},
	{"status", []string{"状态", "status"}, false},
}

// UnitHeaders returns the canonical Chinese headers of a units file, for a template.
func UnitHeaders() []string { return canonical(unitColumns) }

func canonical(cols []column) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = c.names[0]
	}
	return out
}

// KindLabels maps the Chinese labels of unit kinds to their codes.
var KindLabels = map[string]unit.Kind{
	"企业": "enterprise", "事业单位": "institution", "物业公司": "property", "物业": "property",
	"居民院落": "courtyard", "院落": "courtyard", "学校": "school", "工地": "site", "建筑工地": "site",
	"餐饮": "restaurant", "商铺": "shop", "其他": "other",
}

// TagLabels maps the Chinese labels of risk tags to their codes.
var TagLabels = map[string]string{
	"扬尘": "dust", "油烟": "fumes", "散煤": "coal", "焚烧": "burning", "烟花爆竹": "fireworks",
	"机动车": "vehicles", "垃圾": "waste", "锅炉": "boiler",
}

// statusLabels maps the status column's texts to unit statuses.
var statusLabels = map[string]string{
	"在营": unit.Active, "active": unit.Active, "正常": unit.Active,
	"关闭": unit.Closed, "closed": unit.Closed, "已关闭": unit.Closed,
}

func kindOf(s string) unit.Kind {
	if k, ok := KindLabels[s]; ok {
		return k
	}
	return unit.Kind(strings.ToLower(s)) // an English code, or left for Validate to refuse
}

// splitList splits a cell on 、 , ， ; ； / and spaces.
func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return strings.ContainsRune("、,，;；/ \u3000", r)
	})
}

func tagsOf(s string) []string {
	var out []string
	for _, t := range splitList(s) {
		if code, ok := TagLabels[t]; ok {
			t = code
		} else {
			t = strings.ToLower(t)
		}
		out = append(out, t)
	}
	return out
}

// normPhone strips what people type around a number: spaces, hyphens, +86.
func normPhone(s string) string {
	s = digits(strings.NewReplacer(" ", "", "-", "", "\u3000", "").Replace(s))
	return strings.TrimPrefix(s, "+86")
}

type unitRow struct {
	row int
	u   unit.Unit
}

// ParseUnits reads a units file (XLSX or CSV, see package doc and
// UnitHeaders) and checks every row: the unit's own rules, its grid (given,
// or found from its coordinates), the caller's scope, and credit codes
// repeated in the file or already stored. A bad header (unknown, repeated or
// missing columns) or an unreadable file is an error; bad rows go into the
// returned Parsed's Report.
func ParseUnits(ctx context.Context, db *store.DB, r io.Reader, opts Options) (*Parsed, error) {
	t, err := openTable(r, opts.maxRows())
	if err != nil {
		return nil, err
	}
	defer t.close()
	h, err := readHeader(t, unitColumns)
	if err != nil {
		return nil, err
	}
	switch {
	case h.has("lat") && !h.has("lon"):
		return nil, apperr.New(apperr.Invalid, "import.missing_header", h.column("lon"))
	case h.has("lon") && !h.has("lat"):
		return nil, apperr.New(apperr.Invalid, "import.missing_header", h.column("lat"))
	case !h.has("region") && !h.has("lat"):
		return nil, apperr.New(apperr.Invalid, "import.missing_header", h.column("region"))
	}
	idx := opts.Index
	if idx == nil {
		rs, err := db.AllRegions(ctx)
		if err != nil {
			return nil, err
		}
		idx = &region.Index{}
		idx.Rebuild(rs)
	}
	up := &unitParser{h: h, idx: idx, lk: newLookup(db), opts: opts, seen: map[string]int{}}
	p := &Parsed{Report: Report{Kind: Units, Problems: []Problem{}}}
	err = eachRow(ctx, t, &p.Report, opts, func(row int, cells []string) error {
		u, f, err := up.parse(ctx, row, cells)
		if err != nil {
			return err
		}
		if len(f) == 0 {
			p.Report.Valid++
			p.units = append(p.units, unitRow{row, u})
		}
		f.report(&p.Report, h, row)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

type unitParser struct {
	h    *header
	idx  *region.Index
	lk   *lookup
	opts Options
	seen map[string]int // credit code → first row
}

func (up *unitParser) parse(ctx context.Context, row int, cells []string) (unit.Unit, fieldProblems, error) {
	h, f := up.h, fieldProblems{}
	u := unit.Unit{
		Name:       h.cell(cells, "name"),
		Address:    h.cell(cells, "address"),
		CreditCode: strings.ReplaceAll(h.cell(cells, "credit_code"), " ", ""),
		Tags:       tagsOf(h.cell(cells, "tags")),
	}
	if k := h.cell(cells, "kind"); k == "" {
		f.add("kind", "err.required")
	} else {
		u.Kind = kindOf(k)
	}
	if s := h.cell(cells, "status"); s != "" {
		if st, ok := statusLabels[strings.ToLower(s)]; ok {
			u.Status = st
		} else {
			f.add("status", "err.invalid_choice")
		}
	}
	if name, phone := h.cell(cells, "contact_name"), normPhone(h.cell(cells, "contact_phone")); name != "" || phone != "" {
		u.Contacts = []unit.Contact{{Name: name, Phone: phone}}
	}

	// Location: both coordinates or neither.
	hasPoint := false
	if latS, lonS := h.cell(cells, "lat"), h.cell(cells, "lon"); latS != "" || lonS != "" {
		lat, err1 := strconv.ParseFloat(latS, 64)
		lon, err2 := strconv.ParseFloat(lonS, 64)
		switch {
		case err1 != nil:
			f.add("lat", "err.coords")
		case err2 != nil:
			f.add("lon", "err.coords")
		default:
			u.Lat, u.Lon, hasPoint = lat, lon, true
		}
	}
	// Grid: as given, or found from the point.
	if grid := digits(h.cell(cells, "region")); grid != "" {
		u.Region = grid
		lv, err := up.lk.level(ctx, grid)
		if err != nil {
			return u, nil, err
		}
		switch {
		case lv != region.Grid:
			f.add("region", "err.grid_unknown")
		case !up.opts.allowed(grid):
			f.add("region", "err.out_of_scope")
		case hasPoint && up.idx.Len() > 0:
			// A point in another grid would file the unit's cases elsewhere.
			got, err := up.idx.Lookup(u.Lat, u.Lon)
			if err == nil && got != grid || errors.Is(err, region.ErrOutside) {
				f.add("lat", "import.point_not_in_grid", grid)
			}
		}
	} else if hasPoint {
		got, err := up.idx.Lookup(u.Lat, u.Lon)
		switch {
		case err != nil:
			f.add("lat", apperr.As(err).Msg.Key)
		case !up.opts.allowed(got):
			f.add("lat", "err.out_of_scope")
		default:
			u.Region = got
		}
	} else if _, bad := f["lat"]; !bad {
		if _, bad := f["lon"]; !bad {
			f.add("region", "err.required")
		}
	}

	u.Normalize()
	f.merge(u.Validate(), map[string]string{"contacts": "contact_name"})

	// Credit codes: once in the file, and not yet stored.
	if _, bad := f["credit_code"]; !bad && u.CreditCode != "" {
		if first, ok := up.seen[u.CreditCode]; ok {
			f.add("credit_code", "import.duplicate_row", first)
		} else {
			up.seen[u.CreditCode] = row
			taken, err := up.lk.creditCodeTaken(ctx, u.CreditCode)
			if err != nil {
				return u, nil, err
			}
			if taken {
				f.add("credit_code", "err.duplicate_value")
			}
		}
	}
	return u, f, nil
}

func applyUnits(ctx context.Context, db *store.DB, actor store.Actor, p *Parsed, res *Result) error {
	return db.Write(ctx, actor, func(tx *store.Tx) error {
		for _, r := range p.units {
			u := r.u
			u.Contacts = append([]unit.Contact(nil), r.u.Contacts...)
			if err := tx.CreateUnit(ctx, &u); err != nil {
				return rowErr(r.row, err)
			}
			res.Created++
		}
		return nil
	})
}
