package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/lantian-org/lantian/internal/region"
)

// cmdExport writes the regions as a GeoJSON FeatureCollection, the format "import regions" reads.
func cmdExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) < 2 || args[0] != "regions" || strings.HasPrefix(args[1], "-") {
		return errors.New("usage: lantian export regions FILE [--db …]   (FILE - for standard output)")
	}
	a, _, err := openApp(ctx, "export regions", args[2:], stderr, nil)
	if err != nil {
		return err
	}
	defer a.DB.Close()
	rs, err := a.DB.AllRegions(ctx)
	if err != nil {
		return err
	}
	fc := region.Collection(rs, true)
	out := stdout
	if args[1] != "-" {
		f, err := os.Create(args[1])
		if err != nil {
			return err
		}
		defer f.Close()
		out = f
	}
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(fc); err != nil {
		return err
	}
	if args[1] != "-" {
		fmt.Fprintf(stdout, "%d regions written to %s\n", len(fc.Features), args[1])
	}
	return nil
}
