package cli

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "github.com/go-sql-driver/mysql" // the simulator speaks the MySQL protocol

	simsr "github.com/srplan/srplan/sim/starrocks"
)

// sandboxOptions choose the simulated clusters.
type sandboxOptions struct {
	sourceVersion, targetVersion string
	sourceMode, targetMode       simsr.Mode
	sourceAddr, targetAddr       string
	rows                         int // orders rows per daily partition
}

// sandbox is a simulated source with sample tables, an empty simulated
// target, and a spec that migrates between them through a local stage.
type sandbox struct {
	src, dst *simsr.Cluster
	dir      string
	spec     string
}

// startSandbox starts both simulators and writes dir/migration.hcl.
func startSandbox(ctx context.Context, dir string, o sandboxOptions) (*sandbox, error) {
	src, err := simsr.Start(simsr.Options{Version: o.sourceVersion, Mode: o.sourceMode, Addr: o.sourceAddr, Quiet: true})
	if err != nil {
		return nil, fmt.Errorf("start the source simulator: %w", err)
	}
	dst, err := simsr.Start(simsr.Options{Version: o.targetVersion, Mode: o.targetMode, Addr: o.targetAddr, Quiet: true})
	if err != nil {
		src.Close()
		return nil, fmt.Errorf("start the target simulator: %w", err)
	}
	s := &sandbox{src: src, dst: dst, dir: dir, spec: filepath.Join(dir, "migration.hcl")}
	if err := seedSource(ctx, src.DSN("root", "", ""), o.rows); err != nil {
		s.close()
		return nil, fmt.Errorf("load the sample tables: %w", err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "stage"), 0o755); err != nil {
		s.close()
		return nil, err
	}
	if err := os.WriteFile(s.spec, []byte(sandboxSpec(src.Addr(), dst.Addr())), 0o644); err != nil {
		s.close()
		return nil, err
	}
	return s, nil
}

func (s *sandbox) close() {
	s.src.Close()
	s.dst.Close()
}

// sandboxSpec is the spec written next to the sandbox.
func sandboxSpec(srcAddr, dstAddr string) string {
	return fmt.Sprintf(`# Written by srplan for its sandbox. Both clusters are StarRocks SIMULATORS
# running inside srplan (sim/starrocks), not StarRocks: use them to try srplan,
# never to judge StarRocks itself.

source "starrocks" "sandbox_source" {
  hosts = [%q]
  user  = "root"
}

target "starrocks" "sandbox_target" {
  hosts = [%q]
  user  = "root"
}

storage "local" "stage" {
  path = "./stage"
}

state {
  path = ".srplan/state.db"
}

throttle "default" {
  exports = 4
  loads   = 4
}

table "demo.*" {
  from     = source.sandbox_source
  to       = target.sandbox_target
  via      = storage.stage
  throttle = throttle.default

  verify {
    mode = "checksum"
  }
}
`, srcAddr, dstAddr)
}

// sampleDays are the daily partitions of demo.orders.
var sampleDays = []string{"2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05", "2024-01-06", "2024-01-07"}

// seedSource creates the sample tables: a range-partitioned DUPLICATE KEY
// fact table, a PRIMARY KEY dimension table and an expression-partitioned
// event table, with rowsPerDay orders per day.
func seedSource(ctx context.Context, dsn string, rowsPerDay int) error {
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	var parts []string
	for i, d := range sampleDays {
		next := "2024-01-08"
		if i+1 < len(sampleDays) {
			next = sampleDays[i+1]
		}
		parts = append(parts, fmt.Sprintf("PARTITION p%s VALUES [(%q), (%q))", strings.ReplaceAll(d, "-", ""), d, next))
	}
	stmts := []string{
		"CREATE DATABASE IF NOT EXISTS demo",
		"CREATE TABLE demo.orders (\n  order_date DATE NOT NULL,\n  order_id BIGINT NOT NULL,\n  customer_id BIGINT NOT NULL,\n" +
			"  amount DECIMAL(12, 2) NULL,\n  note VARCHAR(64) NULL\n) ENGINE=OLAP\nDUPLICATE KEY(order_date, order_id)\n" +
			"PARTITION BY RANGE(order_date) (\n  " + strings.Join(parts, ",\n  ") + "\n)\n" +
			"DISTRIBUTED BY HASH(order_id) BUCKETS 4\nPROPERTIES (\"replication_num\" = \"1\")",
		"CREATE TABLE demo.customers (\n  id BIGINT NOT NULL,\n  name VARCHAR(64) NULL,\n  country VARCHAR(2) NULL\n) ENGINE=OLAP\n" +
			"PRIMARY KEY(id)\nDISTRIBUTED BY HASH(id) BUCKETS 2\nPROPERTIES (\"replication_num\" = \"1\")",
		"CREATE TABLE demo.events (\n  ts DATETIME NOT NULL,\n  user_id BIGINT NOT NULL,\n  kind VARCHAR(16) NULL\n) ENGINE=OLAP\n" +
			"DUPLICATE KEY(ts)\nPARTITION BY date_trunc('day', ts)\nDISTRIBUTED BY HASH(user_id) BUCKETS 2\nPROPERTIES (\"replication_num\" = \"1\")",
	}
	for _, s := range stmts {
		if _, err := db.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("%s: %w", firstLine(s), err)
		}
	}
	id := 0
	for _, d := range sampleDays {
		for start := 0; start < rowsPerDay; start += 500 {
			var vals []string
			for i := start; i < min(start+500, rowsPerDay); i++ {
				id++
				note := "NULL"
				if id%7 != 0 {
					note = fmt.Sprintf("'order %d'", id)
				}
				vals = append(vals, fmt.Sprintf("('%s', %d, %d, %d.%02d, %s)", d, id, id%500+1, id%997, id%100, note))
			}
			if err := execValues(ctx, db, "INSERT INTO demo.orders VALUES ", vals); err != nil {
				return err
			}
		}
	}
	var cust []string
	for i := 1; i <= 500; i++ {
		cust = append(cust, fmt.Sprintf("(%d, 'customer %d', '%s')", i, i, []string{"DE", "US", "CN", "BR"}[i%4]))
	}
	if err := execValues(ctx, db, "INSERT INTO demo.customers VALUES ", cust); err != nil {
		return err
	}
	var ev []string
	for i := range 1500 {
		ev = append(ev, fmt.Sprintf("('2024-01-0%d %02d:%02d:00', %d, '%s')", 1+i%3, i%24, i%60, i%500+1, []string{"view", "click", "buy"}[i%3]))
	}
	return execValues(ctx, db, "INSERT INTO demo.events VALUES ", ev)
}

func execValues(ctx context.Context, db *sql.DB, head string, vals []string) error {
	if len(vals) == 0 {
		return nil
	}
	if _, err := db.ExecContext(ctx, head+strings.Join(vals, ", ")); err != nil {
		return fmt.Errorf("%s...: %w", head, err)
	}
	return nil
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}
