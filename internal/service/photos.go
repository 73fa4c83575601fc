package service

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/lantian-org/lantian/internal/photo"
	"github.com/lantian-org/lantian/internal/store"
)

// StorePhoto checks an uploaded image by its content (photo.Process, an
// EXIF time without zone read in loc), stores it by content hash in photos
// and returns its record, for the caller to save with what it belongs to. A
// photo the checks refuse is an error of field: 413 when too large, 422
// otherwise.
func StorePhoto(ctx context.Context, photos *photo.Store, loc *time.Location, r io.Reader, field string) (store.PhotoRecord, error) {
	proc, err := photo.ProcessContext(ctx, r, photo.Limits{Location: loc})
	if err != nil {
		var pe *photo.Error
		if errors.As(err, &pe) {
			return store.PhotoRecord{}, pe.FieldErr(field)
		}
		return store.PhotoRecord{}, err
	}
	id, err := photos.Put(proc)
	if err != nil {
		return store.PhotoRecord{}, err
	}
	rec := store.PhotoRecord{ID: id, Width: proc.Width, Height: proc.Height, Format: proc.Format, Lat: proc.Lat, Lon: proc.Lon}
	if proc.Taken != nil {
		rec.Taken = *proc.Taken
	}
	return rec, nil
}
