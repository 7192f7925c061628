package starrocks

import (
	"context"
	"strings"
	"sync"

	gsql "github.com/dolthub/go-mysql-server/sql"
	"github.com/dolthub/vitess/go/mysql"
	"github.com/dolthub/vitess/go/sqltypes"
)

// Session is the simulator's state for one client connection. The engine
// keeps its own session for the same connection (variables, current
// database); statements that change the database go through both.
type Session struct {
	c    *Cluster
	conn *mysql.Conn
	// ID is the connection id.
	ID uint32
	// User is the authenticated user name.
	User string

	mu   sync.Mutex
	db   string
	vars map[string]string
	// queryID is the id of the statement running now; lastQueryID that of
	// the statement before it (LAST_QUERY_ID()).
	queryID, lastQueryID string
}

// Database returns the current database ("" when none).
func (s *Session) Database() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.db
}

func (s *Session) setDatabase(db string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.db = db
}

// Cluster returns the cluster the session belongs to.
func (s *Session) Cluster() *Cluster { return s.c }

// resolveDB returns db, or the current database when db is empty, and
// checks that it exists.
func (s *Session) resolveDB(db string) (string, error) {
	if db == "" {
		db = s.Database()
		if db == "" {
			return "", errNoDatabaseSelected()
		}
	}
	if !s.c.store.HasDatabase(db) {
		return "", errUnknownDatabase(db)
	}
	return db, nil
}

// denied reports whether the session user is refused any of the families.
func (s *Session) denied(families ...string) bool {
	d := s.c.denied[s.User]
	for _, f := range families {
		if d[strings.ToUpper(f)] {
			return true
		}
	}
	return false
}

// require returns StarRocks' access-denied error when the user is refused
// the privilege priv (itself a family name) or any of the extra families.
func (s *Session) require(priv, objType, object string, families ...string) error {
	if s.denied(append([]string{priv}, families...)...) {
		return errPrivilegeDenied(priv, objType, object)
	}
	return nil
}

// engineQuery runs SQL through the engine on this connection's engine
// session and collects the whole result.
func (s *Session) engineQuery(ctx context.Context, sql string) (*sqltypes.Result, error) {
	var out *sqltypes.Result
	err := s.c.inner().ComQuery(ctx, s.conn, sql, func(r *sqltypes.Result, more bool) error {
		if out == nil {
			out = &sqltypes.Result{Fields: r.Fields, RowsAffected: r.RowsAffected, InsertID: r.InsertID, Info: r.Info}
		}
		// The engine reuses the rows' buffers once the callback returns:
		// keep copies.
		for _, row := range r.Rows {
			cp := make([]sqltypes.Value, len(row))
			for i, v := range row {
				cp[i] = sqltypes.MakeTrusted(v.Type(), append([]byte(nil), v.Raw()...))
			}
			out.Rows = append(out.Rows, cp)
		}
		return nil
	})
	if err != nil {
		return nil, mapEngineError(err, s.Database(), sql)
	}
	if out == nil {
		out = &sqltypes.Result{}
	}
	return out, nil
}

// QueryRows runs a SELECT (StarRocks syntax, including PARTITION clauses)
// as this session's user in database db and returns typed rows. It is the
// entry point for jobs that read query results (e.g. INSERT INTO FILES).
func (c *Cluster) QueryRows(ctx context.Context, db, query string) (gsql.Schema, []gsql.Row, error) {
	rewritten, err := rewriteQuery(query, c.prof)
	if err != nil {
		return nil, nil, err
	}
	sess := gsql.NewBaseSessionWithClientServer("", gsql.Client{User: "root", Address: "127.0.0.1"}, 0)
	quietSessionLogger(sess)
	sctx := gsql.NewContext(ctx, gsql.WithSession(sess))
	sctx.SetCurrentDatabase(db)
	sch, iter, _, err := c.engine.Query(sctx, rewritten)
	if err != nil {
		return nil, nil, mapEngineError(err, db, rewritten)
	}
	rows, err := gsql.RowIterToRows(sctx, iter)
	if err != nil {
		return nil, nil, mapEngineError(err, db, rewritten)
	}
	return sch, rows, nil
}
