package messages

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/region"
)

// Limits of the feed.
const (
	MaxPostBody   = 500
	MaxPostPhotos = 9
	MaxComment    = 300
)

// Post is a short update on a region's feed (工作动态): the result of a
// clean-up, a problem solved; it may link to the record it shares.
type Post struct {
	ID         int64
	Region     string
	AuthorID   int64
	AuthorName string
	Body       string
	Photos     []string // photo ids
	RecordKind string   // "case" when it shares a case
	RecordRef  string   // the case number
	Comments   int
	CreatedAt  time.Time
}

// Normalize trims the text.
func (p *Post) Normalize() {
	p.Body = strings.TrimSpace(strings.ReplaceAll(p.Body, "\r\n", "\n"))
	p.Region = strings.TrimSpace(p.Region)
}

// Validate checks a post before it is stored.
func (p Post) Validate() error {
	f := apperr.Fields{}
	switch n := utf8.RuneCountInString(p.Body); {
	case n == 0:
		f.Add("body", "err.required")
	case n > MaxPostBody:
		f.Add("body", "err.too_long", MaxPostBody)
	}
	if len(p.Photos) > MaxPostPhotos {
		f.Add("photos", "err.photo_too_many", MaxPostPhotos)
	}
	if p.Region == "" {
		f.Add("region", "err.required")
	} else if !region.ValidCode(p.Region) {
		f.Add("region", "err.region_code")
	}
	return f.Err()
}

// Comment is a remark on a post.
type Comment struct {
	ID         int64
	PostID     int64
	AuthorID   int64
	AuthorName string
	Body       string
	CreatedAt  time.Time
}

// ValidateComment checks a comment's text.
func ValidateComment(body string) error {
	switch n := utf8.RuneCountInString(strings.TrimSpace(body)); {
	case n == 0:
		return apperr.Field("body", "err.required")
	case n > MaxComment:
		return apperr.Field("body", "err.too_long", MaxComment)
	}
	return nil
}

// FeedVisible reports whether a post in region r shows on the feed of
// someone whose scopes are roots: posts of their own region and below,
// and of the regions above it (a grid's patroller reads the community's
// and the street's posts; a street leader reads every community's).
func FeedVisible(roots []string, r string) bool {
	for _, root := range roots {
		if region.Contains(root, r) || region.Contains(r, root) {
			return true
		}
	}
	return false
}

// FeedRegions returns, for scopes roots, the regions above them whose
// posts a feed shows (the subtrees below come from the roots themselves).
func FeedRegions(roots []string) (above []string) {
	for _, root := range roots {
		for p := region.ParentOf(root); p != ""; p = region.ParentOf(p) {
			if !slices.Contains(above, p) {
				above = append(above, p)
			}
		}
	}
	return above
}
