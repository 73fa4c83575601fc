package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"image"
	_ "image/png" // decodes the QR code image
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"

	"github.com/lantian-org/lantian/internal/letters"
	"github.com/lantian-org/lantian/internal/store"
	"github.com/lantian-org/lantian/internal/testutil/qrtest"
)

// Helpers of the letter journeys (letters_test.go).

// padBox returns the signature pad canvas of the party's signing form in
// viewport coordinates (left, top, width, height), scrolled into view.
func (tb *tab) padBox(party string) (x, y, w, h float64) {
	tb.t.Helper()
	box := eval[[]float64](tb, fmt.Sprintf(`(() => {
		const c = document.getElementById(%q);
		if (!c) return [];
		c.scrollIntoView({block: "center"});
		const r = c.getBoundingClientRect();
		return [r.left, r.top, r.width, r.height];
	})()`, "pad-"+party))
	if len(box) != 4 || box[2] < 100 || box[3] < 60 {
		tb.t.Fatalf("no usable signature pad #pad-%s on %s (box %v)", party, tb.path(), box)
	}
	return box[0], box[1], box[2], box[3]
}

// stroke is a signature's path as points in the unit square of the pad.
var stroke = func() [][2]float64 {
	var pts [][2]float64
	for i := 0; i <= 40; i++ {
		f := float64(i) / 40
		pts = append(pts, [2]float64{0.1 + 0.8*f, 0.5 + 0.3*math.Sin(f*3*math.Pi)})
	}
	return pts
}()

// drawByMouse signs on the party's pad with the mouse: a press, a wavy drag and a release.
func (tb *tab) drawByMouse(party string) {
	tb.t.Helper()
	x, y, w, h := tb.padBox(party)
	at := func(p [2]float64) (float64, float64) { return x + p[0]*w, y + p[1]*h }
	send := func(typ input.DispatchMouseEventType, p [2]float64, buttons int64) {
		px, py := at(p)
		params := input.DispatchMouseEventParams{Type: typ, X: px, Y: py, Buttons: buttons, PointerType: input.DispatchMouseEventPointerTypeMouse}
		if typ != input.DispatchMouseEventTypeMouseMoved {
			params.Button, params.ClickCount = input.MouseButtonLeft, 1
		}
		if _, err := chromedp.Call(tb.ctx, input.DispatchMouseEvent, params); err != nil {
			tb.t.Fatalf("mouse %s on the pad: %v", typ, err)
		}
	}
	send(input.DispatchMouseEventTypeMouseMoved, stroke[0], 0)
	send(input.DispatchMouseEventTypeMousePressed, stroke[0], 1)
	for _, p := range stroke[1:] {
		send(input.DispatchMouseEventTypeMouseMoved, p, 1)
		time.Sleep(5 * time.Millisecond)
	}
	send(input.DispatchMouseEventTypeMouseReleased, stroke[len(stroke)-1], 0)
}

// drawByTouch signs on the party's pad with a finger: a touch start, moves and an end.
func (tb *tab) drawByTouch(party string) {
	tb.t.Helper()
	x, y, w, h := tb.padBox(party)
	send := func(typ input.DispatchTouchEventType, p *[2]float64) {
		params := input.DispatchTouchEventParams{Type: typ, TouchPoints: []*input.TouchPoint{}}
		if p != nil {
			params.TouchPoints = []*input.TouchPoint{{X: x + p[0]*w, Y: y + p[1]*h}}
		}
		if _, err := chromedp.Call(tb.ctx, input.DispatchTouchEvent, params); err != nil {
			tb.t.Fatalf("touch %s on the pad: %v", typ, err)
		}
	}
	send(input.DispatchTouchEventTypeTouchStart, &stroke[0])
	for i := range stroke[1:] {
		send(input.DispatchTouchEventTypeTouchMove, &stroke[i+1])
		time.Sleep(5 * time.Millisecond)
	}
	send(input.DispatchTouchEventTypeTouchEnd, nil)
	// A finger takes a moment to reach the button; a tap right after the
	// stroke ends would be taken for part of a double tap and make no click.
	time.Sleep(time.Second)
}

// padEmpty reports whether the party's signature pad holds no stroke, as the pad itself says.
func (tb *tab) padEmpty(party string) bool {
	tb.t.Helper()
	return eval[bool](tb, fmt.Sprintf(`document.getElementById(%q).pad.isEmpty()`, "pad-"+party))
}

// qrText reads the bytes of the image sel shows (a data: URL as it is,
// another URL fetched with the tab's cookies) and decodes the QR code in it.
func (tb *tab) qrText(sel string) string {
	tb.t.Helper()
	tb.waitFor("the QR code image", fmt.Sprintf(`(() => { const i = document.querySelector(%q); return i && i.complete && i.naturalWidth > 0; })()`, sel), 20*time.Second)
	src := eval[string](tb, fmt.Sprintf(`document.querySelector(%q).src`, sel))
	var b64 string
	if rest, ok := strings.CutPrefix(src, "data:image/png;base64,"); ok {
		b64 = rest
	} else {
		var err error
		b64, err = chromedp.Run(tb.ctx, chromedp.Evaluate[string](fmt.Sprintf(`fetch(%q, {credentials: "same-origin"})
			.then(r => r.arrayBuffer())
			.then(b => { let s = ""; new Uint8Array(b).forEach(c => s += String.fromCharCode(c)); return btoa(s); })`, src),
			chromedp.EvalAsValue, chromedp.EvalAwaitPromise))
		if err != nil {
			tb.t.Fatalf("fetch the image %s (%s): %v", sel, src, err)
		}
	}
	data, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		tb.t.Fatalf("the image %s: %v", sel, err)
	}
	img, format, err := image.Decode(bytes.NewReader(data))
	if err != nil || format != "png" {
		tb.t.Fatalf("the image %s is not a PNG (%s): %v", sel, format, err)
	}
	text, err := qrtest.Decode(img)
	if err != nil {
		tb.t.Fatalf("decode the QR code of %s: %v", sel, err)
	}
	return text
}

// covSigned reads the signed count of the coverage panel on /letters.
func (tb *tab) covSigned() int {
	tb.t.Helper()
	n, err := strconv.Atoi(tb.text("#cov-signed"))
	if err != nil {
		tb.t.Fatalf("the coverage panel's signed count: %v", err)
	}
	return n
}

// dbLetter reads a letter straight from the database.
func dbLetter(t *testing.T, s *site, id int64) letters.Letter {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	l, err := s.DB.Letter(ctx, id)
	if err != nil {
		t.Fatalf("read letter %d: %v", id, err)
	}
	return l
}

// unitContactIn finds, among a year's letters in region, a unit whose
// contact can sign in, and returns the letter and the contact's username and name.
func unitContactIn(t *testing.T, s *site, year int, region string) (letters.Letter, string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	list, _, err := s.DB.Letters(ctx, store.LetterFilter{All: true, Year: year, Region: region, Page: store.Page{Size: 100}})
	if err != nil {
		t.Fatalf("letters of %s: %v", region, err)
	}
	for _, l := range list {
		ids, err := s.DB.UnitContacts(ctx, l.UnitID)
		if err != nil {
			t.Fatalf("contacts of unit %d: %v", l.UnitID, err)
		}
		for _, id := range ids {
			p, err := s.DB.Person(ctx, id)
			if err == nil && p.Active && p.Username != "" {
				return l, p.Username, p.Name
			}
		}
	}
	t.Fatalf("no letter in %s has a unit contact who can sign in", region)
	return letters.Letter{}, "", ""
}
