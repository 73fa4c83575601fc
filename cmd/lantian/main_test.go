package main

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/store"
	"github.com/lantian-org/lantian/internal/store/storetest"
	"github.com/lantian-org/lantian/internal/unit"
)

func runCmd(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, &out, &errOut)
	return out.String() + errOut.String(), err
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestDemoServesAndStops starts "lantian demo" on a fresh database, checks
// the health endpoints and the Chinese sign-in page, and stops it the way
// SIGTERM does (cancelling the context).
func TestDemoServesAndStops(t *testing.T) {
	for _, backend := range storetest.Backends(t) {
		t.Run(backend, func(t *testing.T) {
			dsn := storetest.DSN(t, backend)
			addr := freeAddr(t)
			ctx, cancel := context.WithCancel(context.Background())
			var out bytes.Buffer
			done := make(chan error, 1)
			go func() {
				done <- run(ctx, []string{"demo", "--db", dsn, "--addr", addr, "--data", t.TempDir()}, &out, &bytes.Buffer{})
			}()
			var resp *http.Response
			var err error
			for i := 0; i < 600; i++ {
				if resp, err = http.Get("http://" + addr + "/readyz"); err == nil {
					break
				}
				time.Sleep(100 * time.Millisecond)
			}
			if err != nil || resp.StatusCode != 200 {
				cancel()
				t.Fatalf("readyz: %v", err)
			}
			resp.Body.Close()
			resp, err = http.Get("http://" + addr + "/login")
			if err != nil {
				t.Fatal(err)
			}
			body := new(bytes.Buffer)
			body.ReadFrom(resp.Body)
			resp.Body.Close()
			if !strings.Contains(body.String(), "用户名或手机号") {
				t.Errorf("sign-in page is not in Chinese")
			}
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("demo returned %v", err)
				}
			case <-time.After(20 * time.Second):
				t.Fatal("server did not shut down")
			}
			for _, want := range []string{"demo-pass", "community1", "http://" + addr} {
				if !strings.Contains(out.String(), want) {
					t.Errorf("demo output lacks %q:\n%s", want, out.String())
				}
			}
		})
	}
}

func TestAdminCommands(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "l.db")
	common := []string{"--db", db, "--data", filepath.Join(dir, "data")}
	with := func(args ...string) []string { return append(args, common...) }

	if out, err := runCmd(t, with("migrate", "up")...); err != nil || !strings.Contains(out, "0001_foundation") {
		t.Fatalf("migrate up: %v\n%s", err, out)
	}
	// The region does not exist in an empty database: the role must be refused, and no person written.
	if _, err := runCmd(t, with("user", "add", "--username", "zhangsan", "--name", "张三", "--password", "long-enough", "--role", "admin", "--region", "620502000000000")...); err == nil || !strings.Contains(err.Error(), "区域") {
		t.Fatalf("user add with an unknown region: %v", err)
	}
	for _, pw := range []string{"short", "12345678", "password", "demo-pass", "1234567890", "ZhangSan.X"} {
		if _, err := runCmd(t, with("user", "add", "--username", "zhangsan.x", "--name", "张三", "--password", pw)...); err == nil || !strings.Contains(err.Error(), "密码") {
			t.Fatalf("weak password %q: %v", pw, err)
		}
	}
	if out, err := runCmd(t, with("user", "add", "--username", "zhangsan", "--name", "张三", "--mobile", "13800001234", "--password", "long-enough")...); err != nil {
		t.Fatalf("user add: %v %s", err, out)
	}
	if out, err := runCmd(t, with("user", "list")...); err != nil || !strings.Contains(out, "zhangsan") || !strings.Contains(out, "13800001234") {
		t.Fatalf("user list: %v\n%s", err, out)
	}
	if _, err := runCmd(t, with("user", "passwd", "zhangsan", "--password", "13800001234")...); err == nil || !strings.Contains(err.Error(), "密码") {
		t.Fatalf("user passwd to one's own mobile: %v", err)
	}
	if out, err := runCmd(t, with("user", "passwd", "zhangsan", "--password", "another-long-one")...); err != nil || !strings.Contains(out, "zhangsan") {
		t.Fatalf("user passwd: %v\n%s", err, out)
	}
	backup := filepath.Join(dir, "copy.db")
	if out, err := runCmd(t, with("backup", backup)...); err != nil {
		t.Fatalf("backup: %v %s", err, out)
	}
	if info, err := os.Stat(backup); err != nil || info.Size() == 0 {
		t.Fatalf("backup file: %v", err)
	}
	if out, err := runCmd(t, "version"); err != nil || !strings.Contains(out, "lantian") {
		t.Fatalf("version: %v %s", err, out)
	}
	if _, err := runCmd(t, "nonsense"); err == nil {
		t.Fatal("unknown command accepted")
	}
}

func TestImportCommand(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "l.db")
	common := []string{"--db", db, "--data", filepath.Join(dir, "data")}
	// Fill the demo street: "demo" serves, so seed through the store directly.
	sdb, err := openSeeded(db)
	if err != nil {
		t.Fatal(err)
	}
	sdb.Close()
	good := unit.CompleteCreditCode("91620502MA7CLXX01")
	csv := "名称,类型,统一社会信用代码,网格编码,联系人,联系电话,风险标签\n" +
		"导入餐馆,餐饮," + good + "," + demo.GridCode(0, 0) + ",李四,13800005678,油烟\n" +
		"坏代码公司,企业,91620502MA7CLXX0A," + demo.GridCode(0, 1) + ",,,\n"
	file := filepath.Join(dir, "units.csv")
	os.WriteFile(file, []byte(csv), 0o644)
	out, err := runCmd(t, append([]string{"import", "units", file, "--dry-run"}, common...)...)
	if err == nil || !strings.Contains(out, "行 3") || !strings.Contains(out, "统一社会信用代码") {
		t.Fatalf("dry run of a bad file: %v\n%s", err, out)
	}
	out, err = runCmd(t, append([]string{"import", "units", file}, common...)...)
	if err == nil {
		t.Fatalf("a bad file was imported:\n%s", out)
	}
	out, err = runCmd(t, append([]string{"import", "units", file, "--only-valid"}, common...)...)
	if err != nil || !strings.Contains(out, "已导入 1 行") {
		t.Fatalf("only-valid import: %v\n%s", err, out)
	}
}

// TestExportImportRegions exports the demo's regions and imports them into an empty database.
func TestExportImportRegions(t *testing.T) {
	dir := t.TempDir()
	src, dst := filepath.Join(dir, "src.db"), filepath.Join(dir, "dst.db")
	sdb, err := openSeeded(src)
	if err != nil {
		t.Fatal(err)
	}
	sdb.Close()
	file := filepath.Join(dir, "regions.geojson")
	if out, err := runCmd(t, "export", "regions", file, "--db", src, "--data", dir); err != nil || !strings.Contains(out, "38 regions") {
		t.Fatalf("export: %v %s", err, out)
	}
	if out, err := runCmd(t, "import", "regions", file, "--db", dst, "--data", dir); err != nil {
		t.Fatalf("import: %v %s", err, out)
	}
	db, err := store.Open(context.Background(), dst, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if n, _ := db.CountRegions(context.Background()); n != 38 {
		t.Fatalf("imported %d regions, want 38", n)
	}
	g, err := db.Region(context.Background(), demo.GridCode(2, 3))
	if err != nil || g.Geometry == nil {
		t.Fatalf("grid geometry lost: %v", err)
	}
}
