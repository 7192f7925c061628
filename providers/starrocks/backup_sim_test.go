package starrocks

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/srplan/srplan/executor"
	"github.com/srplan/srplan/planner"
	sim "github.com/srplan/srplan/sim/starrocks"
)

// The TestBackupSim tests drive BACKUP/RESTORE jobs against two simulated
// shared-nothing clusters sharing a file:// repository. Like the
// TestJobsSim tests they do not run in parallel (see simJobs).

// jobsOn returns a new connection and Jobs to c: a fresh srplan process
// ("after a restart") sees only what the cluster and the repository show.
func jobsOn(t *testing.T, c *sim.Cluster) (*Client, *Jobs) {
	t.Helper()
	client := openSim(t, c)
	info, err := DetectCluster(context.Background(), client.DB(), "c")
	if err != nil {
		t.Fatal(err)
	}
	j, err := NewJobs(client, info, WithPollInterval(5*time.Millisecond, 50*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	return client, j
}

// backupPair starts a source with sales.orders (two rows in p20240101)
// and an empty target with database sales, and creates repository "bk"
// on both (READ ONLY on the target).
func backupPair(t *testing.T) (src, dst *sim.Cluster, js, jd *Jobs, dstClient *Client, repo executor.RepositorySpec) {
	t.Helper()
	src, srcClient, js := simJobs(t, "3.3.8", sim.SharedNothing, "")
	execAll(t, srcClient, simInserts[0])
	dst = startSim(t, "3.3.8", sim.SharedNothing, nil)
	dstClient, jd = jobsOn(t, dst)
	execAll(t, dstClient, "CREATE DATABASE sales")
	repo = executor.RepositorySpec{Name: "bk", Location: "file://" + t.TempDir() + "/backups", Properties: map[string]string{}}
	if err := js.EnsureRepository(context.Background(), repo); err != nil {
		t.Fatal(err)
	}
	ro := repo
	ro.ReadOnly = true
	if err := jd.EnsureRepository(context.Background(), ro); err != nil {
		t.Fatal(err)
	}
	return src, dst, js, jd, dstClient, repo
}

// jobCount counts the cluster's BACKUP or RESTORE jobs.
func jobCount(c *sim.Cluster, kind string) int {
	n := 0
	for _, j := range c.BackupJobs() {
		if j.Kind == kind {
			n++
		}
	}
	return n
}

// waitJobRunning waits until the cluster runs a job of kind.
func waitJobRunning(t *testing.T, c *sim.Cluster, kind string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		for _, j := range c.BackupJobs() {
			if j.Kind == kind && j.Ended.IsZero() {
				return
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("no %s job is running", kind)
}

// slowJobs makes the cluster's jobs crawl (a few bytes a second) until
// the returned function restores instant jobs.
func slowJobs(c *sim.Cluster) func() {
	c.Controls().SetJobModel(sim.JobModel{ThroughputBytesPerSec: 1, TimeScale: 1})
	return func() { c.Controls().SetJobModel(sim.JobModel{}) }
}

func TestBackupSimEnsureRepository(t *testing.T) {
	ctx := context.Background()
	_, _, js, jd, dstClient, repo := backupPair(t)
	// Both exist now: a second call (a rerun) is a no-op.
	if err := js.EnsureRepository(ctx, repo); err != nil {
		t.Errorf("EnsureRepository again: %v", err)
	}
	res, err := queryAll(ctx, dstClient, ShowRepositoriesSQL)
	if err != nil {
		t.Fatal(err)
	}
	nc, _ := res.col("RepoName")
	rc, _ := res.col("IsReadOnly")
	if len(res.rows) != 1 {
		t.Fatalf("target repositories: %v", res.rows)
	}
	if n, _ := res.cell(0, nc); n != "bk" {
		t.Errorf("target repository %q, want bk", n)
	}
	if ro, _ := res.cell(0, rc); ro != "true" {
		t.Errorf("target repository IsReadOnly %q, want true", ro)
	}
	// The same name at another location is refused with both locations.
	moved := repo
	moved.Location = "file://" + t.TempDir() + "/elsewhere"
	err = jd.EnsureRepository(ctx, moved)
	if err == nil || !strings.Contains(err.Error(), repo.Location) || !strings.Contains(err.Error(), moved.Location) {
		t.Errorf("EnsureRepository at another location = %v, want an error naming both locations", err)
	}
}

func TestBackupSimRoundTrip(t *testing.T) {
	ctx := context.Background()
	src, dst, js, jd, dstClient, repo := backupPair(t)
	parts := []string{"p20240101", "p20240102"}
	req := executor.BackupRequest{Table: orders, Partitions: parts, Snapshot: "srplan_orders_1", Repository: repo.Name}
	var submitted []string
	req.OnSubmitted = func(id string) { submitted = append(submitted, id) }
	snap, err := js.Backup(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if snap.Name != req.Snapshot || snap.Timestamp == "" || snap.JobID == "" || len(submitted) != 1 || submitted[0] != snap.JobID {
		t.Fatalf("Backup = %+v, submitted %v", snap, submitted)
	}

	// A rerun (a new process) finds the snapshot by its name: no new job,
	// the same timestamp, the job id while SHOW BACKUP still shows it.
	_, js2 := jobsOn(t, src)
	again, err := js2.Backup(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if again != snap || len(submitted) != 1 || jobCount(src, sim.KindBackup) != 1 {
		t.Errorf("Backup rerun = %+v (first %+v), %d submitted, %d jobs", again, snap, len(submitted), jobCount(src, sim.KindBackup))
	}

	// Once another job replaced it in SHOW BACKUP, the snapshot is still
	// found in the repository, without a job id.
	other, err := js2.Backup(ctx, executor.BackupRequest{Table: orders, Snapshot: "srplan_orders_2", Repository: repo.Name})
	if err != nil {
		t.Fatal(err)
	}
	found, err := js2.Backup(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if want := (executor.Snapshot{Name: snap.Name, Timestamp: snap.Timestamp}); found != want || jobCount(src, sim.KindBackup) != 2 {
		t.Errorf("Backup after another job = %+v, want %+v; %d jobs, want 2", found, want, jobCount(src, sim.KindBackup))
	}

	// Restore straight into the target table (created by RESTORE).
	rreq := executor.RestoreRequest{Table: orders, Into: orders, Partitions: parts, Snapshot: snap.Name,
		Timestamp: snap.Timestamp, Repository: repo.Name, ReplicationNum: "1"}
	id, err := jd.Restore(ctx, rreq)
	if err != nil {
		t.Fatal(err)
	}
	if n := countRows(t, dstClient, "SELECT COUNT(*) FROM sales.orders"); n != 2 || id == "" {
		t.Errorf("after the restore: %d rows, job %q; want 2 rows and a job id", n, id)
	}
	// Adopt: the finished job of this snapshot is the request's own.
	rreq.Adopt = true
	if again, err := jd.Restore(ctx, rreq); err != nil || again != id || jobCount(dst, sim.KindRestore) != 1 {
		t.Errorf("adopting Restore = %q, %v (first %q); %d jobs, want 1", again, err, id, jobCount(dst, sim.KindRestore))
	}

	// Restore into a staging table (RESTORE ... AS) in the same database.
	staging := planner.TableAddr{DB: "sales", Table: "srplan_stage_1"}
	sreq := executor.RestoreRequest{Table: orders, Into: staging, Partitions: parts[:1], Snapshot: snap.Name,
		Timestamp: snap.Timestamp, Repository: repo.Name, ReplicationNum: "1"}
	if _, err := jd.Restore(ctx, sreq); err != nil {
		t.Fatal(err)
	}
	if n := countRows(t, dstClient, "SELECT COUNT(*) FROM sales.srplan_stage_1"); n != 2 {
		t.Errorf("staging table has %d rows, want 2", n)
	}
	if n := countRows(t, dstClient, "SELECT COUNT(*) FROM sales.orders"); n != 2 {
		t.Errorf("target table has %d rows after the staging restore, want 2", n)
	}
	if other.Timestamp == "" {
		t.Errorf("second snapshot without a timestamp: %+v", other)
	}

	// A restore of another snapshot replaces the first one in SHOW
	// RESTORE: adopting the first now asks Restored; true submits
	// nothing, false submits.
	if _, err := jd.Restore(ctx, executor.RestoreRequest{Table: orders, Into: planner.TableAddr{DB: "sales", Table: "srplan_stage_2"},
		Snapshot: other.Name, Timestamp: other.Timestamp, Repository: repo.Name, ReplicationNum: "1"}); err != nil {
		t.Fatal(err)
	}
	before := jobCount(dst, sim.KindRestore)
	asked := 0
	rreq.Restored = func(context.Context) (bool, error) { asked++; return true, nil }
	if _, err := jd.Restore(ctx, rreq); err != nil || asked != 1 || jobCount(dst, sim.KindRestore) != before {
		t.Errorf("adopting a replaced restore whose data is in place: err %v, asked %d, %d jobs (want %d)", err, asked, jobCount(dst, sim.KindRestore), before)
	}
	rreq.Restored = func(context.Context) (bool, error) { return false, nil }
	if _, err := jd.Restore(ctx, rreq); err != nil || jobCount(dst, sim.KindRestore) != before+1 {
		t.Errorf("adopting a replaced restore whose data is missing: err %v, %d jobs (want %d)", err, jobCount(dst, sim.KindRestore), before+1)
	}
}

// TestBackupSimAfterRestart: srplan stopped while its BACKUP, or its
// RESTORE, ran; a new process waits for that job instead of submitting
// another, and a job of another snapshot in the database is waited for
// (one job per database).
func TestBackupSimAfterRestart(t *testing.T) {
	ctx := context.Background()
	src, dst, _, _, _, repo := backupPair(t)
	srcClient := openSim(t, src)
	parts := []string{"p20240101"}

	// An earlier run submitted the BACKUP and stopped.
	fast := slowJobs(src)
	execAll(t, srcClient, BackupSQL(orders, parts, "srplan_orders_1", repo.Name))
	waitJobRunning(t, src, sim.KindBackup)
	_, js := jobsOn(t, src)
	type backupResult struct {
		snap executor.Snapshot
		err  error
	}
	done := make(chan backupResult, 1)
	go func() {
		s, err := js.Backup(ctx, executor.BackupRequest{Table: orders, Partitions: parts, Snapshot: "srplan_orders_1", Repository: repo.Name,
			OnSubmitted: func(id string) { t.Errorf("Backup submitted job %s while the earlier one ran", id) }})
		done <- backupResult{s, err}
	}()
	time.Sleep(50 * time.Millisecond) // let Backup find the job running
	fast()
	br := <-done
	if br.err != nil || br.snap.Timestamp == "" {
		t.Fatalf("Backup after a restart = %+v, %v", br.snap, br.err)
	}
	if n := jobCount(src, sim.KindBackup); n != 1 {
		t.Errorf("%d backup jobs, want 1", n)
	}

	// Another snapshot's BACKUP holds the database: the next one waits.
	fast = slowJobs(src)
	execAll(t, srcClient, BackupSQL(orders, parts, "srplan_other", repo.Name))
	waitJobRunning(t, src, sim.KindBackup)
	go func() {
		s, err := js.Backup(ctx, executor.BackupRequest{Table: orders, Partitions: []string{"p20240102"}, Snapshot: "srplan_orders_2", Repository: repo.Name})
		done <- backupResult{s, err}
	}()
	time.Sleep(50 * time.Millisecond)
	fast()
	if br := <-done; br.err != nil || br.snap.Timestamp == "" {
		t.Fatalf("Backup behind another job = %+v, %v", br.snap, br.err)
	}
	log := src.BackupJobs()
	if len(log) != 3 || log[2].Snapshot != "srplan_orders_2" || log[2].Started.Before(log[1].Ended) {
		t.Errorf("job log: %+v; want the third job started after the second ended", log)
	}

	// An earlier run submitted the RESTORE and stopped.
	dstClient := openSim(t, dst)
	fast = slowJobs(dst)
	execAll(t, dstClient, RestoreSQL("sales", "orders", parts, "", "srplan_orders_1", br.snap.Timestamp, repo.Name, "1"))
	waitJobRunning(t, dst, sim.KindRestore)
	_, jd := jobsOn(t, dst)
	type restoreResult struct {
		id  string
		err error
	}
	rdone := make(chan restoreResult, 1)
	go func() {
		id, err := jd.Restore(ctx, executor.RestoreRequest{Table: orders, Into: orders, Partitions: parts, Snapshot: "srplan_orders_1",
			Timestamp: br.snap.Timestamp, Repository: repo.Name, ReplicationNum: "1",
			OnSubmitted: func(id string) { t.Errorf("Restore submitted job %s while the earlier one ran", id) }})
		rdone <- restoreResult{id, err}
	}()
	time.Sleep(50 * time.Millisecond)
	fast()
	rr := <-rdone
	if rr.err != nil || rr.id == "" {
		t.Fatalf("Restore after a restart = %q, %v", rr.id, rr.err)
	}
	if n := jobCount(dst, sim.KindRestore); n != 1 {
		t.Errorf("%d restore jobs, want 1", n)
	}
	if n := countRows(t, dstClient, "SELECT COUNT(*) FROM sales.orders"); n != 2 {
		t.Errorf("target has %d rows, want 2", n)
	}
}
