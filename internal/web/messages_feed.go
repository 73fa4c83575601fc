package web

import (
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/auth"
	"github.com/lantian-org/lantian/internal/messages"
	"github.com/lantian-org/lantian/internal/store"
)

// The feed (工作动态): posts of one's regions with their photos, a form to
// post, and each post's comments.

// postRow is a post as the feed shows it.
type postRow struct {
	messages.Post
	RegionName string
	Pics       []pic
	RecordHref string
}

// pic is a post's photo: its thumbnail and full URL.
type pic struct{ Thumb, Full string }

// feedPage is the feed with its posting form.
type feedPage struct {
	Page
	Posts   []postRow
	Pager   pager
	CanPost bool
	Regions []option
	Region  string // the filter
	Filters []option
	Body    string
	PostIn  string // the region chosen in the form
}

func (s *Server) postRows(r *http.Request, list []messages.Post) ([]postRow, error) {
	names, err := s.app.RegionNames(r.Context())
	if err != nil {
		return nil, err
	}
	var out []postRow
	for _, p := range list {
		row := postRow{Post: p, RegionName: names(p.Region)}
		for _, id := range p.Photos {
			u := fmt.Sprintf("/feed/%d/photos/%s", p.ID, id)
			row.Pics = append(row.Pics, pic{Thumb: u + "?thumb=1", Full: u})
		}
		if p.RecordKind == "case" {
			row.RecordHref = "/cases/" + url.PathEscape(p.RecordRef)
		}
		out = append(out, row)
	}
	return out, nil
}

func (s *Server) feedData(r *http.Request) (feedPage, int, error) {
	u := userOf(r)
	q := r.URL.Query()
	data := feedPage{Page: s.page(r, "messages.feed.title"), CanPost: u.CanSomewhere(auth.PostWrite), Region: q.Get("region")}
	page := store.Page{Page: atoiDefault(q.Get("page"), 1), Size: 20}.Clamp()
	list, total, err := s.app.Messages.Feed(r.Context(), u, data.Region, page)
	if err != nil {
		return data, 0, err
	}
	if data.Posts, err = s.postRows(r, list); err != nil {
		return data, 0, err
	}
	data.Pager = newPager(r, page.Page, page.Size, total)
	if data.CanPost {
		rs, err := s.app.Messages.PostRegions(r.Context(), u)
		if err != nil {
			return data, 0, err
		}
		for _, rg := range rs {
			data.Regions = append(data.Regions, option{Value: rg.Code, Label: rg.Name})
		}
	}
	opts, _, err := s.regionOptions(r, 2)
	if err != nil {
		return data, 0, err
	}
	for _, o := range opts {
		if len(o.Value) == 15 && o.Value[12:] == "000" {
			data.Filters = append(data.Filters, o) // streets and communities
		}
	}
	return data, total, nil
}

func (s *Server) feed(w http.ResponseWriter, r *http.Request) {
	data, _, err := s.feedData(r)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	if r.URL.Query().Get("partial") == "1" {
		s.renderPartial(w, r, "feed", "posts", data)
		return
	}
	s.render(w, r, http.StatusOK, "feed", data)
}

// MaxPostUpload bounds the posting form: its text and up to nine photos.
const MaxPostUpload = 9*10<<20 + 1<<20

// feedPost puts a post on the feed from the form, its photos checked and stored first.
func (s *Server) feedPost(w http.ResponseWriter, r *http.Request) {
	u := userOf(r)
	if !u.CanSomewhere(auth.PostWrite) {
		s.forbidden(w, r)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, MaxPostUpload)
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		s.feedError(w, r, "", "", apperr.Field("photos", "err.photo_too_large", 10))
		return
	}
	body, reg := r.FormValue("body"), r.FormValue("region")
	post := messages.Post{Region: reg, Body: body}
	files := r.MultipartForm.File["photos"]
	if len(files) > messages.MaxPostPhotos {
		s.feedError(w, r, body, reg, apperr.Field("photos", "err.photo_too_many", messages.MaxPostPhotos))
		return
	}
	for _, fh := range files {
		if fh.Size == 0 && fh.Filename == "" {
			continue
		}
		f, err := fh.Open()
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		id, err := s.app.Messages.UploadPhoto(r.Context(), s.actor(r), u, f)
		f.Close()
		if err != nil {
			if e := apperr.As(err); e.Fields["photo"].Key != "" {
				e.Fields = map[string]apperr.Msg{"photos": e.Fields["photo"]}
			}
			s.feedError(w, r, body, reg, err)
			return
		}
		post.Photos = append(post.Photos, id)
	}
	if _, err := s.app.Messages.CreatePost(r.Context(), s.actor(r), u, post); err != nil {
		s.feedError(w, r, body, reg, err)
		return
	}
	setFlash(w, "messages.flash.posted")
	http.Redirect(w, r, "/feed", http.StatusSeeOther)
}

func (s *Server) feedError(w http.ResponseWriter, r *http.Request, body, reg string, err error) {
	if apperr.As(err).Code == apperr.Internal {
		s.serverError(w, r, err)
		return
	}
	data, _, derr := s.feedData(r)
	if derr != nil {
		s.pageError(w, r, derr)
		return
	}
	data.Body, data.PostIn = body, reg
	data.withError(printer(r), err)
	s.render(w, r, statusFor(err), "feed", data)
}

// postPage is one post with its comments.
type postPage struct {
	Page
	P        postRow
	Comments []messages.Comment
	Pager    pager
	Body     string
}

func (s *Server) feedPostPage(w http.ResponseWriter, r *http.Request, status int, cerr error, body string) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	u := userOf(r)
	p, err := s.app.Messages.Post(r.Context(), u, id)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	rows, err := s.postRows(r, []messages.Post{p})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	page := store.Page{Page: atoiDefault(r.URL.Query().Get("page"), 1), Size: 50}.Clamp()
	list, total, err := s.app.Messages.Comments(r.Context(), u, id, page)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	data := postPage{Page: s.page(r, "messages.feed.post"), P: rows[0], Comments: list, Pager: newPager(r, page.Page, page.Size, total), Body: body}
	if cerr != nil {
		data.withError(printer(r), cerr)
	}
	s.render(w, r, status, "feed_post", data)
}

func (s *Server) feedPostDetail(w http.ResponseWriter, r *http.Request) {
	s.feedPostPage(w, r, http.StatusOK, nil, "")
}

func (s *Server) feedComment(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	body := r.PostFormValue("body")
	if _, err := s.app.Messages.Comment(r.Context(), s.actor(r), userOf(r), id, body); err != nil {
		if e := apperr.As(err); e.Code == apperr.Invalid {
			s.feedPostPage(w, r, statusFor(err), err, body)
			return
		}
		s.pageError(w, r, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/feed/%d#comments", id), http.StatusSeeOther)
}

func (s *Server) feedPhoto(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	f, err := s.app.Messages.PostPhoto(r.Context(), userOf(r), id, r.PathValue("photo"), r.URL.Query().Get("thumb") != "")
	if err != nil {
		s.notFound(w, r)
		return
	}
	defer f.Close()
	w.Header().Set("Content-Type", "image/jpeg")
	w.Header().Set("Cache-Control", "private, max-age=31536000, immutable")
	http.ServeContent(w, r, "", time.Time{}, f)
}

// feedShare posts a closed case (the case page's button) to its community's feed.
func (s *Server) feedShare(w http.ResponseWriter, r *http.Request) {
	number := r.PostFormValue("case")
	p, err := s.app.Messages.ShareCase(r.Context(), s.actor(r), userOf(r), number, r.PostFormValue("body"))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	setFlash(w, "messages.flash.shared")
	http.Redirect(w, r, fmt.Sprintf("/feed/%d", p.ID), http.StatusSeeOther)
}
