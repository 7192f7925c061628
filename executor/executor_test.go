package executor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/srplan/srplan/lang"
	"github.com/srplan/srplan/planner"
	"github.com/srplan/srplan/providers/s3"
	"github.com/srplan/srplan/state"
)

// recorder collects events.
type recorder struct {
	mu     sync.Mutex
	events []Event
}

func (r *recorder) Event(e Event) { r.mu.Lock(); r.events = append(r.events, e); r.mu.Unlock() }

func (r *recorder) count(match func(Event) bool) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, e := range r.events {
		if match(e) {
			n++
		}
	}
	return n
}

// fixture is a plan of n partitions of range table db.t (or an
// unpartitioned one) with source rows 10, 20, 30, ...
type fixture struct {
	src, dst *fakeCluster
	store    *state.Mem
	storage  *s3.Local
	plan     *planner.Plan
	spec     *lang.Config
	rec      *recorder
}

func newFixture(t *testing.T, n int, kind planner.PartitionKind, th *lang.Throttle) *fixture {
	t.Helper()
	st, err := s3.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{src: newFake(), dst: newFake(), store: state.NewMem("test"), storage: st, rec: &recorder{}}
	addr := planner.TableAddr{DB: "db", Table: "t"}
	tc := &planner.TableChange{Source: addr, Target: addr, Block: "db.t", SourceCluster: "old", TargetCluster: "new", Storage: "stage",
		Method: lang.MethodFiles, Format: "parquet", Action: planner.CreateTable, CreateDDL: "CREATE TABLE IF NOT EXISTS `db`.`t` (...)",
		PartitionKind: kind, Columns: []planner.Column{{Name: "k", Type: "int"}}, Throttle: "th"}
	for i := range n {
		name := fmt.Sprintf("p%02d", i)
		if kind == planner.Unpartitioned {
			name = "t"
		}
		pc := &planner.PartitionChange{Addr: planner.PartitionAddr{Table: addr, Partition: name}, Action: planner.Copy,
			Rows: int64(10 * (i + 1)), Fingerprint: state.Fingerprint{VisibleVersion: 3}}
		tc.Partitions = append(tc.Partitions, pc)
		part := name
		if kind == planner.Unpartitioned {
			part = ""
		}
		f.src.rows[key(addr, part)] = pc.Rows
		f.src.versions[key(addr, name)] = 3
	}
	f.plan = &planner.Plan{Tables: []*planner.TableChange{tc}}
	f.spec = &lang.Config{Throttles: map[string]*lang.Throttle{"th": th},
		Tables: []*lang.Table{{Pattern: "db.t", Verify: lang.VerifyRule{Mode: lang.VerifyCount}}}}
	return f
}

func (f *fixture) config() Config {
	return Config{Plan: f.plan, Spec: f.spec, State: f.store, Job: "job1",
		Sources: map[string]Source{"old": f.src}, Targets: map[string]Target{"new": f.dst},
		Storages: map[string]s3.Storage{"stage": f.storage}, Observer: f.rec,
		Retry: RetryPolicy{Initial: time.Millisecond, Max: 5 * time.Millisecond}, ControlInterval: 5 * time.Millisecond}
}

func (f *fixture) assertCopied(t *testing.T) {
	t.Helper()
	snap, err := f.store.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, pc := range f.plan.Tables[0].Partitions {
		part := pc.Addr.Partition
		if f.plan.Tables[0].PartitionKind == planner.Unpartitioned {
			part = ""
		}
		k := key(pc.Addr.Table, part)
		if got := f.dst.rows[k]; got != pc.Rows {
			t.Errorf("%s: target has %d rows, want %d", k, got, pc.Rows)
		}
		r := snap.Partition(pc.Addr.Table.String(), pc.Addr.Partition)
		if r == nil || !r.Done() || r.LastDone == nil || r.LastDone.VisibleVersion != 3 {
			t.Errorf("%s: state %+v, want done at version 3", k, r)
		}
	}
}

func TestRunCopiesEveryPartitionWithinLimits(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 12, planner.RangePartitioned, &lang.Throttle{Exports: 2, Loads: 3})
	f.src.delay, f.dst.delay = 2*time.Millisecond, 2*time.Millisecond
	res, err := Run(context.Background(), f.config())
	if err != nil {
		t.Fatal(err)
	}
	if res.Done != 12 || res.Failed != 0 {
		t.Fatalf("result %+v", res)
	}
	f.assertCopied(t)
	if f.src.peakExp > 2 || f.dst.peakLoad > 3 {
		t.Errorf("peaks exports %d loads %d exceed 2/3", f.src.peakExp, f.dst.peakLoad)
	}
	if len(f.dst.ddl) != 1 {
		t.Errorf("table created %d times", len(f.dst.ddl))
	}
	if len(f.dst.temps) != 0 {
		t.Errorf("temporary partitions left: %v", f.dst.temps)
	}
}

// TestRunLoadsOnlyTheExportJobsFiles: a file another export job left in
// the directory after it was cleared (a StarRocks EXPORT cancelled while
// renaming its files lands the one being renamed) is not loaded; loading
// it doubled a partition's rows after kills in a crash campaign.
func TestRunLoadsOnlyTheExportJobsFiles(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 3, planner.RangePartitioned, nil)
	f.src.lateFile = true
	res, err := Run(context.Background(), f.config())
	if err != nil || res.Done != 3 || res.Failed != 0 {
		t.Fatalf("result %+v, %v; want 3 done", res, err)
	}
	f.assertCopied(t)
	snap, err := f.store.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, pc := range f.plan.Tables[0].Partitions {
		r := snap.Partition(pc.Addr.Table.String(), pc.Addr.Partition)
		var m s3.Manifest
		if err := json.Unmarshal(r.Manifest, &m); err != nil {
			t.Fatal(err)
		}
		if len(m.Files) != 1 || !strings.HasSuffix(m.Files[0].Key, "/data_q-"+pc.Addr.Partition+"_0.csv") {
			t.Errorf("%s: manifest files %+v; want only the job's own file", pc.Addr, m.Files)
		}
	}
}

func TestRunUnpartitionedUsesShadow(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 1, planner.Unpartitioned, nil)
	res, err := Run(context.Background(), f.config())
	if err != nil || res.Done != 1 {
		t.Fatalf("%+v %v", res, err)
	}
	f.assertCopied(t)
	for k := range f.dst.rows {
		if strings.Contains(k, "srplan_shadow_") {
			t.Errorf("shadow table left: %s", k)
		}
	}
}

func TestRetryableFailuresAreRetried(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 3, planner.RangePartitioned, nil)
	f.src.failExports, f.dst.failLoads = 2, 2
	res, err := Run(context.Background(), f.config())
	if err != nil || res.Done != 3 {
		t.Fatalf("%+v %v", res, err)
	}
	f.assertCopied(t)
	if n := f.rec.count(func(e Event) bool { _, ok := e.(Retrying); return ok }); n != 4 {
		t.Errorf("retry events %d, want 4", n)
	}
}

func TestPermanentFailureIsRecorded(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 1, planner.RangePartitioned, nil)
	f.src.failExports, f.src.permanent = 1, true
	res, err := Run(context.Background(), f.config())
	if err != nil || res.Failed != 1 {
		t.Fatalf("%+v %v", res, err)
	}
	r, _ := f.store.Partition(context.Background(), state.PartitionKey{Table: "db.t", Partition: "p00"})
	if r.Status != state.StatusFailed || r.Stage != state.StageExporting ||
		!strings.Contains(r.LastError, "EXPORT privilege") || !strings.Contains(r.LastError, "not retryable") {
		t.Errorf("record %+v", r)
	}
	if f.src.exports != 1 {
		t.Errorf("a permanent error was retried: %d exports", f.src.exports)
	}
}

func TestResumeAfterFinishedLoadDoesNotLoadAgain(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 1, planner.RangePartitioned, nil)
	// A previous process exported, loaded into the temp partition and
	// died before REPLACE and before recording the outcome.
	if _, err := Run(context.Background(), f.config()); err != nil {
		t.Fatal(err)
	}
	rec, _ := f.store.Partition(context.Background(), state.PartitionKey{Table: "db.t", Partition: "p00"})
	label := rec.Labels[len(rec.Labels)-1]
	rec.Stage, rec.Status, rec.LastDone = state.StageLoading, state.StatusRunning, nil
	if err := f.store.Write(context.Background(), &state.Batch{PutPartitions: []*state.PartitionRecord{rec}}); err != nil {
		t.Fatal(err)
	}
	addr := planner.TableAddr{DB: "db", Table: "t"}
	f.dst.rows[key(addr, "p00")] = 0
	f.dst.temps[key(addr, tempPartitionName(label))] = 10
	loads, exports := f.dst.loads, f.src.exports
	res, err := Run(context.Background(), f.config())
	if err != nil || res.Done != 1 {
		t.Fatalf("%+v %v", res, err)
	}
	if f.dst.loads != loads || f.src.exports != exports {
		t.Errorf("resume submitted jobs again: loads %d->%d exports %d->%d", loads, f.dst.loads, exports, f.src.exports)
	}
	f.assertCopied(t)
}

func TestHealthHoldStopsNewExportsWithReason(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 2, planner.RangePartitioned, &lang.Throttle{Exports: 1, Loads: 1, SourceMaxCPUPct: 70})
	f.src.cpu = 95
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan *Result, 1)
	go func() {
		res, _ := Run(ctx, f.config())
		done <- res
	}()
	waitFor(t, func() bool {
		return f.rec.count(func(e Event) bool {
			th, ok := e.(Throttled)
			return ok && strings.Contains(th.Reason, "source node n1 CPU 95.0% > source_max_cpu_pct 70")
		}) > 0
	})
	time.Sleep(20 * time.Millisecond)
	f.src.mu.Lock()
	exports := f.src.exports
	f.src.cpu = 10
	f.src.mu.Unlock()
	if exports != 0 {
		t.Fatalf("%d exports started while held", exports)
	}
	res := <-done
	if res.Done != 2 {
		t.Fatalf("%+v", res)
	}
	if n := f.rec.count(func(e Event) bool { th, ok := e.(Throttled); return ok && th.Reason == "" }); n == 0 {
		t.Error("no event for the hold being released")
	}
}

func TestWindowLimitsFollowTheClock(t *testing.T) {
	t.Parallel()
	th := &lang.Throttle{Exports: 1, Loads: 1, Windows: []*lang.Window{
		{Name: "night", Hours: &lang.HourRange{Start: 20 * 60, End: 8 * 60}, Exports: 4, Loads: 4, Location: time.UTC}}}
	f := newFixture(t, 8, planner.RangePartitioned, th)
	f.src.delay = 5 * time.Millisecond
	cfg := f.config()
	cfg.Now = func() time.Time { return time.Date(2026, 11, 20, 23, 0, 0, 0, time.UTC) }
	if _, err := Run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	if f.src.peakExp < 2 || f.src.peakExp > 4 {
		t.Errorf("night peak exports %d, want 2..4", f.src.peakExp)
	}
	if n := f.rec.count(func(e Event) bool { th, ok := e.(Throttled); return ok && th.Limits.Window == "night" }); n == 0 {
		t.Error("no Throttled event naming the night window")
	}
}

func TestInterruptStopsStartingWork(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 20, planner.RangePartitioned, &lang.Throttle{Exports: 1, Loads: 1})
	f.src.delay = 20 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	cfg := f.config()
	cfg.Observer = ObserverFunc(func(e Event) {
		if _, ok := e.(PartitionDone); ok {
			cancel()
		}
	})
	res, err := Run(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Interrupted || res.Done == 0 || res.Done+res.Skipped+res.Failed != 20 || res.Done >= 20 {
		t.Errorf("result %+v", res)
	}
	snap, _ := f.store.Read(context.Background())
	for _, r := range snap.Partitions {
		if r.Status == state.StatusFailed {
			t.Errorf("%s recorded failed by an interrupt: %s", r.Partition, r.LastError)
		}
	}
}

func TestStateWriteFailureStopsTheRun(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 3, planner.RangePartitioned, nil)
	cfg := f.config()
	cfg.State = failingStore{f.store}
	_, err := Run(context.Background(), cfg)
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("err %v", err)
	}
	if f.src.exports != 0 {
		t.Errorf("work started without a state record: %d exports", f.src.exports)
	}
}

type failingStore struct{ *state.Mem }

func (failingStore) Write(context.Context, *state.Batch) error { return errors.New("disk full") }

func TestLeftoverTempPartitionOfAnEarlierAttemptIsDropped(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 1, planner.RangePartitioned, nil)
	pc := f.plan.Tables[0].Partitions[0]
	pc.Value = "[types: [DATE]; keys: [2024-01-01]; ..types: [DATE]; keys: [2024-01-02]; )"
	f.dst.failLoads = 1
	cfg := f.config()
	cfg.Retry.MaxAttempts = 1
	if res, _ := Run(context.Background(), cfg); res.Failed != 1 {
		t.Fatalf("first run %+v, want a failed load", res)
	}
	if len(f.dst.temps) != 1 {
		t.Fatalf("the failed attempt should leave its temporary partition: %v", f.dst.temps)
	}
	// The source moved: a new generation with a new label and temp name.
	pc.Fingerprint.VisibleVersion = 4
	f.src.versions[key(pc.Addr.Table, pc.Addr.Partition)] = 4
	res, err := Run(context.Background(), f.config())
	if err != nil || res.Done != 1 {
		t.Fatalf("second run %+v %v", res, err)
	}
	if len(f.dst.temps) != 0 {
		t.Errorf("temporary partitions left: %v", f.dst.temps)
	}
}

func TestNewAttemptWaitsForAnEarlierRunningLoad(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 1, planner.ExpressionPartitions, nil)
	pc := f.plan.Tables[0].Partitions[0]
	// An earlier process submitted a direct load (the partition did not
	// exist yet) and was killed; the source moved since.
	old := loadLabel("job1", "db.t", pc.Addr.Partition, 2, 0)
	rec := &state.PartitionRecord{Table: "db.t", Partition: pc.Addr.Partition, Fingerprint: state.Fingerprint{VisibleVersion: 2},
		Stage: state.StageLoading, Status: state.StatusRunning, Labels: []string{old}}
	if err := f.store.Write(context.Background(), &state.Batch{PutPartitions: []*state.PartitionRecord{rec}}); err != nil {
		t.Fatal(err)
	}
	f.dst.labels[old] = LabelRunning
	go func() {
		// The earlier job finishes a little later and creates the partition.
		time.Sleep(30 * time.Millisecond)
		f.dst.mu.Lock()
		f.dst.rows[key(pc.Addr.Table, pc.Addr.Partition)] = 7
		f.dst.labels[old] = LabelFinished
		f.dst.mu.Unlock()
	}()
	res, err := Run(context.Background(), f.config())
	if err != nil || res.Done != 1 {
		t.Fatalf("%+v %v", res, err)
	}
	// Without waiting, the new attempt would have loaded straight into the
	// partition on top of the earlier job's rows (7 + 10).
	f.assertCopied(t)
}
