package starrocks

import (
	"database/sql"
	"io"
	"log"
	"os"
	"testing"
	"time"

	gomysql "github.com/go-sql-driver/mysql"

	"github.com/srplan/srplan/providers/s3/s3test"
)

func TestMain(m *testing.M) {
	// Connections closed on purpose by some tests make the driver log.
	_ = gomysql.SetLogger(log.New(io.Discard, "", 0))
	// s3test.Main stops the MinIO server the job tests may start.
	os.Exit(s3test.Main(m))
}

// fixedNow is the clock of every test cluster.
var fixedNow = time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)

// startCluster starts a quiet cluster and closes it with the test.
func startCluster(t *testing.T, version string, mode Mode, mods ...func(*Options)) *Cluster {
	t.Helper()
	opts := Options{Version: version, Mode: mode, Quiet: true, Now: func() time.Time { return fixedNow }}
	for _, m := range mods {
		m(&opts)
	}
	c, err := Start(opts)
	if err != nil {
		t.Fatalf("start %s %s: %v", version, mode, err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// openDB opens a pooled handle on the cluster.
func openDB(t *testing.T, c *Cluster, user, password, db string) *sql.DB {
	t.Helper()
	h, err := sql.Open("mysql", c.DSN(user, password, db))
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	h.SetMaxOpenConns(4)
	t.Cleanup(func() { _ = h.Close() })
	return h
}

// rootDB opens database db (created when missing) as root.
func rootDB(t *testing.T, c *Cluster, db string) *sql.DB {
	t.Helper()
	if db != "" {
		mustExec(t, openDB(t, c, "root", "", ""), "CREATE DATABASE IF NOT EXISTS "+db)
	}
	return openDB(t, c, "root", "", db)
}

func mustExec(t *testing.T, db *sql.DB, q string, args ...any) sql.Result {
	t.Helper()
	r, err := db.Exec(q, args...)
	if err != nil {
		t.Fatalf("exec %q: %v", q, err)
	}
	return r
}

const nullCell = "<NULL>"

// query returns column names and rows as strings (NULL as "<NULL>").
func query(t *testing.T, db *sql.DB, q string, args ...any) ([]string, [][]string) {
	t.Helper()
	cols, rows, err := tryQuery(db, q, args...)
	if err != nil {
		t.Fatalf("query %q: %v", q, err)
	}
	return cols, rows
}

func tryQuery(db *sql.DB, q string, args ...any) ([]string, [][]string, error) {
	rs, err := db.Query(q, args...)
	if err != nil {
		return nil, nil, err
	}
	defer rs.Close()
	cols, err := rs.Columns()
	if err != nil {
		return nil, nil, err
	}
	var out [][]string
	for rs.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rs.Scan(ptrs...); err != nil {
			return nil, nil, err
		}
		row := make([]string, len(cols))
		for i, v := range vals {
			if v.Valid {
				row[i] = v.String
			} else {
				row[i] = nullCell
			}
		}
		out = append(out, row)
	}
	return cols, out, rs.Err()
}

// rowMaps returns rows keyed by column name.
func rowMaps(t *testing.T, db *sql.DB, q string, args ...any) []map[string]string {
	t.Helper()
	cols, rows := query(t, db, q, args...)
	var out []map[string]string
	for _, r := range rows {
		m := map[string]string{}
		for i, c := range cols {
			m[c] = r[i]
		}
		out = append(out, m)
	}
	return out
}

// execErr runs a statement that must fail and returns its error text.
func execErr(t *testing.T, db *sql.DB, q string, args ...any) string {
	t.Helper()
	_, err := db.Exec(q, args...)
	if err == nil {
		t.Fatalf("exec %q: want an error, got none", q)
	}
	return err.Error()
}
