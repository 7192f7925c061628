package starrocks

import (
	"context"
	"fmt"
	"strings"

	gsql "github.com/dolthub/go-mysql-server/sql"
	"github.com/dolthub/vitess/go/sqltypes"
)

// handleSelect rewrites StarRocks-only syntax and runs the query on the
// engine.
func handleSelect(ctx context.Context, s *Session, st *Statement) (*sqltypes.Result, error) {
	if msg, ok := s.c.controls.takeFailure(KindQuery); ok {
		return nil, newError(errDDL, msg)
	}
	q, release, err := s.c.expandFiles(ctx, st.SQL)
	if err != nil {
		return nil, err
	}
	defer release()
	q, err = rewriteQuery(q, s.c.prof)
	if err != nil {
		return nil, err
	}
	if err := checkQueryPrivileges(s, q); err != nil {
		return nil, err
	}
	return s.engineQuery(ctx, q)
}

// checkQueryPrivileges refuses a query reading a table when the user is
// denied SELECT.
func checkQueryPrivileges(s *Session, query string) error {
	if !s.denied("SELECT") {
		return nil
	}
	toks, err := lex(query)
	if err != nil {
		return err
	}
	for i := 0; i+1 < len(toks); i++ {
		if !(toks[i].isWord("FROM") || toks[i].isWord("JOIN")) || !toks[i+1].isIdent() {
			continue
		}
		name := toks[i+1].val
		if toks[i+2].isPunct(".") && toks[i+3].isIdent() {
			if strings.EqualFold(name, "information_schema") {
				continue
			}
			name = toks[i+3].val
		}
		return errPrivilegeDenied("SELECT", "TABLE", stripHidden(name))
	}
	return nil
}

// aliasStoppers are the keywords that may follow a table reference without
// being its alias.
var aliasStoppers = map[string]bool{
	"WHERE": true, "GROUP": true, "ORDER": true, "LIMIT": true, "JOIN": true, "INNER": true, "LEFT": true,
	"RIGHT": true, "CROSS": true, "FULL": true, "ON": true, "USING": true, "UNION": true, "HAVING": true,
	"TABLET": true, "FOR": true, "WINDOW": true, "NATURAL": true, "STRAIGHT_JOIN": true, "EXCEPT": true,
	"INTERSECT": true, "MINUS": true, "OUTER": true, "INTO": true, "LATERAL": true, "SEMI": true, "ANTI": true,
	"OFFSET": true, "REPLICA": true, "TABLESAMPLE": true,
}

// castTypes maps StarRocks CAST target types to the engine's spelling.
var castTypes = map[string]string{
	"STRING": "CHAR", "VARCHAR": "CHAR", "TEXT": "CHAR",
	"BIGINT": "SIGNED", "INT": "SIGNED", "INTEGER": "SIGNED", "SMALLINT": "SIGNED", "TINYINT": "SIGNED",
	"LARGEINT": "DECIMAL(39,0)", "BOOLEAN": "SIGNED",
}

// edit replaces src[start:end] with text.
type edit struct {
	start, end int
	text       string
}

// rewriteQuery turns StarRocks-only query syntax into what the engine
// understands:
//   - t PARTITION (p1, p2) / PARTITIONS (...) / TEMPORARY PARTITION (tp)
//     become a hidden table name that scans only those partitions, aliased
//     back to t;
//   - CAST(x AS STRING|VARCHAR|BIGINT|...) uses the engine's type names.
//
// Other text is kept byte for byte.
func rewriteQuery(query string, _ profile) (string, error) {
	toks, err := lex(query)
	if err != nil {
		return "", err
	}
	at := func(k int) token {
		if k >= len(toks) {
			return toks[len(toks)-1]
		}
		return toks[k]
	}
	var edits []edit
	var castDepths []int
	depth := 0
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		switch {
		case t.isPunct("("):
			depth++
		case t.isPunct(")"):
			depth--
			if n := len(castDepths); n > 0 && castDepths[n-1] > depth {
				castDepths = castDepths[:n-1]
			}
		case t.isWord("CAST") && at(i+1).isPunct("("):
			castDepths = append(castDepths, depth+1)
		case t.isWord("AS") && len(castDepths) > 0 && castDepths[len(castDepths)-1] == depth:
			nt := at(i + 1)
			repl, ok := castTypes[nt.upper()]
			if !ok {
				continue
			}
			end := nt.end
			if at(i + 2).isPunct("(") { // VARCHAR(n): drop the length
				for j := i + 2; j < len(toks); j++ {
					if toks[j].isPunct(")") {
						end = toks[j].end
						break
					}
				}
			}
			edits = append(edits, edit{nt.pos, end, repl})
		}
		e, next, err := partitionClauseEdit(query, toks, i)
		if err != nil {
			return "", err
		}
		if e != nil {
			edits = append(edits, *e)
			i = next - 1
		}
	}
	if len(edits) == 0 {
		return query, nil
	}
	var b strings.Builder
	last := 0
	for _, e := range edits {
		b.WriteString(query[last:e.start])
		b.WriteString(e.text)
		last = e.end
	}
	b.WriteString(query[last:])
	return b.String(), nil
}

// partitionClauseEdit recognises "<table> [TEMPORARY] PARTITION[S] (names)"
// with the table at toks[i] and returns the replacement and the index of
// the first token after the clause.
func partitionClauseEdit(src string, toks []token, i int) (*edit, int, error) {
	at := func(k int) token {
		if k >= len(toks) {
			return toks[len(toks)-1]
		}
		return toks[k]
	}
	t := toks[i]
	if !t.isIdent() || i == 0 {
		return nil, 0, nil
	}
	prev := toks[i-1]
	if !(prev.isWord("FROM") || prev.isWord("JOIN") || prev.isPunct(",") || prev.isPunct(".") || prev.isWord("INTO") || prev.isWord("UPDATE")) {
		return nil, 0, nil
	}
	j := i + 1
	temp := false
	if at(j).isWord("TEMPORARY") {
		temp = true
		j++
	}
	if !(at(j).isWord("PARTITION") || at(j).isWord("PARTITIONS")) || !at(j+1).isPunct("(") {
		return nil, 0, nil
	}
	if at(j+2).isIdent() && at(j+3).isPunct("=") {
		return nil, 0, errUnsupportedStatement("PARTITION (column = value) in a query")
	}
	if t.isReservedWord() {
		return nil, 0, identifierError(src, t)
	}
	j += 2
	var names []string
	for {
		if at(j).isReservedWord() {
			return nil, 0, identifierError(src, at(j))
		}
		if !at(j).isIdent() {
			return nil, 0, syntaxErrorAt(src, at(j).pos, "Unexpected input '"+describeToken(src, at(j))+"'")
		}
		names = append(names, at(j).val)
		j++
		if at(j).isPunct(",") {
			j++
			continue
		}
		if !at(j).isPunct(")") {
			return nil, 0, syntaxErrorAt(src, at(j).pos, "Unexpected input '"+describeToken(src, at(j))+"'")
		}
		j++
		break
	}
	if at(j).isWord("TABLET") {
		return nil, 0, errUnsupportedStatement("TABLET clause")
	}
	text := quoteIdent(hiddenPartitionName(t.val, temp, names))
	after := at(j)
	hasAlias := after.isWord("AS") || (after.kind == tkQuoted) || (after.kind == tkWord && !aliasStoppers[after.upper()])
	if !hasAlias && !prev.isWord("INTO") {
		text += " AS " + quoteIdent(t.val)
	}
	return &edit{start: t.pos, end: at(j - 1).end, text: text}, j, nil
}

// srSessionVariables are StarRocks session variables the engine does not
// know; SET stores them on the session. [inference] the common ones.
var srSessionVariables = map[string]bool{
	"query_timeout": true, "insert_timeout": true, "enable_insert_strict": true, "query_mem_limit": true,
	"exec_mem_limit": true, "load_mem_limit": true, "pipeline_dop": true, "parallel_fragment_exec_instance_num": true,
	"enable_profile": true, "new_planner_optimize_timeout": true, "enable_spill": true, "partial_update_mode": true,
	"enable_prepare_stmt": true, "insert_max_filter_ratio": true, "enable_pipeline_engine": true,
	"big_query_profile_threshold": true, "runtime_profile_report_interval": true, "query_queue_pending_timeout_second": true,
	"resource_group": true, "enable_query_cache": true, "cbo_max_reorder_node": true, "tx_visible_wait_timeout": true,
	"forward_to_leader": true, "enable_strict_order_by": true, "catalog": true,
}

// handleSet stores StarRocks session variables and hands everything else
// to the engine.
func handleSet(ctx context.Context, s *Session, st *Statement) (*sqltypes.Result, error) {
	p := &parser{src: st.SQL, toks: st.Toks, i: 1}
	type assign struct{ name, value string }
	var as []assign
	for {
		p.acceptKw("SESSION")
		p.acceptKw("GLOBAL")
		t := p.peek()
		name := ""
		switch {
		case t.kind == tkWord:
			name = strings.ToLower(t.val)
			p.next()
		case t.kind == tkVar && strings.HasPrefix(t.val, "@@"):
			name = strings.ToLower(strings.TrimPrefix(strings.TrimPrefix(strings.TrimPrefix(t.val, "@@"), "session."), "global."))
			p.next()
		default:
			return passThrough(ctx, s, st)
		}
		if !srSessionVariables[name] {
			if _, _, known := gsql.SystemVariables.GetGlobal(name); !known && name != "names" && name != "character" && name != "charset" && name != "transaction" && name != "password" {
				return nil, newError(errCode{1193, "HY000"}, fmt.Sprintf("Unknown system variable '%s'", name))
			}
			return passThrough(ctx, s, st)
		}
		if !p.acceptPunct("=") {
			return passThrough(ctx, s, st)
		}
		v := p.next()
		if v.kind != tkString && v.kind != tkNumber && v.kind != tkWord {
			return passThrough(ctx, s, st)
		}
		as = append(as, assign{name, v.val})
		if !p.acceptPunct(",") {
			break
		}
	}
	if err := p.expectEnd(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	for _, a := range as {
		s.vars[a.name] = a.value
	}
	s.mu.Unlock()
	return okResult(0), nil
}

// variable returns a StarRocks session variable set with SET.
func (s *Session) variable(name string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.vars[name]
	return v, ok
}
