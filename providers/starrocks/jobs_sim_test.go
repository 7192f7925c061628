package starrocks

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/srplan/srplan/executor"
	"github.com/srplan/srplan/lang"
	"github.com/srplan/srplan/planner"
	sim "github.com/srplan/srplan/sim/starrocks"
	"github.com/srplan/srplan/state"
)

// simJobs starts a simulator with the sales schema and returns its Jobs,
// configured with the checksum function hash ("" for the default).
//
// The TestJobsSim tests do not run in parallel with other tests: the
// simulator's SELECT path (sim/starrocks Session.engineQuery) keeps rows
// whose bytes go-mysql-server reuses once its callback returns, which the
// race detector reports when several simulated clusters answer SELECTs at
// the same time.
func simJobs(t *testing.T, version string, mode sim.Mode, hash string) (*sim.Cluster, *Client, *Jobs) {
	t.Helper()
	c := startSim(t, version, mode, nil)
	client := openSim(t, c)
	execAll(t, client, simSchema...)
	info, err := DetectCluster(context.Background(), client.DB(), "c")
	if err != nil {
		t.Fatal(err)
	}
	opts := []JobOption{WithPollInterval(5*time.Millisecond, 50*time.Millisecond)}
	if hash != "" {
		opts = append(opts, WithChecksumFunc(hash))
	}
	j, err := NewJobs(client, info, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c, client, j
}

// countRows runs a COUNT(*) query.
func countRows(t *testing.T, q Querier, query string) int64 {
	t.Helper()
	res, err := queryAll(context.Background(), q, query)
	if err != nil {
		t.Fatal(err)
	}
	v, _ := res.cell(0, 0)
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		t.Fatalf("%s: %q: %v", query, v, err)
	}
	return n
}

func TestJobsSimTempPartitionReplace(t *testing.T) {
	ctx := context.Background()
	_, client, j := simJobs(t, "3.3.2", sim.SharedNothing, "")
	execAll(t, client, simInserts[0])

	// A partition the source has and the target lacks is added with the
	// source's value text; a second call changes nothing.
	newDay := "[types: [DATE]; keys: [2024-01-03]; ..types: [DATE]; keys: [2024-01-04]; )"
	for range 2 {
		if err := j.EnsurePartition(ctx, orders, "p20240103", newDay); err != nil {
			t.Fatal(err)
		}
	}
	if ok, err := j.PartitionExists(ctx, orders, "p20240103"); err != nil || !ok {
		t.Fatalf("PartitionExists(p20240103) = %v, %v", ok, err)
	}

	// Recopy p20240101 atomically through a temporary partition.
	parts, err := readPartitions(ctx, client, orders, false)
	if err != nil {
		t.Fatal(err)
	}
	value := parts.parts[0].Value
	v1, err := j.PartitionVersion(ctx, orders, "p20240101")
	if err != nil {
		t.Fatal(err)
	}
	for range 2 { // a rerun resets it again
		if err := j.ResetTempPartition(ctx, orders, "tp_x", value); err != nil {
			t.Fatal(err)
		}
	}
	if ok, err := j.TempPartitionExists(ctx, orders, "tp_x"); err != nil || !ok {
		t.Fatalf("TempPartitionExists = %v, %v", ok, err)
	}
	execAll(t, client, "INSERT INTO sales.orders TEMPORARY PARTITION (tp_x) VALUES (7, '2024-01-01', 7.00), (8, '2024-01-01', 8.00), (9, '2024-01-01', 9.00)")
	if err := j.ReplacePartition(ctx, orders, "p20240101", "tp_x"); err != nil {
		t.Fatal(err)
	}
	if ok, err := j.TempPartitionExists(ctx, orders, "tp_x"); err != nil || ok {
		t.Errorf("TempPartitionExists after the replace = %v, %v", ok, err)
	}
	if n := countRows(t, client, "SELECT COUNT(*) FROM sales.orders PARTITION (p20240101)"); n != 3 {
		t.Errorf("p20240101 has %d rows after the replace, want 3", n)
	}
	if v2, err := j.PartitionVersion(ctx, orders, "p20240101"); err != nil || v2 == 0 {
		t.Errorf("PartitionVersion after the replace = %d, %v (before %d)", v2, err, v1)
	}
	if err := j.ReplacePartition(ctx, orders, "p20240101", "tp_x"); err == nil || IsRetryable(err) {
		t.Errorf("replacing with a missing temporary partition = %v, want a permanent error", err)
	}
}

func TestJobsSimShadowOverwrite(t *testing.T) {
	ctx := context.Background()
	_, client, j := simJobs(t, "3.3.2", sim.SharedNothing, "")
	users := planner.TableAddr{DB: "sales", Table: "users"}
	shadow := planner.TableAddr{DB: "sales", Table: "srplan_shadow_1"}
	execAll(t, client, simInserts[1])

	if ok, err := j.TableExists(ctx, shadow); err != nil || ok {
		t.Fatalf("TableExists(shadow) before = %v, %v", ok, err)
	}
	if err := j.ResetShadowTable(ctx, users, shadow.Table); err != nil {
		t.Fatal(err)
	}
	execAll(t, client, "INSERT INTO sales.users VALUES (1, 'x')") // the target moves on
	if err := j.ResetShadowTable(ctx, users, shadow.Table); err != nil {
		t.Fatal(err)
	}
	execAll(t, client, "INSERT INTO sales.srplan_shadow_1 VALUES (5, 'eve'), (6, NULL)")
	if err := j.OverwriteFromShadow(ctx, users, shadow.Table, "srplan_ow_1"); err != nil {
		t.Fatal(err)
	}
	if n := countRows(t, client, "SELECT COUNT(*) FROM sales.users"); n != 2 {
		t.Errorf("users has %d rows after the overwrite, want the shadow's 2", n)
	}
	if err := j.DropTable(ctx, shadow); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		t    planner.TableAddr
		want bool
	}{{shadow, false}, {users, true}, {planner.TableAddr{DB: "nodb", Table: "users"}, false}} {
		if ok, err := j.TableExists(ctx, tc.t); err != nil || ok != tc.want {
			t.Errorf("TableExists(%s) = %v, %v; want %v", tc.t, ok, err, tc.want)
		}
	}
}

func TestJobsSimVerifyAcrossVersions(t *testing.T) {
	ctx := context.Background()
	hash := ChecksumFuncFor(planner.Version{Major: 3, Minor: 1, Patch: 11}, planner.Version{Major: 3, Minor: 3, Patch: 2})
	_, srcClient, src := simJobs(t, "3.1.11", sim.SharedData, hash)
	_, dstClient, dst := simJobs(t, "3.3.2", sim.SharedNothing, hash)
	rows := "INSERT INTO sales.orders VALUES (1, '2024-01-01', 1.50), (2, '2024-01-01', NULL), (3, '2024-01-02', 0.00)"
	execAll(t, srcClient, rows)
	execAll(t, dstClient, rows)

	cols := []planner.Column{{Name: "id", Type: "bigint(20)"}, {Name: "dt", Type: "date"}, {Name: "amount", Type: "decimal(10, 2)"}}
	rules := map[string]lang.VerifyRule{
		"count":    {Mode: lang.VerifyCount},
		"checksum": {Mode: lang.VerifyChecksum},
		"sums":     {Mode: lang.VerifySums, Sums: []string{"amount", "id"}},
	}
	verify := func(j *Jobs, rule lang.VerifyRule) *state.VerifyResult {
		t.Helper()
		r, err := j.Verify(ctx, executor.VerifyRequest{Table: orders, Partition: "p20240101", Columns: cols, Rule: rule})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	for name, rule := range rules {
		s, d := verify(src, rule), verify(dst, rule)
		if diff := cmp.Diff(s, d, cmpIgnoreAt); diff != "" {
			t.Errorf("%s: source and target differ (-source +target):\n%s", name, diff)
		}
		if s.RowCount != 2 {
			t.Errorf("%s: %d rows, want 2", name, s.RowCount)
		}
	}
	// NULL and an empty value must not hash alike, nor must a changed value.
	execAll(t, dstClient, "TRUNCATE TABLE sales.orders PARTITION (p20240101)",
		"INSERT INTO sales.orders VALUES (1, '2024-01-01', 1.50), (2, '2024-01-01', 0.00)")
	if s, d := verify(src, rules["checksum"]), verify(dst, rules["checksum"]); s.Checksum == d.Checksum {
		t.Errorf("checksums equal (%s) though a NULL became 0.00", s.Checksum)
	}
	// The source-side filter.
	r, err := src.Verify(ctx, executor.VerifyRequest{Table: orders, Partition: "p20240101", Columns: cols,
		Rule: lang.VerifyRule{Mode: lang.VerifyCount}, Where: "id > 1"})
	if err != nil || r.RowCount != 1 {
		t.Errorf("count with a filter = %+v, %v; want 1 row", r, err)
	}
}

func TestJobsSimHealth(t *testing.T) {
	for _, mode := range []sim.Mode{sim.SharedNothing, sim.SharedData} {
		c, _, j := simJobs(t, "3.3.2", mode, "")
		c.Controls().SetNodeLoad(71.5, 42.25)
		nodes, err := j.Health(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(nodes) == 0 {
			t.Fatalf("%s: no nodes", mode)
		}
		for _, n := range nodes {
			if n.CPUPct != 71.5 || n.MemPct != 42.25 || n.Node == "" {
				t.Errorf("%s: node %+v, want CPU 71.5 and memory 42.25", mode, n)
			}
		}
	}
}
