package e2e

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/srplan/srplan/providers/s3/s3test"
	simsr "github.com/srplan/srplan/sim/starrocks"
)

const (
	rootPassword = "Src-r00t-secret"
	seedRows     = 200
)

// TestApplyLocalStage runs the main path through a local stage.
func TestApplyLocalStage(t *testing.T) {
	t.Parallel()
	testApplyLifecycle(t, nil)
}

// TestApplyS3Stage runs the main path through a MinIO bucket.
func TestApplyS3Stage(t *testing.T) {
	t.Parallel()
	env := s3test.Endpoint(t)
	bucket := s3test.NewBucket(t, env)
	testApplyLifecycle(t, &storageBlock{
		url: "s3://" + bucket + "/stage", endpoint: env.Endpoint, region: env.Region,
		accessKey: env.AccessKey, secretKey: env.SecretKey,
	})
}

// testApplyLifecycle: a first apply copies every partition of the three
// kinds of table; a second apply submits no job; after rows land in one
// source partition, only that partition is recopied, atomically for a
// concurrent reader of the target.
func testApplyLifecycle(t *testing.T, storage *storageBlock) {
	src := startSim(t, hostOptions{Version: "3.3.8", Mode: simsr.SharedNothing, RootPassword: rootPassword})
	dst := startSim(t, hostOptions{Version: "3.5.2", Mode: simsr.SharedData, RootPassword: rootPassword + "-dst"})
	seedShop(t, src, seedRows)
	w := newWorkspace(t, specOptions{src: src, dst: dst, storage: storage})
	secrets := []string{rootPassword}
	if storage != nil {
		secrets = append(secrets, storage.secretKey)
	}

	// 1. The first apply copies every selected partition.
	want := map[string][2]string{}
	for _, tb := range allTables {
		for _, p := range partitionNames(t, src, tb, false) {
			want[tb.name+"/"+p] = [2]string{"copy", "never copied"}
		}
	}
	if got := actionsOnly(w.plan(t)); !cmp.Equal(actionsOnly(want), got) {
		t.Fatalf("first plan (-want +got):\n%s", cmp.Diff(actionsOnly(want), got))
	}
	r := w.mustRun(t, "apply", "-auto-approve")
	assertNoSecrets(t, r, secrets...)
	assertSameData(t, src, dst, allTables...)
	w.assertAllDone(t, partitionsPerTable(t, src))
	if _, manifests := stagedExtensions(w.stagedFiles(t, storage)); manifests != len(want) {
		t.Errorf("the stage holds %d manifests, want one per partition (%d)", manifests, len(want))
	}
	if t.Failed() {
		t.Fatalf("after the first apply:\n%s", r)
	}

	// 2. A second apply submits no job at all.
	bs, bd := src.ctl.counters(t), dst.ctl.counters(t)
	r = w.mustRun(t, "apply", "-auto-approve")
	if !strings.Contains(r.stdout, "No changes.") {
		t.Errorf("second apply does not say 'No changes.':\n%s", r)
	}
	as, ad := src.ctl.counters(t), dst.ctl.counters(t)
	if d := counterDelta(bs, as); len(d) != 0 {
		t.Errorf("second apply submitted jobs on the source: %v", d)
	}
	if d := counterDelta(bd, ad); len(d) != 0 {
		t.Errorf("second apply submitted jobs on the target: %v", d)
	}
	for _, f := range []string{"EXPORT", "LOAD", "INSERT", "ALTER TABLE", "CREATE TABLE", "DROP TABLE"} {
		if n := familyDelta(bs, as, f) + familyDelta(bd, ad, f); n != 0 {
			t.Errorf("second apply sent %d %s statements", n, f)
		}
	}

	// 3. New rows in one source partition: only it is recopied, through a
	// temporary partition that replaces the old one in one statement.
	const changed = "shop.orders/p20240102"
	oldCount := digestOf(t, dst, orders, "p20240102").Rows
	addOrders(t, src, "2024-01-02", nextOrderID(t, src), 25)
	newCount := digestOf(t, src, orders, "p20240102").Rows
	plan := w.plan(t)
	if len(plan) != 1 || plan[changed][0] != "recopy" {
		t.Fatalf("plan after the source moved = %v, want only %s as recopy", plan, changed)
	}
	idsBefore := partitionIDs(t, dst, orders, false)
	bd = dst.ctl.counters(t)
	counts := readWhile(t, dst, "SELECT COUNT(*) FROM shop.orders PARTITION (p20240102)", func() {
		r = w.mustRun(t, "apply", "-auto-approve")
	})
	ad = dst.ctl.counters(t)
	assertNoSecrets(t, r, secrets...)
	assertSameData(t, src, dst, allTables...)
	for n := range counts {
		if n != oldCount && n != newCount {
			t.Errorf("a reader of the target saw %d rows in p20240102; want %d (before) or %d (after): all counts seen %v", n, oldCount, newCount, counts)
		}
	}
	idsAfter := partitionIDs(t, dst, orders, false)
	for p, id := range idsBefore {
		replaced := idsAfter[p] != id
		if replaced != (p == "p20240102") {
			t.Errorf("partition %s: id %s -> %s; only p20240102 must be replaced by a temporary partition", p, id, idsAfter[p])
		}
	}
	// ADD TEMPORARY PARTITION and REPLACE PARTITION at least.
	if n := familyDelta(bd, ad, "ALTER TABLE"); n < 2 {
		t.Errorf("the recopy sent %d ALTER TABLE statements to the target, want ADD TEMPORARY PARTITION and REPLACE", n)
	}
	if d := counterDelta(bd, ad); d[simsr.KindInsert]+d[simsr.KindLoad] != 1 {
		t.Errorf("the recopy submitted load jobs %v on the target, want exactly one", d)
	}
	if got := w.plan(t); len(got) != 0 {
		t.Errorf("plan after the recopy lists %v, want nothing", got)
	}
}

// actionsOnly keeps the action of each planned partition.
func actionsOnly(plan map[string][2]string) map[string]string {
	out := map[string]string{}
	for k, v := range plan {
		out[k] = v[0]
	}
	return out
}

// readWhile runs query (one integer result) in a loop on c while fn runs,
// at most 2000 times with a pause of 2ms between two reads (so that the
// reads cover the whole command), and returns how often each value was
// seen. It fails
// t when a query fails or when no query ran while fn ran.
func readWhile(t *testing.T, c *cluster, query string, fn func()) map[int64]int {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	seen := map[int64]int{}
	var errs []string
	var wg sync.WaitGroup
	wg.Go(func() {
		for range 2000 {
			if ctx.Err() != nil {
				return
			}
			var n int64
			if err := c.db.QueryRowContext(ctx, query).Scan(&n); err != nil {
				if ctx.Err() == nil {
					errs = append(errs, err.Error())
				}
				continue
			}
			seen[n]++
			select {
			case <-ctx.Done():
			case <-time.After(2 * time.Millisecond):
			}
		}
	})
	fn()
	cancel()
	wg.Wait()
	if len(errs) > 0 {
		t.Errorf("%s failed %d times while srplan ran, first: %s", query, len(errs), errs[0])
	}
	total := 0
	for _, n := range seen {
		total += n
	}
	if total == 0 {
		t.Errorf("%s never ran while srplan ran", query)
	}
	return seen
}

// assertNoSecrets fails t when r's output shows any of secrets.
func assertNoSecrets(t testing.TB, r result, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if s != "" && strings.Contains(r.stdout+r.stderr, s) {
			t.Errorf("srplan %s printed a secret", strings.Join(r.args, " "))
		}
	}
}
