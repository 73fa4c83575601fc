package store

// SetStmtCacheSize bounds the read statement cache, so that a test can
// overflow it with a handful of distinct queries.
func SetStmtCacheSize(db *DB, n int) {
	db.stmts.mu.Lock()
	db.stmts.max = n
	db.stmts.mu.Unlock()
}

// StmtCacheLen reports how many read statements are cached.
func StmtCacheLen(db *DB) int {
	db.stmts.mu.Lock()
	defer db.stmts.mu.Unlock()
	return len(db.stmts.m)
}
