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
	type feature struct {
		Type       string           `json:"type"`
		Geometry   *region.Geometry `json:"geometry"`
		Properties map[string]any   `json:"properties"`
	}
	fc := struct {
		Type     string    `json:"type"`
		Features []feature `json:"features"`
	}{Type: "FeatureCollection", Features: []feature{}}
	for _, r := range rs {
		fc.Features = append(fc.Features, feature{"Feature", r.Geometry, map[string]any{"code": r.Code, "name": r.Name, "level": r.Level, "households": r.Households}})
	}
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
		fmt.Fprintf(stdout, "%d regions written to %s\n", len(rs), args[1])
	}
	return nil
}
