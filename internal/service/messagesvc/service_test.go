package messagesvc_test

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"log/slog"
	"testing"
	"time"

	"github.com/lantian-org/lantian/internal/app"
	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/cases"
	"github.com/lantian-org/lantian/internal/config"
	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/messages"
	"github.com/lantian-org/lantian/internal/store"
	"github.com/lantian-org/lantian/internal/store/storetest"
)

func setup(t *testing.T, backend string) *app.App {
	t.Helper()
	ctx := context.Background()
	db := storetest.Open(t, backend)
	if _, err := demo.Seed(ctx, db); err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.Data = t.TempDir()
	loc, _ := cfg.Validate()
	a, err := app.New(ctx, cfg, loc, db, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func principal(t *testing.T, a *app.App, username string) (*auth.Principal, store.Actor) {
	t.Helper()
	p, _, err := a.DB.Credentials(context.Background(), username)
	if err != nil {
		t.Fatal(err)
	}
	return &auth.Principal{PersonID: p.ID, Username: p.Username, Name: p.Name, Roles: p.Roles}, store.Actor{ID: p.ID, Name: p.Username}
}

func channel(t *testing.T, a *app.App, region string, evs ...messages.Event) messages.Channel {
	t.Helper()
	p, who := principal(t, a, "admin")
	c, err := a.Messages.CreateChannel(context.Background(), who, p, messages.Channel{Kind: messages.WeCom, Name: "群 " + region,
		URL: "http://127.0.0.1:1/" + region, Region: region, Events: evs, Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func pending(t *testing.T, a *app.App) map[int64][]store.OutboxItem {
	t.Helper()
	list, _, err := a.DB.Outbox(context.Background(), store.OutboxFilter{All: true, Status: messages.Pending, Page: store.Page{Size: 100}})
	if err != nil {
		t.Fatal(err)
	}
	out := map[int64][]store.OutboxItem{}
	for _, it := range list {
		out[it.ChannelID] = append(out[it.ChannelID], it)
	}
	return out
}

// TestDigests: from 18:00 each street and community has its digest made
// once; each channel gets the digest of its own region, the street's listing
// its six communities.
func TestDigests(t *testing.T) {
	for _, backend := range storetest.Backends(t) {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			a := setup(t, backend)
			st := channel(t, a, demo.StreetCode, messages.Digest)
			c1 := channel(t, a, demo.CommunityCode(0), messages.Digest, messages.CaseAssigned)
			day := time.Now().In(a.Loc)
			at := func(h, m int) time.Time { return time.Date(day.Year(), day.Month(), day.Day(), h, m, 0, 0, a.Loc) }
			if n, err := a.Messages.Digests(ctx, at(17, 59)); err != nil || n != 0 {
				t.Fatalf("before 18:00: %d, %v", n, err)
			}
			if n, err := a.Messages.Digests(ctx, at(18, 0)); err != nil || n != 7 {
				t.Fatalf("at 18:00: %d digests, %v; want 7 (the street and six communities)", n, err)
			}
			if n, err := a.Messages.Digests(ctx, at(18, 1)); err != nil || n != 0 {
				t.Fatalf("again: %d, %v", n, err)
			}
			got := pending(t, a)
			if len(got[st.ID]) != 1 || len(got[c1.ID]) != 1 || got[st.ID][0].Region != demo.StreetCode || got[c1.ID][0].Region != demo.CommunityCode(0) {
				t.Fatalf("outbox %+v", got)
			}
			var f struct {
				Name  string
				Parts []struct{ Name string }
			}
			if err := json.Unmarshal([]byte(got[st.ID][0].Facts), &f); err != nil || len(f.Parts) != 6 || f.Parts[0].Name != demo.Communities[0] {
				t.Fatalf("street digest facts %s (%v)", got[st.ID][0].Facts, err)
			}
		})
	}
}

// TestUnsignedLetters: on Monday morning each region with units that have
// not signed gets its list, once a week.
func TestUnsignedLetters(t *testing.T) {
	ctx := context.Background()
	a := setup(t, "sqlite")
	monday := time.Date(2026, 11, 30, 9, 0, 0, 0, a.Loc)
	if _, err := demo.SeedLetters(ctx, a.DB, a.Letters, monday.Add(-24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	st := channel(t, a, demo.StreetCode, messages.LettersUnsigned)
	if n, _ := a.Messages.UnsignedLetters(ctx, monday.Add(-time.Minute)); n != 0 {
		t.Fatalf("before 9:00: %d", n)
	}
	n, err := a.Messages.UnsignedLetters(ctx, monday)
	if err != nil || n == 0 {
		t.Fatalf("Monday 9:00: %d lists, %v", n, err)
	}
	if n, _ := a.Messages.UnsignedLetters(ctx, monday.Add(2*time.Hour)); n != 0 {
		t.Fatalf("again on Monday: %d", n)
	}
	if n, _ := a.Messages.UnsignedLetters(ctx, monday.Add(24*time.Hour)); n != 0 {
		t.Fatalf("on Tuesday: %d", n)
	}
	got := pending(t, a)[st.ID]
	var f struct {
		Total int
		Units []string
	}
	if len(got) != 1 || json.Unmarshal([]byte(got[0].Facts), &f) != nil || f.Total == 0 || len(f.Units) != min(f.Total, 50) {
		t.Fatalf("the street's list %+v", got)
	}
}

// TestShareCase posts a closed case to its community's feed with its
// "after" photos; an open case cannot be shared.
func TestShareCase(t *testing.T) {
	ctx := context.Background()
	a := setup(t, "sqlite")
	if _, err := demo.SeedCases(ctx, a.DB, a.Photos, a.Loc, time.Now()); err != nil {
		t.Fatal(err)
	}
	p, who := principal(t, a, "community1")
	list, _, err := a.DB.Cases(ctx, store.CaseFilter{Roots: []string{demo.CommunityCode(0)}, Status: string(cases.StatusClosed), Page: store.Page{Size: 1}})
	if err != nil || len(list) == 0 {
		t.Fatalf("no closed case: %v", err)
	}
	closed, err := a.Cases.Get(ctx, p, list[0].Number)
	if err != nil {
		t.Fatal(err)
	}
	post, err := a.Messages.ShareCase(ctx, who, p, closed.Number, "")
	if err != nil {
		t.Fatal(err)
	}
	if post.Region != demo.CommunityCode(0) || post.RecordRef != closed.Number || post.Body == "" {
		t.Fatalf("shared post %+v", post)
	}
	after := 0
	for _, ph := range closed.Photos {
		if ph.Step == cases.StepAfter {
			after++
		}
	}
	if len(post.Photos) != min(after, messages.MaxPostPhotos) {
		t.Errorf("%d photos shared, the case has %d after", len(post.Photos), after)
	}
	open, _, _ := a.DB.Cases(ctx, store.CaseFilter{Roots: []string{demo.CommunityCode(0)}, Status: string(cases.StatusAssigned), Page: store.Page{Size: 1}})
	if len(open) > 0 {
		if _, err := a.Messages.ShareCase(ctx, who, p, open[0].Number, ""); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("sharing an open case: %v", err)
		}
	}
	other, owho := principal(t, a, "community2")
	if _, err := a.Messages.ShareCase(ctx, owho, other, closed.Number, ""); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("another community shares the case: %v", err)
	}
}

// TestUpload checks attachments by content: an image through the photo
// package (kept as its cleaned JPEG), a name that lies refused.
func TestUpload(t *testing.T) {
	ctx := context.Background()
	a := setup(t, "sqlite")
	p, who := principal(t, a, "street")
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for x := 0; x < 64; x++ {
		img.Set(x, x%48, color.RGBA{200, 30, 30, 255})
	}
	var buf bytes.Buffer
	png.Encode(&buf, img)
	if _, err := a.Messages.Upload(ctx, who, p, "照片.jpg", bytes.NewReader(buf.Bytes())); apperr.As(err).Fields["file"].Key != "err.messages.file_mismatch" {
		t.Fatalf("a PNG named .jpg: %v", err)
	}
	u, err := a.Messages.Upload(ctx, who, p, `C:\Users\张三\现场.png`, bytes.NewReader(buf.Bytes()))
	if err != nil || u.File.Type != messages.JPEG || u.File.Name != "现场.png" || u.ID == 0 {
		t.Fatalf("a PNG: %+v %v", u, err)
	}
	rc, err := a.Messages.Files.Open(u.File.ID)
	if err != nil {
		t.Fatal(err)
	}
	head := make([]byte, 3)
	rc.Read(head)
	rc.Close()
	if !bytes.Equal(head, []byte{0xFF, 0xD8, 0xFF}) {
		t.Errorf("the stored image is not a JPEG: % x", head)
	}
	if _, err := a.Messages.Upload(ctx, who, p, "坏.png", bytes.NewReader([]byte("not an image"))); apperr.As(err).Code != apperr.Invalid {
		t.Fatalf("a broken image: %v", err)
	}
	pp, pwho := principal(t, a, "patrol01")
	if _, err := a.Messages.Upload(ctx, pwho, pp, "a.pdf", bytes.NewReader([]byte("%PDF-1.4"))); !apperr.Is(err, apperr.Forbidden) {
		t.Fatalf("a patroller uploads: %v", err)
	}
}
