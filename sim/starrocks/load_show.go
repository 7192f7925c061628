package starrocks

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/dolthub/vitess/go/sqltypes"
)

// SHOW LOAD column sets (STARROCKS.md 5.2; LoadProcDir). The release
// boundaries are [unconfirmed]; the simulator chooses: the older set
// (with URL, without row counts) on 3.1, the newer set (ScanRows ..
// SinkRows, TrackingSQL instead of URL) from 3.2, and Warehouse appended
// from 3.4, the release where the load views were reworked (the same
// boundary the simulator uses for information_schema.loads).
var (
	showLoadColumnsOld = []string{"JobId", "Label", "State", "Progress", "Type", "Priority", "EtlInfo", "TaskInfo",
		"ErrorMsg", "CreateTime", "EtlStartTime", "EtlFinishTime", "LoadStartTime", "LoadFinishTime", "URL", "JobDetails"}
	showLoadColumnsNew = []string{"JobId", "Label", "State", "Progress", "Type", "Priority", "ScanRows", "FilteredRows",
		"UnselectedRows", "SinkRows", "EtlInfo", "TaskInfo", "ErrorMsg", "CreateTime", "EtlStartTime", "EtlFinishTime",
		"LoadStartTime", "LoadFinishTime", "TrackingSQL", "JobDetails"}
)

// showLoadLimit is the most jobs SHOW LOAD returns per database.
const showLoadLimit = 2000

func (p profile) showLoadColumns() []string {
	switch {
	case !p.atLeast(2, 0):
		return showLoadColumnsOld
	case p.atLeast(4, 0):
		return append(append([]string(nil), showLoadColumnsNew...), "Warehouse")
	}
	return showLoadColumnsNew
}

// loadsNewLayout: information_schema.loads has the newer columns (ID,
// DB_NAME, ...) from 3.4 [unconfirmed; STARROCKS.md Appendix A].
func (p profile) loadsNewLayout() bool { return p.atLeast(4, 0) }

// loadFilter is the WHERE clause of SHOW LOAD: LABEL = "x" or LABEL LIKE
// "x%", optionally AND STATE = "..." (or the state alone).
type loadFilter struct {
	label, labelLike, state string
}

func (f loadFilter) match(j loadView) bool {
	if f.label != "" && !strings.EqualFold(j.Label, f.label) {
		return false
	}
	if f.labelLike != "" && !likeMatch(f.labelLike, j.Label, false) {
		return false
	}
	return f.state == "" || strings.EqualFold(showLoadState(j), f.state)
}

func errShowLoadWhere() error {
	return analysisError(`Where clause should looks like: LABEL = "your_load_label", or LABEL LIKE "matcher",  or STATE = "PENDING|ETL|LOADING|FINISHED|CANCELLED|QUEUEING", or compound predicate with operator AND`)
}

func parseLoadFilter(p *parser) (loadFilter, error) {
	var f loadFilter
	for {
		name, err := p.ident()
		if err != nil {
			return f, err
		}
		like := p.acceptKw("LIKE")
		if !like && !p.acceptPunct("=") {
			return f, errShowLoadWhere()
		}
		v, err := p.stringLit()
		if err != nil {
			return f, err
		}
		switch {
		case strings.EqualFold(name, "LABEL") && like:
			f.labelLike = v
		case strings.EqualFold(name, "LABEL"):
			f.label = v
		case strings.EqualFold(name, "STATE") && !like:
			f.state = strings.ToUpper(v)
			switch f.state {
			case loadPending, "ETL", loadLoading, loadFinished, loadCancelled, loadQueueing, "PREPARED":
			default:
				return f, errShowLoadWhere()
			}
		default:
			return f, errShowLoadWhere()
		}
		if !p.acceptKw("AND") {
			return f, nil
		}
	}
}

// handleShowLoad: SHOW LOAD [FROM db] [WHERE ...] [ORDER BY ...] [LIMIT n].
// It covers Broker Load and INSERT jobs of the database.
func handleShowLoad(_ context.Context, s *Session, st *Statement) (*sqltypes.Result, error) {
	p := &parser{src: st.SQL, toks: st.Toks, i: 2}
	db, err := parseFromDB(p)
	if err != nil {
		return nil, err
	}
	var f loadFilter
	if p.acceptKw("WHERE") {
		var err error
		if f, err = parseLoadFilter(p); err != nil {
			return nil, err
		}
	}
	cols := s.c.prof.showLoadColumns()
	lc, err := parseListClause(p, cols)
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
	for _, j := range s.c.jobs.loads.list(db) {
		v := j.view()
		if !f.match(v) {
			continue
		}
		rows = append(rows, s.c.showLoadRow(v))
		if len(rows) >= showLoadLimit {
			break
		}
	}
	return textResult(cols, lc.apply(rows)), nil
}

// showLoadState is the state SHOW LOAD prints.
func showLoadState(v loadView) string { return v.state }

// loadProgress renders Progress as LoadJob.getShowInfo does.
func loadProgress(v loadView) string {
	switch v.state {
	case loadPending:
		return "ETL:0%; LOAD:0%"
	case loadCancelled:
		return "ETL:N/A; LOAD:N/A"
	}
	return fmt.Sprintf("ETL:100%%; LOAD:%d%%", v.progress)
}

// javaDouble renders a float as Java's Double.toString does for the
// ratios SHOW LOAD prints (0.0, 0.1, 1.0).
func javaDouble(f float64) string {
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return s
}

func loadTaskInfo(v loadView) string {
	return fmt.Sprintf("resource:N/A; timeout(s):%d; max_filter_ratio:%s", v.Timeout, javaDouble(v.MaxFilterRatio))
}

func loadErrorMsg(v loadView) any {
	if v.failType == "" {
		return "N/A"
	}
	return "type:" + v.failType + "; msg:" + v.failMsg
}

// loadDetails is JobDetails (LoadStatistic.toShowInfoStr).
func loadDetails(v loadView) string {
	tasks := int64(0)
	if v.Type == "BROKER" && v.fileNumber > 0 {
		tasks = 1
	}
	b, _ := json.Marshal(map[string]any{
		"All backends": map[string]any{}, "FileNumber": v.fileNumber, "FileSize": v.fileSize,
		"InternalTableLoadBytes": v.scanBytes, "InternalTableLoadRows": v.sinkRows, "ScanBytes": v.scanBytes,
		"ScanRows": v.scanRows, "TaskNumber": tasks, "Unfinished backends": map[string]any{},
	})
	return string(b)
}

// trackingSQL is the query that reads the rejected rows of a job that
// filtered some, "" otherwise.
func trackingSQL(v loadView) string {
	if v.filteredRows == 0 {
		return ""
	}
	return fmt.Sprintf("select tracking_log from information_schema.load_tracking_logs where job_id=%d", v.ID)
}

// showLoadRow renders one job in the profile's column set.
func (c *Cluster) showLoadRow(v loadView) []any {
	etlStart, etlFinish := jobTime(v.loadStart), jobTime(v.loadStart)
	if !c.prof.atLeast(2, 0) {
		etlInfo := "N/A"
		if v.Type == "BROKER" && v.state == loadFinished {
			etlInfo = fmt.Sprintf("unselected.rows=%d; dpp.abnorm.ALL=%d; dpp.norm.ALL=%d", v.unselectedRows, v.filteredRows, v.sinkRows)
		}
		url := "N/A"
		if v.filteredRows > 0 {
			url = fmt.Sprintf("http://127.0.0.1:8040/api/_load_error_log?file=error_log_%d", v.ID)
		}
		return []any{v.ID, v.Label, showLoadState(v), loadProgress(v), v.Type, v.Priority, etlInfo, loadTaskInfo(v),
			loadErrorMsg(v), jobTime(v.created), etlStart, etlFinish, jobTime(v.loadStart), jobTime(v.finished), url, loadDetails(v)}
	}
	row := []any{v.ID, v.Label, showLoadState(v), loadProgress(v), v.Type, v.Priority, v.scanRows, v.filteredRows,
		v.unselectedRows, v.sinkRows, "N/A", loadTaskInfo(v), loadErrorMsg(v), jobTime(v.created), etlStart, etlFinish,
		jobTime(v.loadStart), jobTime(v.finished), trackingSQL(v), loadDetails(v)}
	if c.prof.atLeast(4, 0) {
		row = append(row, "default_warehouse")
	}
	return row
}

// handleCancelLoad: CANCEL LOAD [FROM db] WHERE LABEL = "x".
func handleCancelLoad(_ context.Context, s *Session, st *Statement) (*sqltypes.Result, error) {
	db, label, err := parseCancelWhere(st, "LABEL", `Where clause should looks like: LABEL = "your_load_label"`)
	if err != nil {
		return nil, err
	}
	if db, err = s.resolveDB(db); err != nil {
		return nil, err
	}
	if err := s.require("LOAD", "DATABASE", db); err != nil {
		return nil, err
	}
	var matched []*loadJob
	for _, j := range s.c.jobs.loads.list(db) {
		if j.Label == label {
			matched = append(matched, j)
		}
	}
	if len(matched) == 0 {
		return nil, errDDLf("Load job does not exist")
	}
	for _, j := range matched {
		if j.done() {
			continue
		}
		if j.fail(s.c.jobNow(), failUserCancel, "user cancel") {
			s.c.store.Labels.Update(db, j.Label, LabelCancelled, 0, "user cancel")
		}
		return okResult(0), nil
	}
	return nil, errDDLf("There is no uncompleted job which label is %s", label)
}
