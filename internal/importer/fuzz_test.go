package importer

import (
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/locale"
	"github.com/lantian-org/lantian/internal/region"
	"github.com/lantian-org/lantian/internal/store"
	"github.com/lantian-org/lantian/internal/store/storetest"
)

// checkImportErr fails unless err is refused with a translated message.
func checkImportErr(t *testing.T, err error) {
	t.Helper()
	e := apperr.As(err)
	if e.Code == apperr.Internal || !locale.Has("zh-CN", e.Msg.Key) {
		t.Fatalf("error %v", err)
	}
}

// FuzzTable reads a spreadsheet (XLSX or CSV, any encoding) row by row as
// the unit and people imports do, within their limits.
func FuzzTable(f *testing.F) {
	x := excelize.NewFile()
	x.SetSheetRow("Sheet1", "A1", &[]any{"名称", "类型", "网格编码", "纬度"})
	x.SetSheetRow("Sheet1", "A2", &[]any{"西关餐馆", "餐饮", "620502004001001", 34.5725})
	x.SetSheetRow("Sheet1", "A5", &[]any{"甲", "企业", 620502004001002.0})
	var b bytes.Buffer
	x.Write(&b)
	f.Add(b.Bytes())
	f.Add([]byte("\xEF\xBB\xBF名称,类型,网格编码\n\"多行\n名称\",企业,620502004001001\n\n乙,企业,6.20502004001001E+14\n"))
	f.Add([]byte("\xc3\xfb\xb3\xc6,\xc0\xe0\xd0\xcd\n")) // GB18030
	f.Add([]byte("名称\t类型\n甲\t企业\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		tb, err := openTable(bytes.NewReader(data), 50)
		if err != nil {
			checkImportErr(t, err)
			return
		}
		defer tb.close()
		last := 0
		for range 1000 {
			row, cells, err := tb.next()
			if err == io.EOF {
				return
			}
			if err != nil {
				checkImportErr(t, err)
				return
			}
			if row <= last || len(cells) > MaxColumns {
				t.Fatalf("row %d after %d with %d cells", row, last, len(cells))
			}
			last = row
		}
	})
}

// FuzzRegions runs the dry run of a regions import (GeoJSON) against a
// database holding the district and the street.
func FuzzRegions(f *testing.F) {
	db := storetest.Open(f, "sqlite")
	ctx := context.Background()
	err := db.Write(ctx, store.Actor{Name: "fuzz"}, func(tx *store.Tx) error {
		for _, r := range []region.Region{
			{Code: "620502000000000", Name: "秦州区", Level: region.District},
			{Code: "620502004000000", Name: "西关街道", Level: region.Street, Parent: "620502000000000"},
		} {
			if err := tx.InsertRegion(ctx, r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte(`{"type":"FeatureCollection","features":[
		{"type":"Feature","properties":{"code":"620502004007001","name":"新社区第1网格","households":300},"geometry":{"type":"Polygon","coordinates":[[[105.743,34.573],[105.747,34.573],[105.747,34.577],[105.743,34.577],[105.743,34.573]]]}},
		{"type":"Feature","properties":{"code":620502004007000,"name":"新社区","户数":"800"},"geometry":{"type":"MultiPolygon","coordinates":[[[[105.741,34.571],[105.749,34.571],[105.749,34.579],[105.741,34.571]]]]}},
		{"type":"Feature","properties":{"code":"620502004007000","name":"重复"},"geometry":null}]}`))
	f.Add([]byte("\xEF\xBB\xBF" + `{"type":"FeatureCollection","features":[{"properties":{"编码":"62050200400701","名称":""},"geometry":{"type":"Point","coordinates":[1,2]}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParseRegions(ctx, db, bytes.NewReader(data), Options{MaxPoints: 100_000})
		if err != nil {
			checkImportErr(t, err)
			return
		}
		// Every feature is either valid or named by its problems.
		if p.Report.Valid+countRows(p.Report.Problems) != p.Report.Rows {
			t.Fatalf("report %+v", p.Report)
		}
		for _, pr := range p.Report.Problems {
			if !locale.Has("zh-CN", pr.Key) || pr.Row < 1 || pr.Row > p.Report.Rows {
				t.Fatalf("problem %+v", pr)
			}
		}
	})
}

// countRows counts the rows named by problems.
func countRows(ps []Problem) int {
	rows := map[int]bool{}
	for _, p := range ps {
		rows[p.Row] = true
	}
	return len(rows)
}
