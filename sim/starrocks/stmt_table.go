package starrocks

import (
	"context"
	"strings"

	"github.com/dolthub/vitess/go/sqltypes"
)

func handleCreateTable(_ context.Context, s *Session, st *Statement) (*sqltypes.Result, error) {
	ct, err := parseCreateTable(st.SQL)
	if err != nil {
		return nil, err
	}
	db, err := s.resolveDB(ct.DB)
	if err != nil {
		return nil, err
	}
	if err := s.require("CREATE TABLE", "DATABASE", db, "CREATE"); err != nil {
		return nil, err
	}
	return okResult(0), s.c.store.CreateTable(db, ct)
}

// tableRef parses "[db.]name" at the parser position and resolves the db.
func tableRef(s *Session, p *parser) (string, string, error) {
	db, name, err := p.qualifiedName()
	if err != nil {
		return "", "", err
	}
	db, err = s.resolveDB(db)
	return db, name, err
}

func handleDropTable(_ context.Context, s *Session, st *Statement) (*sqltypes.Result, error) {
	p := &parser{src: st.SQL, toks: st.Toks, i: 2}
	ifExists := p.acceptKw("IF", "EXISTS")
	db, name, err := tableRef(s, p)
	if err != nil {
		return nil, err
	}
	p.acceptKw("FORCE")
	if err := p.expectEnd(); err != nil {
		return nil, err
	}
	if err := s.require("DROP", "TABLE", name); err != nil {
		return nil, err
	}
	return okResult(0), s.c.store.DropTable(db, name, ifExists)
}

// handleTruncate: TRUNCATE TABLE [db.]t [PARTITION (p1, p2)].
func handleTruncate(_ context.Context, s *Session, st *Statement) (*sqltypes.Result, error) {
	p := &parser{src: st.SQL, toks: st.Toks, i: 1}
	p.acceptKw("TABLE")
	db, name, err := tableRef(s, p)
	if err != nil {
		return nil, err
	}
	var parts []string
	if p.acceptKw("PARTITION") || p.acceptKw("PARTITIONS") {
		if parts, err = p.identList(); err != nil {
			return nil, err
		}
	} else if p.isKw("TEMPORARY") {
		return nil, errDDLf("Not support truncate temp partitions")
	}
	if err := p.expectEnd(); err != nil {
		return nil, err
	}
	if err := s.require("DELETE", "TABLE", name, "TRUNCATE"); err != nil {
		return nil, err
	}
	return okResult(0), s.c.store.Truncate(db, name, parts)
}

func handleShowCreateTable(_ context.Context, s *Session, st *Statement) (*sqltypes.Result, error) {
	p := &parser{src: st.SQL, toks: st.Toks, i: 3}
	db, name, err := tableRef(s, p)
	if err != nil {
		return nil, err
	}
	if err := p.expectEnd(); err != nil {
		return nil, err
	}
	snap, err := s.c.store.Table(db, name)
	if err != nil {
		return nil, err
	}
	if s.denied("SELECT", "SHOW CREATE TABLE") {
		return nil, errPrivilegeDenied("ANY", "TABLE", name)
	}
	return textResult([]string{"Table", "Create Table"}, [][]any{{name, showCreateTable(snap, s.c.prof)}}), nil
}

// handleDescribe: DESC[RIBE] t, SHOW [FULL] COLUMNS|FIELDS FROM t [FROM db].
// [unconfirmed] values: Type in lower case without integer widths, Null
// "YES"/"NO", Key "true"/"false" (the key flag), Default "NULL" text when
// none, Extra the aggregate function.
func handleDescribe(_ context.Context, s *Session, st *Statement) (*sqltypes.Result, error) {
	p := &parser{src: st.SQL, toks: st.Toks}
	full := false
	if p.acceptKw("SHOW") {
		full = p.acceptKw("FULL")
		p.next() // COLUMNS / FIELDS
		if !p.acceptKw("FROM") && !p.acceptKw("IN") {
			return nil, p.unexpected()
		}
	} else {
		p.next()
	}
	dbName, name, err := p.qualifiedName()
	if err != nil {
		return nil, err
	}
	if dbName, err = parseFromDB(p); err != nil {
		return nil, err
	}
	if err := p.expectEnd(); err != nil {
		return nil, err
	}
	db, err := s.resolveDB(dbName)
	if err != nil {
		return nil, err
	}
	snap, err := s.c.store.Table(db, name)
	if err != nil {
		return nil, err
	}
	cols := []string{"Field", "Type", "Null", "Key", "Default", "Extra"}
	if full {
		cols = []string{"Field", "Type", "Collation", "Null", "Key", "Default", "Extra", "Privileges", "Comment"}
	}
	var rows [][]any
	for _, c := range snap.Def.Columns {
		null := "YES"
		if !c.Nullable {
			null = "NO"
		}
		var def any = "NULL"
		if c.Default != nil {
			def = *c.Default
		} else if c.DefCurTS {
			def = "CURRENT_TIMESTAMP"
		}
		key := "false"
		if c.IsKey {
			key = "true"
		}
		if full {
			var coll any
			if c.Type.isString() {
				coll = "utf8_general_ci"
			}
			rows = append(rows, []any{c.Name, c.Type.DescType(), coll, null, key, def, c.Agg, "", c.Comment})
		} else {
			rows = append(rows, []any{c.Name, c.Type.DescType(), null, key, def, c.Agg})
		}
	}
	return textResult(cols, rows), nil
}

// likeMatch matches a MySQL LIKE pattern (% any run, _ or ? one char).
func likeMatch(pattern, s string, caseSensitive bool) bool {
	if !caseSensitive {
		pattern, s = strings.ToLower(pattern), strings.ToLower(s)
	}
	pr, sr := []rune(pattern), []rune(s)
	var match func(i, j int) bool
	match = func(i, j int) bool {
		for i < len(pr) {
			switch pr[i] {
			case '%':
				for k := j; k <= len(sr); k++ {
					if match(i+1, k) {
						return true
					}
				}
				return false
			case '_', '?':
				if j >= len(sr) {
					return false
				}
			case '\\':
				if i+1 < len(pr) {
					i++
				}
				if j >= len(sr) || pr[i] != sr[j] {
					return false
				}
			default:
				if j >= len(sr) || pr[i] != sr[j] {
					return false
				}
			}
			i++
			j++
		}
		return j == len(sr)
	}
	return match(0, 0)
}
