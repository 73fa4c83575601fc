package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/letters"
	"github.com/lantian-org/lantian/internal/store"
	"github.com/lantian-org/lantian/internal/testutil"
	"github.com/lantian-org/lantian/internal/unit"
)

// letterRawKey finds letter message keys that leaked into a page untranslated.
var letterRawKey = regexp.MustCompile(`>[^<]*\b(?:letter|letters|field|err|flash|nav|common|unit)\.[a-z_]+[^<]*<`)

// coverageCount reads a count (#cov-signed, #cov-issued, #cov-not-issued) of the /letters coverage panel.
func coverageCount(t *testing.T, body, id string) int {
	t.Helper()
	m := regexp.MustCompile(`id="` + id + `">(\d+)<`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no #%s on the letters page, want the coverage panel's count", id)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// unitOf returns the unit a demo unit contact signs for.
func unitOf(t *testing.T, srv *testutil.Server, username string) unit.Unit {
	t.Helper()
	ctx := context.Background()
	p, _, err := srv.App.DB.Credentials(ctx, username)
	if err != nil || len(p.Roles) == 0 || p.Roles[0].UnitID == 0 {
		t.Fatalf("%s: roles %+v, %v; want a unit contact", username, p.Roles, err)
	}
	u, err := srv.App.DB.Unit(ctx, p.Roles[0].UnitID)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

var letterRowRE = regexp.MustCompile(`<tr data-letter="(\d+)">`)

// TestLetterPages issues, lists, signs, verifies and prints letters through
// the pages, with the coverage panel, reminders, a withdrawal, a scan and the
// template editor.
func TestLetterPages(t *testing.T) { testutil.Each(t, testLetterPages) }

func testLetterPages(t *testing.T, srv *testutil.Server) {
	ctx := context.Background()
	year := srv.App.Cases.Now().In(srv.App.Loc).Year()
	y := strconv.Itoa(year)
	j := &letterJourney{srv: srv, ctx: ctx, year: year, y: y, comm: demo.CommunityCode(0), school: unitOf(t, srv, "unit01"),
		admin: newBrowserAs(t, srv.URL, "admin"), street: newBrowserAs(t, srv.URL, "street"), unit01: newBrowserAs(t, srv.URL, "unit01")}
	// Each of these needs what the ones before made: the letters, the other
	// unit's letter, then 市三中's signed letter.
	for _, step := range []struct {
		name string
		run  func(*testing.T)
	}{{"issue", j.issue}, {"the unit's view", j.unitView}, {"sign", j.sign}} {
		if !t.Run(step.name, step.run) {
			return
		}
	}
	t.Run("verify and print", j.verifyAndPrint)
	t.Run("coverage and reminders", j.coverageAndReminders)
	t.Run("withdraw and scan", j.withdrawAndScan)
	t.Run("templates", j.templates)
	t.Run("translations and menus", j.translations)
}

// letterJourney is what the steps of TestLetterPages hand on: the year, the
// signed-in browsers, 市三中 (unit01's unit) and the letters made on the way.
type letterJourney struct {
	srv                   *testutil.Server
	ctx                   context.Context
	year                  int
	y, comm               string // the year as text; 忠武巷社区, whose units get letters
	school                unit.Unit
	admin, street, unit01 *browser

	signed0, issued int              // signed before issuing; letters issued to comm
	id              string           // 市三中's letter
	lid             int64            // its id as a number
	other           string           // a letter of comm, reminded and then withdrawn
	all             []letters.Letter // comm's newest letter first
	signedLetter    letters.Letter   // 市三中's letter once both parties signed
}

// issue: nothing is issued at first; bad issues are refused; the admin issues
// to a community (twice, the second time skipping them all) and to 市三中.
func (j *letterJourney) issue(t *testing.T) {
	srv, ctx, year, y, comm, school, admin := j.srv, j.ctx, j.year, j.y, j.comm, j.school, j.admin.with(t)
	// Nothing issued yet: every active unit is "not issued".
	status, body := admin.get("/letters")
	if status != 200 || !strings.Contains(body, `id="issue-form"`) || !strings.Contains(body, `href="/letters"`) {
		t.Fatalf("/letters as admin: status %d, want 200 with the issue form", status)
	}
	signed0, issued0, none0 := coverageCount(t, body, "cov-signed"), coverageCount(t, body, "cov-issued"), coverageCount(t, body, "cov-not-issued")
	if signed0 != 0 || issued0 != 0 || none0 == 0 {
		t.Fatalf("coverage before issuing: signed %d, issued %d, not issued %d; want 0, 0 and some", signed0, issued0, none0)
	}
	// A bad issue: neither region nor units, and an unknown unit.
	if status, body, _ := admin.post("/letters/issue", url.Values{"year": {y}}); status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="issue-form"`) ||
		!strings.Contains(body, `class="field-error"`) {
		t.Errorf("issue with no region: status %d, want 422 with a field error on the issue form", status)
	}
	if status, body, _ := admin.post("/letters/issue", url.Values{"year": {y}, "unit_ids": {"999999"}}); status != http.StatusUnprocessableEntity || !strings.Contains(body, "999999") ||
		strings.Contains(body, `"/letters/issue?`) || !strings.Contains(body, `value="999999"`) {
		t.Errorf("issue to an unknown unit: status %d, want 422 naming 999999 and keeping it in the form", status)
	}

	// The admin issues to 忠武巷社区.
	status, _, loc := admin.post("/letters/issue", url.Values{"year": {y}, "region": {comm}})
	if status != http.StatusSeeOther || loc != "/letters?region="+comm+"&year="+y {
		t.Fatalf("issue to %s: status %d → %q, want 303 to its list of %s", comm, status, loc, y)
	}
	_, issued, err := srv.App.DB.Letters(ctx, store.LetterFilter{All: true, Year: year, Region: comm, Page: store.Page{Size: 100}})
	if err != nil || issued == 0 {
		t.Fatalf("letters of %s after issuing: %d, %v; want some", comm, issued, err)
	}
	_, body = admin.get(loc)
	if !strings.Contains(body, "责任书已发放") {
		t.Error("no flash after issuing, want 责任书已发放")
	}
	if n := len(letterRowRE.FindAllString(body, -1)); n != min(issued, 20) {
		t.Errorf("the list of %s shows %d letters, want %d", comm, n, min(issued, 20))
	}
	if !strings.Contains(body, "忠武巷社区") || strings.Contains(body, school.Name) {
		t.Errorf("the community's list does not name 忠武巷社区, or lists %s of another community; want only 忠武巷社区's units", school.Name)
	}
	if got := coverageCount(t, body, "cov-issued"); got != issued {
		t.Errorf("coverage of %s: %d issued, want %d", comm, got, issued)
	}
	// Issuing again skips them all.
	if status, _, _ := admin.post("/letters/issue", url.Values{"year": {y}, "region": {comm}}); status != http.StatusSeeOther {
		t.Errorf("issuing twice: status %d, want 303", status)
	}
	if _, n, _ := srv.App.DB.Letters(ctx, store.LetterFilter{All: true, Year: year, Page: store.Page{Size: 1}}); n != issued {
		t.Errorf("after issuing twice there are %d letters, want %d", n, issued)
	}

	// 市三中, of another community, gets its letter as a chosen unit.
	status, _, loc = admin.post("/letters/issue", url.Values{"year": {y}, "unit_ids": {strconv.FormatInt(school.ID, 10)}})
	m := regexp.MustCompile(`^/letters/(\d+)$`).FindStringSubmatch(loc)
	if status != http.StatusSeeOther || m == nil {
		t.Fatalf("issue to 市三中: status %d → %q, want 303 to /letters/<id>", status, loc)
	}
	id := m[1]
	lid, _ := strconv.ParseInt(id, 10, 64)
	j.signed0, j.issued, j.id, j.lid = signed0, issued, id, lid
}

// unitView: unit01 sees their letter only, and their home page links to it.
func (j *letterJourney) unitView(t *testing.T) {
	srv, ctx, year, comm, id, unit01 := j.srv, j.ctx, j.year, j.comm, j.id, j.unit01.with(t)
	// unit01 sees their letter only, and nobody else's.
	status, body := unit01.get("/letters")
	rows := letterRowRE.FindAllStringSubmatch(body, -1)
	if status != 200 || len(rows) != 1 || rows[0][1] != id {
		t.Fatalf("unit01's list: %d, rows %v, want only %s", status, rows, id)
	}
	if strings.Contains(body, `id="coverage"`) || strings.Contains(body, `id="issue-form"`) {
		t.Error("unit01 sees the coverage panel or the issue form, want neither")
	}
	all, _, _ := srv.App.DB.Letters(ctx, store.LetterFilter{All: true, Year: year, Region: comm, Page: store.Page{Size: 1}})
	other := strconv.FormatInt(all[0].ID, 10)
	if status, _ := unit01.get("/letters/" + other); status != http.StatusNotFound {
		t.Errorf("unit01 opens another unit's letter: %d, want 404", status)
	}
	// Their home page shows the letter with a link to sign it.
	if _, home := unit01.get("/"); !strings.Contains(home, `href="/letters/`+id+`#sign"`) || !strings.Contains(home, "去签署") {
		t.Errorf("unit01's home page has no link to sign the letter, want 去签署 linking to /letters/%s#sign", id)
	}
	j.other, j.all = other, all
}

// sign: the unit signs on the pad (blank pads, missing files and the
// street's side refused), then the street counter-signs; signing again is a conflict.
func (j *letterJourney) sign(t *testing.T) {
	srv, ctx, id, lid, unit01, street := j.srv, j.ctx, j.id, j.lid, j.unit01.with(t), j.street.with(t)
	// The letter page: the text, the hash, the pad for the unit.
	status, page := unit01.get("/letters/" + id)
	l, err := srv.App.DB.Letter(ctx, lid)
	if err != nil {
		t.Fatalf("letter %d: %v", lid, err)
	}
	if status != 200 || !strings.Contains(page, l.SHA256) || !strings.Contains(page, `id="sign-unit-form"`) || !strings.Contains(page, "禁止燃放烟花爆竹") ||
		strings.Contains(page, `id="sign-street-form"`) || strings.Contains(page, `id="scan-form"`) {
		t.Fatalf("unit01's letter page: status %d, want 200 with the text, the hash and the unit's pad only", status)
	}
	if !strings.Contains(page, `href="/verify/letters/`+l.VerifyCode+`"`) || strings.Contains(page, `href="/verify/letters/`+id+`"`) {
		t.Error("the letter page's verification link does not use the letter's code")
	}
	sign := func(b *browser, party, name string, png []byte) (int, string, string) {
		return b.postMultipart("/letters/"+id+"/signatures", url.Values{"party": {party}, "name": {name}}, "signature", "signature.png", png)
	}
	// An empty pad, no file, and the street's side are refused.
	if status, body, _ := sign(unit01, "unit", "张校长", testutil.Signature(t, false)); status != http.StatusUnprocessableEntity || !strings.Contains(body, "签名：是空白的，请先签名") {
		t.Errorf("blank signature: status %d, want 422 with 签名：是空白的，请先签名", status)
	}
	if status, body, _ := unit01.postMultipart("/letters/"+id+"/signatures", url.Values{"party": {"unit"}, "name": {"张校长"}}, "", "", nil); status != http.StatusUnprocessableEntity ||
		!strings.Contains(body, "签名：") {
		t.Errorf("no signature: status %d, want 422 on the signature field", status)
	}
	if status, _, _ := sign(unit01, "street", "张校长", testutil.Signature(t, true)); status != http.StatusForbidden {
		t.Errorf("unit01 signs for the street: %d, want 403", status)
	}
	// The signer's name is optional (the user's own when empty), but not too long.
	if status, body, _ := sign(unit01, "unit", strings.Repeat("张", 31), testutil.Signature(t, true)); status != http.StatusUnprocessableEntity ||
		!strings.Contains(body, "名称：不能超过 30 个字") || !strings.Contains(body, `id="signer-unit" name="name" value="`+strings.Repeat("张", 31)+`"`) {
		t.Errorf("a signer's name too long: %d", status)
	}
	// unit01 signs; the letter waits for the street.
	if status, body, loc := sign(unit01, "unit", "张校长", testutil.Signature(t, true)); status != http.StatusSeeOther || loc != "/letters/"+id {
		t.Fatalf("unit01 signs: status %d → %q, want 303 to /letters/%s\n%.300s", status, loc, id, body)
	}
	if l, _ := srv.App.DB.Letter(ctx, lid); l.Status != letters.StatusIssued || !l.HasSigned(letters.PartyUnit) {
		t.Fatalf("after the unit signed: %s, unit signed %v; want issued and signed by the unit", l.Status, l.HasSigned(letters.PartyUnit))
	}
	_, page = unit01.get("/letters/" + id)
	fileRE := regexp.MustCompile(`src="(/letters/` + id + `/files/[0-9a-f]{64})"`)
	fm := fileRE.FindStringSubmatch(page)
	if fm == nil || !strings.Contains(page, "张校长") || strings.Contains(page, `id="sign-unit-form"`) {
		t.Fatal("the letter page after signing lacks the signature image or name, or still offers the pad; want the image and 张校长 without the pad")
	}
	if resp, img := unit01.getResp(fm[1], nil); resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/png" || len(img) == 0 {
		t.Errorf("signature image: status %d, %s, %d bytes; want 200 and a PNG", resp.StatusCode, resp.Header.Get("Content-Type"), len(img))
	}
	if status, _ := newBrowserAs(t, srv.URL, "community1").get(fm[1]); status != http.StatusNotFound {
		t.Errorf("community1 fetches 市三中's signature: %d, want 404", status)
	}
	// The street counter-signs: signed.
	if _, page := street.get("/letters/" + id); !strings.Contains(page, `id="sign-street-form"`) || !strings.Contains(page, `id="scan-form"`) {
		t.Error("the street is not offered the pad and the scan upload, want both")
	}
	// With the name left empty, the signer is the person signed in.
	if status, _, loc := sign(street, "street", " ", testutil.Signature(t, true)); status != http.StatusSeeOther || loc != "/letters/"+id {
		t.Fatalf("the street signs: %d → %q", status, loc)
	}
	signedLetter, _ := srv.App.DB.Letter(ctx, lid)
	streetP, _, _ := srv.App.DB.Credentials(ctx, "street")
	if signedLetter.Status != letters.StatusSigned || signedLetter.Signatures[1].Signer != streetP.Name {
		t.Fatalf("after both signed: %s, the street's signer %q (want %s)", signedLetter.Status, signedLetter.Signatures[1].Signer, streetP.Name)
	}
	if _, page := street.get("/letters/" + id); !strings.Contains(page, "已签署") || !strings.Contains(page, "已签订") {
		t.Error("the letter page lacks the flash or the signed status, want 已签署 and 已签订")
	}
	// Signing again is a conflict shown on the page.
	if status, body, _ := sign(street, "street", "", testutil.Signature(t, true)); status != http.StatusConflict || !strings.Contains(body, "该责任书已签订，不能再签署或更改") {
		t.Errorf("signing a signed letter: %d", status)
	}
	j.signedLetter = signedLetter
}

// verifyAndPrint: the public verification page and the print view.
func (j *letterJourney) verifyAndPrint(t *testing.T) {
	srv, id, lid, school, signedLetter, unit01 := j.srv, j.id, j.lid, j.school, j.signedLetter, j.unit01.with(t)
	streetP, _, _ := srv.App.DB.Credentials(j.ctx, "street")
	// The public verification page, by the letter's random code: state and hash, no names.
	anon := newBrowser(t, srv.URL)
	code := signedLetter.VerifyCode
	if !letters.ValidVerifyCode(code) || code == id {
		t.Fatalf("verification code %q", code)
	}
	status, vpage := anon.get("/verify/letters/" + code)
	if status != 200 || !strings.Contains(vpage, "已签订") || !strings.Contains(vpage, signedLetter.SHA256) || !strings.Contains(vpage, school.Name) {
		t.Fatalf("verification page: status %d, want 200 with 已签订, the hash and %s", status, school.Name)
	}
	for _, name := range []string{"张校长", streetP.Name, school.Contacts[0].Name, school.Contacts[0].Phone} {
		if strings.Contains(vpage, name) {
			t.Errorf("the public verification page shows %q, want no names or phones", name)
		}
	}
	// Sequential ids answer nothing, nor does a wrong code.
	for _, p := range []string{id, "999999", strconv.FormatInt(lid+1, 10), strings.ToLower(code), letters.NewVerifyCode(), code + "A"} {
		if status, body := anon.get("/verify/letters/" + p); status != http.StatusNotFound || strings.Contains(body, school.Name) {
			t.Errorf("verifying /verify/letters/%s: %d, want 404", p, status)
		}
	}
	if status, _ := anon.get("/letters/" + id); status != http.StatusSeeOther {
		t.Errorf("anonymous /letters/%s: %d, want a redirect to sign in", id, status)
	}

	// The print view: A4 portrait, seal areas, the QR code of the verification URL.
	status, ppage := unit01.get("/letters/" + id + "/print")
	if status != 200 || !strings.Contains(ppage, "size: A4 portrait") || strings.Count(ppage, "盖章处") != 2 ||
		!strings.Contains(ppage, `src="data:image/png;base64,`) || !strings.Contains(ppage, srv.URL+"/verify/letters/"+code) || strings.Contains(ppage, "/verify/letters/"+id+"<") {
		t.Fatalf("print view: %d", status)
	}
}

// coverageAndReminders: the coverage panel counts the signed letter; one
// letter, then all, are reminded.
func (j *letterJourney) coverageAndReminders(t *testing.T) {
	srv, ctx, y, comm, signed0, issued, other, all := j.srv, j.ctx, j.y, j.comm, j.signed0, j.issued, j.other, j.all
	admin, unit01 := j.admin.with(t), j.unit01.with(t)
	// Coverage counts the signed letter.
	_, body := admin.get("/letters?year=" + y)
	if got := coverageCount(t, body, "cov-signed"); got != signed0+1 {
		t.Errorf("signed after signing: %d, want %d", got, signed0+1)
	}
	if got := coverageCount(t, body, "cov-issued"); got != issued {
		t.Errorf("issued-unsigned after signing 市三中: %d, want %d", got, issued)
	}

	// Reminders: one letter, then all.
	if status, _, loc := admin.post("/letters/"+other+"/remind", url.Values{"back": {"/letters?year=" + y}}); status != http.StatusSeeOther || loc != "/letters?year="+y {
		t.Errorf("remind: status %d → %q, want 303 to /letters?year=%s", status, loc, y)
	}
	if l, _ := srv.App.DB.Letter(ctx, all[0].ID); l.RemindedAt.IsZero() {
		t.Errorf("the reminded letter %d has no reminder time, want one", all[0].ID)
	}
	if status, _, _ := admin.post("/letters/remind", url.Values{"year": {y}, "region": {comm}}); status != http.StatusSeeOther {
		t.Errorf("remind all: status %d, want 303", status)
	}
	if status, _, _ := unit01.post("/letters/remind", url.Values{"year": {y}}); status != http.StatusForbidden {
		t.Errorf("unit01 reminds all: %d, want 403", status)
	}
}

// withdrawAndScan: withdrawing needs a reason; a scan signs for both parties;
// the unit page shows the letter's state.
func (j *letterJourney) withdrawAndScan(t *testing.T) {
	srv, ctx, year, comm, school, other := j.srv, j.ctx, j.year, j.comm, j.school, j.other
	admin, street := j.admin.with(t), j.street.with(t)
	// Withdrawing needs a reason.
	if status, body, _ := admin.post("/letters/"+other+"/withdraw", url.Values{"note": {" "}}); status != http.StatusUnprocessableEntity || !regexp.MustCompile(`id="act-withdraw" open`).MatchString(body) {
		t.Errorf("withdraw without a reason: status %d, want 422 beside the open withdraw form", status)
	}
	if status, _, _ := admin.post("/letters/"+other+"/withdraw", url.Values{"note": {"单位已搬迁"}}); status != http.StatusSeeOther {
		t.Errorf("withdraw: status %d, want 303", status)
	}
	if status, body, _ := admin.post("/letters/"+other+"/withdraw", url.Values{"note": {"再次撤回"}}); status != http.StatusConflict || !strings.Contains(body, "已撤回") {
		t.Errorf("withdraw twice: status %d, want 409 saying 已撤回", status)
	}

	// A scan: not a PDF or image is refused; a PNG signs for both.
	waiting, _, _ := srv.App.DB.Letters(ctx, store.LetterFilter{All: true, Year: year, Region: comm, Status: string(letters.StatusIssued), Page: store.Page{Size: 1}})
	if len(waiting) == 0 {
		t.Fatalf("no issued letter left in %s, want some", comm)
	}
	third := strconv.FormatInt(waiting[0].ID, 10)
	if status, body, _ := street.postMultipart("/letters/"+third+"/signatures", nil, "scan", "scan.txt", []byte("not a scan")); status != http.StatusUnprocessableEntity ||
		!strings.Contains(body, "扫描件：必须是 PDF、JPEG 或 PNG 文件") {
		t.Errorf("a text file as the scan: status %d, want 422 with 扫描件：必须是 PDF、JPEG 或 PNG 文件", status)
	}
	if status, _, _ := street.postMultipart("/letters/"+third+"/signatures", nil, "scan", "scan.png", ledgerPNG(t)); status != http.StatusSeeOther {
		t.Errorf("a PNG scan: status %d, want 303", status)
	}
	if l, _ := srv.App.DB.Letter(ctx, waiting[0].ID); l.Status != letters.StatusSigned || len(l.Signatures) != 1 || l.Signatures[0].Kind != letters.KindScan {
		t.Errorf("after the scan: %s with %d signatures, want signed by one scan", l.Status, len(l.Signatures))
	}

	// The unit page shows the letter's state.
	if _, upage := admin.get("/units/" + strconv.FormatInt(school.ID, 10)); !strings.Contains(upage, `id="unit-letter"`) || !strings.Contains(upage, "已签订") {
		t.Error("the unit page lacks the letter's state, want #unit-letter saying 已签订")
	}
}

// templates: the template editor refuses unknown variables and stale forms,
// and an edit leaves the signed letter's text alone.
func (j *letterJourney) templates(t *testing.T) {
	srv, ctx, year, y, lid, signedLetter := j.srv, j.ctx, j.year, j.y, j.lid, j.signedLetter
	admin, street := j.admin.with(t), j.street.with(t)
	// Templates: an unknown variable is refused with its name; a good edit
	// raises the version and leaves the signed letter's text alone.
	tpls, err := srv.App.DB.LetterTemplates(ctx, year)
	if err != nil || len(tpls) == 0 {
		t.Fatalf("templates of %d: %d, %v; want some", year, len(tpls), err)
	}
	tpl := tpls[0]
	tid := strconv.FormatInt(tpl.ID, 10)
	if status, body := admin.get("/letters/templates?id=" + tid); status != 200 || !strings.Contains(body, `id="template-form"`) || !strings.Contains(body, tpl.Clauses[0].Text) {
		t.Fatalf("template form: status %d, want 200 with the form and the first clause", status)
	}
	if status, _ := street.get("/letters/templates"); status != http.StatusForbidden {
		t.Errorf("the street opens the templates: %d, want 403", status)
	}
	form := url.Values{"id": {tid}, "version": {strconv.Itoa(tpl.Version)}, "year": {y}, "kind": {tpl.Kind}, "title": {tpl.Title}, "preamble": {tpl.Preamble},
		"street_duties": {strings.Join(tpl.StreetDuties, "\n")}, "unit_duties": {strings.Join(tpl.UnitDuties, "\n")}, "term": {tpl.Term}}
	for i, c := range tpl.Clauses {
		text := c.Text
		if i == 1 {
			text = "宣传环保法律法规：乙方每季度至少组织一次环保宣传活动。{nonsense}"
		}
		form.Add("clause", text)
		form.Add("clause_cats", strings.Join(c.Categories, " "))
	}
	status, body, _ := admin.post("/letters/templates", form)
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, "条款：含有未知变量 {nonsense}") || !strings.Contains(body, "每季度至少组织一次") {
		t.Fatalf("a clause with {nonsense}: status %d, want 422 naming {nonsense} and keeping the input", status)
	}
	if again, _ := srv.App.DB.LetterTemplate(ctx, tpl.ID); again.Version != tpl.Version {
		t.Errorf("a refused template was saved: version %d, want still %d", again.Version, tpl.Version)
	}
	form["clause"][1] = strings.TrimSuffix(form["clause"][1], "{nonsense}")
	if status, _, loc := admin.post("/letters/templates", form); status != http.StatusSeeOther || loc != "/letters/templates?id="+tid {
		t.Fatalf("save the template: status %d → %q, want 303 to /letters/templates?id=%s", status, loc, tid)
	}
	saved, _ := srv.App.DB.LetterTemplate(ctx, tpl.ID)
	if saved.Version != tpl.Version+1 || !strings.Contains(saved.Clauses[1].Text, "每季度至少组织一次") {
		t.Errorf("the saved template: v%d %q, want v%d with the edited clause", saved.Version, saved.Clauses[1].Text, tpl.Version+1)
	}
	if l, _ := srv.App.DB.Letter(ctx, lid); l.Text != signedLetter.Text || l.SHA256 != signedLetter.SHA256 {
		t.Error("editing the template changed a signed letter's text or hash, want them kept")
	}
	// A stale form (the old version) is a conflict.
	if status, _, _ := admin.post("/letters/templates", form); status != http.StatusConflict {
		t.Errorf("a stale template form: %d, want 409", status)
	}
}

// translations: the letter pages in both languages, and the menus.
func (j *letterJourney) translations(t *testing.T) {
	srv, id, school := j.srv, j.id, j.school
	admin, street, unit01 := j.admin.with(t), j.street.with(t), j.unit01.with(t)
	tpls, err := srv.App.DB.LetterTemplates(j.ctx, j.year)
	if err != nil || len(tpls) == 0 {
		t.Fatalf("templates of %d: %d, %v; want some", j.year, len(tpls), err)
	}
	tid := strconv.FormatInt(tpls[0].ID, 10)
	// The pages are translated in both languages.
	for _, b := range []*browser{admin, street, unit01} {
		for _, lang := range []string{"zh-CN", "en"} {
			for _, p := range []string{"/", "/letters", "/letters/" + id, "/letters/" + id + "/print", "/verify/letters/" + j.signedLetter.VerifyCode, "/units/" + strconv.FormatInt(school.ID, 10), "/letters/templates?id=" + tid} {
				status, body := b.getIn(p, lang)
				if status == http.StatusForbidden && strings.HasPrefix(p, "/letters/templates") {
					continue
				}
				if status != 200 {
					t.Errorf("%s %s: status %d, want 200", lang, p, status)
					continue
				}
				if k := letterRawKey.FindString(body); k != "" {
					t.Errorf("%s %s: untranslated key in %q", lang, p, k)
				}
			}
		}
	}
	// The menu offers the letters to those who read them.
	if _, home := admin.get("/"); !strings.Contains(home, `href="/letters"`) {
		t.Error("the admin's menu lacks 责任书, want it offered")
	}
	if _, home := newBrowserAs(t, srv.URL, "patrol01").get("/"); strings.Contains(home, `href="/letters"`) {
		t.Error("a patroller's menu offers 责任书, want it hidden")
	}
}

// TestLetterBreachesOnPages seeds the demo's letters, whose clauses some
// cases breach, and finds the breaches on the unit page, the unit contact's
// home page and the letter page.
func TestLetterBreachesOnPages(t *testing.T) { testutil.Each(t, testLetterBreachesOnPages) }

func testLetterBreachesOnPages(t *testing.T, srv *testutil.Server) {
	// Mid-July: the demo's letters, signed from January on, have had time to be
	// breached this year, whatever day the test runs.
	srv.SetNow(time.Date(2026, 7, 15, 10, 0, 0, 0, srv.App.Loc))
	ctx := context.Background()
	now := srv.App.Cases.Now().In(srv.App.Loc)
	if n, err := demo.SeedLetters(ctx, srv.App.DB, srv.App.Letters, now); err != nil || n == 0 {
		t.Fatalf("demo letters: %d %v", n, err)
	}
	list, _, err := srv.App.DB.Letters(ctx, store.LetterFilter{All: true, Year: now.Year(), Status: string(letters.StatusSigned), Page: store.Page{Size: 100}})
	if err != nil {
		t.Fatal(err)
	}
	var l letters.Letter
	clause, count := 0, 0
	for _, x := range list {
		_, b, err := srv.App.DB.UnitLetter(ctx, x.UnitID, now.Year())
		if err != nil {
			t.Fatal(err)
		}
		for i, n := range b {
			if n > 0 {
				l, clause, count = x, i+1, n
				break
			}
		}
		if count > 0 {
			break
		}
	}
	if count == 0 {
		t.Fatalf("none of the %d signed demo letters shows a breached clause on %s, want at least one", len(list), now.Format("2006-01-02"))
	}
	want := "第" + strconv.Itoa(clause) + "条 被违反 " + strconv.Itoa(count) + " 次（今年）"
	admin := newBrowserAs(t, srv.URL, "admin")
	if _, page := admin.get("/units/" + strconv.FormatInt(l.UnitID, 10)); !strings.Contains(page, want) {
		t.Errorf("the unit page of %s lacks %q, want it shown", l.UnitName, want)
	}
	if _, page := admin.get("/letters/" + strconv.FormatInt(l.ID, 10)); !strings.Contains(page, "今年 "+strconv.Itoa(count)+" 次") {
		t.Errorf("the letter page of %s lacks the clause's breaches, want 今年 %d 次", l.UnitName, count)
	}
	ids, err := srv.App.DB.UnitContacts(ctx, l.UnitID)
	if err != nil || len(ids) == 0 {
		t.Fatalf("contacts of %s: %v, %v; want one", l.UnitName, ids, err)
	}
	p, err := srv.App.DB.Person(ctx, ids[0])
	if err != nil {
		t.Fatal(err)
	}
	if _, home := newBrowserAs(t, srv.URL, p.Username).get("/"); !strings.Contains(home, want) || !strings.Contains(home, "已签订") {
		t.Errorf("%s's home page lacks the letter's state or %q, want 已签订 and it", p.Username, want)
	}
	// 市三中's letter waits for unit01's signature.
	if _, home := newBrowserAs(t, srv.URL, "unit01").get("/"); !strings.Contains(home, "去签署") {
		t.Error("unit01's home page does not offer to sign, want 去签署")
	}
}
