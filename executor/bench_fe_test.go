package executor_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/srplan/srplan/providers/starrocks"
)

// benchFE is a frontend that only knows its asynchronous jobs: it answers
// the status queries of providers/starrocks' Watcher (SHOW EXPORT FROM db
// [WHERE QUERYID = ...] and SELECT * FROM information_schema.loads WHERE
// LABEL IN (...)) with the columns StarRocks prints (STARROCKS.md 3.3,
// 5.4). A job is EXPORTING or LOADING until its end time, FINISHED after.
// Every other statement is an error: the benchmark's clusters send none.
type benchFE struct {
	mu     sync.Mutex
	nextID int64
	// exports by query id, loads by label.
	exports map[string]*feJob
	loads   map[string]*feJob
	// queries counts the status queries answered.
	queries atomic.Int64
}

type feJob struct {
	jobID int64
	db    string
	id    string // query id or label
	path  string // export directory
	end   time.Time
}

func newBenchFE() *benchFE {
	return &benchFE{exports: map[string]*feJob{}, loads: map[string]*feJob{}}
}

// submit registers a job of kind that runs for d and returns its id (a
// new query id for an export, the label for a load) and its end.
func (f *benchFE) submit(kind starrocks.JobKind, db, label, path string, d time.Duration) (string, time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.nextID++
	j := &feJob{jobID: f.nextID, db: db, id: label, path: path, end: time.Now().Add(d)}
	if kind == starrocks.ExportJob {
		j.id = fmt.Sprintf("%08x-0000-0000-0000-%012x", f.nextID, f.nextID)
		f.exports[j.id] = j
	} else {
		f.loads[j.id] = j
	}
	return j.id, j.end
}

// db returns a pool whose sessions talk to f.
func (f *benchFE) db() *sql.DB { return sql.OpenDB(feConnector{f}) }

// exportCols and loadsCols are the headers of SHOW EXPORT and of
// information_schema.loads (3.1 spelling).
var (
	exportCols = []string{"JobId", "QueryId", "State", "Progress", "TaskInfo", "Path", "CreateTime", "StartTime", "FinishTime", "Timeout", "ErrorMsg"}
	loadsCols  = []string{"JOB_ID", "LABEL", "DATABASE_NAME", "STATE", "PROGRESS", "TYPE", "PRIORITY", "ERROR_MSG"}
)

const loadsPrefix = "SELECT * FROM information_schema.loads WHERE LABEL IN ("

// answer runs one statement.
func (f *benchFE) answer(q string) (*feRows, error) {
	now := time.Now()
	switch {
	case strings.HasPrefix(q, "SHOW EXPORT FROM "):
		f.queries.Add(1)
		db, where, _ := strings.Cut(strings.TrimPrefix(q, "SHOW EXPORT FROM "), " WHERE QUERYID = ")
		db = strings.Trim(db, "`")
		where = strings.Trim(where, "'")
		f.mu.Lock()
		defer f.mu.Unlock()
		rows := &feRows{cols: exportCols}
		for _, j := range f.exports {
			if j.db != db || where != "" && j.id != where {
				continue
			}
			state, progress := j.state(now, "EXPORTING")
			rows.add(strconv.FormatInt(j.jobID, 10), j.id, state, progress, "{}", j.path,
				"2024-01-01 00:00:00", "2024-01-01 00:00:00", "NULL", "7200", "NULL")
		}
		return rows, nil
	case strings.HasPrefix(q, loadsPrefix) && strings.HasSuffix(q, ")"):
		f.queries.Add(1)
		list := strings.TrimSuffix(strings.TrimPrefix(q, loadsPrefix), ")")
		f.mu.Lock()
		defer f.mu.Unlock()
		rows := &feRows{cols: loadsCols}
		for _, quoted := range strings.Split(list, ", ") {
			j, ok := f.loads[strings.Trim(quoted, "'")]
			if !ok {
				continue
			}
			state, progress := j.state(now, "LOADING")
			rows.add(strconv.FormatInt(j.jobID, 10), j.id, j.db, state, progress, "BROKER", "NORMAL", "NULL")
		}
		return rows, nil
	}
	return nil, fmt.Errorf("bench frontend: unexpected statement %q", q)
}

// state is the job's state and progress at now.
func (j *feJob) state(now time.Time, running string) (string, string) {
	if now.Before(j.end) {
		return running, "50%"
	}
	return "FINISHED", "100%"
}

type feConnector struct{ f *benchFE }

func (c feConnector) Connect(context.Context) (driver.Conn, error) { return feConn{c.f}, nil }
func (c feConnector) Driver() driver.Driver                        { return feDriver{} }

type feDriver struct{}

func (feDriver) Open(string) (driver.Conn, error) {
	return nil, errors.New("bench frontend: use the connector")
}

// feConn is one session; it answers queries without arguments only.
type feConn struct{ f *benchFE }

func (c feConn) Prepare(q string) (driver.Stmt, error) {
	return nil, fmt.Errorf("bench frontend: no prepared statements: %s", q)
}
func (c feConn) Close() error              { return nil }
func (c feConn) Begin() (driver.Tx, error) { return nil, errors.New("bench frontend: no transactions") }

func (c feConn) QueryContext(_ context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	if len(args) > 0 {
		return nil, fmt.Errorf("bench frontend: no arguments: %s", q)
	}
	return c.f.answer(q)
}

// feRows is a result of text cells; "NULL" is NULL.
type feRows struct {
	cols []string
	rows [][]string
	i    int
}

func (r *feRows) add(cells ...string) { r.rows = append(r.rows, cells) }

func (r *feRows) Columns() []string { return r.cols }
func (r *feRows) Close() error      { return nil }
func (r *feRows) Next(dest []driver.Value) error {
	if r.i >= len(r.rows) {
		return io.EOF
	}
	for i, c := range r.rows[r.i] {
		if c == "NULL" {
			dest[i] = nil
		} else {
			dest[i] = []byte(c)
		}
	}
	r.i++
	return nil
}
