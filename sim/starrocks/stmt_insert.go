package starrocks

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/dolthub/vitess/go/sqltypes"
)

// insertStmt is the StarRocks part of an INSERT statement.
type insertStmt struct {
	Overwrite  bool
	DB, Table  string
	Partitions []string
	Temporary  bool
	Label      string
	Columns    []string // explicit column list; nil when absent
	Source     string   // VALUES ... or the query, verbatim
}

// parseInsert parses INSERT {INTO|OVERWRITE} [db.]t [PARTITION (..) |
// TEMPORARY PARTITION (..)] [WITH LABEL l] [(cols)] [PROPERTIES (..)]
// {VALUES ... | query}.
func parseInsert(src string, toks []token, prof profile) (*insertStmt, error) {
	p := &parser{src: src, toks: toks, i: 1}
	st := &insertStmt{}
	switch {
	case p.acceptKw("INTO"):
	case p.acceptKw("OVERWRITE"):
		st.Overwrite = true
	default:
		return nil, p.unexpected()
	}
	var err error
	if st.DB, st.Table, err = p.qualifiedName(); err != nil {
		return nil, err
	}
	if p.isKw("TEMPORARY") && (p.peekAt(1).isWord("PARTITION") || p.peekAt(1).isWord("PARTITIONS")) {
		p.next()
		st.Temporary = true
	}
	if p.acceptKw("PARTITION") || p.acceptKw("PARTITIONS") {
		if p.peek().isPunct("(") && p.peekAt(1).isIdent() && p.peekAt(2).isPunct("=") {
			return nil, errUnsupportedStatement("INSERT with PARTITION (column = value)")
		}
		if st.Partitions, err = p.identList(); err != nil {
			return nil, err
		}
	}
	if p.acceptKw("WITH", "LABEL") {
		if st.Label, err = p.ident(); err != nil {
			return nil, err
		}
	}
	if p.peek().isPunct("(") && !p.peekAt(1).isWord("SELECT") && !p.peekAt(1).isWord("WITH") {
		if st.Columns, err = p.identList(); err != nil {
			return nil, err
		}
	}
	if p.isKw("BY", "NAME") {
		return nil, errUnsupportedStatement("INSERT BY NAME")
	}
	if p.isKw("PROPERTIES") {
		// [unconfirmed] INSERT PROPERTIES appear in the 3.5+ docs only.
		if !prof.atLeast(5, 0) {
			return nil, p.unexpected()
		}
		p.next()
		if _, err := p.properties(); err != nil {
			return nil, err
		}
	}
	t := p.peek()
	if !(t.isWord("VALUES") || t.isWord("VALUE") || t.isWord("SELECT") || t.isWord("WITH") || t.isPunct("(")) {
		return nil, p.unexpected()
	}
	st.Source = strings.TrimSpace(src[t.pos:])
	return st, nil
}

// handleInsert runs INSERT as one load transaction: the engine evaluates
// the source rows into a hidden target, then Store.Load routes, merges and
// publishes them. The reply carries StarRocks' info string
// {'label':'..', 'status':'VISIBLE', 'txnId':'..'}.
func handleInsert(ctx context.Context, s *Session, st *Statement) (*sqltypes.Result, error) {
	ins, err := parseInsert(st.SQL, st.Toks, s.c.prof)
	if err != nil {
		return nil, err
	}
	db := ins.DB
	if db == "" {
		if db = s.Database(); db == "" {
			return nil, errNoDatabaseSelected()
		}
	}
	if !s.c.store.HasDatabase(db) {
		return nil, errUnknownDatabase(db)
	}
	snap := s.c.store.TableIfExists(db, ins.Table)
	if snap == nil {
		return nil, errTableNotFoundQuery(db, ins.Table)
	}
	if err := s.require("INSERT", "TABLE", ins.Table); err != nil {
		return nil, err
	}
	if msg, ok := s.c.controls.takeFailure(KindInsert); ok {
		return nil, newError(errDDL, msg)
	}
	var update []int
	if ins.Columns != nil {
		seen := map[int]bool{}
		for _, c := range ins.Columns {
			i := snap.Def.column(c)
			if i < 0 {
				return nil, analysisError(fmt.Sprintf("Column '%s' is not found in table '%s'", c, ins.Table))
			}
			seen[i] = true
		}
		if snap.Def.Keys == PrimaryKeys && s.c.prof.pkPartialUpdateOnColumnList() && len(seen) < len(snap.Def.Columns) {
			for i := range snap.Def.Columns {
				if seen[i] {
					update = append(update, i)
				}
			}
		}
	}
	if ins.Label != "" {
		if err := checkLabel(ins.Label); err != nil {
			return nil, err
		}
	}
	source, release, err := s.c.expandFiles(ctx, ins.Source)
	if err != nil {
		return nil, err
	}
	defer release()
	if source != ins.Source {
		s.c.jobs.countSubmit(KindInsert) // INSERT from FILES() is a load job
	}
	source, err = rewriteQuery(source, s.c.prof)
	if err != nil {
		return nil, err
	}
	if err := checkQueryPrivileges(s, source); err != nil {
		return nil, err
	}
	label := ins.Label
	if label == "" {
		label = "insert_" + randomHex(16)
	}
	jobID := s.c.store.NewID()
	if _, err := s.c.store.Labels.Reserve(db, label, "INSERT", jobID); err != nil {
		return nil, err
	}
	created := s.c.jobNow()
	cancel := func(err error) (*sqltypes.Result, error) {
		s.c.store.Labels.Update(db, label, LabelCancelled, 0, err.Error())
		s.c.recordInsert(db, ins.Table, label, jobID, s.User, created, 0, 0, err)
		return nil, err
	}
	pl := s.c.loads.open()
	defer s.c.loads.close(pl.id)
	target := quoteIdent(db) + "." + quoteIdent(fmt.Sprintf("%s%s%d", ins.Table, hiddenLoad, pl.id))
	cols := ""
	if ins.Columns != nil {
		cols = " (" + quoteList(ins.Columns) + ")"
	}
	if _, err := s.engineQuery(ctx, "INSERT INTO "+target+cols+" "+source); err != nil {
		if isValueError(err) {
			// StarRocks' strict mode filters rows whose values do not fit
			// their columns and fails the load.
			txn := s.c.store.BeginTxnID()
			return cancel(errFilteredData(txn, txn+1))
		}
		return cancel(err)
	}
	strict := true
	if v, ok := s.variable("enable_insert_strict"); ok && (strings.EqualFold(v, "false") || v == "0") {
		strict = false
	}
	pl.mu.Lock()
	rows := pl.rows
	pl.mu.Unlock()
	res, err := s.c.store.Load(LoadRequest{
		DB: db, Table: ins.Table, Partitions: ins.Partitions, Temporary: ins.Temporary,
		Rows: rows, UpdateColumns: update, Overwrite: ins.Overwrite, SkipFiltered: !strict,
	})
	if err != nil {
		return cancel(err)
	}
	s.c.store.Labels.Update(db, label, LabelFinished, res.TxnID, "")
	s.c.recordInsert(db, ins.Table, label, jobID, s.User, created, res.Rows, res.TxnID, nil)
	return &sqltypes.Result{
		RowsAffected: uint64(res.Rows),
		Info:         fmt.Sprintf("{'label':'%s', 'status':'VISIBLE', 'txnId':'%d'}", label, res.TxnID),
	}, nil
}

// valueErrorTexts are the engine's messages for a value that does not fit
// its column.
var valueErrorTexts = []string{"is not a valid value", "Incorrect datetime value", "Incorrect date value",
	"out of range", "Out of range", "is non-nullable", "Data too long", "Incorrect decimal value"}

func isValueError(err error) bool {
	msg := err.Error()
	for _, s := range valueErrorTexts {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// randomHex returns n random bytes as hex.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
