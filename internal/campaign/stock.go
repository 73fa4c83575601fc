package campaign

import (
	"strings"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/region"
)

// Limits of the materials store.
const (
	MaxMaterialName = 60
	MaxMaterialUnit = 10
	MaxReason       = 200
	// MaxStock bounds a balance and a single move; larger is a typing slip.
	MaxStock = 10_000_000
)

// MaterialKind is what a material is.
type MaterialKind string

// The kinds of material.
const (
	MatBoard   MaterialKind = "board"   // display board (展板)
	MatVideo   MaterialKind = "video"   // recorded video (宣传片)
	MatBag     MaterialKind = "bag"     // printed shopping bag (环保购物袋)
	MatLeaflet MaterialKind = "leaflet" // leaflet (宣传单)
	MatPoster  MaterialKind = "poster"  // poster (海报)
	MatBanner  MaterialKind = "banner"  // banner (横幅)
	MatOther   MaterialKind = "other"
)

// MaterialKinds lists every kind in display order.
var MaterialKinds = []MaterialKind{MatBoard, MatVideo, MatBag, MatLeaflet, MatPoster, MatBanner, MatOther}

// Valid reports whether k is a known kind.
func (k MaterialKind) Valid() bool {
	for _, x := range MaterialKinds {
		if k == x {
			return true
		}
	}
	return false
}

// Material is one item of the store, with its balance.
type Material struct {
	ID int64
	// Region is the street (or community) whose store it is.
	Region string
	Name   string
	Kind   MaterialKind
	Unit   string // the unit of count: 个, 块, 份, 条…
	Stock  int
	// Low is the threshold: at or below it the store is short and leaders are told.
	Low       int
	CreatedAt time.Time
	UpdatedAt time.Time
}

// IsLow reports whether the balance is at or below the threshold.
func (m Material) IsLow() bool { return m.Low > 0 && m.Stock <= m.Low }

// Validate checks a material as created or edited (the opening stock comes in as a move).
func (m Material) Validate() error {
	f := apperr.Fields{}
	text(f, "name", m.Name, true, MaxMaterialName)
	switch {
	case m.Kind == "":
		f.Add("kind", "err.required")
	case !m.Kind.Valid():
		f.Add("kind", "err.invalid_choice")
	}
	text(f, "unit", m.Unit, true, MaxMaterialUnit)
	if m.Low < 0 {
		f.Add("low", "err.not_negative")
	} else if m.Low > MaxStock {
		f.Add("low", "err.out_of_range")
	}
	if !region.ValidCode(m.Region) || region.LevelOf(m.Region) < region.Street || region.LevelOf(m.Region) > region.Community {
		f.Add("region", "err.region_code")
	}
	return f.Err()
}

// MoveKind says why stock moved.
type MoveKind string

// The kinds of move.
const (
	MoveIn    MoveKind = "in"    // a delivery into the store
	MoveUse   MoveKind = "use"   // used at a publicity event
	MoveGive  MoveKind = "give"  // given to a community (or grid)
	MoveOut   MoveKind = "out"   // taken out for another reason (damaged, lost, counted short)
	MoveStart MoveKind = "start" // the opening balance when a material is added
)

// Move is one change of a material's balance, as the ledger keeps it.
type Move struct {
	ID          int64
	MaterialID  int64
	At          time.Time
	Delta       int
	StockAfter  int
	Kind        MoveKind
	Reason      string
	Region      string // the community or grid given to (give)
	PublicityID int64  // the event it was used at (use)
	ByID        int64
	ByName      string
}

// MoveInput is a move as a person asks for it: a delivery (delta > 0) or a
// withdrawal (delta < 0), with why, and for a gift the region given to.
type MoveInput struct {
	Delta  int
	Reason string
	Region string
}

// Kind returns the move's kind: in for deliveries, give when a region
// receives it, out otherwise.
func (in MoveInput) Kind() MoveKind {
	switch {
	case in.Delta > 0:
		return MoveIn
	case strings.TrimSpace(in.Region) != "":
		return MoveGive
	}
	return MoveOut
}

// Validate checks a move: a delta other than 0 within MaxStock, a reason, a
// valid region for a gift (and none on a delivery).
func (in MoveInput) Validate() error {
	f := apperr.Fields{}
	switch {
	case in.Delta == 0:
		f.Add("delta", "err.campaign.delta_zero")
	case in.Delta > MaxStock || in.Delta < -MaxStock:
		f.Add("delta", "err.out_of_range")
	}
	text(f, "reason", in.Reason, true, MaxReason)
	if r := strings.TrimSpace(in.Region); r != "" {
		switch {
		case in.Delta > 0:
			f.Add("region", "err.campaign.region_on_delivery")
		case !region.ValidCode(r) || region.LevelOf(r) < region.Community:
			f.Add("region", "err.region_code")
		}
	}
	return f.Err()
}

// LowCrossed reports whether a move from before to after takes a material
// with threshold low into shortage: it was above the threshold and is now at
// or below it. Leaders are told once per crossing, not at every later move.
func LowCrossed(low, before, after int) bool {
	return low > 0 && before > low && after <= low
}
