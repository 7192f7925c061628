package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/srplan/srplan/executor"
	"github.com/srplan/srplan/planner"
	"github.com/srplan/srplan/state"
)

func TestStatusFromState(t *testing.T) {
	path := seedState(t)
	b, err := state.OpenBolt(path, state.BoltOptions{SrplanVersion: Version})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Write(context.Background(), &state.Batch{PutPartitions: []*state.PartitionRecord{{
		Table: "sales.orders", Partition: "p3", Stage: state.StageLoading, Status: state.StatusFailed, Attempts: 5,
		LastError: "Access denied; you need the LOAD privilege"}}}); err != nil {
		t.Fatal(err)
	}
	b.Close()
	r := srplan(t, "", nil, "status", "-state", path)
	want := "sales.orders: 2 done, 0 in progress, 1 failed\n  ! p3 failed at loading after 5 attempt(s): Access denied; you need the LOAD privilege\n"
	if r.code != ExitOK || r.stdout != want {
		t.Errorf("status: %d\n%q\nwant %q\n%s", r.code, r.stdout, want, r.stderr)
	}
	r = srplan(t, "", nil, "status", "-json", "-state", path)
	if r.code != ExitOK || !strings.Contains(r.stdout, `"failed": 1`) {
		t.Errorf("status -json: %d %s", r.code, r.stdout)
	}
	r = srplan(t, "", nil, "status", "-state", filepath.Join(t.TempDir(), "none.db"))
	if r.code != ExitOK || !strings.Contains(r.stdout, "Nothing recorded yet") {
		t.Errorf("status without state: %d %q %q", r.code, r.stdout, r.stderr)
	}
}

func TestStatusShowsALiveApply(t *testing.T) {
	path := seedState(t)
	// The "apply": holds the state file open and publishes progress.
	b, err := state.OpenBolt(path, state.BoltOptions{SrplanVersion: Version})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	lw := newLiveWriter(path)
	now := time.Now()
	addr := planner.PartitionAddr{Table: planner.TableAddr{DB: "sales", Table: "orders"}, Partition: "p9"}
	lw.Event(executor.Started{At: executor.At{Time: now}, Partitions: 3})
	lw.Event(executor.Throttled{At: executor.At{Time: now}, Limits: executor.Limits{Exports: 4, Loads: 4}, Reason: "target node n1 CPU 95.0% > target_max_cpu_pct 70"})
	lw.Event(executor.StageStarted{At: executor.At{Time: now}, Addr: addr, Stage: state.StageLoading})
	lw.Event(executor.Finished{At: executor.At{Time: now}}) // flushes; a real run keeps going
	r := srplan(t, "", nil, "status", "-state", path, "-lock-timeout", "200ms")
	for _, want := range []string{"apply running (pid ", "0 of 3 partitions done", "holding new work: target node n1 CPU 95.0%", "sales.orders/p9: loading"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("live status lacks %q:\n%s%s", want, r.stdout, r.stderr)
		}
	}
	if st, err := os.Stat(livePath(path)); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("progress file: %v %v", st, err)
	}
}
