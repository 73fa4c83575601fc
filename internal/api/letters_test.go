package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"image/png"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/store"
	"github.com/lantian-org/lantian/internal/testutil"
	"github.com/lantian-org/lantian/internal/testutil/qrtest"
)

type letterOut struct {
	ID         int64
	UnitID     int64 `json:"unit_id"`
	Unit       string
	Year       int
	Status     string
	SHA256     string
	Text       string
	VerifyURL  string `json:"verify_url"`
	Parties    struct{ Unit, Street bool }
	Actions    []string
	Clauses    []struct{ N, Breaches int }
	Signatures []struct{ Party, Kind, Signer, URL, SHA256 string }
}

func decodeLetter(t *testing.T, body string) letterOut {
	t.Helper()
	var l letterOut
	if err := json.Unmarshal([]byte(body), &l); err != nil {
		t.Fatalf("decode %s: %v", trunc(body), err)
	}
	return l
}

// sign posts a signing request as user: content in field (none when
// empty) and the form's fields as name, value pairs.
func sign(c *testutil.API, user string, id int64, field string, content []byte, values ...string) (int, string) {
	fields := url.Values{}
	for i := 0; i+1 < len(values); i += 2 {
		fields.Add(values[i], values[i+1])
	}
	var files []testutil.File
	if field != "" {
		files = append(files, testutil.File{Field: field, Name: "upload.bin", Content: content})
	}
	return c.Post(user, fmt.Sprintf("/api/v1/letters/%d/signatures", id), fields, files...)
}

// codeOf returns the verification code at the end of a verify_url.
func codeOf(t *testing.T, verifyURL string) string {
	t.Helper()
	i := strings.LastIndex(verifyURL, "/verify/letters/")
	if i < 0 {
		t.Fatalf("verify_url %q", verifyURL)
	}
	return verifyURL[i+len("/verify/letters/"):]
}

// expect checks a status and the texts an answer must and must not hold.
func expect(t *testing.T, what string, status int, body string, want int, has []string, not ...string) {
	t.Helper()
	if status != want {
		t.Fatalf("%s: status %d, want %d\n%s", what, status, want, trunc(body))
	}
	for _, h := range has {
		if !strings.Contains(body, h) {
			t.Errorf("%s: answer lacks %q:\n%s", what, h, trunc(body))
		}
	}
	for _, n := range not {
		if strings.Contains(body, n) {
			t.Errorf("%s: answer has %q:\n%s", what, n, trunc(body))
		}
	}
	if status >= 400 && !strings.Contains(body, `"error":{"code":`) {
		t.Errorf("%s: error body has the wrong shape: %s", what, trunc(body))
	}
}

// TestLetterScenarios walks the letters' contract: issuing in scope, a unit
// contact signing their own letter, the street counter-signing, scans,
// withdrawal, coverage, reminders, templates, the QR code and the public check.
func TestLetterScenarios(t *testing.T) {
	testutil.Each(t, func(t *testing.T, srv *testutil.Server) {
		c := srv.API(t)
		comm0, comm1 := demo.CommunityCode(0), demo.CommunityCode(1)
		var issued struct {
			Issued, Skipped int
			IDs             []int64
		}
		// Templates: the 2026 default is there for everyone with letters.
		s, b := c.Do("street", "GET", "/api/v1/letter-templates?year=2026", "")
		expect(t, "templates", s, b, 200, []string{"禁止燃放烟花爆竹", "宣传环保法律法规", `"L001"`, `"variables":["unit","year","representative","street"]`})
		s, b = c.Do("patrol01", "GET", "/api/v1/letter-templates", "")
		expect(t, "patroller templates", s, b, 403, nil)

		// Issuing: a community leader only inside their community. A region or
		// unit outside it is as unknown as one that does not exist (422 naming
		// the field, never a 403 that would tell it exists).
		s, b = c.Do("community1", "POST", "/api/v1/letters/issue", `{"year":2026,"region":"`+comm1+`"}`)
		expect(t, "issue outside community", s, b, 422, []string{`"region":"区域：不是已有的区域编码"`}, "forbidden")
		s, b = c.Do("community1", "POST", "/api/v1/letters/issue", `{"year":2026,"region":"`+demo.StreetCode+`"}`)
		expect(t, "issue to the street", s, b, 422, []string{`"region":"区域：不是已有的区域编码"`}, "forbidden")
		s, b = c.Do("community1", "POST", "/api/v1/letters/issue", `{"year":2026,"region":"`+comm0+`"}`)
		expect(t, "issue to own community", s, b, 201, []string{`"issued":`, `"skipped":0`})
		json.Unmarshal([]byte(b), &issued)
		n0 := issued.Issued
		if n0 < 3 || len(issued.IDs) != n0 {
			t.Fatalf("issued %d letters: %s", n0, b)
		}
		s, b = c.Do("community1", "POST", "/api/v1/letters/issue", `{"year":2026,"region":"`+comm0+`"}`)
		expect(t, "re-issue", s, b, 200, []string{`"issued":0`, fmt.Sprintf(`"skipped":%d`, n0)})
		s, b = c.Do("community2", "POST", "/api/v1/letters/issue", `{"year":2026,"region":"`+comm1+`"}`)
		expect(t, "issue community 2", s, b, 201, nil)
		json.Unmarshal([]byte(b), &issued)
		n1 := issued.Issued
		for _, bad := range []struct{ name, body, field string }{
			{"Neither", `{"year":2026}`, `"region"`},
			{"Both", `{"year":2026,"region":"` + comm0 + `","unit_ids":[1]}`, `"unit_ids"`},
			{"UnknownUnit", `{"year":2026,"unit_ids":[999999]}`, `"unit_ids"`},
			{"BadRegion", `{"year":2026,"region":"6205"}`, `"region"`},
			{"UnknownRegion", `{"year":2026,"region":"620502004099000"}`, `"region"`},
			{"Year", `{"year":1990,"region":"` + comm0 + `"}`, `"year"`},
			{"TemplateYear", `{"year":2025,"template_id":1,"region":"` + comm0 + `"}`, `"template_id"`},
		} {
			s, b = c.Do("admin", "POST", "/api/v1/letters/issue", bad.body)
			expect(t, "issue "+bad.name, s, b, 422, []string{bad.field})
		}
		s, b = c.Do("inspector", "POST", "/api/v1/letters/issue", `{"year":2026,"region":"`+comm0+`"}`)
		expect(t, "inspector issues", s, b, 403, nil)
		outside, _, err := srv.App.DB.Units(context.Background(), store.UnitFilter{Roots: []string{comm1}, Page: store.Page{Size: 1}})
		if err != nil || len(outside) == 0 {
			t.Fatalf("units of %s: %v", comm1, err)
		}
		s, b = c.Do("community1", "POST", "/api/v1/letters/issue", fmt.Sprintf(`{"year":2026,"unit_ids":[%d]}`, outside[0].ID))
		expect(t, "issue to a unit outside the community", s, b, 422, []string{`"unit_ids":"单位：单位 ` + fmt.Sprint(outside[0].ID) + ` 不存在"`}, "forbidden")

		// Lists: scoped, filtered, with totals.
		s, b = c.Do("admin", "GET", "/api/v1/letters?year=2026&page_size=100", "")
		expect(t, "list all", s, b, 200, []string{fmt.Sprintf(`"total":%d`, n0+n1), `"status":"issued"`, `"sha256":"`})
		s, b = c.Do("community1", "GET", "/api/v1/letters?year=2026", "")
		expect(t, "list own community", s, b, 200, []string{fmt.Sprintf(`"total":%d`, n0)})
		s, b = c.Do("community1", "GET", "/api/v1/letters?region="+comm1, "")
		expect(t, "list other community", s, b, 200, []string{`"total":0`})
		s, b = c.Do("admin", "GET", "/api/v1/letters?status=nope", "")
		expect(t, "bad status", s, b, 422, []string{`"status"`})
		s, b = c.Do("unit01", "GET", "/api/v1/letters", "")
		expect(t, "unit contact lists", s, b, 200, []string{`"total":1`, "市三中"})
		var list struct{ Items []letterOut }
		json.Unmarshal([]byte(b), &list)
		own := list.Items[0]
		_, b = c.Do("community1", "GET", "/api/v1/letters?page_size=1", "")
		json.Unmarshal([]byte(b), &list)
		other := list.Items[0]

		// The unit contact sees their letter, not another unit's.
		s, b = c.Do("unit01", "GET", fmt.Sprintf("/api/v1/letters/%d", own.ID), "")
		expect(t, "own letter", s, b, 200, []string{`"actions":["sign_unit"]`, "市三中", `"breaches":0`, `"parties":{"unit":false,"street":false}`})
		l := decodeLetter(t, b)
		if !strings.Contains(l.Text, "2026年度大气污染防治目标管理责任书") || len(l.Clauses) != 8 || l.Clauses[0].N != 1 {
			t.Fatalf("letter text %q, %d clauses", trunc(l.Text), len(l.Clauses))
		}
		s, b = c.Do("unit01", "GET", fmt.Sprintf("/api/v1/letters/%d", other.ID), "")
		expect(t, "other unit's letter", s, b, 404, []string{`"code":"not_found"`})
		s, b = c.Do("community1", "GET", fmt.Sprintf("/api/v1/letters/%d", own.ID), "")
		expect(t, "letter outside community", s, b, 404, nil)

		// Signing: the unit signs for itself only, with strokes; the street counter-signs.
		s, b = sign(c, "unit01", own.ID, "signature", testutil.Signature(t, true), "party", "street")
		expect(t, "unit contact signs for the street", s, b, 403, nil)
		s, b = sign(c, "unit01", other.ID, "signature", testutil.Signature(t, true), "party", "unit")
		expect(t, "unit contact signs another unit's", s, b, 404, nil)
		s, b = sign(c, "unit01", own.ID, "signature", testutil.Signature(t, false), "party", "unit")
		expect(t, "empty signature", s, b, 422, []string{`"signature":`})
		s, b = sign(c, "unit01", own.ID, "signature", testutil.PDF(), "party", "unit")
		expect(t, "signature not a PNG", s, b, 422, []string{`"signature":`})
		s, b = sign(c, "unit01", own.ID, "signature", testutil.Signature(t, true), "party", "both")
		expect(t, "bad party", s, b, 422, []string{`"party":`})
		s, b = sign(c, "unit01", own.ID, "", nil, "party", "unit")
		expect(t, "no file", s, b, 422, []string{`"signature":`})
		s, b = sign(c, "unit01", own.ID, "signature", testutil.Signature(t, true), "party", "unit", "name", "王校长")
		expect(t, "unit signs", s, b, 201, []string{`"status":"issued"`, `"parties":{"unit":true,"street":false}`, `"signer":"王校长"`})
		s, b = sign(c, "unit01", own.ID, "signature", testutil.Signature(t, true), "party", "unit")
		expect(t, "unit signs twice", s, b, 409, []string{`"code":"conflict"`})
		s, b = sign(c, "community2", own.ID, "signature", testutil.Signature(t, true), "party", "street")
		expect(t, "community leader signs for the street", s, b, 403, nil)
		s, b = sign(c, "street", own.ID, "signature", testutil.Signature(t, true), "party", "street")
		expect(t, "street counter-signs", s, b, 201, []string{`"status":"signed"`, `"parties":{"unit":true,"street":true}`, `"sha256":"` + own.SHA256 + `"`})
		signed := decodeLetter(t, b)
		if signed.Text != l.Text || len(signed.Signatures) != 2 || signed.Signatures[1].SHA256 != own.SHA256 || len(signed.Actions) != 0 {
			t.Fatalf("signed letter = %+v", signed.Signatures)
		}
		for _, who := range []string{"street", "admin"} {
			s, b = sign(c, who, own.ID, "scan", testutil.PDF())
			expect(t, "signing a signed letter", s, b, 409, []string{`"code":"conflict"`})
		}
		s, b = c.Do("admin", "POST", fmt.Sprintf("/api/v1/letters/%d/withdraw", own.ID), `{"note":"x"}`)
		expect(t, "withdrawing a signed letter", s, b, 409, nil)
		// Files of the letter: readable by who may read the letter.
		s, b = c.Do("unit01", "GET", signed.Signatures[0].URL, "")
		expect(t, "signature file", s, b, 200, []string{"PNG"})
		s, b = c.Do("community1", "GET", signed.Signatures[0].URL, "")
		expect(t, "signature file outside scope", s, b, 404, nil)
		s, b = c.Do("unit01", "GET", fmt.Sprintf("/api/v1/letters/%d/files/%s", own.ID, strings.Repeat("0", 64)), "")
		expect(t, "unknown file", s, b, 404, nil)

		// The public check, by the random code of the QR code, shows the unit,
		// year, state and hash, and no personal data.
		if !strings.HasPrefix(signed.VerifyURL, srv.URL+"/verify/letters/") {
			t.Fatalf("verify_url = %q", signed.VerifyURL)
		}
		code := strings.TrimPrefix(signed.VerifyURL, srv.URL+"/verify/letters/")
		if len(code) < 16 || strings.Trim(code, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != "" {
			t.Fatalf("verification code %q: short or not URL-safe", code)
		}
		s, b = c.Do("", "GET", "/api/v1/letters/verify/"+code, "")
		expect(t, "verify", s, b, 200, []string{`"status":"signed"`, `"year":2026`, `"sha256":"` + own.SHA256 + `"`, `"unit":"天水市第三中学（市三中）"`},
			"王校长", "signer", "representative", "signatures", "phone", "13", "text", l.Text[:30])
		var pub map[string]any
		json.Unmarshal([]byte(b), &pub)
		if len(pub) != 4 {
			t.Fatalf("verify answers %d fields: %s", len(pub), b)
		}
		// Ids, sequential or not, answer nothing publicly; nor does a wrong code.
		for _, path := range []string{fmt.Sprintf("/api/v1/letters/%d/verify", own.ID), "/api/v1/letters/999999/verify",
			fmt.Sprintf("/api/v1/letters/verify/%d", own.ID), "/api/v1/letters/verify/" + strings.ToLower(code),
			"/api/v1/letters/verify/" + code[:len(code)-1] + map[bool]string{true: "B", false: "A"}[strings.HasSuffix(code, "A")],
			"/api/v1/letters/verify/ABCDEFGHIJKLMNOPQRSTUVWXYZ"} {
			s, b = c.Do("", "GET", path, "")
			expect(t, "public "+path, s, b, 404, []string{`"code":"not_found"`}, "市三中")
		}
		s, b = c.Do("unit01", "GET", fmt.Sprintf("/api/v1/letters/%d/verify", own.ID), "")
		expect(t, "the old check with a token", s, b, 404, nil)
		s, b = c.Do("", "GET", fmt.Sprintf("/api/v1/letters/%d", own.ID), "")
		expect(t, "letter without a token", s, b, 401, nil)

		// The QR code for printing decodes to the verification URL.
		req, _ := http.NewRequest("GET", fmt.Sprintf("%s/api/v1/letters/%d/qr.png", srv.URL, own.ID), nil)
		req.Header.Set("Authorization", "Bearer "+c.Token("unit01"))
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/png" {
			t.Fatalf("qr.png: %v %v", resp.StatusCode, err)
		}
		img, err := png.Decode(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		text, err := qrtest.Decode(img)
		if err != nil || text != signed.VerifyURL || !strings.HasSuffix(signed.VerifyURL, "/verify/letters/"+code) {
			t.Fatalf("QR decodes to %q (%v), want %s", text, err, signed.VerifyURL)
		}

		// A scan signs for both parties at once; only the street side uploads one.
		s, b = sign(c, "community1", other.ID, "scan", testutil.PDF())
		expect(t, "community leader uploads a scan", s, b, 403, nil)
		s, b = sign(c, "admin", other.ID, "scan", []byte("this is not a scan"))
		expect(t, "scan not a PDF or image", s, b, 422, []string{`"scan":`})
		s, b = sign(c, "admin", other.ID, "scan", append(testutil.PDF(), make([]byte, 20<<20)...))
		expect(t, "scan too large", s, b, 413, []string{`"scan":`})
		s, b = sign(c, "admin", other.ID, "scan", testutil.PDF())
		expect(t, "scan", s, b, 201, []string{`"status":"signed"`, `"party":"both"`, `"kind":"scan"`, `"parties":{"unit":true,"street":true}`})

		// Withdrawal: leaders in scope, with a reason; then the letter is closed to signing.
		_, b = c.Do("community1", "GET", "/api/v1/letters?status=issued&page_size=1", "")
		json.Unmarshal([]byte(b), &list)
		w := list.Items[0]
		s, b = c.Do("inspector", "POST", fmt.Sprintf("/api/v1/letters/%d/withdraw", w.ID), `{"note":"搬迁"}`)
		expect(t, "inspector withdraws", s, b, 403, nil)
		s, b = c.Do("community1", "POST", fmt.Sprintf("/api/v1/letters/%d/withdraw", w.ID), `{"note":" "}`)
		expect(t, "withdraw without reason", s, b, 422, []string{`"note":`})
		s, b = c.Do("community1", "POST", fmt.Sprintf("/api/v1/letters/%d/withdraw", w.ID), `{"note":"单位已搬迁"}`)
		expect(t, "withdraw", s, b, 200, []string{`"status":"withdrawn"`, "单位已搬迁"})
		s, b = c.Do("community1", "POST", fmt.Sprintf("/api/v1/letters/%d/withdraw", w.ID), `{"note":"again"}`)
		expect(t, "withdraw twice", s, b, 409, nil)
		s, b = sign(c, "street", w.ID, "signature", testutil.Signature(t, true), "party", "street")
		expect(t, "signing a withdrawn letter", s, b, 409, nil)
		s, b = c.Do("", "GET", "/api/v1/letters/verify/"+codeOf(t, w.VerifyURL), "")
		expect(t, "verify withdrawn", s, b, 200, []string{`"status":"withdrawn"`}, "搬迁")

		// Coverage adds up: 2 signed, the rest of the issued ones unsigned, every other active unit not issued.
		s, b = c.Do("street", "GET", "/api/v1/letters/coverage?year=2026", "")
		expect(t, "coverage", s, b, 200, []string{`"communities":[`, `"kinds":[`, `"name":"` + demo.Communities[0] + `"`})
		var cov struct {
			Total struct {
				Signed, Issued, Units int
				NotIssued             int `json:"not_issued"`
			}
			Communities []struct {
				Code                  string
				Signed, Issued, Units int
				NotIssued             int `json:"not_issued"`
			}
		}
		json.Unmarshal([]byte(b), &cov)
		if cov.Total.Signed != 2 || cov.Total.Issued != n0+n1-3 || cov.Total.Units != cov.Total.Signed+cov.Total.Issued+cov.Total.NotIssued || cov.Total.Units < 60 {
			t.Fatalf("coverage total = %+v (issued %d + %d)", cov.Total, n0, n1)
		}
		sum := 0
		for _, cm := range cov.Communities {
			sum += cm.Units
			if cm.Code == demo.CommunityCode(5) && (cm.Signed != 0 || cm.Issued != 0 || cm.NotIssued != cm.Units) {
				t.Errorf("community 6 = %+v, want nothing issued", cm)
			}
		}
		if sum != cov.Total.Units {
			t.Fatalf("communities add up to %d, total %d", sum, cov.Total.Units)
		}
		s, b = c.Do("community1", "GET", "/api/v1/letters/coverage?region="+comm1, "")
		expect(t, "coverage outside scope", s, b, 404, nil)
		s, b = c.Do("unit01", "GET", "/api/v1/letters/coverage", "")
		expect(t, "unit contact coverage", s, b, 403, nil)
		s, b = c.Do("street", "GET", "/api/v1/letters/unsigned?year=2026&page_size=100", "")
		expect(t, "unsigned", s, b, 200, []string{fmt.Sprintf(`"total":%d`, cov.Total.Issued+cov.Total.NotIssued), `"bucket":"not_issued"`, `"bucket":"issued"`}, "市三中")
		s, b = c.Do("street", "GET", "/api/v1/letters/unsigned?year=2026&bucket=issued", "")
		expect(t, "unsigned issued", s, b, 200, []string{fmt.Sprintf(`"total":%d`, cov.Total.Issued)})

		// Reminders reach the unit's contact.
		_, b = c.Do("community1", "GET", "/api/v1/letters?status=issued&page_size=1", "")
		json.Unmarshal([]byte(b), &list)
		s, b = c.Do("community1", "POST", fmt.Sprintf("/api/v1/letters/%d/remind", list.Items[0].ID), "")
		expect(t, "remind", s, b, 200, []string{`"letters":1`, `"people":1`})
		s, b = c.Do("community1", "POST", fmt.Sprintf("/api/v1/letters/%d/remind", own.ID), "")
		expect(t, "remind outside scope", s, b, 404, nil)
		s, b = c.Do("street", "POST", fmt.Sprintf("/api/v1/letters/%d/remind", own.ID), "")
		expect(t, "remind a signed letter", s, b, 409, nil)
		s, b = c.Do("community1", "POST", "/api/v1/letters/remind", `{"year":2026,"region":"`+comm1+`"}`)
		expect(t, "remind all outside scope", s, b, 422, []string{`"region":`})
		s, b = c.Do("unit01", "POST", "/api/v1/letters/remind", `{"year":2026}`)
		expect(t, "a unit contact reminds all", s, b, 403, nil)
		s, b = c.Do("community1", "POST", "/api/v1/letters/remind", `{"year":2026}`)
		expect(t, "remind all", s, b, 200, []string{fmt.Sprintf(`"letters":%d`, n0-2)})
		s, b = c.Do("unit01", "GET", "/api/v1/inbox", "")
		expect(t, "no reminder for a signed unit", s, b, 200, nil, "letter_reminder")

		// Templates: admins edit them; versions go up; unknown variables are refused.
		tpl := `{"year":2026,"kind":"site","title":"{street}{year}年度工地扬尘防治责任书","clauses":[{"text":"施工扬尘防控","categories":["08004"]}]}`
		s, b = c.Do("street", "POST", "/api/v1/letter-templates", tpl)
		expect(t, "leader adds a template", s, b, 403, nil)
		s, b = c.Do("admin", "POST", "/api/v1/letter-templates", strings.Replace(tpl, "{year}", "{mayor}", 1))
		expect(t, "unknown variable", s, b, 422, []string{`"title":`})
		s, b = c.Do("admin", "POST", "/api/v1/letter-templates", strings.Replace(tpl, "08004", "Z999", 1))
		expect(t, "unknown category", s, b, 422, []string{`"clauses":`})
		s, b = c.Do("admin", "POST", "/api/v1/letter-templates", tpl)
		expect(t, "add a template", s, b, 201, []string{`"version":1`, `"kind":"site"`})
		var tp struct{ ID int64 }
		json.Unmarshal([]byte(b), &tp)
		s, b = c.Do("admin", "PUT", fmt.Sprintf("/api/v1/letter-templates/%d", tp.ID), strings.Replace(tpl, `"year":2026`, `"year":2026,"version":1,"term":"至{year}年底"`, 1))
		expect(t, "change a template", s, b, 200, []string{`"version":2`, "至{year}年底"})
		s, b = c.Do("admin", "PUT", fmt.Sprintf("/api/v1/letter-templates/%d", tp.ID), strings.Replace(tpl, `"year":2026`, `"year":2026,"version":1`, 1))
		expect(t, "stale template", s, b, 409, nil)
		s, b = c.Do("inspector", "GET", fmt.Sprintf("/api/v1/letter-templates/%d", tp.ID), "")
		expect(t, "read a template", s, b, 200, []string{`"version":2`})

		// Renewal copies this year's list to next year, with next year's template (carried forward).
		s, b = c.Do("community1", "POST", "/api/v1/letters/renew", `{"year":2027,"region":"`+comm1+`"}`)
		expect(t, "renew outside scope", s, b, 422, []string{`"region":`})
		s, b = c.Do("admin", "POST", "/api/v1/letters/renew", `{"year":2027}`)
		expect(t, "renew", s, b, 201, []string{fmt.Sprintf(`"issued":%d`, n0+n1-1)})
		s, b = c.Do("admin", "GET", "/api/v1/letters?year=2027&page_size=1", "")
		expect(t, "renewed", s, b, 200, []string{fmt.Sprintf(`"total":%d`, n0+n1-1), `"year":2027`, "2027年度"})
	})
}
