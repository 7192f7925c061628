package starrocks

import (
	"context"
	"strconv"
	"strings"

	"github.com/dolthub/vitess/go/sqltypes"
)

// handleShowProc serves the SHOW PROC paths equivalent to statements the
// simulator implements (STARROCKS.md 1.1, 9.1, 9.2):
//
//	/backends, /compute_nodes,
//	/dbs/<db id|name>/<table id|name>/partitions and .../temp_partitions.
//
// Other paths are refused as unsupported.
func handleShowProc(ctx context.Context, s *Session, st *Statement) (*sqltypes.Result, error) {
	p := &parser{src: st.SQL, toks: st.Toks, i: 2}
	path, err := p.stringLit()
	if err != nil {
		return nil, err
	}
	if err := p.expectEnd(); err != nil {
		return nil, err
	}
	if err := s.require("OPERATE", "SYSTEM", "", "SHOW PROC"); err != nil {
		return nil, err
	}
	parts := strings.Split(strings.Trim(path, "/"), "/")
	switch {
	case path == "/backends":
		cols := backendColumns(s.c.prof)
		if s.c.prof.sharedData() {
			return textResult(cols, nil), nil
		}
		return textResult(cols, nodeRows(s.c, cols)), nil
	case path == "/compute_nodes":
		cols := computeNodeColumns(s.c.prof)
		if !s.c.prof.sharedData() {
			return textResult(cols, nil), nil
		}
		return textResult(cols, nodeRows(s.c, cols)), nil
	case len(parts) == 4 && parts[0] == "dbs" && (parts[3] == "partitions" || parts[3] == "temp_partitions"):
		snap, err := s.c.procTable(parts[1], parts[2])
		if err != nil {
			return nil, err
		}
		cols, _ := partitionColumns(s.c.prof, snap.Def.isListLike())
		list := snap.Partitions
		if parts[3] == "temp_partitions" {
			list = snap.Temps
		}
		var rows [][]any
		for _, part := range list {
			rows = append(rows, partitionRow(snap, part, s.c.prof))
		}
		return textResult(cols, rows), nil
	}
	return nil, errUnsupportedStatement("SHOW PROC '" + path + "'")
}

// procTable resolves a database and table given by id or name.
func (c *Cluster) procTable(dbRef, tableRef string) (*TableSnapshot, error) {
	db := dbRef
	if id, err := strconv.ParseInt(dbRef, 10, 64); err == nil {
		db = ""
		c.store.mu.RLock()
		for name, d := range c.store.dbs {
			if d.ID == id {
				db = name
			}
		}
		c.store.mu.RUnlock()
		if db == "" {
			return nil, errUnknownDatabase(dbRef)
		}
	}
	if id, err := strconv.ParseInt(tableRef, 10, 64); err == nil {
		for _, t := range c.store.Tables(db) {
			if t.ID == id {
				return t, nil
			}
		}
		return nil, errTableNotFoundDDL(tableRef)
	}
	return c.store.Table(db, tableRef)
}
