package store_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/lantian-org/lantian/internal/apperr"
	"github.com/lantian-org/lantian/internal/demo"
	"github.com/lantian-org/lantian/internal/people"
	"github.com/lantian-org/lantian/internal/store"
	"github.com/lantian-org/lantian/internal/store/storetest"
	"github.com/lantian-org/lantian/internal/unit"
)

func seeded(t *testing.T, db *store.DB) {
	t.Helper()
	if _, err := demo.Seed(context.Background(), db); err != nil {
		t.Fatal(err)
	}
}

func TestUnits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		seeded(t, db)
		actor := store.Actor{ID: 1, Name: "admin", IP: "127.0.0.1"}
		code := unit.CompleteCreditCode("91620502MA7TEXT01")
		u := unit.Unit{Name: "测试餐馆", Kind: "restaurant", CreditCode: code, Region: demo.GridCode(0, 0), Tags: []string{"fumes"},
			Contacts: []unit.Contact{{Name: "李明", Phone: "13800000001"}}}
		if err := db.CreateUnit(ctx, actor, &u); err != nil {
			t.Fatal(err)
		}
		got, err := db.Unit(ctx, u.ID)
		if err != nil || got.Name != "测试餐馆" || len(got.Tags) != 1 || got.Contacts[0].Phone != "13800000001" {
			t.Fatalf("Unit = %+v, %v; want 测试餐馆 with its tag and contact", got, err)
		}
		// A duplicate credit code is a conflict on that field, and nothing is written.
		before := storetest.AuditCount(t, db, "unit", "")
		dup := unit.Unit{Name: "另一家", Kind: "shop", CreditCode: code, Region: demo.GridCode(0, 1)}
		err = db.CreateUnit(ctx, actor, &dup)
		if e := apperr.As(err); e.Code != apperr.Conflict || e.Fields["credit_code"].Key == "" {
			t.Fatalf("duplicate credit code: %v, want a conflict on credit_code", err)
		}
		if after := storetest.AuditCount(t, db, "unit", ""); after != before {
			t.Fatalf("audit rows %d → %d after a failed write, want no change", before, after)
		}
		// An unknown grid is a field error.
		bad := unit.Unit{Name: "无网格", Kind: "courtyard", Region: "620502004009009"}
		if err := db.CreateUnit(ctx, actor, &bad); apperr.As(err).Fields["region"].Key != "err.grid_unknown" {
			t.Fatalf("unknown grid: %v, want err.grid_unknown on region", err)
		}
		// Updates are audited with before and after.
		u.Name, u.Tags = "测试餐馆（改）", []string{"fumes", "waste"}
		if err := db.UpdateUnit(ctx, actor, &u); err != nil {
			t.Fatal(err)
		}
		entries, _, err := db.AuditLog(ctx, store.AuditFilter{Entity: "unit", EntityID: itoa(u.ID)})
		if err != nil || len(entries) != 2 || entries[0].Action != "update" || entries[0].ActorName != "admin" || entries[0].IP != "127.0.0.1" {
			t.Fatalf("audit = %+v, %v; want create and update, the update first, by admin from 127.0.0.1", entries, err)
		}
		if !contains(entries[0].Before, "测试餐馆\"") || !contains(entries[0].After, "（改）") {
			t.Fatalf("audit before/after = %s / %s, want the old name before and the new one after", entries[0].Before, entries[0].After)
		}
		// Filters: scope, tag, search, kind, paging and total.
		list, total, err := db.Units(ctx, store.UnitFilter{Roots: []string{demo.CommunityCode(0)}, Tag: "waste", Q: "改"})
		if err != nil || total != 1 || list[0].ID != u.ID {
			t.Fatalf("filtered list = %d, %v; want the one renamed unit", total, err)
		}
		_, outside, err := db.Units(ctx, store.UnitFilter{Roots: []string{demo.CommunityCode(1)}, Q: "测试餐馆"})
		if err != nil || outside != 0 {
			t.Fatalf("unit visible outside its community: %d, %v; want 0", outside, err)
		}
		page, all, err := db.Units(ctx, store.UnitFilter{Roots: []string{demo.StreetCode}, Page: store.Page{Page: 2, Size: 10}})
		if err != nil || len(page) != 10 || all < 60 {
			t.Fatalf("page 2 = %d rows of %d, %v; want 10 of 60 or more", len(page), all, err)
		}
		_, none, err := db.Units(ctx, store.UnitFilter{})
		if err != nil || none != 0 {
			t.Fatalf("empty scope sees %d units, %v; want 0", none, err)
		}
		// A search term with LIKE wildcards matches literally.
		_, lit, err := db.Units(ctx, store.UnitFilter{Roots: []string{demo.StreetCode}, Q: "%"})
		if err != nil || lit != 0 {
			t.Fatalf("%%-search matched %d, %v; want 0 (the wildcard taken literally)", lit, err)
		}
	})
}

func TestPeopleAndSessions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		seeded(t, db)
		hash, _ := people.HashPassword("secret-pass")
		p := people.Person{Username: "Newbie", Name: "新人", Mobile: "13912345678", Active: true,
			Roles: []people.Assignment{{Role: people.Patroller, Region: demo.GridCode(1, 1)}}}
		if err := db.CreatePerson(ctx, store.System, &p, hash); err != nil {
			t.Fatal(err)
		}
		if p.Username != "newbie" || len(p.Roles) != 1 || p.Roles[0].ID == 0 {
			t.Fatalf("created %+v, want the username lowercased and its role stored", p)
		}
		// Sign-in by mobile finds the same person.
		byMobile, h, err := db.Credentials(ctx, "13912345678")
		if err != nil || byMobile.ID != p.ID || !people.CheckPassword(h, "secret-pass") {
			t.Fatalf("Credentials by mobile: %+v, %v; want person %d with the password", byMobile, err, p.ID)
		}
		// Duplicate username and mobile are field conflicts; nothing is written.
		n0, _ := db.CountPeople(ctx)
		for field, q := range map[string]people.Person{
			"username": {Username: "newbie", Name: "重名", Active: true},
			"mobile":   {Username: "other", Name: "同号", Mobile: "13912345678", Active: true},
		} {
			err := db.CreatePerson(ctx, store.System, &q, hash)
			if apperr.As(err).Fields[field].Key != "err.duplicate_value" {
				t.Errorf("duplicate %s: %v, want err.duplicate_value on %s", field, err, field)
			}
		}
		// A bad role rolls back the person too.
		bad := people.Person{Username: "badrole", Name: "错角色", Active: true, Roles: []people.Assignment{{Role: people.Leader, Region: "620502004009000"}}}
		if err := db.CreatePerson(ctx, store.System, &bad, hash); apperr.As(err).Fields["region"].Key == "" {
			t.Errorf("unknown region accepted: %v, want a field error on region", err)
		}
		if n1, _ := db.CountPeople(ctx); n1 != n0 {
			t.Fatalf("people %d → %d after failed creates, want no change", n0, n1)
		}
		// People in a community's scope include its grids' patrollers.
		ps, total, err := db.People(ctx, store.PeopleFilter{Roots: []string{demo.CommunityCode(1)}, Role: "patroller", Q: "newbie"})
		if err != nil || total != 1 || ps[0].ID != p.ID {
			t.Fatalf("scoped people = %d, %v; want newbie alone", total, err)
		}
		_, unitContacts, err := db.People(ctx, store.PeopleFilter{Roots: []string{demo.StreetCode}, Role: "unit_contact"})
		if err != nil || unitContacts < 60 {
			t.Fatalf("unit contacts in street scope = %d, %v; want 60 or more", unitContacts, err)
		}
		// Sessions: valid, wrong kind, expired, deactivated person.
		if err := db.CreateSession(ctx, p.ID, store.SessionWeb, "h1", time.Hour, "10.0.0.1"); err != nil {
			t.Fatal(err)
		}
		if id, err := db.SessionPerson(ctx, "h1", store.SessionWeb); err != nil || id != p.ID {
			t.Fatalf("SessionPerson = %d, %v; want %d", id, err, p.ID)
		}
		if _, err := db.SessionPerson(ctx, "h1", store.SessionAPI); !apperr.Is(err, apperr.Unauthorized) {
			t.Fatalf("web session used as API token: %v, want unauthorized", err)
		}
		db.CreateSession(ctx, p.ID, store.SessionAPI, "h2", -time.Minute, "")
		if _, err := db.SessionPerson(ctx, "h2", store.SessionAPI); !apperr.Is(err, apperr.Unauthorized) {
			t.Fatalf("expired session accepted: %v, want unauthorized", err)
		}
		if n, err := db.DeleteExpiredSessions(ctx); err != nil || n != 1 {
			t.Fatalf("DeleteExpiredSessions = %d, %v; want 1", n, err)
		}
		p.Active = false
		if err := db.UpdatePerson(ctx, store.System, &p); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SessionPerson(ctx, "h1", store.SessionWeb); !apperr.Is(err, apperr.Unauthorized) {
			t.Fatalf("deactivated person keeps a session: %v, want unauthorized", err)
		}
	})
}

func TestMigrateTwiceAndBackup(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if err := db.Migrate(ctx); err != nil {
			t.Fatalf("second migrate: %v, want nothing to do", err)
		}
		ms, err := db.MigrationStatus(ctx)
		if err != nil || len(ms) == 0 || ms[0].AppliedAt == 0 {
			t.Fatalf("status = %+v, %v; want every migration applied", ms, err)
		}
		seeded(t, db)
		file := filepath.Join(t.TempDir(), "copy.db")
		err = db.Backup(ctx, file)
		if db.Dialect == store.Postgres {
			if err == nil {
				t.Fatal("backup on PostgreSQL succeeded, want an error pointing to pg_dump")
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		cp, err := store.Open(ctx, file, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer cp.Close()
		n, err := cp.CountRegions(ctx)
		if err != nil || n != 38 {
			t.Fatalf("backup has %d regions (%v), want 38", n, err)
		}
		if err := db.Backup(ctx, file); err == nil {
			t.Fatal("backup overwrote an existing file, want an error")
		}
	})
}

func TestWriteRollsBack(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		seeded(t, db)
		boom := errors.New("boom")
		before := storetest.AuditCount(t, db, "", "")
		err := db.Write(ctx, store.System, func(tx *store.Tx) error {
			u := unit.Unit{Name: "回滚测试", Kind: "courtyard", Region: demo.GridCode(2, 2)}
			if err := tx.CreateUnit(ctx, &u); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("Write = %v, want the function's own error", err)
		}
		if _, n, _ := db.Units(ctx, store.UnitFilter{Roots: []string{demo.StreetCode}, Q: "回滚测试"}); n != 0 {
			t.Fatal("unit survived a rolled-back transaction, want it gone")
		}
		if after := storetest.AuditCount(t, db, "", ""); after != before {
			t.Fatalf("audit rows %d → %d after rollback, want no change", before, after)
		}
	})
}
