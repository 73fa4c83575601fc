package api

import (
	"embed"
	"encoding/json"
	"io/fs"
	"net/http"
	"regexp"
	"slices"
	"strings"
)

// route is one API endpoint with what its OpenAPI entry says about it.
type route struct {
	Method, Path string
	Handler      http.HandlerFunc
	Public       bool     // served without a token
	Session      bool     // also accepts the pages' session cookie (for the browser's EventSource)
	Summary      string   // the OpenAPI summary
	Query        []string // query parameter names
	Body         string   // request schema name, "" for none; "multipart" (or "multipart:Schema") for uploads
	Resp         string   // response schema name; "" for 204, "xlsx", "jpeg", "png" or "file" for files
	Status       int      // success status
	// Pattern, when set, is the mux path serving Path: a wider one, for a
	// Path the mux would refuse as overlapping another route's (the handler
	// then answers 404 for the rest of what Pattern matches).
	Pattern string
}

// pageParams are the query parameters of every paged list.
var pageParams = []string{"page", "page_size"}

// allRoutes is the whole API: each area's table, listed here once, so that
// "which endpoints exist?" has one answer and the OpenAPI document and the
// mux are made from the same list. A new area adds its table's method here.
func (a *API) allRoutes() []route {
	return slices.Concat(a.coreRoutes(), a.caseRoutes(), a.letterRoutes(), a.patrolRoutes(), a.inspectRoutes(), a.outreachRoutes(), a.campaignRoutes(), a.messageRoutes(), a.assessRoutes(), a.streetRoutes(), a.publicCaseRoutes())
}

// coreRoutes are sign-in, the caller, regions, units, people and the inbox.
func (a *API) coreRoutes() []route {
	list := pageParams
	return []route{
		{Method: "POST", Path: "/api/v1/tokens", Handler: a.createToken, Public: true, Summary: "Sign in: get a bearer token", Body: "TokenRequest", Resp: "Token", Status: 201},
		{Method: "DELETE", Path: "/api/v1/tokens/current", Handler: a.deleteToken, Summary: "Revoke the token in use", Status: 204},
		{Method: "GET", Path: "/api/v1/me", Handler: a.me, Summary: "Who am I, with my roles", Resp: "Me", Status: 200},
		{Method: "POST", Path: "/api/v1/me/password", Handler: a.changeMyPassword, Summary: "Change my own password (422 when the current one is wrong or the new one breaks the rules; other tokens end)", Body: "PasswordChange", Status: 204},
		{Method: "GET", Path: "/api/v1/openapi.json", Handler: a.openAPI, Public: true, Summary: "This document", Status: 200},
		{Method: "GET", Path: "/api/v1/regions", Handler: a.listRegions, Summary: "Regions visible to me, as a flat list", Resp: "RegionList", Status: 200},
		{Method: "GET", Path: "/api/v1/regions/lookup", Handler: a.lookupRegion, Summary: "The grid holding a point (422 outside every grid)", Query: []string{"lat", "lon"}, Resp: "Region", Status: 200},
		{Method: "GET", Path: "/api/v1/regions/{code}", Handler: a.getRegion, Summary: "One region with its GeoJSON geometry", Resp: "Region", Status: 200},
		{Method: "GET", Path: "/api/v1/units", Handler: a.listUnits, Summary: "Units", Query: append([]string{"region", "kind", "tag", "q", "status", "sort"}, list...), Resp: "UnitList", Status: 200},
		{Method: "POST", Path: "/api/v1/units", Handler: a.createUnit, Summary: "Add a unit (grid as region, or found from lat/lon)", Body: "UnitInput", Resp: "Unit", Status: 201},
		{Method: "GET", Path: "/api/v1/units/{id}", Handler: a.getUnit, Summary: "One unit", Resp: "Unit", Status: 200},
		{Method: "PATCH", Path: "/api/v1/units/{id}", Handler: a.patchUnit, Summary: "Change a unit's fields", Body: "UnitInput", Resp: "Unit", Status: 200},
		{Method: "DELETE", Path: "/api/v1/units/{id}", Handler: a.closeUnit, Summary: "Close a unit (its history stays)", Resp: "Unit", Status: 200},
		{Method: "GET", Path: "/api/v1/people", Handler: a.listPeople, Summary: "People (admins and leaders, in scope)", Query: append([]string{"role", "region", "q"}, list...), Resp: "PersonList", Status: 200},
		{Method: "POST", Path: "/api/v1/people", Handler: a.createPerson, Summary: "Add a person with roles", Body: "PersonInput", Resp: "Person", Status: 201},
		{Method: "GET", Path: "/api/v1/people/{id}", Handler: a.getPerson, Summary: "One person", Resp: "Person", Status: 200},
		{Method: "PATCH", Path: "/api/v1/people/{id}", Handler: a.patchPerson, Summary: "Change a person's name, mobile, active flag or password", Body: "PersonInput", Resp: "Person", Status: 200},
		{Method: "GET", Path: "/api/v1/inbox", Handler: a.inbox, Summary: "My inbox", Query: append([]string{"unread"}, list...), Resp: "Inbox", Status: 200},
		{Method: "POST", Path: "/api/v1/inbox/read", Handler: a.inboxRead, Summary: "Mark one message (id) or all read", Body: "InboxRead", Status: 204},
	}
}

func caseFilters() []string {
	return []string{"status", "class", "category", "source", "level", "region", "unit", "from", "to", "overdue", "mine", "sort", "q", "supervised"}
}

//go:embed openapi_*.json
var componentFiles embed.FS

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
		op := map[string]any{"summary": rt.Summary, "operationId": strings.ToLower(rt.Method) + strings.NewReplacer("/api/v1", "", "/", "_", "{", "", "}", "", ".", "_").Replace(rt.Path)}
		var params []any
		for _, m := range pathParam.FindAllStringSubmatch(rt.Path, -1) {
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
		}
		for _, q := range rt.Query {
			params = append(params, map[string]any{"name": q, "in": "query", "schema": map[string]any{"type": "string"}})
		}
		if len(params) > 0 {
			op["parameters"] = params
		}
		switch rt.Body {
		case "":
		case "multipart":
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{"multipart/form-data": map[string]any{"schema": ref("PhotoUpload")}}}
		case "multipart:SignatureUpload", "multipart:QuestionFile", "multipart:CampaignPhotoUpload", "multipart:FileUpload":
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{"multipart/form-data": map[string]any{"schema": ref(strings.TrimPrefix(rt.Body, "multipart:"))}}}
		default:
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{"application/json": map[string]any{"schema": ref(rt.Body)}}}
		}
		ok := map[string]any{"description": "OK"}
		switch rt.Resp {
		case "":
		case "xlsx":
			ok["content"] = map[string]any{"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": map[string]any{}}
		case "jpeg":
			ok["content"] = map[string]any{"image/jpeg": map[string]any{}}
		case "png":
			ok["content"] = map[string]any{"image/png": map[string]any{}}
		case "events":
			ok["content"] = map[string]any{"text/event-stream": map[string]any{"schema": ref("EventStream")}}
		case "file":
			ok["content"] = map[string]any{"image/png": map[string]any{}, "image/jpeg": map[string]any{}, "application/pdf": map[string]any{}}
		default:
			if rt.Path != "/api/v1/openapi.json" {
				ok["content"] = map[string]any{"application/json": map[string]any{"schema": ref(rt.Resp)}}
			}
		}
		responses := map[string]any{itoa(rt.Status): ok, "400": errResp("Malformed request"), "422": errResp("A field fails validation")}
		if rt.Status == 201 && rt.Path == "/api/v1/cases" {
			responses["200"] = map[string]any{"description": "Seen before: the same client_id's case", "content": map[string]any{"application/json": map[string]any{"schema": ref("Case")}}}
		}
		if !rt.Public {
			op["security"] = []any{map[string]any{"bearer": []any{}}}
			responses["401"] = errResp("No or bad token")
			responses["403"] = errResp("Outside my role or region")
			responses["404"] = errResp("Not found, or outside my region")
		}
		if rt.Method == "POST" && strings.Contains(rt.Path, "/actions") {
			responses["409"] = errResp("The case's state or version does not allow it")
		}
		if rt.Method == "POST" && strings.HasPrefix(rt.Path, "/api/v1/letters/{id}/") {
			responses["409"] = errResp("The letter's state does not allow it (signed, withdrawn, or this party has signed)")
		}
		if rt.Public && strings.Contains(rt.Path, "{") {
			responses["404"] = errResp("Not found")
		}
		if campaignConflicts[rt.Method+" "+rt.Path] != "" {
			responses["409"] = errResp(campaignConflicts[rt.Method+" "+rt.Path])
		}
		if assessConflicts[rt.Method+" "+rt.Path] != "" {
			responses["409"] = errResp(assessConflicts[rt.Method+" "+rt.Path])
		}
		if rt.Body == "multipart:SignatureUpload" {
			responses["413"] = errResp("The file is too large")
		}
		op["responses"] = responses
		item, _ := paths[rt.Path].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[rt.Path] = item
		}
		item[strings.ToLower(rt.Method)] = op
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
