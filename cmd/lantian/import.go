package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/lantian-org/lantian/internal/importer"
	"github.com/lantian-org/lantian/internal/locale"
	"github.com/lantian-org/lantian/internal/store"
)

func cmdImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) < 2 || strings.HasPrefix(args[1], "-") {
		return errors.New("usage: lantian import regions|units|people FILE [--dry-run] [--only-valid] [--db …]")
	}
	kind, file := args[0], args[1]
	parse := map[string]func(context.Context, *store.DB, io.Reader, importer.Options) (*importer.Parsed, error){
		"regions": importer.ParseRegions, "units": importer.ParseUnits, "people": importer.ParsePeople,
	}[kind]
	if parse == nil {
		return fmt.Errorf("unknown import %q: use regions, units or people", kind)
	}
	var dryRun, onlyValid bool
	a, _, err := openApp(ctx, "import "+kind, args[2:], stderr, func(fs *flag.FlagSet) {
		fs.BoolVar(&dryRun, "dry-run", false, "check the file and list its problems; write nothing")
		fs.BoolVar(&onlyValid, "only-valid", false, "import the valid rows even when others have problems")
	})
	if err != nil {
		return err
	}
	defer a.DB.Close()
	p := locale.New(a.Cfg.Lang)
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	parsed, err := parse(ctx, a.DB, f, importer.Options{Index: a.Index})
	if err != nil {
		return errors.New(p.Error(err))
	}
	rep := parsed.Report
	fmt.Fprintln(stdout, p.T("import.summary", rep.Rows, rep.Valid, len(rep.Problems)))
	for _, pr := range rep.Problems {
		fmt.Fprintf(stdout, "  %s %d · %s %s: %s\n", p.T("import.row"), pr.Row, p.T("import.column"), pr.Column, p.T(pr.Key, pr.Args...))
	}
	if dryRun {
		fmt.Fprintln(stdout, p.T("import.dry_run_done"))
		if !rep.OK() {
			return errors.New(p.T("import.has_problems", len(rep.Problems)))
		}
		return nil
	}
	res, err := importer.Apply(ctx, a.DB, cli, parsed, onlyValid)
	if err != nil {
		return errors.New(p.Error(err))
	}
	if kind == "regions" {
		if err := a.ReloadIndex(ctx); err != nil {
			return err
		}
	}
	fmt.Fprintln(stdout, p.T("import.done", res.Created+res.Updated))
	for _, c := range res.Passwords {
		fmt.Fprintf(stdout, "  %s\t%s\t%s\n", c.Username, c.Name, c.Password)
	}
	return nil
}
