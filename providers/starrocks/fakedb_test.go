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
)

// fakeDB is a database/sql backend that answers each known statement with
// a canned result written as an ASCII table, and fails on anything else.
// It refuses Prepare and arguments, so a test also proves that the code
// under test sends only literal SQL.
type fakeDB struct {
	mu      sync.Mutex
	answers map[string]fakeAnswer
	queries []string
}

type fakeAnswer struct {
	cols []string
	rows [][]driver.Value
	err  error
}

// newFakeDB returns a pool over a new fakeDB; the pool is closed with t.
func newFakeDB(t *testing.T) (*sql.DB, *fakeDB) {
	t.Helper()
	f := &fakeDB{answers: map[string]fakeAnswer{}}
	db := sql.OpenDB(fakeConnector{f})
	t.Cleanup(func() { db.Close() })
	return db, f
}

// on makes query answer with the rows of an ASCII table (see parseTable).
func (f *fakeDB) on(t *testing.T, query, table string) {
	t.Helper()
	cols, rows := parseTable(t, table)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.answers[query] = fakeAnswer{cols: cols, rows: rows}
}

// onErr makes query fail with err.
func (f *fakeDB) onErr(query string, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.answers[query] = fakeAnswer{err: err}
}

// log returns the statements received so far, in order.
func (f *fakeDB) log() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.queries...)
}

// parseTable reads
//
//	+------+------+
//	| a    | b    |
//	+------+------+
//	| 1    | NULL |
//
// into a header and rows; lines starting with '+' or "|-" are rules, NULL
// is a SQL NULL and every other cell is its trimmed text.
func parseTable(t *testing.T, s string) ([]string, [][]driver.Value) {
	t.Helper()
	var cols []string
	var rows [][]driver.Value
	for line := range strings.Lines(s) {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "+") || strings.HasPrefix(line, "|-") {
			continue
		}
		if !strings.HasPrefix(line, "|") || !strings.HasSuffix(line, "|") {
			t.Fatalf("bad table line %q", line)
		}
		cells := strings.Split(line[1:len(line)-1], "|")
		if cols == nil {
			for _, c := range cells {
				cols = append(cols, strings.TrimSpace(c))
			}
			continue
		}
		if len(cells) != len(cols) {
			t.Fatalf("table line %q has %d cells, header has %d", line, len(cells), len(cols))
		}
		row := make([]driver.Value, len(cells))
		for i, c := range cells {
			if c = strings.TrimSpace(c); c != "NULL" {
				row[i] = []byte(c)
			}
		}
		rows = append(rows, row)
	}
	if cols == nil {
		t.Fatalf("table without header: %q", s)
	}
	return cols, rows
}

// resultFromTable builds a resultSet from an ASCII table, for the pure
// parsers.
func resultFromTable(t *testing.T, table string) *resultSet {
	t.Helper()
	db, f := newFakeDB(t)
	f.on(t, "Q", table)
	res, err := queryAll(context.Background(), db, "Q")
	if err != nil {
		t.Fatal(err)
	}
	return res
}

type fakeConnector struct{ f *fakeDB }

func (c fakeConnector) Connect(context.Context) (driver.Conn, error) { return &fakeConn{c.f}, nil }
func (c fakeConnector) Driver() driver.Driver                        { return fakeDriver{} }

type fakeDriver struct{}

func (fakeDriver) Open(string) (driver.Conn, error) { return nil, errors.New("use the connector") }

type fakeConn struct{ f *fakeDB }

func (c *fakeConn) Prepare(q string) (driver.Stmt, error) {
	return nil, fmt.Errorf("fake: prepared statements are not allowed: %s", q)
}
func (c *fakeConn) Close() error              { return nil }
func (c *fakeConn) Begin() (driver.Tx, error) { return nil, errors.New("fake: no transactions") }

func (c *fakeConn) answer(q string, args []driver.NamedValue) (fakeAnswer, error) {
	c.f.mu.Lock()
	defer c.f.mu.Unlock()
	c.f.queries = append(c.f.queries, q)
	if len(args) > 0 {
		return fakeAnswer{}, fmt.Errorf("fake: arguments are not allowed: %s", q)
	}
	a, ok := c.f.answers[q]
	if !ok {
		return fakeAnswer{}, fmt.Errorf("fake: unexpected statement: %s", q)
	}
	return a, a.err
}

func (c *fakeConn) QueryContext(_ context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	a, err := c.answer(q, args)
	if err != nil {
		return nil, err
	}
	return &fakeRows{cols: a.cols, rows: a.rows}, nil
}

func (c *fakeConn) ExecContext(_ context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	if _, err := c.answer(q, args); err != nil {
		return nil, err
	}
	return driver.RowsAffected(0), nil
}

type fakeRows struct {
	cols []string
	rows [][]driver.Value
	i    int
}

func (r *fakeRows) Columns() []string { return r.cols }
func (r *fakeRows) Close() error      { return nil }
func (r *fakeRows) Next(dest []driver.Value) error {
	if r.i >= len(r.rows) {
		return io.EOF
	}
	copy(dest, r.rows[r.i])
	r.i++
	return nil
}
