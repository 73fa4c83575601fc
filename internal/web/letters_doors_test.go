package web_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/letters"
	"github.com/lantian-org/lantian/internal/service/lettersvc"
	"github.com/lantian-org/lantian/internal/store"
	"github.com/lantian-org/lantian/internal/testutil"
)

// signAPI signs a letter as user through the API with a drawn signature,
// for party, under name.
func signAPI(api *testutil.API, user string, id int64, party, name string, png []byte) (int, string) {
	return api.Post(user, fmt.Sprintf("/api/v1/letters/%d/signatures", id), url.Values{"party": {party}, "name": {name}},
		testutil.File{Field: "signature", Name: "signature.png", Content: png})
}

// outcome is how a door answered, in terms both share: "ok" for success (a
// page's redirect, the API's 200 or 201), else the HTTP status.
func outcome(status int) string {
	switch status {
	case http.StatusOK, http.StatusCreated, http.StatusSeeOther:
		return "ok"
	}
	return strconv.Itoa(status)
}

// TestLetterDoorsAgree sends the same letter requests through the pages and
// the API and compares the outcomes: the same success or failure, the same
// field named with the same message — a unit or region outside one's scope
// answering like one that does not exist, never a 403 that would reveal it —
// and the same signer's name when none is given.
func TestLetterDoorsAgree(t *testing.T) {
	testutil.Each(t, func(t *testing.T, srv *testutil.Server) {
		ctx := context.Background()
		year := srv.App.LetterSvc.ThisYear()
		y := strconv.Itoa(year)
		comm0, comm1 := demo.CommunityCode(0), demo.CommunityCode(1)
		// The admin issues the year's letters to two communities.
		adm, _, _ := srv.App.DB.Credentials(ctx, "admin")
		admin := &auth.Principal{PersonID: adm.ID, Name: adm.Name, Roles: adm.Roles}
		for _, c := range []string{comm0, comm1} {
			if _, err := srv.App.LetterSvc.Issue(ctx, store.Actor{ID: adm.ID}, admin, lettersvc.IssueInput{Year: year, Region: c}); err != nil {
				t.Fatal(err)
			}
		}
		in := func(region string, n int) []letters.Letter {
			list, _, err := srv.App.DB.Letters(ctx, store.LetterFilter{All: true, Year: year, Region: region, Page: store.Page{Size: 100}})
			if err != nil || len(list) < n {
				t.Fatalf("letters of %s: %d, %v", region, len(list), err)
			}
			return list
		}
		own, other := in(comm0, 3), in(comm1, 1)
		outside, _, err := srv.App.DB.Units(ctx, store.UnitFilter{Roots: []string{comm1}, Page: store.Page{Size: 1}})
		if err != nil || len(outside) == 0 {
			t.Fatalf("a unit of %s: %v", comm1, err)
		}
		school := unitOf(t, srv, "unit01")
		var schoolLetter int64
		if list, _, _ := srv.App.DB.Letters(ctx, store.LetterFilter{All: true, Year: year, UnitID: school.ID}); len(list) == 1 {
			schoolLetter = list[0].ID
		} else {
			res, err := srv.App.LetterSvc.Issue(ctx, store.Actor{ID: adm.ID}, admin, lettersvc.IssueInput{Year: year, UnitIDs: []int64{school.ID}})
			if err != nil || len(res.IDs) != 1 {
				t.Fatalf("issue to 市三中: %v", err)
			}
			schoolLetter = res.IDs[0]
		}

		pages, api := map[string]*browser{}, srv.API(t)
		for _, u := range []string{"community1", "inspector", "street", "unit01"} {
			pages[u] = newBrowserAs(t, srv.URL, u)
		}
		idPath := func(id int64, rest string) string { return "/letters/" + strconv.FormatInt(id, 10) + rest }
		pageSign := func(user string, id int64, party, name string) (int, string) {
			s, b, _ := pages[user].postMultipart(idPath(id, "/signatures"), url.Values{"party": {party}, "name": {name}}, "signature", "signature.png", testutil.Signature(t, true))
			return s, b
		}
		pagePost := func(user, path string, form url.Values) (int, string) {
			s, b, _ := pages[user].post(path, form)
			return s, b
		}
		longName := strings.Repeat("签", 31)

		tests := []struct {
			name  string
			page  func() (int, string)
			api   func() (int, string)
			want  string // "ok" or the status
			field string // the field a 422 names
		}{
			{"IssueRegionOutsideScope",
				func() (int, string) {
					return pagePost("community1", "/letters/issue", url.Values{"year": {y}, "region": {comm1}})
				},
				func() (int, string) {
					return api.Do("community1", "POST", "/api/v1/letters/issue", `{"year":`+y+`,"region":"`+comm1+`"}`)
				},
				"422", "region"},
			{"IssueRegionUnknown",
				func() (int, string) {
					return pagePost("community1", "/letters/issue", url.Values{"year": {y}, "region": {"620502004099000"}})
				},
				func() (int, string) {
					return api.Do("community1", "POST", "/api/v1/letters/issue", `{"year":`+y+`,"region":"620502004099000"}`)
				},
				"422", "region"},
			{"IssueUnitOutsideScope",
				func() (int, string) {
					return pagePost("community1", "/letters/issue", url.Values{"year": {y}, "unit_ids": {strconv.FormatInt(outside[0].ID, 10)}})
				},
				func() (int, string) {
					return api.Do("community1", "POST", "/api/v1/letters/issue", fmt.Sprintf(`{"year":%s,"unit_ids":[%d]}`, y, outside[0].ID))
				},
				"422", "unit_ids"},
			{"IssueUnitUnknown",
				func() (int, string) {
					return pagePost("community1", "/letters/issue", url.Values{"year": {y}, "unit_ids": {"999999"}})
				},
				func() (int, string) {
					return api.Do("community1", "POST", "/api/v1/letters/issue", `{"year":`+y+`,"unit_ids":[999999]}`)
				},
				"422", "unit_ids"},
			{"IssueNeitherRegionNorUnits",
				func() (int, string) { return pagePost("community1", "/letters/issue", url.Values{"year": {y}}) },
				func() (int, string) { return api.Do("community1", "POST", "/api/v1/letters/issue", `{"year":`+y+`}`) },
				"422", "region"},
			{"IssueNotAnIssuer",
				func() (int, string) {
					return pagePost("inspector", "/letters/issue", url.Values{"year": {y}, "region": {comm0}})
				},
				func() (int, string) {
					return api.Do("inspector", "POST", "/api/v1/letters/issue", `{"year":`+y+`,"region":"`+comm0+`"}`)
				},
				"403", ""},
			{"RenewOutsideScope",
				func() (int, string) {
					return pagePost("community1", "/letters/renew", url.Values{"year": {strconv.Itoa(year + 1)}, "region": {comm1}})
				},
				func() (int, string) {
					return api.Do("community1", "POST", "/api/v1/letters/renew", fmt.Sprintf(`{"year":%d,"region":"%s"}`, year+1, comm1))
				},
				"422", "region"},
			{"RemindAllOutsideScope",
				func() (int, string) {
					return pagePost("community1", "/letters/remind", url.Values{"year": {y}, "region": {comm1}})
				},
				func() (int, string) {
					return api.Do("community1", "POST", "/api/v1/letters/remind", `{"year":`+y+`,"region":"`+comm1+`"}`)
				},
				"422", "region"},
			{"RemindLetterOutsideScope",
				func() (int, string) { return pagePost("community1", idPath(other[0].ID, "/remind"), nil) },
				func() (int, string) {
					return api.Do("community1", "POST", fmt.Sprintf("/api/v1/letters/%d/remind", other[0].ID), "")
				},
				"404", ""},
			{"WithdrawOutsideScope",
				func() (int, string) {
					return pagePost("community1", idPath(other[0].ID, "/withdraw"), url.Values{"note": {"搬迁"}})
				},
				func() (int, string) {
					return api.Do("community1", "POST", fmt.Sprintf("/api/v1/letters/%d/withdraw", other[0].ID), `{"note":"搬迁"}`)
				},
				"404", ""},
			{"WithdrawWithoutReason",
				func() (int, string) {
					return pagePost("community1", idPath(own[0].ID, "/withdraw"), url.Values{"note": {" "}})
				},
				func() (int, string) {
					return api.Do("community1", "POST", fmt.Sprintf("/api/v1/letters/%d/withdraw", own[0].ID), `{"note":" "}`)
				},
				"422", "note"},
			{"WithdrawNotAnIssuer",
				func() (int, string) {
					return pagePost("inspector", idPath(own[0].ID, "/withdraw"), url.Values{"note": {"搬迁"}})
				},
				func() (int, string) {
					return api.Do("inspector", "POST", fmt.Sprintf("/api/v1/letters/%d/withdraw", own[0].ID), `{"note":"搬迁"}`)
				},
				"403", ""},
			{"SignForTheStreetAsTheUnit",
				func() (int, string) { return pageSign("unit01", schoolLetter, "street", "") },
				func() (int, string) {
					return signAPI(api, "unit01", schoolLetter, "street", "", testutil.Signature(t, true))
				},
				"403", ""},
			{"SignOutsideScope",
				func() (int, string) { return pageSign("unit01", own[0].ID, "unit", "") },
				func() (int, string) {
					return signAPI(api, "unit01", own[0].ID, "unit", "", testutil.Signature(t, true))
				},
				"404", ""},
			{"SignerNameTooLong",
				func() (int, string) { return pageSign("street", own[1].ID, "street", longName) },
				func() (int, string) {
					return signAPI(api, "street", own[1].ID, "street", longName, testutil.Signature(t, true))
				},
				"422", "name"},
			{"SignWithoutName", // one letter through each door: both succeed
				func() (int, string) { return pageSign("street", own[1].ID, "street", "") },
				func() (int, string) {
					return signAPI(api, "street", own[2].ID, "street", "", testutil.Signature(t, true))
				},
				"ok", ""},
			{"SignTwice",
				func() (int, string) { return pageSign("street", own[1].ID, "street", "") },
				func() (int, string) {
					return signAPI(api, "street", own[2].ID, "street", "", testutil.Signature(t, true))
				},
				"409", ""},
		}
		messages := map[string]string{}
		for _, tc := range tests {
			ps, pb := tc.page()
			as, ab := tc.api()
			if outcome(ps) != tc.want || outcome(as) != tc.want {
				t.Errorf("%s: the page answers %d, the API %d; want %s for both\napi: %.300s", tc.name, ps, as, tc.want, ab)
				continue
			}
			if tc.field == "" {
				continue
			}
			msg := testutil.ErrorOf(ab).Fields[tc.field]
			if msg == "" {
				t.Errorf("%s: the API names no %s: %.300s", tc.name, tc.field, ab)
				continue
			}
			if !strings.Contains(pb, html.EscapeString(msg)) {
				t.Errorf("%s: the page lacks the API's message %q", tc.name, msg)
			}
			messages[tc.name] = msg
		}
		// Outside one's scope reads exactly like unknown.
		if messages["IssueRegionOutsideScope"] != messages["IssueRegionUnknown"] {
			t.Errorf("a region outside the scope answers %q, an unknown one %q", messages["IssueRegionOutsideScope"], messages["IssueRegionUnknown"])
		}
		if strings.ReplaceAll(messages["IssueUnitOutsideScope"], strconv.FormatInt(outside[0].ID, 10), "N") != strings.ReplaceAll(messages["IssueUnitUnknown"], "999999", "N") {
			t.Errorf("a unit outside the scope answers %q, an unknown one %q", messages["IssueUnitOutsideScope"], messages["IssueUnitUnknown"])
		}
		// Without a name, both doors record the person signing in.
		st, _, _ := srv.App.DB.Credentials(ctx, "street")
		for _, id := range []int64{own[1].ID, own[2].ID} {
			l, err := srv.App.DB.Letter(ctx, id)
			if err != nil || len(l.Signatures) != 1 || l.Signatures[0].Signer != st.Name || l.Signatures[0].SignerID != st.ID {
				t.Errorf("letter %d's street signature: %+v, %v; want by %s", id, l.Signatures, err, st.Name)
			}
		}
		// Nothing the refused requests asked for was written.
		if _, n, _ := srv.App.DB.Letters(ctx, store.LetterFilter{All: true, Year: year + 1}); n != 0 {
			t.Errorf("a refused renewal issued %d letters", n)
		}
		if l, _ := srv.App.DB.Letter(ctx, other[0].ID); l.Status != letters.StatusIssued || !l.RemindedAt.IsZero() {
			t.Errorf("a letter outside the scope was changed: %s, reminded %v", l.Status, l.RemindedAt)
		}
	})
}
