package starrocks

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	gsql "github.com/dolthub/go-mysql-server/sql"
	"github.com/shopspring/decimal"
)

// Benchmarks of the asynchronous jobs on a 1,000,000-row partition, with
// the job model's time scale at 0 so that the simulator's own cost is
// measured. Run with:
//
//	go test ./sim/starrocks -run '^$' -bench 'Export1M|BrokerLoad1M' -benchtime 3x
//
// Each reports rows/s and the peak heap in use while the job ran.

const benchRows = 1_000_000

// benchCluster starts a cluster with instant jobs and a table t holding
// benchRows rows in partition p20240101.
func benchCluster(b *testing.B) (*Cluster, *sql.DB) {
	b.Helper()
	c, err := Start(Options{Version: "3.5.0", Quiet: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = c.Close() })
	c.Controls().SetJobModel(JobModel{ThroughputBytesPerSec: 1, TimeScale: 0})
	setup, err := sql.Open("mysql", c.DSN("root", "", ""))
	if err != nil {
		b.Fatal(err)
	}
	defer setup.Close()
	for _, q := range []string{"CREATE DATABASE d", benchTableDDL("d.t")} {
		if _, err := setup.Exec(q); err != nil {
			b.Fatal(err)
		}
	}
	db, err := sql.Open("mysql", c.DSN("root", "", "d"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = db.Close() })
	db.SetMaxOpenConns(2)
	day := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	rows := make([]gsql.Row, benchRows)
	for i := range rows {
		rows[i] = gsql.Row{day, int64(i), fmt.Sprintf("name-%d", i), decimal.New(int64(i), -3), day.Add(time.Duration(i) * time.Second)}
	}
	if _, err := c.Store().Load(LoadRequest{DB: "d", Table: "t", Rows: rows}); err != nil {
		b.Fatal(err)
	}
	return c, db
}

func benchTableDDL(name string) string {
	return "CREATE TABLE " + name + ` (dt DATE NOT NULL, id BIGINT NOT NULL, name VARCHAR(32), amount DECIMAL(12, 3), ts DATETIME)
		DUPLICATE KEY(dt, id) PARTITION BY RANGE(dt) (PARTITION p20240101 VALUES [('2024-01-01'), ('2024-01-02')))
		DISTRIBUTED BY HASH(id) BUCKETS 8`
}

// heapPeak samples HeapInuse until stop is called and returns the peak.
func heapPeak() (stop func() uint64) {
	var peak atomic.Uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-done:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	return func() uint64 {
		close(done)
		wg.Wait()
		return peak.Load()
	}
}

// waitState polls a SHOW statement until its first row is terminal.
func waitState(b *testing.B, db *sql.DB, q string) string {
	b.Helper()
	deadline := time.Now().Add(5 * time.Minute)
	for time.Now().Before(deadline) {
		rows, err := db.Query(q)
		if err != nil {
			b.Fatal(err)
		}
		cols, _ := rows.Columns()
		state := ""
		if rows.Next() {
			vals := make([]sql.NullString, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				b.Fatal(err)
			}
			for i, c := range cols {
				if c == "State" {
					state = vals[i].String
				}
			}
		}
		rows.Close()
		if state == "FINISHED" || state == "CANCELLED" {
			return state
		}
		time.Sleep(2 * time.Millisecond)
	}
	b.Fatalf("%s: no terminal state", q)
	return ""
}

func BenchmarkExport1M(b *testing.B) {
	_, db := benchCluster(b)
	conn, err := db.Conn(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	runtime.GC()
	stop := heapPeak()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		dir := b.TempDir()
		if _, err := conn.ExecContext(context.Background(), fmt.Sprintf(`EXPORT TABLE t PARTITION (p20240101) TO "file://%s/" WITH BROKER`, dir)); err != nil {
			b.Fatal(err)
		}
		var qid string
		if err := conn.QueryRowContext(context.Background(), "SELECT LAST_QUERY_ID()").Scan(&qid); err != nil {
			b.Fatal(err)
		}
		if st := waitState(b, db, fmt.Sprintf("SHOW EXPORT WHERE QUERYID = %q", qid)); st != "FINISHED" {
			b.Fatalf("export ended %s", st)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(benchRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(stop())/(1<<20), "peak-heap-MiB")
}

func BenchmarkBrokerLoad1M(b *testing.B) {
	_, db := benchCluster(b)
	dir := b.TempDir()
	if _, err := db.Exec(fmt.Sprintf(`EXPORT TABLE t TO "file://%s/" WITH BROKER`, dir)); err != nil {
		b.Fatal(err)
	}
	waitState(b, db, "SHOW EXPORT ORDER BY JobId DESC LIMIT 1")
	if _, err := db.Exec(benchTableDDL("t2")); err != nil {
		b.Fatal(err)
	}
	runtime.GC()
	stop := heapPeak()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		if _, err := db.Exec("TRUNCATE TABLE t2"); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		label := fmt.Sprintf("bench_%d", i)
		if _, err := db.Exec(fmt.Sprintf(`LOAD LABEL %s (DATA INFILE (%q) INTO TABLE t2) WITH BROKER`, label, "file://"+filepath.Join(dir, "*.csv"))); err != nil {
			b.Fatal(err)
		}
		if st := waitState(b, db, fmt.Sprintf("SHOW LOAD WHERE LABEL = %q", label)); st != "FINISHED" {
			b.Fatalf("load ended %s", st)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(benchRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(stop())/(1<<20), "peak-heap-MiB")
}
