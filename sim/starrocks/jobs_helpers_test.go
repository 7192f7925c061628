package starrocks

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// jobWait bounds every wait for an asynchronous job.
const jobWait = 20 * time.Second

// waitRow polls q until pred holds for its first row and returns that row.
// It fails the test when no row satisfies pred within jobWait.
func waitRow(t *testing.T, db *sql.DB, q string, pred func(map[string]string) bool) map[string]string {
	t.Helper()
	deadline := time.Now().Add(jobWait)
	var last []map[string]string
	for time.Now().Before(deadline) {
		last = rowMaps(t, db, q)
		if len(last) > 0 && pred(last[0]) {
			return last[0]
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("%s: condition not met within %s; last rows %v", q, jobWait, last)
	return nil
}

// terminal reports whether a job row is in a final state.
func terminal(m map[string]string) bool {
	return m["State"] == "FINISHED" || m["State"] == "CANCELLED"
}

// lastQueryID runs a statement on one connection and returns
// LAST_QUERY_ID() read right after it.
func lastQueryID(t *testing.T, db *sql.DB, stmt string) string {
	t.Helper()
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(context.Background(), stmt); err != nil {
		t.Fatalf("exec %q: %v", stmt, err)
	}
	var id sql.NullString
	if err := conn.QueryRowContext(context.Background(), "SELECT LAST_QUERY_ID()").Scan(&id); err != nil {
		t.Fatal(err)
	}
	if !id.Valid || id.String == "" {
		t.Fatalf("LAST_QUERY_ID() after %q is empty", stmt)
	}
	return id.String
}

// exportAndWait exports and waits for the job to end; it returns the
// SHOW EXPORT row.
func exportAndWait(t *testing.T, db *sql.DB, stmt string) map[string]string {
	t.Helper()
	qid := lastQueryID(t, db, stmt)
	return waitRow(t, db, fmt.Sprintf("SHOW EXPORT WHERE QUERYID = %q", qid), terminal)
}

// loadAndWait submits a Broker Load and waits for it to end.
func loadAndWait(t *testing.T, db *sql.DB, label, stmt string) map[string]string {
	t.Helper()
	mustExec(t, db, stmt)
	return waitRow(t, db, fmt.Sprintf("SHOW LOAD WHERE LABEL = %q ORDER BY JobId DESC", label), terminal)
}

// listFiles returns the files below dir, relative, sorted.
func listFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func writeFile(t *testing.T, p, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// checksum is a table's row count and content checksum, computed the way
// srplan verifies a copy (STARROCKS.md 8.1): murmur_hash3_32 over a
// NULL-safe concat_ws of every column.
func checksum(t *testing.T, db *sql.DB, table string, cols []string) [2]string {
	t.Helper()
	parts := make([]string, len(cols))
	for i, c := range cols {
		parts[i] = fmt.Sprintf("ifnull(cast(%s AS STRING), '\\\\N')", c)
	}
	q := fmt.Sprintf("SELECT count(*), ifnull(sum(murmur_hash3_32(concat_ws('|', %s))), 0) FROM %s", strings.Join(parts, ", "), table)
	_, rows := query(t, db, q)
	return [2]string{rows[0][0], rows[0][1]}
}

// slowJobs makes every job move one byte per second, so it stays running
// until it is cancelled (or the cluster closes) and tests can observe its
// running states.
func slowJobs(c *Cluster) {
	c.Controls().SetJobModel(JobModel{ThroughputBytesPerSec: 1, TimeScale: 1})
}

// mixedTableDDL is a range-partitioned table with a column of each kind
// the jobs carry.
const mixedTableDDL = `CREATE TABLE t (
	dt DATE NOT NULL,
	id BIGINT NOT NULL,
	name VARCHAR(32),
	amount DECIMAL(12, 3),
	ratio DOUBLE,
	flag BOOLEAN,
	ts DATETIME,
	small TINYINT
) DUPLICATE KEY(dt, id)
PARTITION BY RANGE(dt) (
	PARTITION p20240101 VALUES [('2024-01-01'), ('2024-01-02')),
	PARTITION p20240102 VALUES [('2024-01-02'), ('2024-01-03'))
)
DISTRIBUTED BY HASH(id) BUCKETS 2`

var mixedTableColumns = []string{"dt", "id", "name", "amount", "ratio", "flag", "ts", "small"}

const mixedTableRows = `INSERT INTO t VALUES
	('2024-01-01', 1, 'alpha', 12.5, 0.25, true, '2024-01-01 10:00:00', 1),
	('2024-01-01', 2, NULL, NULL, NULL, NULL, NULL, NULL),
	('2024-01-01', 3, 'gamma, with comma', -7.125, 1e20, false, '2024-01-01 23:59:59', -128),
	('2024-01-02', 4, 'delta', 0.001, -0.5, true, '2024-01-02 00:00:01', 127)`
