package starrocks

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"

	gsql "github.com/dolthub/go-mysql-server/sql"
	"github.com/dolthub/vitess/go/mysql"
	"github.com/dolthub/vitess/go/sqltypes"
	querypb "github.com/dolthub/vitess/go/vt/proto/query"
	"github.com/dolthub/vitess/go/vt/sqlparser"
)

// srHandler sits in front of the engine's MySQL handler. Every statement is
// counted, checked against injected faults, and routed: StarRocks-only
// statements to their handlers, queries (after rewriting) to the engine.
type srHandler struct {
	c     *Cluster
	inner mysql.Handler

	mu       sync.Mutex
	sessions map[uint32]*Session
	conns    map[uint32]*mysql.Conn
}

var _ mysql.Handler = (*srHandler)(nil)

func newSRHandler(c *Cluster, inner mysql.Handler) *srHandler {
	return &srHandler{c: c, inner: inner, sessions: map[uint32]*Session{}, conns: map[uint32]*mysql.Conn{}}
}

// session returns (creating on first use) the session of a connection.
func (h *srHandler) session(conn *mysql.Conn) *Session {
	h.mu.Lock()
	defer h.mu.Unlock()
	s, ok := h.sessions[conn.ConnectionID]
	if !ok {
		s = &Session{c: h.c, conn: conn, ID: conn.ConnectionID, User: conn.User, vars: map[string]string{}}
		h.sessions[conn.ConnectionID] = s
	}
	return s
}

// closeAll closes every client connection.
func (h *srHandler) closeAll() {
	h.mu.Lock()
	conns := make([]*mysql.Conn, 0, len(h.conns))
	for _, c := range h.conns {
		conns = append(conns, c)
	}
	h.mu.Unlock()
	for _, c := range conns {
		c.Close()
	}
}

func (h *srHandler) NewConnection(c *mysql.Conn) {
	h.mu.Lock()
	h.conns[c.ConnectionID] = c
	h.mu.Unlock()
	h.inner.NewConnection(c)
}

func (h *srHandler) ConnectionClosed(c *mysql.Conn) {
	h.mu.Lock()
	delete(h.conns, c.ConnectionID)
	delete(h.sessions, c.ConnectionID)
	h.mu.Unlock()
	h.inner.ConnectionClosed(c)
}

func (h *srHandler) ConnectionAborted(c *mysql.Conn, reason string) error {
	h.mu.Lock()
	delete(h.conns, c.ConnectionID)
	h.mu.Unlock()
	return h.inner.ConnectionAborted(c, reason)
}

// ComInitDB selects the database named in the DSN or COM_INIT_DB.
func (h *srHandler) ComInitDB(c *mysql.Conn, db string) error {
	if !h.c.store.HasDatabase(db) {
		return errUnknownDatabase(db)
	}
	if err := h.inner.ComInitDB(c, db); err != nil {
		return mapEngineError(err, db, "")
	}
	h.session(c).setDatabase(db)
	return nil
}

func (h *srHandler) ComQuery(ctx context.Context, c *mysql.Conn, query string, cb mysql.ResultSpoolFn) error {
	return h.c.execute(ctx, h.session(c), query, cb)
}

// ComMultiQuery runs the first statement and returns the rest.
func (h *srHandler) ComMultiQuery(ctx context.Context, c *mysql.Conn, query string, cb mysql.ResultSpoolFn) (string, error) {
	first, rest := splitFirstStatement(query)
	more := strings.TrimSpace(rest) != ""
	err := h.c.execute(ctx, h.session(c), first, func(r *sqltypes.Result, m bool) error { return cb(r, m || more) })
	if !more {
		rest = ""
	}
	return rest, err
}

// ComPrepare applies STARROCKS.md section 11: before 3.2 the binary
// protocol is refused; from 3.2 only queries may be prepared.
func (h *srHandler) ComPrepare(ctx context.Context, c *mysql.Conn, query string, prepare *mysql.PrepareData) ([]*querypb.Field, error) {
	s := h.session(c)
	if !h.c.prof.preparedSelect() {
		h.c.count("COM_STMT_PREPARE")
		return nil, newError(errUnsupportedCmd, "Unsupported command(COM_STMT_PREPARE)")
	}
	toks, err := lex(query)
	if err != nil {
		return nil, err
	}
	if !isQueryStart(toks) {
		h.c.count("COM_STMT_PREPARE")
		return nil, newError(errPreparedNotSupp, "This command is not supported in the prepared statement protocol yet")
	}
	rewritten, err := rewriteQuery(query, h.c.prof)
	if err != nil {
		return nil, err
	}
	if err := checkQueryPrivileges(s, rewritten); err != nil {
		return nil, err
	}
	prepare.PrepareStmt = rewritten
	fields, err := h.inner.ComPrepare(ctx, c, rewritten, prepare)
	if err != nil {
		return nil, mapEngineError(err, s.Database(), rewritten)
	}
	return fields, nil
}

// ComStmtExecute runs a prepared query (only queries get this far).
func (h *srHandler) ComStmtExecute(ctx context.Context, c *mysql.Conn, prepare *mysql.PrepareData, cb func(*sqltypes.Result) error) error {
	s := h.session(c)
	h.c.count("SELECT")
	if msg, ok := h.c.controls.takeFailure(KindQuery); ok {
		return newError(errDDL, msg)
	}
	if err := h.inner.ComStmtExecute(ctx, c, prepare, cb); err != nil {
		return mapEngineError(err, s.Database(), prepare.PrepareStmt)
	}
	return nil
}

func (h *srHandler) WarningCount(c *mysql.Conn) uint16 { return h.inner.WarningCount(c) }

func (h *srHandler) ComResetConnection(c *mysql.Conn) error { return h.inner.ComResetConnection(c) }

func (h *srHandler) ParserOptionsForConnection(c *mysql.Conn) (sqlparser.ParserOptions, error) {
	return h.inner.ParserOptionsForConnection(c)
}

// execute counts, routes and runs one statement.
func (c *Cluster) execute(ctx context.Context, s *Session, query string, cb mysql.ResultSpoolFn) error {
	query = strings.TrimSpace(query)
	query = strings.TrimSpace(strings.TrimSuffix(query, ";"))
	toks, err := lex(query)
	if err != nil {
		c.count("SYNTAX")
		return err
	}
	st := &Statement{SQL: query, Toks: toks}
	rt, ok := c.router.match(toks)
	if !ok {
		st.Family = familyOf(toks)
		c.count(st.Family)
		err := errUnsupportedStatement(query)
		c.logf("%s: %v", st.Family, err)
		return err
	}
	st.Family = rt.family
	c.count(st.Family)
	s.beginQuery()
	defer s.endQuery()
	res, err := rt.handler(ctx, s, st)
	if err != nil {
		if !isSQLError(err) {
			err = mapEngineError(err, s.Database(), query)
		}
		c.logf("%s failed: %v", st.Family, err)
		return err
	}
	c.logf("%s ok", st.Family)
	if res == nil {
		return nil // the handler streamed its result
	}
	return cb(res, false)
}

// splitFirstStatement splits a multi-statement string after its first
// top-level ';'.
func splitFirstStatement(q string) (string, string) {
	toks, err := lex(q)
	if err != nil {
		return q, ""
	}
	for _, t := range toks {
		if t.isPunct(";") {
			return q[:t.pos], q[t.end:]
		}
	}
	return q, ""
}

// isQueryStart reports whether a statement is a query (SELECT/WITH/(...)).
func isQueryStart(toks []token) bool {
	return toks[0].isWord("SELECT") || toks[0].isWord("WITH") || toks[0].isPunct("(")
}

var (
	reTableNotFound = regexp.MustCompile(`^table not found: (.+)$`)
	reDBNotFound    = regexp.MustCompile(`^database not found: (.+)$`)
	reFuncNotFound  = regexp.MustCompile(`^function: '(.+)' not found$`)
	reColNotFound   = regexp.MustCompile(`^column "(.+)" could not be found in any table in scope$`)
)

// mapEngineError rewrites the engine's error texts for the common query
// failures into StarRocks' wording; errors that already carry a MySQL code
// other than the engine's generic ones pass through.
func mapEngineError(err error, db, query string) error {
	if err == nil {
		return nil
	}
	var se *mysql.SQLError
	if errors.As(err, &se) {
		generic := se.Num == mysql.ERUnknownError || se.Num == mysql.ERNoSuchTable || se.Num == mysql.ERBadDb || se.Num == mysql.ERParseError
		if !generic || strings.HasPrefix(se.Message, "Getting ") {
			return se
		}
	}
	msg := err.Error()
	if se != nil {
		msg = se.Message
	}
	switch {
	case gsql.ErrTableNotFound.Is(err) || reTableNotFound.MatchString(msg):
		name := msg
		if m := reTableNotFound.FindStringSubmatch(msg); m != nil {
			name = m[1]
		}
		name = originalName(query, stripHidden(name))
		if i := strings.LastIndex(name, "."); i >= 0 {
			return errTableNotFoundQuery(name[:i], name[i+1:])
		}
		qual := qualifierOf(query, name)
		if qual == "" {
			qual = db
		}
		if qual == "" {
			return errNoDatabaseSelected()
		}
		return errTableNotFoundQuery(qual, name)
	case reDBNotFound.MatchString(msg):
		return errUnknownDatabase(reDBNotFound.FindStringSubmatch(msg)[1])
	case reFuncNotFound.MatchString(msg):
		return errNoMatchingFunction(reFuncNotFound.FindStringSubmatch(msg)[1], nil)
	case reColNotFound.MatchString(msg):
		return analysisError(fmt.Sprintf("Column '%s' cannot be resolved", reColNotFound.FindStringSubmatch(msg)[1]))
	case se != nil && se.Num == mysql.ERParseError, strings.Contains(msg, "syntax error"):
		return newError(errSyntax, "Getting syntax error. Detail message: "+msg+".")
	}
	if se != nil {
		return newError(errAnalysis, se.Message)
	}
	return newError(errAnalysis, msg)
}

// originalName returns name as spelled in the query (the engine lower-cases
// names in its messages).
func originalName(query, name string) string {
	toks, err := lex(query)
	if err != nil {
		return name
	}
	for _, t := range toks {
		if t.isIdent() && strings.EqualFold(stripHidden(t.val), name) {
			return stripHidden(t.val)
		}
	}
	return name
}

// qualifierOf finds the database qualifying table name in a query
// ("db.name"), or "".
func qualifierOf(query, name string) string {
	toks, err := lex(query)
	if err != nil {
		return ""
	}
	for i := 2; i < len(toks); i++ {
		if toks[i].isIdent() && strings.EqualFold(stripHidden(toks[i].val), name) && toks[i-1].isPunct(".") && toks[i-2].isIdent() {
			return toks[i-2].val
		}
	}
	return ""
}

// stripHidden removes hidden-name suffixes from a table name in a message.
func stripHidden(name string) string {
	for _, m := range []string{hiddenPart, hiddenTemp, hiddenLoad} {
		if i := strings.Index(name, m); i >= 0 {
			return name[:i]
		}
	}
	return name
}
