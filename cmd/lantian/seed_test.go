package main

import (
	"context"

	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/store"
)

// openSeeded opens (creating) a SQLite database and fills the demo street.
func openSeeded(path string) (*store.DB, error) {
	ctx := context.Background()
	db, err := store.Open(ctx, path, nil)
	if err != nil {
		return nil, err
	}
	if _, err := demo.Seed(ctx, db); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}
