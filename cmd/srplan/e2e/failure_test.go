package e2e

import (
	"strings"
	"testing"

	simsr "github.com/srplan/srplan/sim/starrocks"
)

// Error texts injected into the simulator: one that StarRocks gives for a
// transient condition, one for bad data (never worth a retry).
const (
	transientText = "Timeout by txn manager: the cluster is busy, try again later"
	transientJob  = "type:TIMEOUT; msg:load timeout, the cluster is busy"
	permanentText = "type:ETL_QUALITY_UNSATISFIED; msg:quality not good enough to cancel"
)

// TestRetryableFailuresAreRetried: two export or load jobs fail with a
// transient error; the apply retries them and completes.
func TestRetryableFailuresAreRetried(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		method string // of every table
		onSrc  bool   // inject on the source (export) or the target (load)
		kind   string
		text   string
	}{
		"INSERT INTO FILES": {method: "files", onSrc: true, kind: simsr.KindInsert, text: transientText},
		"EXPORT":            {method: "export", onSrc: true, kind: simsr.KindExport, text: transientJob},
		"INSERT from FILES": {method: "files", kind: simsr.KindInsert, text: transientText},
		"Broker Load":       {method: "export", kind: simsr.KindLoad, text: transientJob},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			src := startSim(t, hostOptions{Version: "3.3.8", Mode: simsr.SharedNothing})
			dst := startSim(t, hostOptions{Version: "3.5.2", Mode: simsr.SharedData})
			seedShop(t, src, 50)
			w := newWorkspace(t, specOptions{src: src, dst: dst, methods: map[string]string{"shop.*": tc.method}})
			c := dst
			if tc.onSrc {
				c = src
			}
			before := c.jobs(t, tc.kind)
			c.ctl.failNext(t, tc.kind, 2, tc.text)
			r := w.mustRun(t, "apply", "-auto-approve")
			if n := strings.Count(r.stdout, "retrying in"); n != 2 {
				t.Errorf("apply reported %d retries, want 2:\n%s", n, r)
			}
			// A failed asynchronous job was submitted; a failed INSERT
			// statement was not.
			want := int64(6 + 2)
			if tc.kind == simsr.KindInsert {
				want = 6
			}
			if n := c.jobs(t, tc.kind) - before; n != want {
				t.Errorf("%d %s jobs submitted, want %d (6 partitions, 2 failures)", n, tc.kind, want)
			}
			assertSameData(t, src, dst, allTables...)
			w.assertAllDone(t, partitionsPerTable(t, src))
		})
	}
}

// TestPermanentFailureIsReportedAndReplanned: a load fails for good (bad
// data, or a user without the privilege to load); status shows why and
// the next plan lists the partition again with the reason. Once the cause
// is gone, the next apply finishes.
func TestPermanentFailureIsReportedAndReplanned(t *testing.T) {
	t.Parallel()
	t.Run("bad data", func(t *testing.T) {
		t.Parallel()
		src := startSim(t, hostOptions{Version: "3.3.8", Mode: simsr.SharedNothing})
		dst := startSim(t, hostOptions{Version: "3.5.2", Mode: simsr.SharedData})
		seedShop(t, src, 50)
		w := newWorkspace(t, specOptions{src: src, dst: dst})
		dst.ctl.failNext(t, simsr.KindInsert, 1, permanentText)
		r := w.run(t, "apply", "-auto-approve")
		if r.code != 1 || !strings.Contains(r.stderr, "1 partition(s) failed") {
			t.Fatalf("apply with a failing load: want exit 1 and '1 partition(s) failed'\n%s", r)
		}
		failed := assertFailureShown(t, w, 1, "loading", "quality not good enough")
		// The cause is gone (the fault fired once): the next apply copies
		// the failed partition and nothing else.
		plan := w.plan(t)
		if len(plan) != 1 || !strings.HasPrefix(plan[failed][1], "retry: failed at loading") {
			t.Errorf("plan after the failure = %v, want only %s with reason 'retry: failed at loading ...'", plan, failed)
		}
		w.mustRun(t, "apply", "-auto-approve")
		assertSameData(t, src, dst, allTables...)
		w.assertAllDone(t, partitionsPerTable(t, src))
	})
	t.Run("load privilege denied", func(t *testing.T) {
		t.Parallel()
		const user, pw = "migrator", "Migr4tor-secret"
		src := startSim(t, hostOptions{Version: "3.3.8", Mode: simsr.SharedNothing, Users: []simsr.User{{Name: user, Password: pw}}})
		dst := startSim(t, hostOptions{Version: "3.5.2", Mode: simsr.SharedData,
			Users: []simsr.User{{Name: user, Password: pw, Denied: []string{"INSERT", "LOAD"}}}})
		seedShop(t, src, 50)
		w := newWorkspace(t, specOptions{src: src, dst: dst, user: user, userPassword: pw})
		r := w.run(t, "apply", "-auto-approve")
		assertNoSecrets(t, r, pw)
		if r.code != 1 || !strings.Contains(r.stderr, "6 partition(s) failed") {
			t.Fatalf("apply without the load privilege: want exit 1 and '6 partition(s) failed'\n%s", r)
		}
		assertFailureShown(t, w, 6, "loading", "denied")
		for addr, a := range w.plan(t) {
			if a[0] != "copy" || !strings.HasPrefix(a[1], "retry: failed at loading") || !strings.Contains(a[1], "denied") {
				t.Errorf("plan lists %s as %s (%s), want copy with 'retry: failed at loading ... denied'", addr, a[0], a[1])
			}
		}
	})
}

// assertFailureShown checks that `srplan status` (text and JSON) shows n
// failed partitions at stage with errText in the error, and returns the
// address of one of them.
func assertFailureShown(t *testing.T, w *workspace, n int, stage, errText string) string {
	t.Helper()
	var addr string
	got := 0
	for _, ts := range w.status(t).Tables {
		for _, f := range ts.Failures {
			got++
			addr = ts.Table + "/" + f.Partition
			if f.Stage != stage || !strings.Contains(f.Error, errText) {
				t.Errorf("status of %s: failed at %s with %q, want %s and %q", addr, f.Stage, f.Error, stage, errText)
			}
		}
	}
	if got != n {
		t.Errorf("status shows %d failed partitions, want %d", got, n)
	}
	text := w.mustRun(t, "status")
	if !strings.Contains(text.stdout, "failed at "+stage) || !strings.Contains(text.stdout, errText) {
		t.Errorf("status does not show the failure:\n%s", text)
	}
	return addr
}
