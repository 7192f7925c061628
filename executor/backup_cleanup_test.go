package executor

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/srplan/srplan/lang"
	"github.com/srplan/srplan/planner"
	"github.com/srplan/srplan/providers/s3"
	"github.com/srplan/srplan/state"
)

func TestSnapshotPrefix(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ path, repo, snap, want string }{
		{"backups", "bk", "srplan_orders_1a", "backups/__starrocks_repository_bk/__ss_srplan_orders_1a/"},
		{"prod/backups/", "r", "s", "prod/backups/__starrocks_repository_r/__ss_s/"},
	} {
		if got := snapshotPrefix(tc.path, tc.repo, tc.snap); got != tc.want {
			t.Errorf("snapshotPrefix(%q, %q, %q) = %q, want %q", tc.path, tc.repo, tc.snap, got, tc.want)
		}
	}
}

// TestBackupCleanup: a snapshot's directory is deleted (and only it) when
// cleanup is on and every partition recorded with the snapshot is done;
// otherwise it stays.
func TestBackupCleanup(t *testing.T) {
	t.Parallel()
	const snap = "srplan_orders_1a"
	repoRoot := "backups/__starrocks_repository_bk/"
	// Sorted by key, as List returns them.
	files := []string{
		repoRoot + "__repo_info",
		repoRoot + "__ss_srplan_events_2b/__info_2024-01-01-00-00-00-000.abc",
		repoRoot + "__ss_" + snap + "/__info_2024-01-01-00-00-00-000.abc",
		repoRoot + "__ss_" + snap + "/__ss_content/__db_1/__tbl_2/__part_3/__data.def",
		repoRoot + "__ss_" + snap + "0/__info_2024-01-01-00-00-00-000.abc", // another snapshot sharing the prefix
	}
	snapFiles := files[2:4]
	tests := map[string]struct {
		cleanup bool
		// batch are the stages of the batch's partitions; other is an
		// extra record of the snapshot outside the batch ("" = none).
		batch   []state.Stage
		other   state.Stage
		deleted bool
	}{
		"all done":                  {cleanup: true, batch: []state.Stage{state.StageDone, state.StageDone}, deleted: true},
		"cleanup off":               {cleanup: false, batch: []state.Stage{state.StageDone, state.StageDone}},
		"a partition failed":        {cleanup: true, batch: []state.Stage{state.StageDone, state.StageLoading}},
		"a partition unverified":    {cleanup: true, batch: []state.Stage{state.StageDone, state.StageVerifying}},
		"a record outside the run":  {cleanup: true, batch: []state.Stage{state.StageDone}, other: state.StageLoaded},
		"done outside the run, too": {cleanup: true, batch: []state.Stage{state.StageDone}, other: state.StageDone, deleted: true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			st, err := s3.NewLocal(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range files {
				if err := st.Put(ctx, f, []byte("x")); err != nil {
					t.Fatal(err)
				}
			}
			mem := state.NewMem("test")
			var obs eventLog
			r := &run{cfg: Config{
				Spec: &lang.Config{Repositories: map[string]*lang.Repository{
					"bk": {Name: "bk", Storage: "repo", Path: "backups", Cleanup: tc.cleanup},
				}},
				State: mem, Storages: map[string]s3.Storage{"repo": st}, Observer: &obs,
			}, now: time.Now}
			tcg := &planner.TableChange{Source: planner.TableAddr{DB: "shop", Table: "orders"}, Repository: "bk"}
			bt := &backupBatch{snap: snap}
			put := &state.Batch{}
			record := func(p string, stage state.Stage) *state.PartitionRecord {
				status := state.StatusOK
				if stage != state.StageDone {
					status = state.StatusFailed
				}
				rec := &state.PartitionRecord{Table: "shop.orders", Partition: p, Stage: stage, Status: status,
					Snapshot: &state.SnapshotRecord{Name: snap, Repository: "bk", Outcome: "restored"}}
				put.PutPartitions = append(put.PutPartitions, rec)
				return rec
			}
			for i, stage := range tc.batch {
				bt.parts = append(bt.parts, &part{rec: record("p"+string(rune('1'+i)), stage)})
			}
			if tc.other != "" {
				record("p9", tc.other)
			}
			if err := mem.Write(ctx, put); err != nil {
				t.Fatal(err)
			}
			(&backupRun{r: r}).cleanup(ctx, tcg, bt)

			objs, err := st.List(ctx, "")
			if err != nil {
				t.Fatal(err)
			}
			var left []string
			for _, o := range objs {
				left = append(left, o.Key)
			}
			want := files
			if tc.deleted {
				want = []string{files[0], files[1], files[4]}
			}
			if diff := cmp.Diff(want, left); diff != "" {
				t.Errorf("repository files (-want +got):\n%s", diff)
			}
			snapState, err := mem.Read(ctx)
			if err != nil {
				t.Fatal(err)
			}
			wantOutcome := "restored"
			if tc.deleted {
				wantOutcome = SnapshotOutcomeCleaned
			}
			for k, rec := range snapState.Partitions {
				if rec.Snapshot.Outcome != wantOutcome {
					t.Errorf("%v: outcome %q, want %q", k, rec.Snapshot.Outcome, wantOutcome)
				}
			}
			var events []SnapshotCleaned
			for _, e := range obs.all() {
				if c, ok := e.(SnapshotCleaned); ok {
					c.At = At{}
					events = append(events, c)
				}
			}
			var wantEvents []SnapshotCleaned
			if tc.deleted {
				wantEvents = []SnapshotCleaned{{Table: tcg.Source, Snapshot: snap, Repository: "bk", Files: len(snapFiles)}}
			}
			if diff := cmp.Diff(wantEvents, events); diff != "" {
				t.Errorf("events (-want +got):\n%s", diff)
			}
		})
	}
}

// eventLog is an Observer keeping every event.
type eventLog struct {
	mu     sync.Mutex
	events []Event
}

func (l *eventLog) Event(e Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, e)
}

func (l *eventLog) all() []Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]Event(nil), l.events...)
}
