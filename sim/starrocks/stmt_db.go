package starrocks

import (
	"context"

	"github.com/dolthub/vitess/go/sqltypes"
)

// registerStatements installs the phase-1 statement handlers. Later phases
// add theirs with c.router.Handle before the server starts.
func (c *Cluster) registerStatements() {
	r := &c.router
	for _, q := range []string{"SELECT", "WITH", "("} {
		r.Handle(q, "SELECT", handleSelect)
	}
	r.Handle("SET", "SET", handleSet)
	for _, p := range []string{"SHOW VARIABLES", "SHOW SESSION VARIABLES", "SHOW GLOBAL VARIABLES", "SHOW STATUS",
		"SHOW WARNINGS", "SHOW ERRORS", "SHOW PROCESSLIST", "SHOW FULL PROCESSLIST", "SHOW COLLATION",
		"SHOW CHARSET", "SHOW CHARACTER SET", "SHOW ENGINES"} {
		r.Handle(p, p, passThrough)
	}
	r.Handle("USE", "USE", handleUse)
	r.Handle("CREATE DATABASE", "CREATE DATABASE", handleCreateDatabase)
	r.Handle("CREATE SCHEMA", "CREATE DATABASE", handleCreateDatabase)
	r.Handle("DROP DATABASE", "DROP DATABASE", handleDropDatabase)
	r.Handle("DROP SCHEMA", "DROP DATABASE", handleDropDatabase)
	r.Handle("SHOW DATABASES", "SHOW DATABASES", handleShowDatabases)
	r.Handle("SHOW SCHEMAS", "SHOW DATABASES", handleShowDatabases)
	r.Handle("SHOW TABLES", "SHOW TABLES", handleShowTables)
	r.Handle("SHOW FULL TABLES", "SHOW TABLES", handleShowTables)
	r.Handle("CREATE TABLE", "CREATE TABLE", handleCreateTable)
	r.Handle("DROP TABLE", "DROP TABLE", handleDropTable)
	r.Handle("TRUNCATE TABLE", "TRUNCATE TABLE", handleTruncate)
	r.Handle("TRUNCATE", "TRUNCATE TABLE", handleTruncate)
	r.Handle("SHOW CREATE TABLE", "SHOW CREATE TABLE", handleShowCreateTable)
	for _, p := range []string{"DESC", "DESCRIBE", "SHOW COLUMNS", "SHOW FULL COLUMNS", "SHOW FIELDS", "SHOW FULL FIELDS"} {
		r.Handle(p, "DESC", handleDescribe)
	}
	r.Handle("ALTER TABLE", "ALTER TABLE", handleAlterTable)
	r.Handle("INSERT", "INSERT", handleInsert)
	r.Handle("SHOW PARTITIONS", "SHOW PARTITIONS", handleShowPartitions)
	r.Handle("SHOW TEMPORARY PARTITIONS", "SHOW TEMPORARY PARTITIONS", handleShowPartitions)
	r.Handle("SHOW BACKENDS", "SHOW BACKENDS", handleShowBackends)
	r.Handle("SHOW COMPUTE NODES", "SHOW COMPUTE NODES", handleShowComputeNodes)
	r.Handle("SHOW PROC", "SHOW PROC", handleShowProc)
}

// passThrough hands a statement to the engine unchanged.
func passThrough(ctx context.Context, s *Session, st *Statement) (*sqltypes.Result, error) {
	return s.engineQuery(ctx, st.SQL)
}

// handleUse switches the current database in both sessions.
func handleUse(ctx context.Context, s *Session, st *Statement) (*sqltypes.Result, error) {
	p := &parser{src: st.SQL, toks: st.Toks, i: 1}
	db, err := p.ident()
	if err != nil {
		return nil, err
	}
	if err := p.expectEnd(); err != nil {
		return nil, err
	}
	if !s.c.store.HasDatabase(db) {
		return nil, errUnknownDatabase(db)
	}
	if _, err := s.engineQuery(ctx, "USE "+quoteIdent(db)); err != nil {
		return nil, err
	}
	s.setDatabase(db)
	return okResult(0), nil
}

func handleCreateDatabase(_ context.Context, s *Session, st *Statement) (*sqltypes.Result, error) {
	p := &parser{src: st.SQL, toks: st.Toks, i: 2}
	ifNot := p.acceptKw("IF", "NOT", "EXISTS")
	db, err := p.ident()
	if err != nil {
		return nil, err
	}
	if err := p.expectEnd(); err != nil {
		return nil, err
	}
	if err := s.require("CREATE DATABASE", "CATALOG", "default_catalog", "CREATE"); err != nil {
		return nil, err
	}
	return okResult(0), s.c.store.CreateDatabase(db, ifNot)
}

func handleDropDatabase(_ context.Context, s *Session, st *Statement) (*sqltypes.Result, error) {
	p := &parser{src: st.SQL, toks: st.Toks, i: 2}
	ifExists := p.acceptKw("IF", "EXISTS")
	db, err := p.ident()
	if err != nil {
		return nil, err
	}
	p.acceptKw("FORCE")
	if err := p.expectEnd(); err != nil {
		return nil, err
	}
	if err := s.require("DROP", "DATABASE", db); err != nil {
		return nil, err
	}
	if err := s.c.store.DropDatabase(db, ifExists); err != nil {
		return nil, err
	}
	if s.Database() == db {
		s.setDatabase("")
	}
	return okResult(0), nil
}

func handleShowDatabases(_ context.Context, s *Session, st *Statement) (*sqltypes.Result, error) {
	p := &parser{src: st.SQL, toks: st.Toks, i: 2}
	if err := p.expectEnd(); err != nil {
		return nil, err
	}
	var rows [][]any
	for _, n := range s.c.store.DatabaseNames() {
		rows = append(rows, []any{n})
	}
	return textResult([]string{"Database"}, rows), nil
}

// handleShowTables: SHOW [FULL] TABLES [FROM db] [LIKE 'pattern'].
func handleShowTables(_ context.Context, s *Session, st *Statement) (*sqltypes.Result, error) {
	p := &parser{src: st.SQL, toks: st.Toks, i: 1}
	full := p.acceptKw("FULL")
	p.next() // TABLES
	db, err := parseFromDB(p)
	if err != nil {
		return nil, err
	}
	pattern := ""
	if p.acceptKw("LIKE") {
		if pattern, err = p.stringLit(); err != nil {
			return nil, err
		}
	}
	if err := p.expectEnd(); err != nil {
		return nil, err
	}
	if db, err = s.resolveDB(db); err != nil {
		return nil, err
	}
	names, err := s.c.store.TableNames(db)
	if err != nil {
		return nil, err
	}
	cols := []string{"Tables_in_" + db}
	if full {
		cols = append(cols, "Table_type")
	}
	var rows [][]any
	for _, n := range names {
		if pattern != "" && !likeMatch(pattern, n, true) {
			continue
		}
		if full {
			rows = append(rows, []any{n, "BASE TABLE"})
		} else {
			rows = append(rows, []any{n})
		}
	}
	return textResult(cols, rows), nil
}
