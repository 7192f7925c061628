package starrocks

import (
	"fmt"
	"math/big"
	"sort"
	"strings"
)

// listClause is the ORDER BY / LIMIT tail of SHOW EXPORT and SHOW LOAD.
// Columns are compared as StarRocks' ListComparator does: numbers
// numerically, everything else as text.
type listClause struct {
	order  []orderKey
	offset int64
	limit  int64 // -1: no limit
}

type orderKey struct {
	col  int
	desc bool
}

// parseListClause consumes [ORDER BY col [ASC|DESC], ...] [LIMIT [o,] n].
func parseListClause(p *parser, cols []string) (listClause, error) {
	lc := listClause{limit: -1}
	if p.acceptKw("ORDER", "BY") {
		for {
			n, err := p.ident()
			if err != nil {
				return lc, err
			}
			i := -1
			for k, c := range cols {
				if strings.EqualFold(c, n) {
					i = k
				}
			}
			if i < 0 {
				return lc, analysisError(fmt.Sprintf("Title name[%s] does not exist", n))
			}
			k := orderKey{col: i}
			if p.acceptKw("DESC") {
				k.desc = true
			} else {
				p.acceptKw("ASC")
			}
			lc.order = append(lc.order, k)
			if !p.acceptPunct(",") {
				break
			}
		}
	}
	if p.acceptKw("LIMIT") {
		n, err := p.intLit()
		if err != nil {
			return lc, err
		}
		lc.limit = n
		if p.acceptPunct(",") {
			lc.offset = n
			if lc.limit, err = p.intLit(); err != nil {
				return lc, err
			}
		} else if p.acceptKw("OFFSET") {
			if lc.offset, err = p.intLit(); err != nil {
				return lc, err
			}
		}
	}
	return lc, nil
}

// apply sorts (stable; rows arrive ordered by job id) and cuts the rows.
func (lc listClause) apply(rows [][]any) [][]any {
	if len(lc.order) > 0 {
		sort.SliceStable(rows, func(a, b int) bool {
			for _, k := range lc.order {
				c := compareListCells(rows[a][k.col], rows[b][k.col])
				if c != 0 {
					return (c < 0) != k.desc
				}
			}
			return false
		})
	}
	if lc.offset > int64(len(rows)) {
		lc.offset = int64(len(rows))
	}
	rows = rows[lc.offset:]
	if lc.limit >= 0 && lc.limit < int64(len(rows)) {
		rows = rows[:lc.limit]
	}
	return rows
}

func compareListCells(a, b any) int {
	as, bs := renderCell(a), renderCell(b)
	x, ok1 := new(big.Float).SetString(as)
	y, ok2 := new(big.Float).SetString(bs)
	if ok1 && ok2 {
		return x.Cmp(y)
	}
	return strings.Compare(as, bs)
}

// parseCancelWhere parses the tail of CANCEL EXPORT / CANCEL LOAD:
// [FROM db] WHERE <key> = "value". hint is the error StarRocks gives for
// another WHERE shape.
func parseCancelWhere(st *Statement, key, hint string) (db, value string, err error) {
	p := &parser{src: st.SQL, toks: st.Toks, i: 2}
	if db, err = parseFromDB(p); err != nil {
		return "", "", err
	}
	if err := p.expectKw("WHERE"); err != nil {
		return "", "", err
	}
	name, err := p.ident()
	if err != nil {
		return "", "", err
	}
	if !strings.EqualFold(name, key) || !p.acceptPunct("=") {
		return "", "", analysisError(hint)
	}
	if value, err = p.stringLit(); err != nil {
		return "", "", err
	}
	return db, value, p.expectEnd()
}

// compareHolds reports whether a comparison result c (<0, 0, >0) satisfies
// op: =, != or <>, <, <=, >, and >= for anything else.
func compareHolds(op string, c int) bool {
	switch op {
	case "=":
		return c == 0
	case "!=", "<>":
		return c != 0
	case "<":
		return c < 0
	case "<=":
		return c <= 0
	case ">":
		return c > 0
	}
	return c >= 0
}
