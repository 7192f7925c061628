package starrocks

import (
	"context"
	"strings"

	"github.com/dolthub/vitess/go/sqltypes"
)

// Statement is one client statement as the router sees it.
type Statement struct {
	SQL    string  // the statement text, without a trailing ';'
	Toks   []token // lexed SQL, ending with tkEOF
	Family string  // counter family, e.g. "SHOW PARTITIONS"
}

// StatementHandler executes one statement for a session and returns its
// result: fields and rows for queries, RowsAffected/Info for writes.
type StatementHandler func(ctx context.Context, s *Session, st *Statement) (*sqltypes.Result, error)

// route binds a keyword prefix to a handler.
type route struct {
	words   []string // upper-case leading keywords
	family  string
	handler StatementHandler
}

// router dispatches statements by their leading keywords; the longest
// matching prefix wins. Registration happens before the server starts.
type router struct {
	routes []route
}

// Handle registers h for statements starting with prefix (space-separated
// keywords, e.g. "SHOW TEMPORARY PARTITIONS"); family is the name the
// statement is counted under and matched against User.Denied. Registering
// the same prefix again replaces the earlier handler.
func (r *router) Handle(prefix, family string, h StatementHandler) {
	words := strings.Fields(strings.ToUpper(prefix))
	for i, rt := range r.routes {
		if strings.Join(rt.words, " ") == strings.Join(words, " ") {
			r.routes[i] = route{words: words, family: family, handler: h}
			return
		}
	}
	r.routes = append(r.routes, route{words: words, family: family, handler: h})
}

// match finds the route of a lexed statement.
func (r *router) match(toks []token) (route, bool) {
	best, bestLen := route{}, 0
	for _, rt := range r.routes {
		if len(rt.words) <= bestLen || len(rt.words) >= len(toks) {
			continue
		}
		ok := true
		for i, w := range rt.words {
			if w == "(" {
				ok = toks[i].isPunct("(")
			} else {
				ok = toks[i].upper() == w
			}
			if !ok {
				break
			}
		}
		if ok {
			best, bestLen = rt, len(rt.words)
		}
	}
	return best, bestLen > 0
}

// familyOf names an unrouted statement by its first keyword.
func familyOf(toks []token) string {
	if len(toks) == 0 || toks[0].kind == tkEOF {
		return "EMPTY"
	}
	if toks[0].kind == tkWord {
		return strings.ToUpper(toks[0].val)
	}
	return "OTHER"
}
