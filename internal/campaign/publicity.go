package campaign

import (
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
)

// Limits of a publicity event.
const (
	MaxVenue         = 100
	MaxPeopleText    = 500
	MaxReach         = 1_000_000
	MaxEventMaterial = 20
)

// PublicityKind is how a publicity event reaches people.
type PublicityKind string

// The kinds of publicity event.
const (
	PubBoards  PublicityKind = "boards"  // display boards (展板展示)
	PubVideo   PublicityKind = "video"   // video showing (视频播放)
	PubDesk    PublicityKind = "desk"    // consultation desk (咨询台)
	PubLeaflet PublicityKind = "leaflet" // leaflet hand-out (发放宣传资料)
	PubOther   PublicityKind = "other"
)

// PublicityKinds lists every kind in display order.
var PublicityKinds = []PublicityKind{PubBoards, PubVideo, PubDesk, PubLeaflet, PubOther}

// Valid reports whether k is a known kind.
func (k PublicityKind) Valid() bool {
	for _, x := range PublicityKinds {
		if k == x {
			return true
		}
	}
	return false
}

// Use is a quantity of one material taken from the store for an event.
type Use struct {
	MaterialID int64
	Quantity   int
	// Name and Unit are filled when read back, for lists.
	Name, Unit string
}

// Publicity is one outdoor publicity event (户外宣传).
type Publicity struct {
	ID   int64
	Date string // local date YYYY-MM-DD
	// Region is the grid of the venue: the unit's, or the one holding the point.
	Region string
	// UnitID is the venue when it is a unit (a school, a company); 0 for a place.
	UnitID int64
	// Venue is the venue's name: the unit's name, or the place's (伏羲广场).
	Venue     string
	Lat, Lon  *float64
	Kind      PublicityKind
	Reach     int    // people reached
	People    string // who took part, as written
	Note      string
	Materials []Use
	Photos    []string
	CreatedBy int64
	CreatedAt time.Time
}

// Validate checks an event as recorded. A venue is a unit (UnitID) or a
// named place with a point; the service finds the region and checks the
// unit and the materials' stock.
func (p Publicity) Validate() error {
	f := apperr.Fields{}
	date(f, "date", p.Date)
	if p.UnitID == 0 {
		text(f, "venue", p.Venue, true, MaxVenue)
		switch {
		case p.Lat == nil || p.Lon == nil:
			f.Add("venue", "err.campaign.venue_point")
		case !validPoint(*p.Lat, *p.Lon):
			f.Add("venue", "err.out_of_range")
		}
	}
	switch {
	case p.Kind == "":
		f.Add("kind", "err.required")
	case !p.Kind.Valid():
		f.Add("kind", "err.invalid_choice")
	}
	if p.Reach < 0 {
		f.Add("reach", "err.not_negative")
	} else if p.Reach > MaxReach {
		f.Add("reach", "err.out_of_range")
	}
	text(f, "people", p.People, false, MaxPeopleText)
	text(f, "note", p.Note, false, MaxNote)
	if len(p.Materials) > MaxEventMaterial {
		f.Add("materials", "err.too_many_items", MaxEventMaterial)
	}
	seen := map[int64]bool{}
	for _, u := range p.Materials {
		switch {
		case u.MaterialID <= 0:
			f.Add("materials", "err.required")
		case u.Quantity <= 0:
			f.Add("materials", "err.campaign.quantity")
		case u.Quantity > MaxStock:
			f.Add("materials", "err.out_of_range")
		case seen[u.MaterialID]:
			f.Add("materials", "err.campaign.material_twice")
		}
		seen[u.MaterialID] = true
	}
	return f.Err()
}
