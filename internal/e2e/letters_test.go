package e2e

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/letters"
)

// The responsibility letters' browser journey (issue 5): the admin issues
// the year's letters to a community; a unit contact of that community signs
// on a phone with a finger; the street counter-signs with the mouse; the
// print view's QR code leads to the public verification page, which says
// the letter is signed; the coverage panel counts it.
func TestLetterSignJourney(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *site) {
		comm := demo.CommunityCode(0) // 忠武巷社区
		year := time.Now().In(time.FixedZone("CST", 8*3600)).Year()

		// 1. The admin issues the letters to 忠武巷社区 from the letters page.
		admin := s.newTab(t)
		admin.signIn("admin", demo.Password)
		if st := admin.open("/letters"); st != 200 {
			t.Fatalf("GET /letters as admin: status %d", st)
		}
		if h := admin.text("h1"); h != strconv.Itoa(year)+" 年度目标管理责任书" {
			t.Errorf("h1 of /letters = %q", h)
		}
		signedBefore := admin.covSigned()
		admin.fill("issue-region", comm)
		if o := eval[string](admin, `document.getElementById("issue-region").selectedOptions[0].innerText.trim()`); o != "忠武巷社区" {
			t.Errorf("the region chosen reads %q, want 忠武巷社区", o)
		}
		if st := admin.submit("#issue-submit"); st != 200 {
			t.Fatalf("issue: status %d; errors %q %q", st, admin.errorText(), admin.texts(".field-error"))
		}
		if p := admin.path(); p != "/letters?region="+comm+"&year="+strconv.Itoa(year) {
			t.Errorf("after issuing the page is %s", p)
		}
		if f := admin.flash(); f != "责任书已发放" {
			t.Errorf("the flash after issuing reads %q, want 责任书已发放", f)
		}
		rows := admin.texts("#letter-table tbody tr")
		if len(rows) == 0 || !strings.Contains(rows[0], "已下发") {
			t.Fatalf("the community's letters after issuing: %q", rows)
		}
		for _, r := range rows {
			if !strings.Contains(r, "忠武巷社区") {
				t.Errorf("a letter outside 忠武巷社区 is listed: %q", r)
			}
		}

		// 2. A unit contact of that community signs on a phone, with a finger.
		l, username, contactName := unitContactIn(t, s, year, comm)
		id := strconv.FormatInt(l.ID, 10)
		unit := s.newTab(t)
		unit.phone()
		unit.signIn(username, demo.Password)
		link := "#desk-" + strconv.FormatInt(l.UnitID, 10) + " a.sign-link"
		if got := unit.text(link); got != "去签署" {
			t.Errorf("%s's home offers %q, want 去签署", username, got)
		}
		if st := unit.submit(link); st != 200 {
			t.Fatalf("follow 去签署: status %d", st)
		}
		if p := unit.path(); p != "/letters/"+id {
			t.Fatalf("去签署 led to %s, want /letters/%s", p, id)
		}
		if st := unit.text("#letter-status"); st != "已下发" {
			t.Errorf("the letter's status reads %q, want 已下发", st)
		}
		if h := unit.text("#letter-hash"); h != l.SHA256 {
			t.Errorf("the page shows hash %q, want %s", h, l.SHA256)
		}
		if txt := unit.text("#letter-text"); !strings.Contains(txt, "禁止燃放烟花爆竹") || !strings.Contains(txt, l.UnitName) {
			t.Errorf("the letter's text lacks the fireworks clause or the unit's name")
		}
		if forms := eval[[]string](unit, `Array.from(document.querySelectorAll("form.sign-form"), f => f.id)`); len(forms) != 1 || forms[0] != "sign-unit-form" {
			t.Errorf("the unit contact is offered the signing forms %q, want only sign-unit-form", forms)
		}
		unit.fitsPhone("the letter page")
		// An empty pad is refused on the page, without a request.
		if !unit.padEmpty("unit") {
			t.Fatal("the pad is not empty before signing")
		}
		unit.do("tap 确认签署 on an empty pad", chromedp.Tap(chromedp.ID("sign-unit-submit"), chromedp.NodeVisible))
		unit.waitFor("the empty-pad message", `!document.querySelector("#sign-unit-form .pad-error").hidden`, 10*time.Second)
		if m := unit.text("#sign-unit-form .pad-error"); m != "签名：请先在框内签名" {
			t.Errorf("the empty-pad message reads %q", m)
		}
		if p := unit.path(); p != "/letters/"+id {
			t.Errorf("an empty pad left the page for %s", p)
		}
		unit.drawByTouch("unit")
		if unit.padEmpty("unit") {
			t.Fatal("the pad is still empty after the finger's stroke")
		}
		if !eval[bool](unit, `document.querySelector("#sign-unit-form .pad-error").hidden`) {
			t.Error("the empty-pad message stays after signing")
		}
		if v := eval[string](unit, `document.getElementById("signer-unit").value`); v != contactName {
			t.Errorf("the signer's name starts as %q, want %s", v, contactName)
		}
		if st := unit.tapSubmit("#sign-unit-submit"); st != 200 {
			t.Fatalf("the unit signs: status %d; errors %q %q", st, unit.errorText(), unit.texts(".field-error"))
		}
		if f := unit.flash(); f != "已签署" {
			t.Errorf("the flash after signing reads %q, want 已签署", f)
		}
		if st := unit.text("#letter-status"); st != "已下发" {
			t.Errorf("after the unit signed the status reads %q, want 已下发 (waiting for the street)", st)
		}
		unit.thumbsLoaded("#sig-unit img.sig-img", 1)
		if who := unit.text("#sig-unit .signer"); who != contactName {
			t.Errorf("the unit's signature is by %q, want %s", who, contactName)
		}
		got := dbLetter(t, s, l.ID)
		if !got.HasSigned(letters.PartyUnit) || got.HasSigned(letters.PartyStreet) || got.Status != letters.StatusIssued {
			t.Fatalf("after the unit signed the database holds %s with signatures %+v", got.Status, got.Signatures)
		}
		if sg := got.Signatures[0]; sg.Kind != letters.KindDrawn || sg.Format != "png" || sg.SHA256 != l.SHA256 || sg.Signer != contactName {
			t.Errorf("the unit's signature is %+v; want a drawn PNG by %s over hash %s", sg, contactName, l.SHA256)
		}

		// 3. The street counter-signs with the mouse.
		street := s.newTab(t)
		street.signIn("street", demo.Password)
		if st := street.open("/letters/" + id); st != 200 {
			t.Fatalf("GET /letters/%s as the street: status %d", id, st)
		}
		if eval[bool](street, `!!document.getElementById("sign-unit-form")`) {
			t.Error("the street is offered the unit's signing form")
		}
		street.drawByMouse("street")
		if street.padEmpty("street") {
			t.Fatal("the street's pad is empty after the mouse stroke")
		}
		if st := street.submit("#sign-street-submit"); st != 200 {
			t.Fatalf("the street signs: status %d; errors %q %q", st, street.errorText(), street.texts(".field-error"))
		}
		if st := street.text("#letter-status"); st != "已签订" {
			t.Errorf("after both signed the status reads %q, want 已签订", st)
		}
		if n := eval[int](street, `document.querySelectorAll("form.sign-form").length`); n != 0 {
			t.Errorf("a signed letter still offers %d signing forms", n)
		}
		street.thumbsLoaded("#letter-signatures img.sig-img", 2)
		signed := dbLetter(t, s, l.ID)
		if signed.Status != letters.StatusSigned || len(signed.Signatures) != 2 || signed.SHA256 != l.SHA256 {
			t.Fatalf("after both signed the database holds %s with %d signatures, hash %s", signed.Status, len(signed.Signatures), signed.SHA256)
		}

		// 4. The print view: A4 portrait, both seal areas, and a QR code of the verification URL.
		if st := street.open("/letters/" + id + "/print"); st != 200 {
			t.Fatalf("GET the print view: status %d", st)
		}
		if !eval[bool](street, `Array.from(document.querySelectorAll("style")).some(s => s.textContent.includes("size: A4 portrait"))`) {
			t.Error("the print view does not ask for A4 portrait")
		}
		if n := len(street.texts(".seal-box")); n != 2 {
			t.Errorf("the print view has %d seal areas, want 2", n)
		}
		if txt := street.text("#letter-print"); !strings.Contains(txt, l.UnitName) || !strings.Contains(txt, contactName) || !strings.Contains(txt, signed.SHA256) {
			t.Errorf("the print view lacks the unit, the unit's signer or the hash")
		}
		street.thumbsLoaded("#letter-print img.sig-img", 2)
		// The QR code carries the letter's random verification code, not its id.
		if !letters.ValidVerifyCode(signed.VerifyCode) || signed.VerifyCode == id {
			t.Fatalf("the letter's verification code is %q", signed.VerifyCode)
		}
		verifyURL := s.URL + "/verify/letters/" + signed.VerifyCode
		if got := street.qrText("#letter-qr"); got != verifyURL {
			t.Errorf("the QR code reads %q, want %s", got, verifyURL)
		}

		// 5. Anyone who scans it sees that the letter is signed, and no names.
		public := s.newTab(t)
		public.phone()
		if st := public.open(strings.TrimPrefix(verifyURL, s.URL)); st != 200 {
			t.Fatalf("GET the verification page without signing in: status %d", st)
		}
		if st := public.text("#verify-status"); st != "已签订" {
			t.Errorf("the verification page says %q, want 已签订", st)
		}
		if h := public.text("#verify-hash"); h != signed.SHA256 {
			t.Errorf("the verification page shows hash %q, want %s", h, signed.SHA256)
		}
		if u := public.text("#verify-unit"); u != l.UnitName {
			t.Errorf("the verification page names %q, want %s", u, l.UnitName)
		}
		page := public.text("main")
		for _, sg := range signed.Signatures {
			if strings.Contains(page, sg.Signer) {
				t.Errorf("the public verification page shows the signer %s", sg.Signer)
			}
		}
		public.fitsPhone("the verification page")
		// The letter's id, like any guess, leads nowhere.
		if st := public.open("/verify/letters/" + id); st != 404 {
			t.Errorf("GET /verify/letters/%s (the id): status %d, want 404", id, st)
		}

		// 6. The coverage panel counts it.
		if st := admin.open("/letters?year=" + strconv.Itoa(year)); st != 200 {
			t.Fatalf("GET /letters again: status %d", st)
		}
		if n := admin.covSigned(); n != signedBefore+1 {
			t.Errorf("the coverage panel counts %d signed, want %d", n, signedBefore+1)
		}
		if n := admin.text("#cov-issued"); n != strconv.Itoa(len(rows)-1) && len(rows) < 20 {
			t.Errorf("the coverage panel counts %s issued and unsigned, want %d", n, len(rows)-1)
		}
	})
}
