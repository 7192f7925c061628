package executor

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/srplan/srplan/providers/s3"
	"github.com/srplan/srplan/state"
)

// fakeClaims is an in-memory state.Claimer.
type fakeClaims struct {
	mu    sync.Mutex
	held  map[state.PartitionKey]state.ClaimInfo
	taken int
	now   func() time.Time
}

func newFakeClaims() *fakeClaims {
	return &fakeClaims{held: map[state.PartitionKey]state.ClaimInfo{}, now: time.Now}
}

func (c *fakeClaims) Claim(_ context.Context, k state.PartitionKey, info state.ClaimInfo) (bool, *state.ClaimInfo, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if cur, ok := c.held[k]; ok && cur.Holder != info.Holder && cur.Expires.After(c.now()) {
		return false, &cur, nil
	}
	c.held[k] = info
	c.taken++
	return true, nil, nil
}

func (c *fakeClaims) Release(_ context.Context, k state.PartitionKey, holder string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if cur, ok := c.held[k]; ok && cur.Holder == holder {
		delete(c.held, k)
	}
	return nil
}

// withLoadStorage gives the fixture's table a second storage to load from.
func (f *fixture) withLoadStorage(t *testing.T) *s3.Local {
	t.Helper()
	ld, err := s3.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	f.plan.Tables[0].LoadStorage = "far"
	return ld
}

func stageCounts(rec *recorder, stage state.Stage) int {
	return rec.count(func(e Event) bool { d, ok := e.(StageDone); return ok && d.Stage == stage })
}

func TestCopyStageLoadsFromTheLoadStorage(t *testing.T) {
	f := newFixture(t, 3, "", nil)
	ld := f.withLoadStorage(t)
	cfg := f.config()
	cfg.Storages["far"] = ld
	res, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if res.Done != 3 {
		t.Fatalf("result %+v, want 3 done", res)
	}
	f.assertCopied(t)
	if n := stageCounts(f.rec, state.StageCopied); n != 3 {
		t.Errorf("%d copy stages done, want 3", n)
	}
	// The files and manifests are in the load storage under the same keys.
	for _, pc := range f.plan.Tables[0].Partitions {
		dir := s3.ExportDir("job1", "db", "t", pc.Addr.Partition, 3)
		if _, err := s3.ReadManifest(context.Background(), ld, dir); err != nil {
			t.Errorf("manifest of %s in the load storage: %v", pc.Addr, err)
		}
	}
}

func TestExporterStopsAtCopiedAndLoaderFinishes(t *testing.T) {
	f := newFixture(t, 4, "", nil)
	ld := f.withLoadStorage(t)
	claims := newFakeClaims()
	exp := f.config()
	exp.Storages["far"] = ld
	exp.Role, exp.Claims, exp.Worker = RoleExporter, claims, state.ClaimInfo{Holder: "exporter"}
	res, err := Run(context.Background(), exp)
	if err != nil {
		t.Fatal(err)
	}
	if res.Done != 4 || f.dst.loads != 0 {
		t.Fatalf("exporter: result %+v, %d loads; want 4 exported, no load", res, f.dst.loads)
	}
	snap, _ := f.store.Read(context.Background())
	for k, r := range snap.Partitions {
		if r.Stage != state.StageCopied || r.Status != state.StatusOK {
			t.Errorf("%v recorded at %s %s, want copied ok", k, r.Stage, r.Status)
		}
	}
	if len(claims.held) != 0 {
		t.Errorf("claims left held: %v", claims.held)
	}

	load := f.config()
	load.Storages["far"] = ld
	load.Role, load.Claims, load.Worker = RoleLoader, claims, state.ClaimInfo{Holder: "loader"}
	load.ReconcileInterval = 10 * time.Millisecond
	res, err = Run(context.Background(), load)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&Result{Done: 4}, res); diff != "" {
		t.Errorf("loader result (-want +got):\n%s", diff)
	}
	f.assertCopied(t)
	if f.src.exports != 4 || f.dst.loads != 4 {
		t.Errorf("%d exports, %d loads; want 4 and 4", f.src.exports, f.dst.loads)
	}
}

func TestLoaderWaitsForTheExportAndAnotherWorkersClaim(t *testing.T) {
	f := newFixture(t, 2, "", nil)
	claims := newFakeClaims()
	// Another worker holds p01 for a while.
	k := state.PartitionKey{Table: "db.t", Partition: "p01"}
	claims.held[k] = state.ClaimInfo{Holder: "other", Expires: time.Now().Add(time.Hour)}

	load := f.config()
	load.Role, load.Claims, load.Worker = RoleLoader, claims, state.ClaimInfo{Holder: "loader"}
	load.ReconcileInterval = 5 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	type out struct {
		res *Result
		err error
	}
	done := make(chan out, 1)
	go func() { res, err := Run(ctx, load); done <- out{res, err} }()

	// Nothing is exported yet: the loader must not load.
	time.Sleep(50 * time.Millisecond)
	if f.dst.loads != 0 {
		t.Fatalf("loader loaded %d partitions before any export was recorded", f.dst.loads)
	}
	exp := f.config()
	exp.Role, exp.Claims, exp.Worker = RoleExporter, newFakeClaims(), state.ClaimInfo{Holder: "exporter"}
	if _, err := Run(context.Background(), exp); err != nil {
		t.Fatal(err)
	}
	// p00 gets loaded; p01 stays with its holder until it lets go.
	deadline := time.Now().Add(5 * time.Second)
	for stageCounts(f.rec, state.StageVerifying) < 1 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if got := f.rec.count(func(e Event) bool { d, ok := e.(PartitionDone); return ok && d.Addr.Partition == "p01" }); got != 0 {
		t.Fatalf("p01 was loaded while another worker held its claim")
	}
	if err := claims.Release(context.Background(), k, "other"); err != nil {
		t.Fatal(err)
	}
	select {
	case o := <-done:
		if o.err != nil || o.res.Done != 2 {
			t.Fatalf("loader: %+v, %v; want 2 done", o.res, o.err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the loader did not finish after the claim was released")
	}
	f.assertCopied(t)
}

// chanNotifier delivers the notifications sent on ch and reports each
// handler result on results.
type chanNotifier struct {
	ch      chan Notification
	results chan error
}

func (n *chanNotifier) Run(ctx context.Context, handle func(context.Context, Notification) error) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case m := <-n.ch:
			n.results <- handle(ctx, m)
		}
	}
}

func TestNotificationsDriveTheLoaderAndKeepEarlyMessages(t *testing.T) {
	f := newFixture(t, 1, "", nil)
	ld := f.withLoadStorage(t)
	claims := newFakeClaims()
	n := &chanNotifier{ch: make(chan Notification), results: make(chan error, 16)}
	load := f.config()
	load.Storages["far"] = ld
	load.Role, load.Claims, load.Worker = RoleLoader, claims, state.ClaimInfo{Holder: "loader"}
	load.Notifiers = map[string]Notifier{"far": n}
	load.ReconcileInterval = time.Hour // only notifications trigger loads
	done := make(chan error, 1)
	var res *Result
	go func() { var err error; res, err = Run(context.Background(), load); done <- err }()

	dir := s3.ExportDir("job1", "db", "t", "p00", 3)
	msg := Notification{ID: "m1", URLs: []string{ld.URL(s3.ManifestKey(dir))}}
	// Before the export is recorded the message must be kept.
	n.ch <- msg
	if err := <-n.results; err == nil {
		t.Fatal("a notification for an unrecorded export was settled; want it kept for redelivery")
	}
	// A foreign key is settled without effect.
	n.ch <- Notification{ID: "m2", URLs: []string{ld.URL("other/file.csv")}}
	if err := <-n.results; err != nil {
		t.Fatalf("a foreign notification was kept: %v", err)
	}
	exp := f.config()
	exp.Storages["far"] = ld
	exp.Role, exp.Claims, exp.Worker = RoleExporter, claims, state.ClaimInfo{Holder: "exporter"}
	if _, err := Run(context.Background(), exp); err != nil {
		t.Fatal(err)
	}
	n.ch <- msg
	if err := <-n.results; err != nil {
		t.Fatalf("the notification after the copy was kept: %v", err)
	}
	select {
	case err := <-done:
		if err != nil || res.Done != 1 {
			t.Fatalf("loader: %+v, %v", res, err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the loader did not finish")
	}
	f.assertCopied(t)
	if f.dst.loads != 1 {
		t.Errorf("%d loads, want 1", f.dst.loads)
	}
}

func TestLoaderRoleNeedsClaims(t *testing.T) {
	f := newFixture(t, 1, "", nil)
	cfg := f.config()
	cfg.Role = RoleLoader
	if _, err := Run(context.Background(), cfg); err == nil {
		t.Fatal("a loader without claims ran")
	}
}

func TestParseRole(t *testing.T) {
	for in, want := range map[string]Role{"": RoleAll, "all": RoleAll, "exporter": RoleExporter, "loader": RoleLoader} {
		got, err := ParseRole(in)
		if err != nil || got != want {
			t.Errorf("ParseRole(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := ParseRole("importer"); err == nil {
		t.Error("ParseRole(importer) succeeded")
	}
}

func TestLoaderRetriesALoadThatFailedInAnEarlierRun(t *testing.T) {
	f := newFixture(t, 2, "", nil)
	claims := newFakeClaims()
	exportAll(t, f, claims)
	// An earlier loader gave up on one partition's load an hour ago.
	failOneEarlier(t, f, state.StageLoading, "load job cancelled")
	ctx := context.Background()

	load := f.config()
	load.Role, load.Claims, load.Worker = RoleLoader, claims, state.ClaimInfo{Holder: "loader"}
	load.ReconcileInterval = 10 * time.Millisecond
	rctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	res, err := Run(rctx, load)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&Result{Done: 2}, res); diff != "" {
		t.Errorf("loader result (-want +got):\n%s", diff)
	}
	f.assertCopied(t)
}

func TestApplyTakesOverTheClaimsOfAWorkerThatStopped(t *testing.T) {
	f := newFixture(t, 2, "", nil)
	claims := newFakeClaims()
	// A killed apply's claim: it expires soon and is never renewed.
	k := state.PartitionKey{Table: "db.t", Partition: "p00"}
	claims.held[k] = state.ClaimInfo{Holder: "killed", Expires: time.Now().Add(300 * time.Millisecond)}
	cfg := f.config()
	cfg.Claims, cfg.Worker, cfg.ClaimLease = claims, state.ClaimInfo{Holder: "next"}, time.Second
	res, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&Result{Done: 2}, res); diff != "" {
		t.Errorf("result (-want +got):\n%s", diff)
	}
	f.assertCopied(t)
}

func TestApplyLeavesAPartitionToALiveWorker(t *testing.T) {
	f := newFixture(t, 2, "", nil)
	claims := newFakeClaims()
	k := state.PartitionKey{Table: "db.t", Partition: "p00"}
	claims.held[k] = state.ClaimInfo{Holder: "live", Expires: time.Now().Add(200 * time.Millisecond)}
	// The live worker renews its claim.
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for {
			select {
			case <-stop:
				return
			case <-time.After(50 * time.Millisecond):
				claims.mu.Lock()
				if cur, ok := claims.held[k]; ok && cur.Holder == "live" {
					cur.Expires = time.Now().Add(200 * time.Millisecond)
					claims.held[k] = cur
				}
				claims.mu.Unlock()
			}
		}
	}()
	cfg := f.config()
	cfg.Claims, cfg.Worker, cfg.ClaimLease = claims, state.ClaimInfo{Holder: "next"}, time.Second
	res, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&Result{Done: 1, Skipped: 1}, res); diff != "" {
		t.Errorf("result (-want +got):\n%s", diff)
	}
}

// A loader alone settles a partition whose export failed for good in an
// earlier run as failed, instead of waiting for an exporter that is not
// running; with an exporter alive it waits.
func TestLoaderSettlesAFailedExportWhenNoExporterRuns(t *testing.T) {
	f := newFixture(t, 2, "", nil)
	claims := newFakeClaims()
	exportAll(t, f, claims)
	failOneEarlier(t, f, state.StageExporting, "export job cancelled")
	ctx := context.Background()
	loader := func(alive bool) *Result {
		t.Helper()
		load := f.config()
		load.Role, load.Claims, load.Worker = RoleLoader, claims, state.ClaimInfo{Holder: "loader"}
		load.ReconcileInterval = 10 * time.Millisecond
		load.ExporterAlive = func(context.Context) (bool, error) { return alive, nil }
		rctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		res, err := Run(rctx, load)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	if res := loader(true); res.Done != 1 || res.Failed != 0 || !res.Interrupted {
		t.Errorf("with an exporter alive: %+v, want 1 done and the loader still waiting when stopped", res)
	}
	if diff := cmp.Diff(&Result{Done: 1, Failed: 1}, loader(false)); diff != "" {
		t.Errorf("with no exporter (-want +got):\n%s", diff)
	}
}

// A loader whose plan saw a newer source version than the recorded export
// waits for the exporter to export that version instead of loading the
// old export (which would fail verification).
func TestLoaderWaitsForTheExportOfThePlannedVersion(t *testing.T) {
	f := newFixture(t, 1, "", nil)
	claims := newFakeClaims()
	exportAll(t, f, claims)
	f.plan.Tables[0].Partitions[0].Fingerprint.VisibleVersion++ // the source moved
	load := f.config()
	load.Role, load.Claims, load.Worker = RoleLoader, claims, state.ClaimInfo{Holder: "loader"}
	load.ReconcileInterval = 10 * time.Millisecond
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	res, err := Run(ctx, load)
	if err != nil {
		t.Fatal(err)
	}
	if res.Done != 0 || f.dst.loads != 0 || !res.Interrupted {
		t.Errorf("loader: %+v, %d loads; want no load of the old export, still waiting when stopped", res, f.dst.loads)
	}
}

// exportAll runs an exporter over f's plan with claims.
func exportAll(t *testing.T, f *fixture, claims *fakeClaims) {
	t.Helper()
	exp := f.config()
	exp.Role, exp.Claims, exp.Worker = RoleExporter, claims, state.ClaimInfo{Holder: "exporter"}
	if _, err := Run(context.Background(), exp); err != nil {
		t.Fatal(err)
	}
}

// failOneEarlier records one partition of f as failed at stage an hour
// ago, as an earlier run that gave up would have.
func failOneEarlier(t *testing.T, f *fixture, stage state.Stage, msg string) {
	t.Helper()
	ctx := context.Background()
	snap, err := f.store.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var failed *state.PartitionRecord
	for _, r := range snap.Partitions {
		failed = r
		break
	}
	failed.Stage, failed.Status, failed.LastError = stage, state.StatusFailed, msg
	failed.UpdatedAt = time.Now().Add(-time.Hour)
	if err := f.store.Write(ctx, &state.Batch{PutPartitions: []*state.PartitionRecord{failed}}); err != nil {
		t.Fatal(err)
	}
}
