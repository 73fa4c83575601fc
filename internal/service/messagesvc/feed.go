package messagesvc

import (
	"context"
	"io"
	"slices"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/cases"
	"github.com/lantian-org/lantian/internal/messages"
	"github.com/lantian-org/lantian/internal/photo"
	"github.com/lantian-org/lantian/internal/region"
	"github.com/lantian-org/lantian/internal/store"
)

// The feed (工作动态): staff post to their regions' feeds; everyone who
// reads the feed sees posts of their regions, below and above them, and
// comments.

// feedFilter is the store filter of what p's feed shows.
func feedFilter(p *auth.Principal) store.FeedFilter {
	roots := p.Scopes(auth.PostRead)
	return store.FeedFilter{All: p.Can(auth.PostRead, auth.Target{}), Roots: roots, Above: messages.FeedRegions(roots)}
}

// CanReadPost reports whether p's feed shows a post in region code.
func CanReadPost(p *auth.Principal, code string) bool {
	return p.Can(auth.PostRead, auth.Target{}) || messages.FeedVisible(p.Scopes(auth.PostRead), code)
}

// Feed lists the posts p's feed shows, newest first; code narrows it to a region's subtree.
func (s *Service) Feed(ctx context.Context, p *auth.Principal, code string, page store.Page) ([]messages.Post, int, error) {
	if !p.CanSomewhere(auth.PostRead) {
		return nil, 0, apperr.ErrForbidden
	}
	f := feedFilter(p)
	if code != "" {
		if !region.ValidCode(code) {
			return nil, 0, apperr.Field("region", "err.region_code")
		}
		f.Region = code
	}
	f.Page = page
	return s.DB.Feed(ctx, f)
}

// Post loads post id for p (404 when p's feed does not show it).
func (s *Service) Post(ctx context.Context, p *auth.Principal, id int64) (messages.Post, error) {
	if !p.CanSomewhere(auth.PostRead) {
		return messages.Post{}, apperr.ErrNotFound
	}
	post, err := s.DB.Post(ctx, id)
	if err != nil {
		return post, err
	}
	if !CanReadPost(p, post.Region) {
		return messages.Post{}, apperr.ErrNotFound
	}
	return post, nil
}

// UploadPhoto checks and stores a photo for a post p is writing and returns its id.
func (s *Service) UploadPhoto(ctx context.Context, who store.Actor, p *auth.Principal, r io.Reader) (string, error) {
	if !p.CanSomewhere(auth.PostWrite) {
		return "", apperr.ErrForbidden
	}
	proc, err := photo.Process(r, photo.Limits{Location: s.Loc})
	if err != nil {
		return "", photoErr(err, "photo")
	}
	id, err := s.Photos.Put(proc)
	if err != nil {
		return "", err
	}
	rec := store.PhotoRecord{ID: id, Width: proc.Width, Height: proc.Height, Format: proc.Format}
	return id, s.DB.SavePhoto(ctx, who, rec)
}

// CreatePost puts p's post on the feed of region post.Region (one of p's
// regions; 422 as for an unknown region otherwise); its photos must be
// ones p uploaded. Everyone whose feed shows it sees it live.
func (s *Service) CreatePost(ctx context.Context, who store.Actor, p *auth.Principal, post messages.Post) (messages.Post, error) {
	if !p.CanSomewhere(auth.PostWrite) {
		return post, apperr.ErrForbidden
	}
	post.Normalize()
	post.Photos = slices.Compact(post.Photos)
	if err := post.Validate(); err != nil {
		return post, err
	}
	if !p.Can(auth.PostWrite, auth.Target{Region: post.Region}) {
		return post, apperr.Field("region", "err.region_unknown")
	}
	if _, err := s.DB.Region(ctx, post.Region); apperr.Is(err, apperr.NotFound) {
		return post, apperr.Field("region", "err.region_unknown")
	} else if err != nil {
		return post, err
	}
	for _, id := range post.Photos {
		by, err := s.DB.PhotoUploader(ctx, id)
		if apperr.Is(err, apperr.NotFound) || err == nil && by != p.PersonID {
			return post, apperr.Field("photos", "err.messages.photo_unknown")
		}
		if err != nil {
			return post, err
		}
	}
	post.AuthorID, post.AuthorName = p.PersonID, p.Name
	err := s.DB.Write(ctx, who, func(tx *store.Tx) error {
		if err := tx.CreatePost(ctx, &post); err != nil {
			return err
		}
		tx.Signal(store.Live{Name: "post", Region: post.Region, Data: map[string]any{"id": post.ID, "region": post.Region,
			"author": post.AuthorName, "excerpt": messages.Shorten(post.Body, 60)}})
		return tx.Audit(ctx, "post", post.ID, "create", nil, map[string]any{"region": post.Region, "photos": len(post.Photos),
			"record": post.RecordRef})
	})
	return post, err
}

// ShareCase posts a closed case to the feed of its community, linked to
// it, with words made from the case (the caller's note replaces them when
// given). The case must be one p may read and its community one p posts to.
func (s *Service) ShareCase(ctx context.Context, who store.Actor, p *auth.Principal, number, body string) (messages.Post, error) {
	c, err := s.Cases.Get(ctx, p, number)
	if err != nil {
		return messages.Post{}, err
	}
	if c.Status != cases.StatusClosed {
		return messages.Post{}, apperr.New(apperr.Conflict, "err.messages.share_closed")
	}
	code := region.AncestorAt(c.Region, region.Community)
	if !p.Can(auth.PostWrite, auth.Target{Region: code}) {
		code = c.Region
	}
	post := messages.Post{Region: code, Body: body, RecordKind: "case", RecordRef: c.Number}
	for _, ph := range c.Photos {
		if ph.Step == cases.StepAfter && len(post.Photos) < messages.MaxPostPhotos {
			post.Photos = append(post.Photos, ph.ID)
		}
	}
	if post.Body == "" {
		post.Body = shareText(c)
	}
	if !p.CanSomewhere(auth.PostWrite) {
		return post, apperr.ErrForbidden
	}
	post.Normalize()
	if err := post.Validate(); err != nil {
		return post, err
	}
	if !p.Can(auth.PostWrite, auth.Target{Region: post.Region}) {
		return post, apperr.ErrForbidden
	}
	post.AuthorID, post.AuthorName = p.PersonID, p.Name
	err = s.DB.Write(ctx, who, func(tx *store.Tx) error {
		if err := tx.CreatePost(ctx, &post); err != nil {
			return err
		}
		tx.Signal(store.Live{Name: "post", Region: post.Region, Data: map[string]any{"id": post.ID, "region": post.Region,
			"author": post.AuthorName, "excerpt": messages.Shorten(post.Body, 60)}})
		return tx.Audit(ctx, "post", post.ID, "share", nil, map[string]any{"region": post.Region, "record": c.Number})
	})
	return post, err
}

// shareText is a shared case's default words: what was solved and where.
func shareText(c cases.Case) string {
	where := c.Address
	if where == "" {
		where = c.Number
	}
	return messages.Shorten(c.Description, 200) + "（" + where + "）"
}

// Comment adds p's comment to post id (404 when p's feed does not show it).
func (s *Service) Comment(ctx context.Context, who store.Actor, p *auth.Principal, id int64, body string) (messages.Comment, error) {
	post, err := s.Post(ctx, p, id)
	if err != nil {
		return messages.Comment{}, err
	}
	if err := messages.ValidateComment(body); err != nil {
		return messages.Comment{}, err
	}
	c := messages.Comment{PostID: post.ID, AuthorID: p.PersonID, AuthorName: p.Name, Body: trimmed(body)}
	err = s.DB.Write(ctx, who, func(tx *store.Tx) error {
		if err := tx.AddComment(ctx, &c); err != nil {
			return err
		}
		return tx.Audit(ctx, "post", post.ID, "comment", nil, map[string]any{"comment": c.ID})
	})
	return c, err
}

// Comments lists post id's comments for p.
func (s *Service) Comments(ctx context.Context, p *auth.Principal, id int64, page store.Page) ([]messages.Comment, int, error) {
	if _, err := s.Post(ctx, p, id); err != nil {
		return nil, 0, err
	}
	return s.DB.Comments(ctx, id, page)
}

// PostPhoto opens photo pid of post id for p (404 unless p sees the post and it holds the photo).
func (s *Service) PostPhoto(ctx context.Context, p *auth.Principal, id int64, pid string, thumb bool) (io.ReadSeekCloser, error) {
	post, err := s.Post(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(post.Photos, pid) || !photo.ValidID(pid) {
		return nil, apperr.ErrNotFound
	}
	f, err := s.Photos.Open(pid, thumb)
	if err != nil {
		return nil, apperr.ErrNotFound
	}
	return f, nil
}

// PostRegions lists the regions p may post to, down to grids, for the form.
func (s *Service) PostRegions(ctx context.Context, p *auth.Principal) ([]region.Region, error) {
	all, err := s.DB.Regions(ctx, p.Scopes(auth.PostWrite), false)
	if err != nil {
		return nil, err
	}
	var out []region.Region
	for _, r := range all {
		if r.Level >= region.Street && p.Can(auth.PostWrite, auth.Target{Region: r.Code}) {
			out = append(out, r)
		}
	}
	return out, nil
}
