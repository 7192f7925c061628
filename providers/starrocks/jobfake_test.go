package starrocks

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/srplan/srplan/planner"
)

// jobDB is a scripted database/sql backend for the job tests: a handler
// answers every statement, so answers can change as a job progresses. It
// refuses prepared statements and arguments, proving that the job code
// sends literal SQL only, and logs every statement with its session.
type jobDB struct {
	mu      sync.Mutex
	handler func(q string) jobReply
	log     []string
	conns   int
}

// jobReply is the answer to one statement: rows (cells as text, nil for
// NULL) or an error.
type jobReply struct {
	cols []string
	rows [][]*string
	err  error
}

// newJobDB returns a pool over a jobDB answering with h.
func newJobDB(t *testing.T, h func(q string) jobReply) (*sql.DB, *jobDB) {
	t.Helper()
	f := &jobDB{handler: h}
	db := sql.OpenDB(jobConnector{f})
	t.Cleanup(func() { db.Close() })
	return db, f
}

// statements returns the statements received so far.
func (f *jobDB) statements() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.log...)
}

// count returns how many received statements start with prefix.
func (f *jobDB) count(prefix string) int {
	n := 0
	for _, q := range f.statements() {
		if strings.HasPrefix(q, prefix) {
			n++
		}
	}
	return n
}

// reply builds a jobReply from a header and rows; the cell "NULL" is NULL.
func reply(cols []string, rows ...[]string) jobReply {
	r := jobReply{cols: cols}
	for _, row := range rows {
		cells := make([]*string, len(row))
		for i, c := range row {
			if c != "NULL" {
				cells[i] = &c
			}
		}
		r.rows = append(r.rows, cells)
	}
	return r
}

// okReply is the answer to a statement without rows.
var okReply = jobReply{}

// sqlErr is a server error with the given number and text.
func sqlErr(num uint16, msg string) jobReply {
	return jobReply{err: &mysql.MySQLError{Number: num, Message: msg}}
}

type jobConnector struct{ f *jobDB }

func (c jobConnector) Connect(context.Context) (driver.Conn, error) {
	c.f.mu.Lock()
	c.f.conns++
	c.f.mu.Unlock()
	return &jobConn{f: c.f}, nil
}
func (c jobConnector) Driver() driver.Driver { return jobDriver{} }

type jobDriver struct{}

func (jobDriver) Open(string) (driver.Conn, error) { return nil, errors.New("use the connector") }

// jobConn is one session. The handler sees LAST_QUERY_ID() as
// "SELECT LAST_QUERY_ID() -- after: <previous statement of the session>",
// so a test can check that it follows the EXPORT on the same session.
type jobConn struct {
	f    *jobDB
	prev string
}

func (c *jobConn) Prepare(q string) (driver.Stmt, error) {
	return nil, fmt.Errorf("fake: prepared statements are not allowed: %s", q)
}
func (c *jobConn) Close() error              { return nil }
func (c *jobConn) Begin() (driver.Tx, error) { return nil, errors.New("fake: no transactions") }

func (c *jobConn) answer(q string, args []driver.NamedValue) jobReply {
	c.f.mu.Lock()
	c.f.log = append(c.f.log, q)
	h := c.f.handler
	c.f.mu.Unlock()
	if len(args) > 0 {
		return jobReply{err: fmt.Errorf("fake: arguments are not allowed: %s", q)}
	}
	asked := q
	if q == LastQueryIDSQL {
		asked = q + " -- after: " + c.prev
	}
	c.prev = q
	return h(asked)
}

func (c *jobConn) QueryContext(_ context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	r := c.answer(q, args)
	if r.err != nil {
		return nil, r.err
	}
	return &jobRows{r: r}, nil
}

func (c *jobConn) ExecContext(_ context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	if r := c.answer(q, args); r.err != nil {
		return nil, r.err
	}
	return driver.RowsAffected(0), nil
}

type jobRows struct {
	r jobReply
	i int
}

func (r *jobRows) Columns() []string { return r.r.cols }
func (r *jobRows) Close() error      { return nil }
func (r *jobRows) Next(dest []driver.Value) error {
	if r.i >= len(r.r.rows) {
		return io.EOF
	}
	for i, c := range r.r.rows[r.i] {
		if c == nil {
			dest[i] = nil
		} else {
			dest[i] = []byte(*c)
		}
	}
	r.i++
	return nil
}

// testJobs returns Jobs over db that polls fast (real clock, 1-5 ms).
func testJobs(t *testing.T, db *sql.DB, info planner.ClusterInfo, opts ...JobOption) *Jobs {
	t.Helper()
	opts = append([]JobOption{WithPollInterval(time.Millisecond, 5*time.Millisecond)}, opts...)
	j, err := newJobs(db, info, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

// loadsCols31 is the header of information_schema.loads in 3.1.
var loadsCols31 = []string{"JOB_ID", "LABEL", "DATABASE_NAME", "STATE", "PROGRESS", "TYPE", "PRIORITY", "ERROR_MSG"}

// exportCols is the header of SHOW EXPORT.
var exportCols = []string{"JobId", "QueryId", "State", "Progress", "TaskInfo", "Path", "CreateTime", "StartTime", "FinishTime", "Timeout", "ErrorMsg"}

// exportRow is a SHOW EXPORT row.
func exportRow(jobID, queryID, state, path, errMsg string) []string {
	return []string{jobID, queryID, state, "0%", "{}", path, "2024-01-01 00:00:00", "NULL", "NULL", "3600", errMsg}
}

var v33 = planner.ClusterInfo{Name: "src", Version: planner.Version{Major: 3, Minor: 3, Patch: 8}, Mode: planner.SharedNothing}
