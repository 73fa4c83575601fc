package api

import (
	"embed"
	"encoding/json"
	"io/fs"
	"net/http"
	"regexp"
	"strings"
)

// route is one API endpoint with what its OpenAPI entry says about it.
type route struct {
	method, path string
	handler      http.HandlerFunc
	public       bool
	summary      string
	query        []string // query parameter names
	body         string   // request schema name, "" for none; "multipart" for uploads
	resp         string   // response schema name; "" for 204, "xlsx" or "jpeg" for files
	status       int      // success status
}

// routes is the API: every endpoint, once.
func (a *API) routes() []route {
	list := []string{"page", "page_size"}
	return []route{
		{"POST", "/api/v1/tokens", a.createToken, true, "Sign in: get a bearer token", nil, "TokenRequest", "Token", 201},
		{"DELETE", "/api/v1/tokens/current", a.deleteToken, false, "Revoke the token in use", nil, "", "", 204},
		{"GET", "/api/v1/me", a.me, false, "Who am I, with my roles", nil, "", "Me", 200},
		{"GET", "/api/v1/openapi.json", a.openAPI, true, "This document", nil, "", "", 200},
		{"GET", "/api/v1/regions", a.listRegions, false, "Regions visible to me, as a flat list", nil, "", "RegionList", 200},
		{"GET", "/api/v1/regions/lookup", a.lookupRegion, false, "The grid holding a point (422 outside every grid)", []string{"lat", "lon"}, "", "Region", 200},
		{"GET", "/api/v1/regions/{code}", a.getRegion, false, "One region with its GeoJSON geometry", nil, "", "Region", 200},
		{"GET", "/api/v1/units", a.listUnits, false, "Units", append([]string{"region", "kind", "tag", "q", "status", "sort"}, list...), "", "UnitList", 200},
		{"POST", "/api/v1/units", a.createUnit, false, "Add a unit (grid as region, or found from lat/lon)", nil, "UnitInput", "Unit", 201},
		{"GET", "/api/v1/units/{id}", a.getUnit, false, "One unit", nil, "", "Unit", 200},
		{"PATCH", "/api/v1/units/{id}", a.patchUnit, false, "Change a unit's fields", nil, "UnitInput", "Unit", 200},
		{"DELETE", "/api/v1/units/{id}", a.closeUnit, false, "Close a unit (its history stays)", nil, "", "Unit", 200},
		{"GET", "/api/v1/people", a.listPeople, false, "People (admins and leaders, in scope)", append([]string{"role", "region", "q"}, list...), "", "PersonList", 200},
		{"POST", "/api/v1/people", a.createPerson, false, "Add a person with roles", nil, "PersonInput", "Person", 201},
		{"GET", "/api/v1/people/{id}", a.getPerson, false, "One person", nil, "", "Person", 200},
		{"PATCH", "/api/v1/people/{id}", a.patchPerson, false, "Change a person's name, mobile, active flag or password", nil, "PersonInput", "Person", 200},
		{"GET", "/api/v1/cases", a.listCases, false, "The case ledger", append(caseFilters(), list...), "", "CaseList", 200},
		{"POST", "/api/v1/cases", a.createCase, false, "Report a case (idempotent on client_id: 201 new, 200 seen before)", nil, "CaseInput", "Case", 201},
		{"GET", "/api/v1/cases/export.xlsx", a.exportCases, false, "The ledger of the filter as an Excel workbook", caseFilters(), "", "xlsx", 200},
		{"GET", "/api/v1/cases/duplicates", a.duplicates, false, "Open cases of a category within 100 m and 7 days", []string{"category", "lat", "lon"}, "", "CaseList", 200},
		{"GET", "/api/v1/cases/{number}", a.getCase, false, "One case with its timeline, photos and the actions I may take", nil, "", "Case", 200},
		{"POST", "/api/v1/cases/{number}/actions", a.caseAction, false, "Take an action on a case (403 role or scope, 409 state or stale version)", nil, "ActionInput", "Case", 200},
		{"POST", "/api/v1/cases/{number}/photos", a.casePhoto, false, "Add a photo (multipart field photo, step before|after)", nil, "multipart", "PhotoRef", 201},
		{"GET", "/api/v1/photos/{id}", a.getPhoto, false, "A photo (thumb=1 for the thumbnail)", []string{"thumb"}, "", "jpeg", 200},
		{"GET", "/api/v1/categories", a.listCategories, false, "The case categories as a two-level tree", nil, "", "CategoryList", 200},
		{"GET", "/api/v1/inbox", a.inbox, false, "My inbox", append([]string{"unread"}, list...), "", "Inbox", 200},
		{"POST", "/api/v1/inbox/read", a.inboxRead, false, "Mark one message (id) or all read", nil, "InboxRead", "", 204},
		{"GET", "/api/v1/letters", a.listLetters, false, "Responsibility letters in my scope (a unit contact: their unit's)", append([]string{"year", "region", "status", "unit"}, list...), "", "LetterList", 200},
		{"POST", "/api/v1/letters/issue", a.issueLetters, false, "Issue letters to the active units of a region, or to chosen units, in one go; units with a letter that year are skipped (201 when any is issued)", nil, "LetterIssueInput", "LetterIssueResult", 201},
		{"POST", "/api/v1/letters/renew", a.renewLetters, false, "Renew: issue a year's letters to the units that had one the year before", nil, "LetterRenewInput", "LetterIssueResult", 201},
		{"GET", "/api/v1/letters/coverage", a.letterCoverage, false, "Signed, issued-unsigned and not issued, in total, by community and by unit kind", []string{"year", "region"}, "", "LetterCoverage", 200},
		{"GET", "/api/v1/letters/unsigned", a.unsignedUnits, false, "Active units that have not signed the year's letter (bucket issued or not_issued)", append([]string{"year", "region", "bucket"}, list...), "", "UnsignedUnitList", 200},
		{"POST", "/api/v1/letters/remind", a.remindUnsigned, false, "Remind the contacts of every issued, unsigned letter of a year in a region (inbox)", nil, "LetterRemindInput", "LetterReminded", 200},
		{"GET", "/api/v1/letters/{id}", a.getLetter, false, "One letter with its exact text, clauses (with breaches this year), signatures and the actions I may take", nil, "", "Letter", 200},
		{"POST", "/api/v1/letters/{id}/withdraw", a.withdrawLetter, false, "Withdraw a draft or issued letter, with a reason (409 once signed)", nil, "LetterWithdrawInput", "Letter", 200},
		{"POST", "/api/v1/letters/{id}/signatures", a.signLetter, false, "Sign: a drawn PNG (field signature, party unit|street) or a scan of the signed paper (field scan: PDF, JPEG or PNG, at most 20 MB; signs for both); 409 when signed or withdrawn", nil, "multipart:SignatureUpload", "Letter", 201},
		{"POST", "/api/v1/letters/{id}/remind", a.remindLetter, false, "Remind the unit's contacts to sign (inbox)", nil, "", "LetterReminded", 200},
		{"GET", "/api/v1/letters/{id}/files/{file}", a.letterFile, false, "A signature image or scan of the letter", nil, "", "file", 200},
		{"GET", "/api/v1/letters/{id}/qr.png", a.letterQR, false, "QR code of the letter's public verification URL, for printing", nil, "", "png", 200},
		{"GET", "/api/v1/letters/{id}/verify", a.verifyLetter, true, "Public check of a printed letter: unit, year, status and hash, no personal data", nil, "", "LetterVerify", 200},
		{"GET", "/api/v1/letter-templates", a.listLetterTemplates, false, "Letter templates (of a year)", []string{"year"}, "", "LetterTemplateList", 200},
		{"POST", "/api/v1/letter-templates", a.createLetterTemplate, false, "Add a letter template (admins)", nil, "LetterTemplateInput", "LetterTemplate", 201},
		{"GET", "/api/v1/letter-templates/{id}", a.getLetterTemplate, false, "One letter template", nil, "", "LetterTemplate", 200},
		{"PUT", "/api/v1/letter-templates/{id}", a.updateLetterTemplate, false, "Change a letter template (admins); its version goes up, issued letters keep their text", nil, "LetterTemplateInput", "LetterTemplate", 200},
	}
}

func caseFilters() []string {
	return []string{"status", "class", "category", "source", "level", "region", "unit", "from", "to", "overdue", "mine", "sort"}
}

//go:embed openapi_*.json
var componentFiles embed.FS

// routeSets are the route tables of the API's parts beyond the core (each
// part's file registers its own in an init function), so that parts can be
// added without editing one shared list.
var routeSets []func(a *API) []route

// allRoutes is the core table and every registered part.
func (a *API) allRoutes() []route {
	out := a.routes()
	for _, set := range routeSets {
		out = append(out, set(a)...)
	}
	return out
}

// components merges the schemas of every openapi_*.json file.
func components() map[string]any {
	out := map[string]any{}
	schemas := map[string]any{}
	names, _ := fs.Glob(componentFiles, "openapi_*.json")
	for _, n := range names {
		b, _ := componentFiles.ReadFile(n)
		var part map[string]map[string]any
		if err := json.Unmarshal(b, &part); err != nil {
			panic(n + ": " + err.Error())
		}
		for k, v := range part {
			if k == "schemas" {
				for name, sc := range v {
					schemas[name] = sc
				}
				continue
			}
			out[k] = v
		}
	}
	out["schemas"] = schemas
	return out
}

var pathParam = regexp.MustCompile(`\{([a-z_]+)\}`)

// Document builds the OpenAPI 3 document from the route table.
func (a *API) Document() map[string]any {
	ref := func(name string) map[string]any { return map[string]any{"$ref": "#/components/schemas/" + name} }
	errResp := func(desc string) map[string]any {
		return map[string]any{"description": desc, "content": map[string]any{"application/json": map[string]any{"schema": ref("Error")}}}
	}
	paths := map[string]any{}
	for _, rt := range a.allRoutes() {
		op := map[string]any{"summary": rt.summary, "operationId": strings.ToLower(rt.method) + strings.NewReplacer("/api/v1", "", "/", "_", "{", "", "}", "", ".", "_").Replace(rt.path)}
		var params []any
		for _, m := range pathParam.FindAllStringSubmatch(rt.path, -1) {
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
		}
		for _, q := range rt.query {
			params = append(params, map[string]any{"name": q, "in": "query", "schema": map[string]any{"type": "string"}})
		}
		if len(params) > 0 {
			op["parameters"] = params
		}
		switch rt.body {
		case "":
		case "multipart":
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{"multipart/form-data": map[string]any{"schema": ref("PhotoUpload")}}}
		case "multipart:SignatureUpload":
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{"multipart/form-data": map[string]any{"schema": ref(strings.TrimPrefix(rt.body, "multipart:"))}}}
		default:
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{"application/json": map[string]any{"schema": ref(rt.body)}}}
		}
		ok := map[string]any{"description": "OK"}
		switch rt.resp {
		case "":
		case "xlsx":
			ok["content"] = map[string]any{"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": map[string]any{}}
		case "jpeg":
			ok["content"] = map[string]any{"image/jpeg": map[string]any{}}
		case "png":
			ok["content"] = map[string]any{"image/png": map[string]any{}}
		case "file":
			ok["content"] = map[string]any{"image/png": map[string]any{}, "image/jpeg": map[string]any{}, "application/pdf": map[string]any{}}
		default:
			if rt.path != "/api/v1/openapi.json" {
				ok["content"] = map[string]any{"application/json": map[string]any{"schema": ref(rt.resp)}}
			}
		}
		responses := map[string]any{itoa(rt.status): ok, "400": errResp("Malformed request"), "422": errResp("A field fails validation")}
		if rt.status == 201 && rt.path == "/api/v1/cases" {
			responses["200"] = map[string]any{"description": "Seen before: the same client_id's case", "content": map[string]any{"application/json": map[string]any{"schema": ref("Case")}}}
		}
		if !rt.public {
			op["security"] = []any{map[string]any{"bearer": []any{}}}
			responses["401"] = errResp("No or bad token")
			responses["403"] = errResp("Outside my role or region")
			responses["404"] = errResp("Not found, or outside my region")
		}
		if rt.method == "POST" && strings.Contains(rt.path, "/actions") {
			responses["409"] = errResp("The case's state or version does not allow it")
		}
		if rt.method == "POST" && strings.HasPrefix(rt.path, "/api/v1/letters/{id}/") {
			responses["409"] = errResp("The letter's state does not allow it (signed, withdrawn, or this party has signed)")
		}
		if rt.public && strings.Contains(rt.path, "{") {
			responses["404"] = errResp("Not found")
		}
		if rt.body == "multipart:SignatureUpload" {
			responses["413"] = errResp("The file is too large")
		}
		op["responses"] = responses
		item, _ := paths[rt.path].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[rt.path] = item
		}
		item[strings.ToLower(rt.method)] = op
	}
	return map[string]any{
		"openapi": "3.0.3",
		"info": map[string]any{"title": "Lantian API", "version": "1",
			"description": "The JSON API of Lantian (蓝天). Errors are {\"error\":{\"code\",\"message\",\"fields\"}} with the message in the caller's language (Accept-Language)."},
		"servers":    []any{map[string]any{"url": "/"}},
		"paths":      paths,
		"components": components(),
	}
}

func (a *API) openAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Access-Control-Allow-Origin", "*")
	writeJSON(w, http.StatusOK, a.Document())
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}
