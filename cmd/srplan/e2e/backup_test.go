package e2e

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	simsr "github.com/srplan/srplan/sim/starrocks"
)

// backupWorkspace writes a workspace whose tables "shop.*" use method
// (backup or auto) through repository "bk" on the local stage.
func backupWorkspace(t *testing.T, src, dst *cluster, method string) *workspace {
	t.Helper()
	return backupWorkspaceWith(t, src, dst, method, "")
}

// backupWorkspaceWith is backupWorkspace with extra attributes of the
// repository block (such as "cleanup = true").
func backupWorkspaceWith(t *testing.T, src, dst *cluster, method, repoAttrs string) *workspace {
	t.Helper()
	w := newWorkspace(t, specOptions{src: src, dst: dst})
	raw, err := os.ReadFile(w.spec)
	if err != nil {
		t.Fatal(err)
	}
	spec, _, _ := strings.Cut(string(raw), `table "shop.*"`)
	spec += `repository "bk" {
  storage = storage.stage
  path    = "backups"
  ` + repoAttrs + `
}
table "shop.*" {
  method     = "` + method + `"
  repository = repository.bk
  throttle   = throttle.default
  schema {
    properties = { replication_num = "1" }
  }
}
`
	if err := os.WriteFile(w.spec, []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	return w
}

// backupJobs reads a simulated cluster's BACKUP/RESTORE job log.
func backupJobs(t *testing.T, c *cluster) []simsr.BackupJobEntry {
	t.Helper()
	resp, err := httpClient.Get(c.ctl.base + "/backup-jobs")
	if err != nil {
		t.Fatalf("GET /backup-jobs: %v", err)
	}
	defer resp.Body.Close()
	var log []simsr.BackupJobEntry
	if err := json.NewDecoder(resp.Body).Decode(&log); err != nil {
		t.Fatalf("GET /backup-jobs: %v", err)
	}
	return log
}

// assertNoOverlap fails t when two jobs of one database overlapped.
func assertNoOverlap(t *testing.T, side string, log []simsr.BackupJobEntry) {
	t.Helper()
	for i, a := range log {
		for _, b := range log[i+1:] {
			if a.DB != b.DB {
				continue
			}
			if a.Ended.IsZero() || b.Started.Before(a.Ended) {
				t.Errorf("%s: %s %s (%v..%v) and %s %s (started %v) overlap in database %s", side, a.Kind, a.Snapshot, a.Started, a.Ended, b.Kind, b.Snapshot, b.Started, a.DB)
			}
		}
	}
}

// TestBackupMethod: a first apply moves every table (two in one
// database) by BACKUP/RESTORE with equal data, and no two jobs of the
// database overlap on either cluster; a rerun does nothing; a changed
// partition is the only one moved again, swapped in atomically.
func TestBackupMethod(t *testing.T) {
	t.Parallel()
	src := startSim(t, hostOptions{Version: "3.3.8", Mode: simsr.SharedNothing})
	dst := startSim(t, hostOptions{Version: "3.4.1", Mode: simsr.SharedNothing})
	seedShop(t, src, 40)
	w := backupWorkspace(t, src, dst, "backup")
	bs, bd := src.ctl.counters(t), dst.ctl.counters(t)
	r := w.mustRun(t, "apply", "-auto-approve")
	assertSameData(t, src, dst, allTables...)
	w.assertAllDone(t, map[string]int{"shop.customers": 1, "shop.events": 2, "shop.orders": 3})
	// One snapshot per table (each fits one batch), one restore each.
	if diff := cmp.Diff(map[string]int64{simsr.KindBackup: 3}, counterDelta(bs, src.ctl.counters(t))); diff != "" {
		t.Errorf("jobs on the source (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]int64{simsr.KindRestore: 3}, counterDelta(bd, dst.ctl.counters(t))); diff != "" {
		t.Errorf("jobs on the target (-want +got):\n%s", diff)
	}
	assertNoOverlap(t, "source", backupJobs(t, src))
	assertNoOverlap(t, "target", backupJobs(t, dst))
	// Without cleanup the snapshots stay in the repository.
	if snaps := snapshotFiles(t, w); len(snaps) != 3 {
		t.Errorf("snapshots in the repository: %v, want 3 (one per table)", snaps)
	}
	if t.Failed() {
		t.Fatalf("%s", r)
	}

	if plan := w.plan(t); len(plan) != 0 {
		t.Errorf("plan after apply: %v", plan)
	}
	bs, bd = src.ctl.counters(t), dst.ctl.counters(t)
	w.mustRun(t, "apply", "-auto-approve")
	if d := counterDelta(bs, src.ctl.counters(t)); len(d) != 0 {
		t.Errorf("rerun submitted jobs on the source: %v", d)
	}
	if d := counterDelta(bd, dst.ctl.counters(t)); len(d) != 0 {
		t.Errorf("rerun submitted jobs on the target: %v", d)
	}

	// Change one partition: only it moves again, through a staging table
	// and a temporary partition (the partition id changes, the others
	// keep theirs), and nothing is left behind.
	before := partitionIDs(t, dst, orders, false)
	addOrders(t, src, "2024-01-02", nextOrderID(t, src), 5)
	plan := w.plan(t)
	if len(plan) != 1 || plan["shop.orders/p20240102"][0] != "recopy" || !strings.Contains(plan["shop.orders/p20240102"][1], "RESTORE AS staging table") {
		t.Errorf("plan after a change: %v", plan)
	}
	bs, bd = src.ctl.counters(t), dst.ctl.counters(t)
	w.mustRun(t, "apply", "-auto-approve")
	assertSameData(t, src, dst, allTables...)
	if diff := cmp.Diff(map[string]int64{simsr.KindBackup: 1}, counterDelta(bs, src.ctl.counters(t))); diff != "" {
		t.Errorf("recopy jobs on the source (-want +got):\n%s", diff)
	}
	if d := counterDelta(bd, dst.ctl.counters(t)); d[simsr.KindRestore] != 1 {
		t.Errorf("recopy jobs on the target: %v", d)
	}
	after := partitionIDs(t, dst, orders, false)
	for p, id := range before {
		if changed := after[p] != id; changed != (p == "p20240102") {
			t.Errorf("partition %s id %s -> %s", p, id, after[p])
		}
	}
	if tmp := partitionIDs(t, dst, orders, true); len(tmp) != 0 {
		t.Errorf("temporary partitions left: %v", tmp)
	}
	var leftovers []string
	rows, err := dst.db.Query("SHOW TABLES FROM shop")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(n, "srplan_") {
			leftovers = append(leftovers, n)
		}
	}
	if len(leftovers) != 0 {
		t.Errorf("staging tables left: %v", leftovers)
	}
	assertNoOverlap(t, "source", backupJobs(t, src))
	assertNoOverlap(t, "target", backupJobs(t, dst))
}

// TestBackupOnSharedData: method backup is blocked with the reason on a
// shared-data target; auto with a repository falls back to files.
func TestBackupOnSharedData(t *testing.T) {
	t.Parallel()
	src := startSim(t, hostOptions{Version: "3.3.8", Mode: simsr.SharedNothing})
	dst := startSim(t, hostOptions{Version: "3.5.2", Mode: simsr.SharedData})
	seedShop(t, src, 10)
	w := backupWorkspace(t, src, dst, "backup")
	r := w.run(t, "plan", "-no-color")
	if !strings.Contains(r.stdout, "shared-data") || !strings.Contains(r.stdout, `method "backup" needs shared-nothing clusters`) {
		t.Errorf("plan does not block with the reason:\n%s", r)
	}
	for addr, a := range w.plan(t) {
		if a[0] != "blocked" {
			t.Errorf("%s: %v, want blocked", addr, a)
		}
	}
	w = backupWorkspace(t, src, dst, "auto")
	bs := src.ctl.counters(t)
	w.mustRun(t, "apply", "-auto-approve")
	assertSameData(t, src, dst, allTables...)
	if d := counterDelta(bs, src.ctl.counters(t)); d[simsr.KindBackup] != 0 || d[simsr.KindInsert] == 0 {
		t.Errorf("auto on shared-data: jobs on the source %v, want INSERT INTO FILES and no BACKUP", d)
	}
}

// TestBackupKilled: srplan killed (SIGKILL) while a BACKUP runs, or while
// a RESTORE runs; the next apply finds the jobs, starts no duplicates and
// converges.
func TestBackupKilled(t *testing.T) {
	t.Parallel()
	for name, kind := range map[string]string{"during BACKUP": simsr.KindBackup, "during RESTORE": simsr.KindRestore} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			src := startSim(t, hostOptions{Version: "3.3.8", Mode: simsr.SharedNothing})
			dst := startSim(t, hostOptions{Version: "3.3.8", Mode: simsr.SharedNothing})
			seedShop(t, src, 40)
			w := backupWorkspace(t, src, dst, "backup")
			slow := src
			if kind == simsr.KindRestore {
				slow = dst
			}
			slow.ctl.setJobModel(t, simsr.JobModel{ThroughputBytesPerSec: 1 << 10, TimeScale: 1})
			p := w.start(t, "apply", "-auto-approve")
			deadline := time.Now().Add(time.Minute)
			for {
				running := false
				for _, j := range backupJobs(t, slow) {
					running = running || (j.Kind == kind && j.Ended.IsZero())
				}
				if running {
					break
				}
				if time.Now().After(deadline) {
					p.kill()
					t.Fatalf("no %s job started:\n%s", kind, p.output())
				}
				time.Sleep(20 * time.Millisecond)
			}
			p.kill()
			slow.ctl.setJobModel(t, simsr.JobModel{})
			r := w.mustRun(t, "apply", "-auto-approve")
			assertSameData(t, src, dst, allTables...)
			w.assertAllDone(t, map[string]int{"shop.customers": 1, "shop.events": 2, "shop.orders": 3})
			count := func(log []simsr.BackupJobEntry, k string) int {
				n := 0
				for _, j := range log {
					if j.Kind == k && j.State != "CANCELLED" {
						n++
					}
				}
				return n
			}
			if n := count(backupJobs(t, src), simsr.KindBackup); n != 3 {
				t.Errorf("%d backups on the source, want 3 (one per table)", n)
			}
			if n := count(backupJobs(t, dst), simsr.KindRestore); n != 3 {
				t.Errorf("%d restores on the target, want 3 (one per table)", n)
			}
			assertNoOverlap(t, "source", backupJobs(t, src))
			assertNoOverlap(t, "target", backupJobs(t, dst))
			if t.Failed() {
				t.Logf("%s", r)
			}
		})
	}
}

// snapshotFiles counts the files of each snapshot in repository "bk" of
// the workspace's local stage, by snapshot directory.
func snapshotFiles(t *testing.T, w *workspace) map[string]int {
	t.Helper()
	root := filepath.Join(w.dir, "stage", "backups", "__starrocks_repository_bk")
	out := map[string]int{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if dir, _, ok := strings.Cut(filepath.ToSlash(rel), "/"); ok && strings.HasPrefix(dir, "__ss_") {
			out[dir]++
		}
		return nil
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	return out
}

// TestBackupCleanup: with cleanup = true on the repository, each
// snapshot's files are deleted once its partitions are verified, and
// state records the outcome "cleaned"; a saved plan made before cleanup
// was turned on is refused as stale.
func TestBackupCleanup(t *testing.T) {
	t.Parallel()
	src := startSim(t, hostOptions{Version: "3.3.8", Mode: simsr.SharedNothing})
	dst := startSim(t, hostOptions{Version: "3.4.1", Mode: simsr.SharedNothing})
	seedShop(t, src, 20)
	w := backupWorkspace(t, src, dst, "backup")
	w.mustRun(t, "plan", "-out", "saved.plan")
	raw, err := os.ReadFile(w.spec)
	if err != nil {
		t.Fatal(err)
	}
	spec := strings.Replace(string(raw), `path    = "backups"`, "path    = \"backups\"\n  cleanup = true", 1)
	if err := os.WriteFile(w.spec, []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	// Only the repository changed, and the saved plan is refused.
	bs := src.ctl.counters(t)
	if r := w.run(t, "apply", "saved.plan"); r.code == 0 || !strings.Contains(r.stderr+r.stdout, "Saved plan is stale") {
		t.Errorf("apply of a saved plan after the repository changed:\n%s", r)
	}
	if d := counterDelta(bs, src.ctl.counters(t)); len(d) != 0 {
		t.Errorf("the refused apply submitted jobs: %v", d)
	}

	r := w.mustRun(t, "apply", "-auto-approve", "-json")
	assertSameData(t, src, dst, allTables...)
	w.assertAllDone(t, map[string]int{"shop.customers": 1, "shop.events": 2, "shop.orders": 3})
	if snaps := snapshotFiles(t, w); len(snaps) != 0 {
		t.Errorf("snapshot files left in the repository: %v", snaps)
	}
	cleaned := 0
	for line := range strings.Lines(r.stdout) {
		if e, ok := parseEvent(line); ok && e.Type == "snapshot_cleaned" {
			cleaned++
			if e.Err != "" {
				t.Errorf("cleanup failed: %s", line)
			}
		}
	}
	if cleaned != 3 {
		t.Errorf("%d snapshot_cleaned events, want 3 (one per table)\n%s", cleaned, r)
	}
	// Every partition's snapshot is recorded as cleaned.
	st := w.mustRun(t, "status", "-json")
	var doc struct {
		Tables []struct {
			Table     string `json:"table"`
			Snapshots []struct {
				Name       string   `json:"name"`
				Outcome    string   `json:"outcome"`
				Partitions []string `json:"partitions"`
			} `json:"snapshots"`
		} `json:"tables"`
	}
	if err := json.Unmarshal([]byte(st.stdout), &doc); err != nil {
		t.Fatalf("status -json: %v\n%s", err, st)
	}
	parts := 0
	for _, tb := range doc.Tables {
		for _, sn := range tb.Snapshots {
			parts += len(sn.Partitions)
			if sn.Outcome != "cleaned" || !strings.HasPrefix(sn.Name, "srplan_") {
				t.Errorf("%s: snapshot %s outcome %q, want cleaned", tb.Table, sn.Name, sn.Outcome)
			}
		}
	}
	if parts != 6 {
		t.Errorf("status lists snapshots of %d partitions, want 6:\n%s", parts, st.stdout)
	}
	// The human status names the snapshots too.
	if h := w.mustRun(t, "status"); !strings.Contains(h.stdout, "in repository bk (timestamp ") || !strings.Contains(h.stdout, "): cleaned: ") {
		t.Errorf("status does not show the snapshots:\n%s", h.stdout)
	}
}
