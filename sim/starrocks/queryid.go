package starrocks

import (
	gsql "github.com/dolthub/go-mysql-server/sql"
	"github.com/dolthub/go-mysql-server/sql/types"
)

// Every statement gets a query id. LAST_QUERY_ID() returns the id of the
// statement the session ran before the current one (STARROCKS.md 3.3:
// after EXPORT it is the export job's query id).

// beginQuery assigns the current statement a fresh query id.
func (s *Session) beginQuery() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.queryID = newQueryID()
}

// endQuery makes the current statement's id the last query id.
func (s *Session) endQuery() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lastQueryID = s.queryID
}

// currentQueryID is the id of the statement running now.
func (s *Session) currentQueryID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.queryID
}

// previousQueryID is what LAST_QUERY_ID() returns ("" before any statement).
func (s *Session) previousQueryID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastQueryID
}

// sessionByID finds the session of a connection.
func (h *srHandler) sessionByID(id uint32) *Session {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.sessions[id]
}

// registerLastQueryID adds LAST_QUERY_ID(); it reads the simulator session
// of the engine session's connection.
func (c *Cluster) registerLastQueryID() {
	c.functions.byName["last_query_id"] = gsql.FunctionN{Name: "last_query_id", Fn: func(args ...gsql.Expression) (gsql.Expression, error) {
		if len(args) != 0 {
			return nil, errNoMatchingFunction("last_query_id", argTypeNames(args))
		}
		return &scalarFunc{name: "last_query_id", typ: types.LongText, eval: func(ctx *gsql.Context, _ []any, _ []gsql.Expression) (any, error) {
			if ctx == nil || ctx.Session == nil || c.handler == nil {
				return nil, nil
			}
			s := c.handler.sessionByID(ctx.Session.ID())
			if s == nil || s.previousQueryID() == "" {
				return nil, nil
			}
			return s.previousQueryID(), nil
		}}, nil
	}}
}
