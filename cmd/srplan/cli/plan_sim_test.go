package cli

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/srplan/srplan/lang"
	"github.com/srplan/srplan/planner"
	"github.com/srplan/srplan/providers/starrocks"
	simsr "github.com/srplan/srplan/sim/starrocks"
	"github.com/srplan/srplan/state"
)

const simPassword = "Sup3r-s3cret-pw"

// simPair starts a source with demo.orders (3 daily partitions) and an
// empty target, both with a root password, and writes a spec for them.
func simPair(t *testing.T) (src, dst *simsr.Cluster, spec string) {
	t.Helper()
	var err error
	src, err = simsr.Start(simsr.Options{Version: "3.3.8", Mode: simsr.SharedNothing, RootPassword: simPassword, Quiet: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { src.Close() })
	dst, err = simsr.Start(simsr.Options{Version: "3.5.2", Mode: simsr.SharedData, RootPassword: simPassword, Quiet: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dst.Close() })
	execSQL(t, src.DSN("root", simPassword, ""),
		"CREATE DATABASE demo",
		"CREATE TABLE demo.orders (d DATE NOT NULL, id BIGINT NOT NULL, amount DECIMAL(10,2) NULL) ENGINE=OLAP DUPLICATE KEY(d, id) "+
			"PARTITION BY RANGE(d) (PARTITION p20240101 VALUES [('2024-01-01'), ('2024-01-02')), PARTITION p20240102 VALUES [('2024-01-02'), ('2024-01-03')), "+
			"PARTITION p20240103 VALUES [('2024-01-03'), ('2024-01-04'))) DISTRIBUTED BY HASH(id) BUCKETS 2",
		"INSERT INTO demo.orders VALUES ('2024-01-01', 1, 1.50), ('2024-01-02', 2, 2.50), ('2024-01-03', 3, NULL)")
	dir := t.TempDir()
	spec = filepath.Join(dir, "m.hcl")
	text := `variable "pw" {
  type      = string
  sensitive = true
}
source "starrocks" "old" {
  hosts    = ["` + src.Addr() + `"]
  user     = "root"
  password = var.pw
}
target "starrocks" "new" {
  hosts    = ["` + dst.Addr() + `"]
  user     = "root"
  password = var.pw
}
storage "local" "stage" {
  path = "./stage"
}
table "demo.*" {}
`
	if err := os.WriteFile(spec, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return src, dst, spec
}

func execSQL(t *testing.T, dsn string, stmts ...string) {
	t.Helper()
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

var pwEnv = []string{"SRPLAN_VAR_pw=" + simPassword}

func TestPlanAgainstSimulator(t *testing.T) {
	src, dst, spec := simPair(t)

	r := srplan(t, "", pwEnv, "plan", "-detailed-exitcode", "-f", spec)
	if r.code != ExitChanges {
		t.Fatalf("first plan: code %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{"+ create database demo", "+ create table demo.orders", "+ p20240101", "Plan: 3 partitions to copy", "3 rows"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("first plan lacks %q:\n%s", want, r.stdout)
		}
	}
	assertNoSecret(t, r)

	// Record every partition as copied and create the target table: the
	// next plan has nothing to do.
	recordDone(t, spec, src)
	ddl, _, err := planner.RewriteCreateTable(readCreate(t, src), planner.TableAddr{DB: "demo", Table: "orders"}, lang.SchemaRule{Create: true}, planner.SharedData)
	if err != nil {
		t.Fatal(err)
	}
	execSQL(t, dst.DSN("root", simPassword, ""), "CREATE DATABASE demo", ddl)
	r = srplan(t, "", pwEnv, "plan", "-detailed-exitcode", "-f", spec)
	if r.code != ExitOK || !strings.Contains(r.stdout, "No changes. 3 partitions are up to date.") {
		t.Fatalf("rerun plan: code %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	// A saved plan goes stale when the source moves.
	planFile := filepath.Join(t.TempDir(), "plan.json")
	r = srplan(t, "", pwEnv, "plan", "-replace", "demo.orders/p20240102", "-out", planFile, "-f", spec)
	if r.code != ExitOK || !strings.Contains(r.stdout, "~ p20240102") {
		t.Fatalf("plan -replace -out: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if b, _ := os.ReadFile(planFile); strings.Contains(string(b), simPassword) {
		t.Error("saved plan contains the password")
	}
	execSQL(t, src.DSN("root", simPassword, ""), "INSERT INTO demo.orders VALUES ('2024-01-02', 4, 9.99)")
	r = srplan(t, "", pwEnv, "apply", "-f", spec, planFile)
	if r.code != ExitError || !strings.Contains(r.stderr, "Saved plan is stale") ||
		!strings.Contains(r.stderr, "demo.orders/p20240102 moved on the source: version 2 -> 3") {
		t.Fatalf("stale plan: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	assertNoSecret(t, r)

	// The moved partition is the only recopy; -target narrows the plan.
	r = srplan(t, "", pwEnv, "plan", "-json", "-target", "demo.orders/p20240102", "-f", spec)
	if r.code != ExitOK || !strings.Contains(r.stdout, `"action": "recopy"`) || strings.Contains(r.stdout, "p20240101") {
		t.Fatalf("plan -json -target: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

func TestPlanConnectionErrorsNameTheHost(t *testing.T) {
	_, _, spec := simPair(t)
	r := srplan(t, "", []string{"SRPLAN_VAR_pw=wrong-password"}, "plan", "-f", spec)
	if r.code != ExitError || !strings.Contains(r.stderr, "access denied") || !strings.Contains(r.stderr, "127.0.0.1:") {
		t.Fatalf("wrong password: %d\n%s", r.code, r.stderr)
	}
	if strings.Contains(r.stderr, "wrong-password") {
		t.Error("the error shows the password")
	}
}

func assertNoSecret(t *testing.T, r result) {
	t.Helper()
	if strings.Contains(r.stdout+r.stderr, simPassword) {
		t.Error("output contains the password")
	}
}

// recordDone writes state records for every source partition at its
// current version, as a finished apply would.
func recordDone(t *testing.T, spec string, src *simsr.Cluster) {
	t.Helper()
	ctx := context.Background()
	cfg, _, diags := lang.Load(spec, lang.LoadOptions{Env: pwEnv})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	cl, err := starrocks.Open(ctx, cfg.Sources["old"])
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	info, err := starrocks.DetectCluster(ctx, cl, "old")
	if err != nil {
		t.Fatal(err)
	}
	cat, err := starrocks.ReadCatalog(ctx, cl, info, starrocks.SelectorFromTables(cfg.Tables, lang.SourceCluster))
	if err != nil {
		t.Fatal(err)
	}
	b, err := state.OpenBolt(cfg.State.Path, state.BoltOptions{SrplanVersion: Version, Create: true})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	batch := &state.Batch{}
	for _, p := range cat.Tables[planner.TableAddr{DB: "demo", Table: "orders"}].Partitions {
		fp := p.Fingerprint()
		batch.PutPartitions = append(batch.PutPartitions, &state.PartitionRecord{Table: "demo.orders", Partition: p.Name,
			Fingerprint: fp, LastDone: &fp, Stage: state.StageDone, Status: state.StatusOK})
	}
	if err := b.Write(ctx, batch); err != nil {
		t.Fatal(err)
	}
}

func readCreate(t *testing.T, src *simsr.Cluster) string {
	t.Helper()
	db, err := sql.Open("mysql", src.DSN("root", simPassword, ""))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var name, ddl string
	if err := db.QueryRow("SHOW CREATE TABLE demo.orders").Scan(&name, &ddl); err != nil {
		t.Fatal(err)
	}
	return ddl
}
