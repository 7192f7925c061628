package starrocks

import (
	"strconv"
	"strings"
)

// JobKind tells which statement family reports a job's status.
type JobKind int

// Job kinds.
const (
	// LoadJob is a Broker Load or an INSERT (also INSERT INTO FILES),
	// found by label in SHOW LOAD or information_schema.loads.
	LoadJob JobKind = iota
	// ExportJob is an EXPORT, found by query id in SHOW EXPORT.
	ExportJob
)

// String returns "load" or "export".
func (k JobKind) String() string {
	if k == ExportJob {
		return "export"
	}
	return "load"
}

// JobKey names one job a Watcher follows.
type JobKey struct {
	Kind JobKind
	// DB is the job's database.
	DB string
	// ID is the label (loads) or the query id (exports).
	ID string
}

// JobStatus is one job's status as the cluster last reported it.
type JobStatus struct {
	// Found is false when the cluster does not list the job (never
	// submitted, purged, or an INSERT that is still running: SHOW LOAD
	// lists INSERT jobs once they end, STARROCKS.md 5.3).
	Found bool
	// JobID is the cluster's numeric job id, as text.
	JobID string
	// State as printed: PENDING, QUEUEING, LOADING, COMMITTED, FINISHED,
	// CANCELLED (loads); PENDING, EXPORTING, FINISHED, CANCELLED (exports).
	State string
	// Progress as printed, e.g. "ETL:100%; LOAD:99%" or "42%".
	Progress string
	// ErrorMsg is the failure text; "" when none (the FE prints N/A).
	ErrorMsg string
	// Type is BROKER, INSERT, ... for loads, "" for exports.
	Type string
	// Path is an export's destination directory.
	Path string
}

// Finished reports the successful end state.
func (s JobStatus) Finished() bool { return s.Found && strings.EqualFold(s.State, "FINISHED") }

// Cancelled reports the failed end state.
func (s JobStatus) Cancelled() bool { return s.Found && strings.EqualFold(s.State, "CANCELLED") }

// Terminal reports FINISHED or CANCELLED; every other state is running
// (STARROCKS.md 5.3).
func (s JobStatus) Terminal() bool { return s.Finished() || s.Cancelled() }

// Column names of SHOW LOAD, information_schema.loads and SHOW EXPORT
// (STARROCKS.md 3.3, 5.2, 5.4), matched case-insensitively. The
// information_schema names differ between releases (DATABASE_NAME in 3.1,
// DB_NAME later), so each field lists every spelling.
var (
	colsJobID    = []string{"JobId", "JOB_ID", "ID"}
	colsLabel    = []string{"Label"}
	colsState    = []string{"State"}
	colsProgress = []string{"Progress"}
	colsErrorMsg = []string{"ErrorMsg", "ERROR_MSG"}
	colsType     = []string{"Type"}
	colsDB       = []string{"DB_NAME", "DATABASE_NAME"}
	colsQueryID  = []string{"QueryId"}
	colsPath     = []string{"Path"}
)

// firstCol returns the position of the first of names present in res.
func firstCol(res *resultSet, names []string) (int, bool) {
	for _, n := range names {
		if i, ok := res.col(n); ok {
			return i, true
		}
	}
	return 0, false
}

// rowText returns the cell of row i in the first present column of names.
func rowText(res *resultSet, i int, names []string) string {
	c, ok := firstCol(res, names)
	if !ok {
		return ""
	}
	v, _ := res.cell(i, c)
	return v
}

// jobStatusOf reads row i of a SHOW LOAD, information_schema.loads or
// SHOW EXPORT result.
func jobStatusOf(res *resultSet, i int) JobStatus {
	st := JobStatus{
		Found:    true,
		JobID:    rowText(res, i, colsJobID),
		State:    strings.ToUpper(rowText(res, i, colsState)),
		Progress: rowText(res, i, colsProgress),
		ErrorMsg: rowText(res, i, colsErrorMsg),
		Type:     rowText(res, i, colsType),
		Path:     rowText(res, i, colsPath),
	}
	if strings.EqualFold(st.ErrorMsg, "N/A") {
		st.ErrorMsg = ""
	}
	return st
}

// newerJob reports whether job id a is newer than b. Ids are numbers that
// grow; text that is not a number compares as text.
func newerJob(a, b string) bool {
	x, errX := strconv.ParseInt(a, 10, 64)
	y, errY := strconv.ParseInt(b, 10, 64)
	if errX == nil && errY == nil {
		return x > y
	}
	return a > b
}

// loadStatuses maps the labels of a SHOW LOAD or information_schema.loads
// result to their newest job. A label can list several jobs: cancelled
// ones whose label was reused, and the job that reused it. Rows of other
// databases (information_schema lists all) are skipped when the result
// names the database.
func loadStatuses(res *resultSet, db string) map[string]JobStatus {
	out := map[string]JobStatus{}
	labelCol, ok := firstCol(res, colsLabel)
	if !ok {
		return out
	}
	dbCol, hasDB := firstCol(res, colsDB)
	for i := range res.rows {
		label, ok := res.cell(i, labelCol)
		if !ok {
			continue
		}
		if hasDB {
			if d, _ := res.cell(i, dbCol); d != "" && d != db {
				continue
			}
		}
		st := jobStatusOf(res, i)
		if prev, seen := out[label]; seen && !newerJob(st.JobID, prev.JobID) {
			continue
		}
		out[label] = st
	}
	return out
}

// exportStatuses maps the query ids of a SHOW EXPORT result to their jobs.
func exportStatuses(res *resultSet) map[string]JobStatus {
	out := map[string]JobStatus{}
	idCol, ok := firstCol(res, colsQueryID)
	if !ok {
		return out
	}
	for i := range res.rows {
		id, ok := res.cell(i, idCol)
		if !ok {
			continue
		}
		out[id] = jobStatusOf(res, i)
	}
	return out
}

// exportsAtPath returns the SHOW EXPORT jobs whose Path is dir, ignoring
// a trailing '/' (the FE normalises the path it prints). Each status's ID
// is its query id.
func exportsAtPath(res *resultSet, dir string) map[string]JobStatus {
	want := strings.TrimRight(dir, "/")
	out := map[string]JobStatus{}
	for id, st := range exportStatuses(res) {
		if strings.TrimRight(st.Path, "/") == want {
			out[id] = st
		}
	}
	return out
}
