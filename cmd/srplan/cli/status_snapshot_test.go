package cli

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/srplan/srplan/state"
)

// seedBackupState writes a state with three method "backup" partitions of
// shop.orders: p1 and p2 restored from one snapshot, p3 failed in the
// backup of another.
func seedBackupState(t *testing.T) (string, map[string]*state.SnapshotRecord) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "state.db")
	b, err := state.OpenBolt(path, state.BoltOptions{SrplanVersion: Version, Create: true})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	restored := state.SnapshotRecord{Name: "srplan_orders_1a2b", Repository: "bk", Timestamp: "2026-11-21-11-59-58-120",
		BackupJobID: "10021", RestoreJobID: "20042", RestoreInto: "shop.orders", Outcome: "restored"}
	snaps := map[string]*state.SnapshotRecord{
		"p1": &restored,
		"p2": new(restored),
		"p3": {Name: "srplan_orders_3c4d", Repository: "bk", Outcome: "backup job CANCELLED: out of disk"},
	}
	batch := &state.Batch{}
	for _, p := range []string{"p1", "p2", "p3"} {
		stage, status := state.StageDone, state.StatusOK
		if p == "p3" {
			stage, status = state.StageExporting, state.StatusFailed
		}
		batch.PutPartitions = append(batch.PutPartitions, &state.PartitionRecord{
			Table: "shop.orders", Partition: p, Method: "backup", Stage: stage, Status: status,
			Jobs: []string{snaps[p].Name}, Snapshot: snaps[p], CreatedAt: now, UpdatedAt: now,
		})
	}
	batch.PutPartitions[2].LastError = "backup shop.orders snapshot srplan_orders_3c4d: out of disk"
	if err := b.Write(context.Background(), batch); err != nil {
		t.Fatal(err)
	}
	return path, snaps
}

func TestStatusShowsSnapshots(t *testing.T) {
	path, snaps := seedBackupState(t)
	r := srplan(t, "", nil, "status", "-state", path)
	want := `shop.orders: 2 done, 0 in progress, 1 failed
  ! p3 failed at exporting after 0 attempt(s): backup shop.orders snapshot srplan_orders_3c4d: out of disk
  snapshot srplan_orders_1a2b in repository bk (timestamp 2026-11-21-11-59-58-120, backup job 10021, restore job 20042, restored into shop.orders): restored: p1, p2
  snapshot srplan_orders_3c4d in repository bk: backup job CANCELLED: out of disk: p3
`
	if r.code != ExitOK {
		t.Fatalf("status: exit %d\n%s", r.code, r.stderr)
	}
	if diff := cmp.Diff(want, r.stdout); diff != "" {
		t.Errorf("status (-want +got):\n%s", diff)
	}

	r = srplan(t, "", nil, "status", "-json", "-state", path)
	var doc struct {
		Tables []struct {
			Table     string `json:"table"`
			Snapshots []struct {
				state.SnapshotRecord
				Partitions []string `json:"partitions"`
			} `json:"snapshots"`
		} `json:"tables"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || len(doc.Tables) != 1 {
		t.Fatalf("status -json: %v\n%s", err, r.stdout)
	}
	type entry struct {
		Snapshot   state.SnapshotRecord
		Partitions []string
	}
	var got []entry
	for _, s := range doc.Tables[0].Snapshots {
		got = append(got, entry{s.SnapshotRecord, s.Partitions})
	}
	wantJSON := []entry{{*snaps["p1"], []string{"p1", "p2"}}, {*snaps["p3"], []string{"p3"}}}
	if diff := cmp.Diff(wantJSON, got); diff != "" {
		t.Errorf("status -json snapshots (-want +got):\n%s", diff)
	}
	for _, key := range []string{`"name": "srplan_orders_1a2b"`, `"backup_job_id": "10021"`, `"restore_job_id": "20042"`, `"timestamp": "2026-11-21-11-59-58-120"`} {
		if !strings.Contains(r.stdout, key) {
			t.Errorf("status -json lacks %s:\n%s", key, r.stdout)
		}
	}
}

func TestStatusWithoutSnapshots(t *testing.T) {
	r := srplan(t, "", nil, "status", "-json", "-state", seedState(t))
	if r.code != ExitOK || strings.Contains(r.stdout, "snapshots") {
		t.Errorf("status -json of an export-method state shows snapshots: %d\n%s", r.code, r.stdout)
	}
}

func TestStateShowShowsSnapshot(t *testing.T) {
	path, snaps := seedBackupState(t)
	tests := map[string]struct {
		addr string
		want string
	}{
		"restored": {"shop.orders/p1", "  snapshot     srplan_orders_1a2b in repository bk (timestamp 2026-11-21-11-59-58-120, backup job 10021, restore job 20042, restored into shop.orders): restored\n"},
		"failed":   {"shop.orders/p3", "  snapshot     srplan_orders_3c4d in repository bk: backup job CANCELLED: out of disk\n"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			r := srplan(t, "", nil, "state", "show", "-state", path, tc.addr)
			if r.code != ExitOK || !strings.Contains(r.stdout, tc.want) {
				t.Errorf("state show %s: exit %d, want a line %q in:\n%s%s", tc.addr, r.code, tc.want, r.stdout, r.stderr)
			}
		})
	}
	r := srplan(t, "", nil, "state", "show", "-json", "-state", path, "shop.orders/p1")
	var doc struct {
		Partitions []*state.PartitionRecord `json:"partitions"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || len(doc.Partitions) != 1 {
		t.Fatalf("state show -json: %v\n%s", err, r.stdout)
	}
	if diff := cmp.Diff(snaps["p1"], doc.Partitions[0].Snapshot); diff != "" {
		t.Errorf("state show -json snapshot (-want +got):\n%s", diff)
	}
}
