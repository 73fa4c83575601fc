package importer_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/importer"
	"github.com/lantian-org/lantian/internal/people"
	"github.com/lantian-org/lantian/internal/region"
	"github.com/lantian-org/lantian/internal/store"
	"github.com/lantian-org/lantian/internal/store/storetest"
	"github.com/lantian-org/lantian/internal/unit"
)

var admin = store.Actor{ID: 1, Name: "admin"}

func seed(t *testing.T, db *store.DB) context.Context {
	t.Helper()
	ctx := context.Background()
	if _, err := demo.Seed(ctx, db); err != nil {
		t.Fatal(err)
	}
	return ctx
}

func csvBytes(rows ...[]string) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.WriteAll(rows)
	return b.Bytes()
}

// credit makes a valid credit code from a 9-character organisation code.
func credit(org string) string { return unit.CompleteCreditCode("91620502" + org) }

// spot returns a point inside a demo grid.
func spot(t *testing.T, db *store.DB, code string) (lat, lon string) {
	t.Helper()
	r, err := db.Region(context.Background(), code)
	if err != nil || r.Geometry == nil {
		t.Fatalf("grid %s: %v", code, err)
	}
	c := r.Geometry.Bound().Center()
	return strconv.FormatFloat(c[1], 'f', 6, 64), strconv.FormatFloat(c[0], 'f', 6, 64)
}

func counts(t *testing.T, db *store.DB) (units, audit int) {
	t.Helper()
	ctx := context.Background()
	_, units, err := db.Units(ctx, store.UnitFilter{Roots: []string{demo.DistrictCode}})
	if err != nil {
		t.Fatal(err)
	}
	_, audit, err = db.AuditLog(ctx, store.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return units, audit
}

func unitByName(t *testing.T, db *store.DB, name string) unit.Unit {
	t.Helper()
	us, _, err := db.Units(context.Background(), store.UnitFilter{Roots: []string{demo.DistrictCode}, Q: name})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range us {
		if u.Name == name {
			return u
		}
	}
	t.Fatalf("no unit %q", name)
	return unit.Unit{}
}

func wantKey(t *testing.T, err error, code apperr.Code, key string, args ...any) *apperr.Error {
	t.Helper()
	if err == nil {
		t.Fatalf("err = nil, want %s %s", code, key)
	}
	ae := apperr.As(err)
	if ae.Code != code || ae.Msg.Key != key || (len(args) > 0 && !reflect.DeepEqual(ae.Msg.Args, args)) {
		t.Fatalf("err = %v (args %v), want %s %s %v", err, ae.Msg.Args, code, key, args)
	}
	return ae
}

func problemsString(ps []importer.Problem) string {
	var b strings.Builder
	for _, p := range ps {
		fmt.Fprintf(&b, "\n  row %d %s/%s %s %v", p.Row, p.Column, p.Field, p.Key, p.Args)
	}
	return b.String()
}

var unitHeader = []string{"名称", "类型", "统一社会信用代码", "地址", "纬度", "经度", "网格编码", "联系人", "联系电话", "风险标签", "状态"}

func TestUnitsCSV(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := seed(t, db)
		lat, lon := spot(t, db, demo.GridCode(2, 3))
		encodings := []struct {
			name   string
			encode func([]byte) []byte
		}{
			{"utf8", func(b []byte) []byte { return b }},
			{"utf8-bom", func(b []byte) []byte { return append([]byte("\xEF\xBB\xBF"), b...) }},
			{"gb18030", func(b []byte) []byte {
				out, err := simplifiedchinese.GB18030.NewEncoder().Bytes(b)
				if err != nil {
					t.Fatal(err)
				}
				return out
			}},
		}
		for i, enc := range encodings {
			t.Run(enc.name, func(t *testing.T) {
				n := strconv.Itoa(i)
				file := csvBytes(unitHeader,
					[]string{"西关测试餐馆" + n, "餐饮", credit("MA7TE000" + n), "天水市秦州区民主西路1号", "", "", demo.GridCode(0, 0), "张三", "139 0000 1111", "油烟、垃圾", "在营"},
					[]string{"测试建筑工地" + n, "工地", credit("MA7TE100" + n), "", lat, lon, "", "李四", "0938-8212345", "扬尘,机动车", ""},
					[]string{"丰收巷5号院" + n, "居民院落", "", "", "", "", demo.GridCode(1, 1), "", "", "散煤；焚烧", "关闭"},
				)
				units0, audit0 := counts(t, db)
				p, err := importer.ParseUnits(ctx, db, bytes.NewReader(enc.encode(file)), importer.Options{})
				if err != nil {
					t.Fatal(err)
				}
				if p.Report.Rows != 3 || p.Report.Valid != 3 || !p.Report.OK() {
					t.Fatalf("report %+v%s", p.Report, problemsString(p.Report.Problems))
				}
				res, err := importer.Apply(ctx, db, admin, p, false)
				if err != nil || res.Created != 3 {
					t.Fatalf("Apply = %+v, %v", res, err)
				}
				units1, audit1 := counts(t, db)
				if units1 != units0+3 || audit1 != audit0+3 {
					t.Errorf("units %d→%d, audit %d→%d; want +3 each", units0, units1, audit0, audit1)
				}
				u := unitByName(t, db, "西关测试餐馆"+n)
				if u.Kind != "restaurant" || u.Region != demo.GridCode(0, 0) || !slices.Equal(u.Tags, []string{"fumes", "waste"}) ||
					u.Contacts[0].Phone != "13900001111" || u.Status != unit.Active {
					t.Errorf("restaurant = %+v", u)
				}
				u = unitByName(t, db, "测试建筑工地"+n)
				if u.Kind != "site" || u.Region != demo.GridCode(2, 3) || !slices.Equal(u.Tags, []string{"dust", "vehicles"}) {
					t.Errorf("site = %+v (grid from the point)", u)
				}
				u = unitByName(t, db, "丰收巷5号院"+n)
				if u.Kind != "courtyard" || u.CreditCode != "" || u.Status != unit.Closed || !slices.Equal(u.Tags, []string{"burning", "coal"}) {
					t.Errorf("courtyard = %+v", u)
				}
			})
		}
	})
}

func TestUnitsXLSX(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := seed(t, db)
		lat, lon := spot(t, db, demo.GridCode(3, 2))
		latF, _ := strconv.ParseFloat(lat, 64)
		lonF, _ := strconv.ParseFloat(lon, 64)
		grid, _ := strconv.ParseInt(demo.GridCode(3, 2), 10, 64)

		f := excelize.NewFile()
		sheet := f.GetSheetName(0)
		// English aliases and notes in headers; numbers typed as numbers; a blank row 3.
		rows := [][]any{
			{"名称", "kind", "统一社会信用代码", "纬度（WGS-84）", "经度", "*网格编码", "contact", "联系电话", "tags"},
			{"测试五金店", "shop", credit("MA7XL0001"), latF, lonF, grid, "赵六", int64(13900002222), "waste, fireworks"},
			{},
			{"测试工厂", "工厂", credit("MA7XL0002"), nil, nil, demo.GridCode(3, 2), nil, nil, nil},
		}
		for i, r := range rows {
			if err := f.SetSheetRow(sheet, "A"+strconv.Itoa(i+1), &r); err != nil {
				t.Fatal(err)
			}
		}
		var buf bytes.Buffer
		if _, err := f.WriteTo(&buf); err != nil {
			t.Fatal(err)
		}
		p, err := importer.ParseUnits(ctx, db, bytes.NewReader(buf.Bytes()), importer.Options{})
		if err != nil {
			t.Fatal(err)
		}
		want := []importer.Problem{{Row: 4, Column: "kind", Field: "kind", Key: "err.unit_kind"}}
		if p.Report.Rows != 2 || p.Report.Valid != 1 || !reflect.DeepEqual(p.Report.Problems, want) {
			t.Fatalf("report %+v%s", p.Report, problemsString(p.Report.Problems))
		}
		res, err := importer.Apply(ctx, db, admin, p, true)
		if err != nil || res.Created != 1 || res.Skipped != 1 {
			t.Fatalf("Apply = %+v, %v", res, err)
		}
		u := unitByName(t, db, "测试五金店")
		if u.Kind != "shop" || u.Region != demo.GridCode(3, 2) || u.Lat != latF || u.Lon != lonF ||
			u.Contacts[0].Phone != "13900002222" || !slices.Equal(u.Tags, []string{"fireworks", "waste"}) {
			t.Errorf("unit = %+v", u)
		}
	})
}

func TestUnitsProblems(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := seed(t, db)
		good := []string{"好单位甲", "企业", credit("MA7PR0001"), "", "", "", demo.GridCode(0, 0), "", "", "", ""}
		badCheck := credit("MA7PR0002")
		badCheck = badCheck[:17] + map[bool]string{true: "1", false: "0"}[badCheck[17] == '0']
		taken := unitByName(t, db, "华天集团").CreditCode
		lat, lon := spot(t, db, demo.GridCode(2, 2))
		file := csvBytes(unitHeader,
			good, // row 2
			[]string{"校验位错", "企业", badCheck, "", "", "", demo.GridCode(0, 0), "", "", "", ""},            // 3
			[]string{"未知类型", "工厂", credit("MA7PR0003"), "", "", "", demo.GridCode(0, 0), "", "", "", ""}, // 4
			good, // 5: the same again
			[]string{"已有代码", "企业", taken, "", "", "", demo.GridCode(0, 0), "", "", "", ""},                        // 6
			[]string{"未知网格", "企业", credit("MA7PR0004"), "", "", "", "620502004009009", "", "", "", ""},            // 7
			[]string{"街道之外", "企业", credit("MA7PR0005"), "", "34.0", "105.0", "", "", "", "", ""},                  // 8
			[]string{"范围之外", "企业", credit("MA7PR0006"), "", "", "", demo.GridCode(5, 0), "", "", "", ""},          // 9
			[]string{"好单位乙", "商铺", credit("MA7PR0007"), "", lat, lon, "", "", "", "", ""},                         // 10
			[]string{"标签电话", "商铺", credit("MA7PR0008"), "", "", "", demo.GridCode(0, 0), "王五", "12345", "噪声", ""}, // 11
		)
		notSixth := func(code string) bool { return !region.Contains(demo.CommunityCode(5), code) }
		p, err := importer.ParseUnits(ctx, db, bytes.NewReader(file), importer.Options{Allowed: notSixth})
		if err != nil {
			t.Fatal(err)
		}
		want := []importer.Problem{
			{Row: 3, Column: "统一社会信用代码", Field: "credit_code", Key: "err.credit_code_check"},
			{Row: 4, Column: "类型", Field: "kind", Key: "err.unit_kind"},
			{Row: 5, Column: "统一社会信用代码", Field: "credit_code", Key: "import.duplicate_row", Args: []any{2}},
			{Row: 6, Column: "统一社会信用代码", Field: "credit_code", Key: "err.duplicate_value"},
			{Row: 7, Column: "网格编码", Field: "region", Key: "err.grid_unknown"},
			{Row: 8, Column: "纬度", Field: "lat", Key: "err.point_outside"},
			{Row: 9, Column: "网格编码", Field: "region", Key: "err.out_of_scope"},
			{Row: 11, Column: "联系电话", Field: "contact_phone", Key: "err.phone"},
			{Row: 11, Column: "风险标签", Field: "tags", Key: "err.unit_tag", Args: []any{"噪声"}},
		}
		if p.Report.Rows != 10 || p.Report.Valid != 2 || !reflect.DeepEqual(p.Report.Problems, want) {
			t.Fatalf("report rows %d valid %d, problems:%s\nwant:%s", p.Report.Rows, p.Report.Valid,
				problemsString(p.Report.Problems), problemsString(want))
		}

		units0, audit0 := counts(t, db)
		_, err = importer.Apply(ctx, db, admin, p, false)
		wantKey(t, err, apperr.Invalid, "import.has_problems", len(want))
		if units, audit := counts(t, db); units != units0 || audit != audit0 {
			t.Fatalf("a refused import wrote: units %d→%d, audit %d→%d", units0, units, audit0, audit)
		}

		res, err := importer.Apply(ctx, db, admin, p, true)
		if err != nil || res.Created != 2 || res.Skipped != 8 {
			t.Fatalf("Apply(onlyValid) = %+v, %v", res, err)
		}
		if units, audit := counts(t, db); units != units0+2 || audit != audit0+2 {
			t.Fatalf("onlyValid: units %d→%d, audit %d→%d; want +2", units0, units, audit0, audit)
		}
		if u := unitByName(t, db, "好单位乙"); u.Region != demo.GridCode(2, 2) {
			t.Errorf("好单位乙 in %s", u.Region)
		}
	})
}

func TestUnitsBadFile(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		cases := []struct {
			name string
			file []byte
			code apperr.Code
			key  string
			args []any
		}{
			{"unknown column", csvBytes([]string{"名称", "类型", "网格编码", "备注", "颜色"}), apperr.Invalid, "import.unknown_header", []any{"备注、颜色"}},
			{"missing column", csvBytes([]string{"名称", "网格编码"}), apperr.Invalid, "import.missing_header", []any{"类型"}},
			{"no location", csvBytes([]string{"名称", "类型", "纬度"}), apperr.Invalid, "import.missing_header", []any{"经度"}},
			{"no grid", csvBytes([]string{"name", "kind"}), apperr.Invalid, "import.missing_header", []any{"网格编码"}},
			{"column twice", csvBytes([]string{"名称", "类型", "网格编码", "网格"}), apperr.Invalid, "import.duplicate_header", []any{"网格"}},
			{"empty", []byte("\n\n"), apperr.Invalid, "import.file_empty", nil},
			{"xls", []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"), apperr.Invalid, "import.xls_unsupported", nil},
			{"broken xlsx", []byte("PK\x03\x04garbage"), apperr.Invalid, "import.file_unreadable", nil},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				_, err := importer.ParseUnits(ctx, db, bytes.NewReader(c.file), importer.Options{})
				wantKey(t, err, c.code, c.key, c.args...)
			})
		}
		// Too many rows.
		rows := [][]string{{"名称", "类型", "网格编码"}}
		for i := range 4 {
			rows = append(rows, []string{"单位" + strconv.Itoa(i), "企业", demo.GridCode(0, 0)})
		}
		_, err := importer.ParseUnits(ctx, db, bytes.NewReader(csvBytes(rows...)), importer.Options{MaxRows: 3})
		wantKey(t, err, apperr.TooLarge, "import.too_many_rows", 3)
	})
}

// TestApplyRollsBack: a row that fails inside the transaction (here a credit
// code stored after the dry run) undoes the rows written before it.
func TestApplyRollsBack(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := seed(t, db)
		file := csvBytes(unitHeader,
			[]string{"回滚甲", "企业", credit("MA7RB0001"), "", "", "", demo.GridCode(0, 0), "", "", "", ""},
			[]string{"回滚乙", "企业", credit("MA7RB0002"), "", "", "", demo.GridCode(0, 1), "", "", "", ""},
			[]string{"回滚丙", "企业", credit("MA7RB0003"), "", "", "", demo.GridCode(0, 2), "", "", "", ""},
		)
		p, err := importer.ParseUnits(ctx, db, bytes.NewReader(file), importer.Options{})
		if err != nil || !p.Report.OK() {
			t.Fatalf("parse: %v%s", err, problemsString(p.Report.Problems))
		}
		// Someone stores row 4's credit code between the dry run and Apply.
		other := unit.Unit{Name: "抢先单位", Kind: "enterprise", CreditCode: credit("MA7RB0003"), Region: demo.GridCode(1, 0)}
		if err := db.CreateUnit(ctx, admin, &other); err != nil {
			t.Fatal(err)
		}
		units0, audit0 := counts(t, db)
		_, err = importer.Apply(ctx, db, admin, p, false)
		ae := wantKey(t, err, apperr.Conflict, "import.row_failed", 4)
		if ae.Fields["credit_code"].Key != "err.duplicate_value" {
			t.Errorf("fields %v", ae.Fields)
		}
		if units, audit := counts(t, db); units != units0 || audit != audit0 {
			t.Fatalf("half-written: units %d→%d, audit %d→%d", units0, units, audit0, audit)
		}
		if us, _, _ := db.Units(ctx, store.UnitFilter{Roots: []string{demo.DistrictCode}, Q: "回滚"}); len(us) != 0 {
			t.Fatalf("rows before the failure stayed: %v", us)
		}
	})
}

// square is a closed GeoJSON ring around (lon, lat) with half-side d.
func square(lon, lat, d float64) string {
	return fmt.Sprintf(`[[[%[1]g,%[2]g],[%[3]g,%[2]g],[%[3]g,%[4]g],[%[1]g,%[4]g],[%[1]g,%[2]g]]]`, lon-d, lat-d, lon+d, lat+d)
}

func feature(props, geom string) string {
	return `{"type":"Feature","properties":` + props + `,"geometry":` + geom + `}`
}

func collection(features ...string) []byte {
	return []byte(`{"type":"FeatureCollection","features":[` + strings.Join(features, ",") + `]}`)
}

func TestRegions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := seed(t, db)
		const community, grid = "620502004007000", "620502004007001"
		file := collection(
			// The grid comes before its community: the import sorts by level.
			feature(`{"code":"`+grid+`","name":"新社区第1网格","households":300}`, `{"type":"Polygon","coordinates":`+square(105.745, 34.575, 0.002)+`}`),
			feature(`{"code":620502004007000,"name":"新社区","户数":"800"}`, `{"type":"MultiPolygon","coordinates":[`+square(105.745, 34.575, 0.004)+`]}`),
			feature(`{"code":"`+demo.GridCode(0, 0)+`","name":"忠武巷社区第一网格","households":999,"fill":"#ccc"}`, `null`),
		)
		p, err := importer.ParseRegions(ctx, db, bytes.NewReader(file), importer.Options{})
		if err != nil || !p.Report.OK() || p.Report.Valid != 3 {
			t.Fatalf("parse: %v %+v%s", err, p.Report, problemsString(p.Report.Problems))
		}
		_, audit0 := counts(t, db)
		res, err := importer.Apply(ctx, db, admin, p, false)
		if err != nil || res.Created != 2 || res.Updated != 1 {
			t.Fatalf("Apply = %+v, %v", res, err)
		}
		if _, audit := counts(t, db); audit != audit0+3 {
			t.Errorf("audit %d→%d, want +3", audit0, audit)
		}
		g, err := db.Region(ctx, grid)
		if err != nil || g.Parent != community || g.Level != region.Grid || g.Households != 300 || g.Geometry == nil {
			t.Errorf("new grid = %+v, %v", g, err)
		}
		c, err := db.Region(ctx, community)
		if err != nil || c.Households != 800 || c.Parent != demo.StreetCode {
			t.Errorf("new community = %+v, %v", c, err)
		}
		old, err := db.Region(ctx, demo.GridCode(0, 0))
		if err != nil || old.Name != "忠武巷社区第一网格" || old.Households != 999 || old.Geometry == nil {
			t.Errorf("updated grid = %+v, %v (geometry must stay)", old, err)
		}
		// The same file again changes nothing.
		p, err = importer.ParseRegions(ctx, db, bytes.NewReader(file), importer.Options{})
		if err != nil {
			t.Fatal(err)
		}
		res, err = importer.Apply(ctx, db, admin, p, false)
		if err != nil || res.Created != 0 || res.Updated != 0 || res.Unchanged != 3 {
			t.Fatalf("second Apply = %+v, %v", res, err)
		}
	})
}

func TestRegionsProblems(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := seed(t, db)
		open := `{"type":"Polygon","coordinates":[[[105.75,34.57],[105.76,34.57],[105.76,34.58],[105.75,34.58]]]}`
		bow := `{"type":"Polygon","coordinates":[[[105.75,34.57],[105.76,34.58],[105.76,34.57],[105.75,34.58],[105.75,34.57]]]}`
		ok := `{"type":"Polygon","coordinates":` + square(105.745, 34.575, 0.002) + `}`
		file := collection(
			feature(`{"code":"620502004001009","name":"未闭合"}`, open),               // 1
			feature(`{"code":"620502004008001","name":"无上级"}`, ok),                 // 2
			feature(`{"code":"620502004001010","name":"自相交"}`, bow),                // 3
			feature(`{"code":"62050200400101","name":"短编码"}`, ok),                  // 4
			feature(`{"code":"620502004001011","name":""}`, ok),                    // 5
			feature(`{"code":"620502004001012","name":"户数","households":1.5}`, ok), // 6
			feature(`{"code":"620502004001013","name":"好的"}`, ok),                  // 7
			feature(`{"code":"620502004001013","name":"重复"}`, ok),                  // 8
			feature(`{"code":"620502004006009","name":"范围外"}`, ok),                 // 9
			feature(`{"code":"620502004009000","name":"坏社区"}`, open),               // 10
			feature(`{"code":"620502004009001","name":"坏社区的网格"}`, ok),              // 11
		)
		notSixth := func(code string) bool { return !region.Contains(demo.CommunityCode(5), code) }
		p, err := importer.ParseRegions(ctx, db, bytes.NewReader(file), importer.Options{Allowed: notSixth})
		if err != nil {
			t.Fatal(err)
		}
		want := []importer.Problem{
			{Row: 1, Column: "geometry", Field: "geometry", Key: "err.geojson_not_closed"},
			{Row: 2, Column: "code", Field: "parent", Key: "err.region_unknown"},
			{Row: 3, Column: "geometry", Field: "geometry", Key: "err.geojson_self_intersect"},
			{Row: 4, Column: "code", Field: "code", Key: "err.region_code"},
			{Row: 5, Column: "name", Field: "name", Key: "err.required"},
			{Row: 6, Column: "households", Field: "households", Key: "import.not_integer"},
			{Row: 8, Column: "code", Field: "code", Key: "import.duplicate_row", Args: []any{7}},
			{Row: 9, Column: "code", Field: "code", Key: "err.out_of_scope"},
			{Row: 10, Column: "geometry", Field: "geometry", Key: "err.geojson_not_closed"},
			{Row: 11, Column: "code", Field: "parent", Key: "err.region_unknown"},
		}
		if p.Report.Rows != 11 || p.Report.Valid != 1 || !reflect.DeepEqual(p.Report.Problems, want) {
			t.Fatalf("report rows %d valid %d, problems:%s\nwant:%s", p.Report.Rows, p.Report.Valid,
				problemsString(p.Report.Problems), problemsString(want))
		}
		n0, _ := db.CountRegions(ctx)
		_, err = importer.Apply(ctx, db, admin, p, false)
		wantKey(t, err, apperr.Invalid, "import.has_problems", len(want))
		if n, _ := db.CountRegions(ctx); n != n0 {
			t.Fatalf("regions %d→%d after a refused import", n0, n)
		}

		for _, c := range []struct {
			name, file, key string
		}{
			{"not a collection", feature(`{"code":"620502004001013"}`, ok), "import.geojson_collection"},
			{"syntax", `{"type":"FeatureCollection","features":[`, "err.geojson_syntax"},
			{"no features", `{"type":"FeatureCollection","features":[]}`, "import.file_empty"},
		} {
			_, err := importer.ParseRegions(ctx, db, strings.NewReader(c.file), importer.Options{})
			wantKey(t, err, apperr.Invalid, c.key)
		}
	})
}

var personHeader = []string{"姓名", "用户名", "手机号", "角色", "区域编码", "单位", "初始密码"}

func TestPeople(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := seed(t, db)
		huatian := unitByName(t, db, "华天集团")
		file := csvBytes(personHeader,
			[]string{"王测试", "WangCe", "13912340001", "网格长", demo.GridCode(0, 0), "", "secret-pass-1"},
			[]string{"", "wangce", "", "巡查员", demo.GridCode(0, 1), "", ""},
			[]string{"李联络", "lilianluo", "+86 139 1234 0002", "单位联络人", "", "华天集团", ""},
			[]string{"赵志愿", "zhaozy", "", "volunteer", demo.CommunityCode(2), "", ""},
		)
		p, err := importer.ParsePeople(ctx, db, bytes.NewReader(file), importer.Options{})
		if err != nil || !p.Report.OK() || p.Report.Rows != 4 || p.Report.Valid != 4 {
			t.Fatalf("parse: %v %+v%s", err, p.Report, problemsString(p.Report.Problems))
		}
		_, audit0 := counts(t, db)
		res, err := importer.Apply(ctx, db, admin, p, false)
		if err != nil || res.Created != 3 || len(res.Passwords) != 2 {
			t.Fatalf("Apply = %+v, %v", res, err)
		}
		// 3 people and 4 roles, each audited.
		if _, audit := counts(t, db); audit != audit0+7 {
			t.Errorf("audit %d→%d, want +7", audit0, audit)
		}
		pw := map[string]string{"wangce": "secret-pass-1"}
		for _, c := range res.Passwords {
			if len(c.Password) != importer.GeneratedPasswordLen {
				t.Errorf("generated password %q", c.Password)
			}
			pw[c.Username] = c.Password
		}
		if res.Passwords[0].Username != "lilianluo" || res.Passwords[0].Row != 4 || res.Passwords[0].Name != "李联络" {
			t.Errorf("passwords %+v", res.Passwords)
		}
		for _, c := range []struct {
			login, username string
			roles           []people.Assignment
		}{
			{"wangce", "wangce", []people.Assignment{{Role: people.Leader, Region: demo.GridCode(0, 0)}, {Role: people.Patroller, Region: demo.GridCode(0, 1)}}},
			{"13912340002", "lilianluo", []people.Assignment{{Role: people.UnitContact, UnitID: huatian.ID}}},
			{"zhaozy", "zhaozy", []people.Assignment{{Role: people.Volunteer, Region: demo.CommunityCode(2)}}},
		} {
			ps, hash, err := db.Credentials(ctx, c.login)
			if err != nil {
				t.Fatalf("%s: %v", c.login, err)
			}
			if ps.Username != c.username || !ps.Active || !people.CheckPassword(hash, pw[c.username]) {
				t.Errorf("%s cannot sign in: %+v", c.login, ps)
			}
			var got []people.Assignment
			for _, a := range ps.Roles {
				got = append(got, people.Assignment{Role: a.Role, Region: a.Region, UnitID: a.UnitID})
			}
			if !reflect.DeepEqual(got, c.roles) {
				t.Errorf("%s roles %+v, want %+v", c.login, got, c.roles)
			}
		}
	})
}

func TestPeopleProblems(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := seed(t, db)
		patrol, _, err := db.Credentials(ctx, "patrol01")
		if err != nil {
			t.Fatal(err)
		}
		g := demo.GridCode(0, 0)
		file := csvBytes(personHeader,
			[]string{"重名", "admin", "", "巡查员", g, "", ""},                                  // 2
			[]string{"坏手机", "badmobile", "1234", "巡查员", g, "", ""},                         // 3
			[]string{"坏角色", "badrole", "", "队长", g, "", ""},                                // 4
			[]string{"坏区域", "badregion", "", "巡查员", "620502004009000", "", ""},             // 5
			[]string{"撞手机", "dupmobile", patrol.Mobile, "巡查员", g, "", ""},                  // 6
			[]string{"新人", "newguy", "13912349999", "巡查员", g, "", ""},                      // 7
			[]string{"", "newguy", "", "志愿者", "", "", ""},                                  // 8
			[]string{"短密码", "shortpw", "", "巡查员", g, "", "abc"},                            // 9
			[]string{"无单位", "nounit", "", "单位联络人", "", "不存在的单位", ""},                       // 10
			[]string{"好人", "okguy", "", "督查组", demo.StreetCode, "", ""},                    // 11
			[]string{"不一致", "newguy", "13900000000", "志愿者", demo.CommunityCode(0), "", ""}, // 12
			[]string{"范围外", "outside", "", "巡查员", demo.GridCode(5, 0), "", ""},             // 13
			[]string{"坏名字", "9lives", "", "巡查员", g, "", ""},                                // 14
		)
		notSixth := func(code string) bool { return !region.Contains(demo.CommunityCode(5), code) }
		p, err := importer.ParsePeople(ctx, db, bytes.NewReader(file), importer.Options{Allowed: notSixth})
		if err != nil {
			t.Fatal(err)
		}
		want := []importer.Problem{
			{Row: 2, Column: "用户名", Field: "username", Key: "err.duplicate_value"},
			{Row: 3, Column: "手机号", Field: "mobile", Key: "err.mobile"},
			{Row: 4, Column: "角色", Field: "role", Key: "err.invalid_choice"},
			{Row: 5, Column: "区域编码", Field: "region", Key: "err.region_unknown"},
			{Row: 6, Column: "手机号", Field: "mobile", Key: "err.duplicate_value"},
			{Row: 7, Column: "用户名", Field: "username", Key: "import.person_invalid", Args: []any{8}},
			{Row: 8, Column: "区域编码", Field: "region", Key: "err.required"},
			{Row: 9, Column: "初始密码", Field: "password", Key: "err.password_short", Args: []any{10}},
			{Row: 10, Column: "单位", Field: "unit", Key: "err.unit_unknown"},
			{Row: 12, Column: "姓名", Field: "name", Key: "import.person_mismatch", Args: []any{7}},
			{Row: 12, Column: "手机号", Field: "mobile", Key: "import.person_mismatch", Args: []any{7}},
			{Row: 13, Column: "区域编码", Field: "region", Key: "err.out_of_scope"},
			{Row: 14, Column: "用户名", Field: "username", Key: "err.username"},
		}
		if p.Report.Rows != 13 || p.Report.Valid != 1 || !reflect.DeepEqual(p.Report.Problems, want) {
			t.Fatalf("report rows %d valid %d, problems:%s\nwant:%s", p.Report.Rows, p.Report.Valid,
				problemsString(p.Report.Problems), problemsString(want))
		}
		n0, _ := db.CountPeople(ctx)
		_, err = importer.Apply(ctx, db, admin, p, false)
		wantKey(t, err, apperr.Invalid, "import.has_problems", len(want))
		if n, _ := db.CountPeople(ctx); n != n0 {
			t.Fatalf("people %d→%d after a refused import", n0, n)
		}
		res, err := importer.Apply(ctx, db, admin, p, true)
		if err != nil || res.Created != 1 || len(res.Passwords) != 1 || res.Passwords[0].Username != "okguy" {
			t.Fatalf("Apply(onlyValid) = %+v, %v", res, err)
		}
		if n, _ := db.CountPeople(ctx); n != n0+1 {
			t.Fatalf("people %d→%d, want +1", n0, n)
		}
	})
}
