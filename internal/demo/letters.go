package demo

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/lantian-org/lantian/internal/cases"
	"github.com/lantian-org/lantian/internal/letters"
	"github.com/lantian-org/lantian/internal/people"
	"github.com/lantian-org/lantian/internal/region"
	"github.com/lantian-org/lantian/internal/store"
	"github.com/lantian-org/lantian/internal/unit"
)

// Shares of the demo street's units by how their letter for the year stands.
const (
	demoNotIssued = 6 // units with no letter yet
	demoUnsigned  = 9 // issued, not signed (two of them signed by the unit only)
	demoScans     = 4 // signed by uploading the paper copy
)

// SeedLetters gives the units of a demo street made by Seed their letters
// for now's year, issued in January from the year's template: most signed on
// screen by both parties (with synthetic signatures drawn here) or by a
// scan, some issued and unsigned — 市三中 (unit01) among them, so that a
// visitor can sign — and some not issued. A few closed cases about units
// with signed letters make their clauses show breaches; call it after
// SeedCases, which adds nothing once any case exists. Signature files go to
// files (nil writes the records only). It does nothing when the year has
// letters, and returns how many it made. The same now gives the same letters.
func SeedLetters(ctx context.Context, db *store.DB, files *letters.FileStore, now time.Time) (int, error) {
	year := now.Year()
	if _, n, err := db.Letters(ctx, store.LetterFilter{All: true, Year: year, Page: store.Page{Size: 1}}); err != nil || n > 0 {
		return 0, err
	}
	actor := store.Actor{Name: "demo"}
	templates, err := db.EnsureLetterTemplates(ctx, actor, year)
	if err != nil {
		return 0, err
	}
	var units []unit.Unit
	for page := 1; ; page++ {
		list, total, err := db.Units(ctx, store.UnitFilter{Roots: []string{StreetCode}, Status: unit.Active, Page: store.Page{Page: page, Size: 100}})
		if err != nil {
			return 0, err
		}
		units = append(units, list...)
		if len(units) >= total || len(list) == 0 {
			break
		}
	}
	if len(units) == 0 {
		return 0, nil
	}
	// Oldest first: the order Seed created them in, unit01 first.
	slices.SortFunc(units, func(a, b unit.Unit) int { return cmp.Compare(a.ID, b.ID) })
	street, err := db.Region(ctx, StreetCode)
	if err != nil {
		return 0, err
	}
	leader, contacts, err := streetPeople(ctx, db)
	if err != nil {
		return 0, err
	}
	ids, err := usernames(ctx, db)
	if err != nil {
		return 0, err
	}

	rnd := rand.New(rand.NewPCG(2017, 1))
	// Who stands where: unit01 (the first unit) is issued and unsigned; the
	// rest are dealt from a shuffled deck.
	kinds := make([]string, len(units))
	deck := make([]string, 0, len(units)-1)
	for range demoNotIssued {
		deck = append(deck, "none")
	}
	for range demoUnsigned - 1 {
		deck = append(deck, "issued")
	}
	for range demoScans {
		deck = append(deck, "scan")
	}
	for len(deck) < len(units)-1 {
		deck = append(deck, "signed")
	}
	rnd.Shuffle(len(deck), func(i, j int) { deck[i], deck[j] = deck[j], deck[i] })
	kinds[0] = "issued"
	copy(kinds[1:], deck)

	start := time.Date(year, 1, 1, 0, 0, 0, 0, now.Location())
	span := now.Sub(start)
	if span < time.Hour {
		span = time.Hour
	}
	// at returns a time a share of the way through the year so far, at office hours when there is room.
	at := func(from time.Time, share float64) time.Time {
		t := from.Add(time.Duration(float64(now.Sub(from)) * share))
		if day := time.Date(t.Year(), t.Month(), t.Day(), 9+rnd.IntN(8), rnd.IntN(60), 0, 0, t.Location()); day.After(from) && day.Before(now) {
			return day
		}
		return t
	}

	streetSig := signaturePNG(rand.New(rand.NewPCG(2017, 2)), color.NRGBA{0x10, 0x10, 0x10, 0xff})
	count := 0
	var signedUnits []signedUnit
	err = db.Write(ctx, actor, func(tx *store.Tx) error {
		put := func(f letters.File) error {
			if files != nil {
				if err := files.Put(f); err != nil {
					return err
				}
			}
			return tx.SaveLetterFile(ctx, f.SHA256, f.Format, len(f.Data))
		}
		streetFile := fileOf(streetSig, "png")
		if err := put(streetFile); err != nil {
			return err
		}
		for i, u := range units {
			if kinds[i] == "none" {
				continue
			}
			t, ok := letters.Pick(templates, string(u.Kind))
			if !ok {
				return fmt.Errorf("demo letters: no template for %d", year)
			}
			rep := ""
			if len(u.Contacts) > 0 {
				rep = u.Contacts[0].Name
			}
			l, err := letters.New(t, u.ID, letters.NewVars(u.Name, year, rep, street.Name))
			if err != nil {
				return err
			}
			issued := start.Add(time.Duration(float64(span) * (0.01 + 0.04*rnd.Float64())))
			if l, err = letters.Issue(l, issued); err != nil {
				return err
			}
			contactID := contacts[u.ID]
			unitSign := func(when time.Time) error {
				f := fileOf(signaturePNG(rnd, color.NRGBA{0x12, 0x2a, 0x8c, 0xff}), "png")
				if err := put(f); err != nil {
					return err
				}
				l, err = letters.Sign(l, letters.Signature{Party: letters.PartyUnit, Kind: letters.KindDrawn, FileID: f.SHA256, Format: "png",
					SignerID: contactID, Signer: rep, At: when})
				return err
			}
			switch kinds[i] {
			case "issued":
				if i%4 == 1 { // a few units signed; the street has yet to counter-sign
					if err := unitSign(at(issued, 0.2+0.3*rnd.Float64())); err != nil {
						return err
					}
				}
			case "signed":
				when := at(issued, 0.05+0.35*rnd.Float64())
				if err := unitSign(when); err != nil {
					return err
				}
				counter := when.Add(time.Duration(10+rnd.IntN(300)) * time.Minute)
				if counter.After(now) {
					counter = now
				}
				l, err = letters.Sign(l, letters.Signature{Party: letters.PartyStreet, Kind: letters.KindDrawn, FileID: streetFile.SHA256,
					Format: "png", SignerID: leader.ID, Signer: leader.Name, At: counter})
				if err != nil {
					return err
				}
			case "scan":
				f := fileOf(scanPNG(rnd), "png")
				if err := put(f); err != nil {
					return err
				}
				l, err = letters.Sign(l, letters.Signature{Kind: letters.KindScan, FileID: f.SHA256, Format: "png",
					SignerID: leader.ID, Signer: leader.Name, At: at(issued, 0.1+0.4*rnd.Float64())})
				if err != nil {
					return err
				}
			}
			if err := tx.InsertLetterHistory(ctx, &l); err != nil {
				return fmt.Errorf("demo letter for %s: %w", u.Name, err)
			}
			if l.Status == letters.StatusSigned {
				signedUnits = append(signedUnits, signedUnit{u, l.SignedAt})
			}
			count++
		}
		return seedBreaches(ctx, tx, rnd, ids, signedUnits, now)
	})
	return count, err
}

type signedUnit struct {
	unit.Unit
	signed time.Time
}

// demoBreaches are the cases about units that SeedLetters adds, so that
// clauses show breaches: per unit kind, the categories of its cases (the
// first kind's unit breaches the fumes clause twice).
var demoBreaches = []struct {
	kind  unit.Kind
	codes []string
}{
	{"restaurant", []string{"06027", "06027", "06029"}},
	{"site", []string{"08004", "08012"}},
	{"courtyard", []string{"06020", "L001"}},
	{"property", []string{"06010"}},
}

// seedBreaches adds closed cases about a few units with signed letters,
// after they signed, in categories their letter's clauses are tagged with.
func seedBreaches(ctx context.Context, tx *store.Tx, rnd *rand.Rand, ids map[string]int64, signed []signedUnit, now time.Time) error {
	n := 0
	for _, b := range demoBreaches {
		i := slices.IndexFunc(signed, func(s signedUnit) bool { return s.Kind == b.kind })
		if i < 0 {
			continue
		}
		u := signed[i]
		var col, row int
		fmt.Sscanf(u.Region[9:], "%03d%03d", &col, &row)
		col, row = col-1, row-1
		patroller := fmt.Sprintf("patrol%02d", (col*rows+row)*2+1)
		leader := fmt.Sprintf("community%d", col+1)
		for _, code := range b.codes {
			at := u.signed.Add(time.Duration(float64(now.Sub(u.signed)) * (0.1 + 0.6*rnd.Float64())))
			at = time.Date(at.Year(), at.Month(), at.Day(), 9+rnd.IntN(6), rnd.IntN(60), 0, 0, at.Location())
			closed := at.Add(30 * time.Hour)
			if !at.After(u.signed) || closed.After(now) {
				continue
			}
			n++
			c := cases.Case{ClientID: fmt.Sprintf("00000000-0000-4000-9000-%012d", n), Description: descriptions[code][0],
				Region: u.Region, UnitID: u.ID, Source: cases.SourcePatrol, Day: at.Format("2006-01-02"), Address: u.Address}
			c.Category, c.Lat, c.Lon, c.ReportedAt, c.Class, c.Severity = code, u.Lat, u.Lon, at, cases.ClassEscalated, cases.SeverityMinor
			c.Level, c.Held = cases.LevelCommunity, region.AncestorAt(u.Region, region.Community)
			c.ReporterID, c.HandledBy, c.Assignee = ids[patroller], ids[patroller], cases.AssigneeRef("region", u.Region)
			c.Status, c.ClosedAt, c.UpdatedAt, c.Version = cases.StatusClosed, closed, closed, 4
			ev := []cases.Event{
				{At: at, ActorID: ids[patroller], ActorName: patroller, Action: cases.ActionReport, Status: cases.StatusReported, Level: c.Level},
				{At: at.Add(2 * time.Hour), ActorID: ids[leader], ActorName: leader, Action: cases.ActionAssign, Status: cases.StatusAssigned, Level: c.Level, Note: "请按期处置"},
				{At: at.Add(24 * time.Hour), ActorID: ids[patroller], ActorName: patroller, Action: cases.ActionHandle, Status: cases.StatusHandled, Level: c.Level, Note: "已督促单位整改"},
				{At: closed, ActorID: ids[leader], ActorName: leader, Action: cases.ActionVerify, Status: cases.StatusClosed, Level: c.Level, Note: "复查合格"},
			}
			if err := tx.InsertCaseHistory(ctx, "XG", &c, ev); err != nil {
				return fmt.Errorf("demo case about %s: %w", u.Name, err)
			}
		}
	}
	return nil
}

// streetPeople returns the demo street's leader ("street") and each unit's
// contact's person id.
func streetPeople(ctx context.Context, db *store.DB) (people.Person, map[int64]int64, error) {
	contacts := map[int64]int64{}
	var leader people.Person
	for page := 1; ; page++ {
		list, total, err := db.People(ctx, store.PeopleFilter{All: true, Page: store.Page{Page: page, Size: 100}})
		if err != nil {
			return leader, nil, err
		}
		for _, p := range list {
			if p.Username == "street" {
				leader = p
			}
			for _, r := range p.Roles {
				if r.Role == people.UnitContact {
					contacts[r.UnitID] = p.ID
				}
			}
		}
		if page*100 >= total {
			break
		}
	}
	if leader.ID == 0 {
		return leader, nil, fmt.Errorf("demo letters: no street leader")
	}
	return leader, contacts, nil
}

func fileOf(data []byte, format string) letters.File {
	return letters.File{Data: data, Format: format, SHA256: letters.Hash(string(data))}
}

// pen draws round dots and lines on an image.
type pen struct {
	img   *image.NRGBA
	c     color.NRGBA
	width float64
}

func (p pen) dot(x, y float64) {
	r := p.width / 2
	for dy := -r; dy <= r; dy++ {
		for dx := -r; dx <= r; dx++ {
			if dx*dx+dy*dy <= r*r+0.25 {
				p.img.SetNRGBA(int(math.Round(x+dx)), int(math.Round(y+dy)), p.c)
			}
		}
	}
}

func (p pen) line(x0, y0, x1, y1 float64) {
	steps := int(math.Max(math.Abs(x1-x0), math.Abs(y1-y0))) + 1
	for i := 0; i <= steps; i++ {
		f := float64(i) / float64(steps)
		p.dot(x0+(x1-x0)*f, y0+(y1-y0)*f)
	}
}

// signaturePNG draws a synthetic handwritten signature on a transparent
// 360×120 pad, as the signature pad would send it: two or three looping
// strokes running left to right.
func signaturePNG(rnd *rand.Rand, c color.NRGBA) []byte {
	img := image.NewNRGBA(image.Rect(0, 0, 360, 120))
	p := pen{img: img, c: c, width: 2.5}
	x := 20 + rnd.Float64()*20
	for range 2 + rnd.IntN(2) {
		n := 60 + rnd.IntN(60)
		freq, amp, phase := 0.15+rnd.Float64()*0.2, 18+rnd.Float64()*20, rnd.Float64()*math.Pi
		loop := 6 + rnd.Float64()*8
		px, py := x, 60.0
		for i := 0; i < n; i++ {
			t := float64(i)
			nx := x + t*1.4 + loop*math.Sin(t*freq*2)
			ny := 60 + amp*math.Sin(t*freq+phase) + loop*math.Cos(t*freq*2)
			if i > 0 {
				p.line(px, py, nx, ny)
			}
			px, py = nx, ny
		}
		x = px + 10 + rnd.Float64()*15
		if x > 300 {
			break
		}
	}
	// An underline flourish.
	p.width = 2
	p.line(30, 100+rnd.Float64()*8, 300+rnd.Float64()*30, 92+rnd.Float64()*8)
	return encodePNG(img)
}

// scanPNG draws a synthetic scan of a signed paper letter: a white page
// with lines of text, two signatures and the street's red seal.
func scanPNG(rnd *rand.Rand) []byte {
	const w, h = 620, 877
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = 0xf8
	}
	grey := pen{img: img, c: color.NRGBA{0x55, 0x55, 0x55, 0xff}, width: 3}
	grey.line(180, 70, 440, 70) // the title
	grey.width = 1.5
	for y := 120.0; y < 640; y += 22 {
		end := 560 - rnd.Float64()*120
		if rnd.IntN(6) == 0 {
			end = 200 + rnd.Float64()*200 // a paragraph's last line
		}
		grey.line(60, y, end, y)
	}
	ink := pen{img: img, c: color.NRGBA{0x10, 0x20, 0x70, 0xff}, width: 2}
	for _, x0 := range []float64{90, 390} {
		px, py := x0, 740.0
		for i := 1; i < 50; i++ {
			nx, ny := x0+float64(i)*2.4, 740+12*math.Sin(float64(i)*0.5+rnd.Float64())
			ink.line(px, py, nx, ny)
			px, py = nx, ny
		}
	}
	seal := pen{img: img, c: color.NRGBA{0xd0, 0x20, 0x20, 0xd0}, width: 4}
	cx, cy, r := 150.0, 730.0, 55.0
	for a := 0.0; a < 2*math.Pi; a += 0.02 {
		seal.dot(cx+r*math.Cos(a), cy+r*math.Sin(a))
	}
	seal.width = 3
	for k := 0; k < 5; k++ { // the star
		a1, a2 := -math.Pi/2+float64(k)*4*math.Pi/5, -math.Pi/2+float64(k+1)*4*math.Pi/5
		seal.line(cx+18*math.Cos(a1), cy+18*math.Sin(a1), cx+18*math.Cos(a2), cy+18*math.Sin(a2))
	}
	return encodePNG(img)
}

func encodePNG(img image.Image) []byte {
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&buf, img); err != nil {
		panic(err) // encoding an in-memory NRGBA image cannot fail
	}
	return buf.Bytes()
}
