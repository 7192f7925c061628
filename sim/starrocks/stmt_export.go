package starrocks

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/dolthub/vitess/go/sqltypes"
)

// exportStmt is a parsed EXPORT TABLE statement (STARROCKS.md 3.1).
type exportStmt struct {
	DB, Table   string
	Partitions  []string // nil: every partition
	Columns     []string // nil: every column
	Path        string
	Sync        bool // WITH SYNC MODE
	Props       []property
	BrokerName  string
	BrokerProps []property
}

// parseExport parses
//
//	EXPORT TABLE [db.]t [PARTITION (p, ...)] [(c, ...)] TO "path"
//	[WITH {SYNC|ASYNC} MODE] [PROPERTIES (...)] WITH BROKER [name] [(...)]
//
// WITH SYNC|ASYNC MODE exists in the main-branch grammar; its first
// release is [unconfirmed] and the simulator accepts it from 3.4.
func parseExport(st *Statement, prof profile) (*exportStmt, error) {
	p := &parser{src: st.SQL, toks: st.Toks, i: 1}
	if err := p.expectKw("TABLE"); err != nil {
		return nil, err
	}
	es := &exportStmt{}
	var err error
	if es.DB, es.Table, err = p.qualifiedName(); err != nil {
		return nil, err
	}
	if p.isKw("TEMPORARY", "PARTITION") || p.isKw("TEMPORARY", "PARTITIONS") {
		return nil, analysisError("Do not support exporting temporary partitions")
	}
	if p.acceptKw("PARTITION") || p.acceptKw("PARTITIONS") {
		if es.Partitions, err = p.identList(); err != nil {
			return nil, err
		}
	}
	if p.peek().isPunct("(") {
		if es.Columns, err = p.identList(); err != nil {
			return nil, err
		}
	}
	if err := p.expectKw("TO"); err != nil {
		return nil, err
	}
	if es.Path, err = p.stringLit(); err != nil {
		return nil, err
	}
	if p.isKw("WITH", "SYNC", "MODE") || p.isKw("WITH", "ASYNC", "MODE") {
		if !prof.atLeast(4, 0) {
			p.next()
			return nil, p.unexpected()
		}
		p.next()
		es.Sync = p.next().isWord("SYNC")
		p.next()
	}
	if p.acceptKw("PROPERTIES") {
		if es.Props, err = p.properties(); err != nil {
			return nil, err
		}
	}
	if err := p.expectKw("WITH", "BROKER"); err != nil {
		return nil, err
	}
	if p.peek().isIdent() || p.peek().kind == tkString {
		es.BrokerName = p.next().val
	}
	if p.peek().isPunct("(") {
		if es.BrokerProps, err = p.properties(); err != nil {
			return nil, err
		}
	}
	return es, p.expectEnd()
}

// exportOptions are the validated PROPERTIES of an EXPORT.
type exportOptions struct {
	colSep, rowSep       string // converted separators
	colSepRaw, rowSepRaw string // as given, for TaskInfo
	timeout              int64
	includeQueryID       bool
	memLimit             int64
}

// exportTimeoutDefault is [unconfirmed]: the doc says 86400, the EXPORT
// guide says the FE default export_task_default_timeout_second is 2 hours;
// the simulator follows the code default (7200).
const exportTimeoutDefault = 7200

func parseExportOptions(props []property) (exportOptions, error) {
	o := exportOptions{colSepRaw: "\t", rowSepRaw: "\n", timeout: exportTimeoutDefault, includeQueryID: true, memLimit: 2147483648}
	for _, pr := range props {
		switch strings.ToLower(pr.Key) {
		case "column_separator":
			o.colSepRaw = pr.Value
		case "line_delimiter":
			o.rowSepRaw = pr.Value
		case "timeout":
			n, err := strconv.ParseInt(pr.Value, 10, 64)
			if err != nil || n <= 0 {
				return o, analysisError("Invalid timeout value: " + pr.Value)
			}
			o.timeout = n
		case "include_query_id":
			b, err := strconv.ParseBool(pr.Value)
			if err != nil {
				return o, analysisError("Invalid include_query_id value: " + pr.Value)
			}
			o.includeQueryID = b
		case "load_mem_limit":
			n, err := strconv.ParseInt(pr.Value, 10, 64)
			if err != nil {
				return o, analysisError("Invalid load_mem_limit value: " + pr.Value)
			}
			o.memLimit = n
		}
	}
	var err error
	if o.colSep, err = convertDelimiter(o.colSepRaw); err != nil {
		return o, err
	}
	if o.rowSep, err = convertDelimiter(o.rowSepRaw); err != nil {
		return o, err
	}
	return o, nil
}

// handleExport validates an EXPORT, snapshots the partitions it names and
// starts the job. The statement returns at once; the job's query id is
// what LAST_QUERY_ID() returns next (STARROCKS.md 3.3).
func handleExport(ctx context.Context, s *Session, st *Statement) (*sqltypes.Result, error) {
	es, err := parseExport(st, s.c.prof)
	if err != nil {
		return nil, err
	}
	db, err := s.resolveDB(es.DB)
	if err != nil {
		return nil, err
	}
	snap, err := s.c.store.Table(db, es.Table)
	if err != nil {
		return nil, err
	}
	if err := s.require("EXPORT", "TABLE", es.Table); err != nil {
		return nil, err
	}
	opts, err := parseExportOptions(es.Props)
	if err != nil {
		return nil, err
	}
	colIdx := make([]int, 0, len(snap.Def.Columns))
	if es.Columns == nil {
		for i := range snap.Def.Columns {
			colIdx = append(colIdx, i)
		}
	} else {
		for _, c := range es.Columns {
			i := snap.Def.column(c)
			if i < 0 {
				return nil, analysisError(fmt.Sprintf("Column '%s' does not exist in table '%s'", c, es.Table))
			}
			colIdx = append(colIdx, i)
		}
	}
	parts := snap.Partitions
	if es.Partitions != nil {
		parts = nil
		for _, n := range es.Partitions {
			pt, ok := snap.Partition(n, false)
			if !ok {
				return nil, errUnknownPartition(n, es.Table)
			}
			parts = append(parts, pt)
		}
	}
	dirURL, prefix, err := exportPathParts(es.Path)
	if err != nil {
		return nil, err
	}
	loc, err := parseLocation(dirURL)
	if err != nil {
		return nil, analysisError(err.Error())
	}
	job := &exportJob{
		ID: s.c.store.NewID(), QueryID: s.currentQueryID(), DB: db, Table: es.Table,
		Partitions: es.Partitions, Columns: es.Columns, Path: es.Path, Broker: es.BrokerName,
		opts: opts, loc: loc, prefix: prefix, props: propMap(es.BrokerProps),
		def: snap.Def, colIdx: colIdx, parts: parts, state: exportPending,
		created: s.c.jobNow(), stopCh: make(chan struct{}),
	}
	for _, pt := range parts {
		job.tablets += int64(pt.Buckets)
	}
	s.c.jobs.exports.add(job)
	s.c.jobs.countSubmit(KindExport)
	done := make(chan struct{})
	s.c.jobs.goJob(func(ctx context.Context) {
		defer close(done)
		s.c.runExport(ctx, job)
	})
	if es.Sync {
		select {
		case <-done:
		case <-ctx.Done():
		}
	}
	return okResult(0), nil
}

// exportPathParts splits an export path into the destination directory URL
// (ending in '/') and the file name prefix (STARROCKS.md 3.2): a path
// ending in '/' gets the prefix "data_", otherwise the last segment is the
// prefix.
func exportPathParts(path string) (dir, prefix string, err error) {
	if !strings.Contains(path, "://") {
		return "", "", analysisError("Invalid export path. please use valid 'S3A' path.")
	}
	if strings.HasSuffix(path, "/") {
		return path, "data_", nil
	}
	i := strings.LastIndex(path, "/")
	return path[:i+1], path[i+1:], nil
}
