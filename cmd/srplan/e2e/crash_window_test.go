package e2e

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/srplan/srplan/cmd/srplan/cli"
	simsr "github.com/srplan/srplan/sim/starrocks"
	"github.com/srplan/srplan/state"
)

// TestCrashBetweenLoadAndItsRecord covers the narrowest crash window, which
// a kill driven by progress events cannot hit on purpose: the target
// committed a load (REPLACE PARTITION of a temporary partition, the
// overwrite from a shadow table, or a first load that created an
// expression partition) but srplan died before recording it. The state is
// rewound to what it held then (stage loading, with the load's label),
// and the next apply must recognise the committed work by its labels:
// no load job, no duplicated row.
func TestCrashBetweenLoadAndItsRecord(t *testing.T) {
	t.Parallel()
	src := startSim(t, hostOptions{Version: "3.3.8", Mode: simsr.SharedNothing})
	dst := startSim(t, hostOptions{Version: "3.5.2", Mode: simsr.SharedData})
	seedShop(t, src, 50)
	w := newWorkspace(t, specOptions{src: src, dst: dst, methods: map[string]string{"shop.orders": "export"}})

	for _, round := range []string{"first copy", "recopy"} {
		t.Run(round, func(t *testing.T) {
			if round == "recopy" {
				next := nextOrderID(t, src)
				for i, d := range orderDays {
					addOrders(t, src, d, next+int64(i*10), 10)
				}
				upsertCustomers(t, src, 1, 60, " v2")
				for _, d := range eventDays {
					addEvents(t, src, d, 5)
				}
			}
			before := lastDone(t, w)
			w.mustRun(t, "apply", "-auto-approve")
			rewindToLoading(t, w, before)
			if got := w.plan(t); len(got) != 6 {
				t.Fatalf("plan after the rewind lists %v, want all 6 partitions to resume", got)
			}
			bd := dst.ctl.counters(t)
			w.mustRun(t, "apply", "-auto-approve")
			if d := counterDelta(bd, dst.ctl.counters(t)); len(d) != 0 {
				t.Errorf("the apply after the crash submitted jobs on the target: %v", d)
			}
			w.assertAllDone(t, partitionsPerTable(t, src))
			assertSameData(t, src, dst, allTables...)
		})
	}
}

// lastDone returns each partition record's LastDone, as the state holds it
// before an apply.
func lastDone(t *testing.T, w *workspace) map[state.PartitionKey]*state.Fingerprint {
	t.Helper()
	out := map[state.PartitionKey]*state.Fingerprint{}
	b, err := state.OpenBolt(filepath.Join(w.dir, ".srplan", "state.db"), state.BoltOptions{SrplanVersion: cli.Version, ReadOnly: true})
	if errors.Is(err, state.ErrNoState) {
		return out
	}
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	snap, err := b.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for k, r := range snap.Partitions {
		out[k] = r.LastDone
	}
	return out
}

// rewindToLoading rewrites every partition record as srplan wrote it just
// before submitting its last load: stage loading, running, the same label
// and manifest, not verified, and the LastDone it had before the apply.
func rewindToLoading(t *testing.T, w *workspace, before map[state.PartitionKey]*state.Fingerprint) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	b, err := state.OpenBolt(filepath.Join(w.dir, ".srplan", "state.db"), state.BoltOptions{SrplanVersion: cli.Version})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	snap, err := b.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	batch := &state.Batch{}
	for k, r := range snap.Partitions {
		if !r.Done() || len(r.Labels) == 0 {
			t.Fatalf("record %v is not a finished load: %+v", k, r)
		}
		r.Stage, r.Status, r.LastError = state.StageLoading, state.StatusRunning, ""
		r.VerifySource, r.VerifyTarget, r.LastDone = nil, nil, before[k]
		batch.PutPartitions = append(batch.PutPartitions, r)
	}
	if err := b.Write(ctx, batch); err != nil {
		t.Fatal(err)
	}
}
