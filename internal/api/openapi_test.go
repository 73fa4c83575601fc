package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/cases"
	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/service/casesvc"
	"github.com/lantian-org/lantian/internal/service/lettersvc"
	"github.com/lantian-org/lantian/internal/store"
	"github.com/lantian-org/lantian/internal/testutil"
)

// TestOpenAPI checks the served document against the running API: every
// route the server answers is in the document, every documented operation
// is answered (not the catch-all 404 of unknown routes), and every $ref resolves.
func TestOpenAPI(t *testing.T) {
	srv := testutil.Start(t, "sqlite")
	// Public operations with a path look a record up (the letters' public
	// check by code); give them records: letter 1 and its code.
	ctx := context.Background()
	adm, _, _ := srv.App.DB.Credentials(ctx, "admin")
	if _, err := srv.App.LetterSvc.Issue(ctx, store.System, &auth.Principal{PersonID: adm.ID, Roles: adm.Roles}, lettersvc.IssueInput{Year: 2026, Region: demo.StreetCode}); err != nil {
		t.Fatal(err)
	}
	first, err := srv.App.DB.Letter(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	// And the public case lookups a case number.
	some, _, _, err := srv.App.Cases.ReportPublic(ctx, store.System, casesvc.Report{Input: cases.Input{ClientID: "9a1c8f0e-7c39-4c0b-9a53-0f4a5b1f6a01",
		Category: "06010", Description: "x", Lat: 34.5725, Lon: 105.7025, Class: cases.ClassEscalated}})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(srv.URL + "/api/v1/openapi.json")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("openapi.json: %v %v", err, resp.StatusCode)
	}
	var raw json.RawMessage
	json.NewDecoder(resp.Body).Decode(&raw)
	resp.Body.Close()
	var doc struct {
		OpenAPI    string
		Paths      map[string]map[string]json.RawMessage
		Components struct{ Schemas map[string]json.RawMessage }
	}
	if err := json.Unmarshal(raw, &doc); err != nil || !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("not an OpenAPI 3 document: %v", err)
	}
	for _, m := range regexp.MustCompile(`"\$ref":"#/components/schemas/([A-Za-z]+)"`).FindAllStringSubmatch(string(raw), -1) {
		if _, ok := doc.Components.Schemas[m[1]]; !ok {
			t.Errorf("$ref to missing schema %s", m[1])
		}
	}
	// Every documented operation is routed: an unknown route answers 404 with
	// not_found even before authentication, while a known one asks for a token (401) or answers.
	n := 0
	for path, ops := range doc.Paths {
		for method := range ops {
			n++
			concrete := regexp.MustCompile(`\{[a-z_]+\}`).ReplaceAllString(strings.NewReplacer("{code}", first.VerifyCode, "{number}", some.Number).Replace(path), "1")
			req, _ := http.NewRequest(strings.ToUpper(method), srv.URL+concrete, strings.NewReader("{}"))
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if path == "/api/v1/public/cases/{number}/photos/{id}" && resp.StatusCode == 404 {
				continue // the case has no after photo "1"; public_cases_test.go fetches a real one
			}
			if resp.StatusCode == 404 || resp.StatusCode == 405 {
				t.Errorf("%s %s is documented but answers %d", method, path, resp.StatusCode)
			}
		}
	}
	if n < 25 {
		t.Fatalf("only %d operations documented", n)
	}
	// And an undocumented route is the catch-all 404.
	resp, _ = http.Get(srv.URL + "/api/v1/nonsense")
	if resp.StatusCode != 404 {
		t.Fatalf("undocumented route: %d", resp.StatusCode)
	}
	resp.Body.Close()
}
