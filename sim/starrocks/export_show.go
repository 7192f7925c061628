package starrocks

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/dolthub/vitess/go/sqltypes"
)

// showExportColumns is ExportProcNode.TITLE_NAMES (STARROCKS.md 3.3). The
// Warehouse column of newer releases is [unconfirmed] for 3.1 to 3.5; the
// ExportProcNode read has none, so the simulator shows none.
var showExportColumns = []string{"JobId", "QueryId", "State", "Progress", "TaskInfo", "Path",
	"CreateTime", "StartTime", "FinishTime", "Timeout", "ErrorMsg"}

// showExportLimit is the most jobs SHOW EXPORT reads per database.
const showExportLimit = 2000

// exportFilter is the WHERE clause of SHOW EXPORT: one of ID = n,
// STATE = "..." or QUERYID = "...".
type exportFilter struct {
	id      int64
	state   string
	queryID string
}

// errShowExportWhere is ShowExportStmt's message for an unsupported WHERE.
func errShowExportWhere() error {
	return analysisError(`Where clause should looks like below:  ID = $your_job_id, or STATE = "PENDING|EXPORTING|FINISHED|CANCELLED", or QUERYID = "$your_query_id"`)
}

func parseExportFilter(p *parser) (exportFilter, error) {
	var f exportFilter
	name, err := p.ident()
	if err != nil {
		return f, err
	}
	if !p.acceptPunct("=") {
		return f, errShowExportWhere()
	}
	v, err := p.literal()
	if err != nil {
		return f, err
	}
	switch strings.ToUpper(name) {
	case "ID":
		if f.id, err = strconv.ParseInt(v, 10, 64); err != nil {
			return f, errShowExportWhere()
		}
	case "STATE":
		f.state = strings.ToUpper(v)
		switch f.state {
		case exportPending, exportExporting, exportFinished, exportCancelled:
		default:
			return f, errShowExportWhere()
		}
	case "QUERYID":
		f.queryID = v
	default:
		return f, errShowExportWhere()
	}
	return f, nil
}

// handleShowExport: SHOW EXPORT [FROM db] [WHERE ...] [ORDER BY ...] [LIMIT n].
func handleShowExport(_ context.Context, s *Session, st *Statement) (*sqltypes.Result, error) {
	p := &parser{src: st.SQL, toks: st.Toks, i: 2}
	db, err := parseFromDB(p)
	if err != nil {
		return nil, err
	}
	var f exportFilter
	if p.acceptKw("WHERE") {
		var err error
		if f, err = parseExportFilter(p); err != nil {
			return nil, err
		}
		if p.isKw("AND") || p.isKw("OR") {
			return nil, errShowExportWhere()
		}
	}
	lc, err := parseListClause(p, showExportColumns)
	if err != nil {
		return nil, err
	}
	if err := p.expectEnd(); err != nil {
		return nil, err
	}
	if db, err = s.resolveDB(db); err != nil {
		return nil, err
	}
	var rows [][]any
	for _, j := range s.c.jobs.exports.list(db) {
		v := j.snapshot()
		if (f.id != 0 && v.ID != f.id) || (f.state != "" && v.state != f.state) || (f.queryID != "" && v.QueryID != f.queryID) {
			continue
		}
		if s.denied("EXPORT", "SELECT") {
			continue // jobs on tables the user cannot access are hidden
		}
		rows = append(rows, exportRow(&v))
		if len(rows) >= showExportLimit {
			break
		}
	}
	return textResult(showExportColumns, lc.apply(rows)), nil
}

// exportRow renders one SHOW EXPORT row.
func exportRow(j *exportJob) []any {
	partitions := j.Partitions
	if partitions == nil {
		partitions = []string{"*"}
	}
	columns := j.Columns
	if columns == nil {
		columns = []string{"*"}
	}
	info := map[string]any{
		"db": j.DB, "tbl": j.Table, "partitions": partitions, "columns": columns, "broker": j.Broker,
		"column separator": j.opts.colSepRaw, "row delimiter": j.opts.rowSepRaw, "mem limit": j.opts.memLimit,
		"coord num": max(j.tasks, 0), "tablet num": j.tablets,
	}
	ti, _ := json.Marshal(info)
	errMsg := "N/A"
	if j.state == exportCancelled {
		errMsg = "type:" + j.cancelType + "; msg:" + j.errMsg
	}
	return []any{j.ID, j.QueryID, j.state, strconv.Itoa(j.progress) + "%", string(ti), j.Path,
		jobTime(j.created), jobTime(j.started), jobTime(j.finished), j.opts.timeout, errMsg}
}

// handleCancelExport: CANCEL EXPORT [FROM db] WHERE queryid = "id".
func handleCancelExport(_ context.Context, s *Session, st *Statement) (*sqltypes.Result, error) {
	db, qid, err := parseCancelWhere(st, "queryid", `Where clause should looks like: queryid = "your_query_id"`)
	if err != nil {
		return nil, err
	}
	if db, err = s.resolveDB(db); err != nil {
		return nil, err
	}
	if err := s.require("EXPORT", "DATABASE", db); err != nil {
		return nil, err
	}
	for _, j := range s.c.jobs.exports.list(db) {
		if j.QueryID != qid {
			continue
		}
		if !j.cancel(s.c.jobNow(), exportUserCancel, "user cancel") {
			return nil, errDDLf("Export job [%s] is already finished or cancelled", qid)
		}
		return okResult(0), nil
	}
	return nil, errDDLf("Export job [%s] is not found", qid)
}
