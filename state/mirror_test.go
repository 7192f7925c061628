package state_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/srplan/srplan/state"
	"github.com/srplan/srplan/state/statetest"
)

// TestMirrorConformance: a Mirror over two stores behaves as a store.
func TestMirrorConformance(t *testing.T) {
	t.Parallel()
	statetest.Run(t, func(t *testing.T) statetest.Backend {
		primary := state.NewMem(testVersion)
		local := openBolt(t, filepath.Join(t.TempDir(), "state.db"), state.BoltOptions{Create: true})
		m := state.NewMirror(primary, local, func(err error) { t.Errorf("mirror warning: %v", err) })
		return struct {
			*state.Mirror
			state.Locker
		}{m, primary}
	})
}

// failingStore is a store whose writes fail.
type failingStore struct {
	*state.Mem
	err error
}

func (f failingStore) Write(context.Context, *state.Batch) error { return f.err }

func TestMirrorWrite(t *testing.T) {
	ctx := t.Context()
	batch := &state.Batch{PutPartitions: []*state.PartitionRecord{mergePart("db.a", "p1", state.StageDone)}}
	t.Run("copies into local", func(t *testing.T) {
		primary, local := state.NewMem(testVersion), state.NewMem(testVersion)
		m := state.NewMirror(primary, local, func(err error) { t.Errorf("warning: %v", err) })
		if err := m.Write(ctx, batch); err != nil {
			t.Fatalf("Write: %v", err)
		}
		p, _ := primary.Read(ctx)
		l, _ := local.Read(ctx)
		if d := state.Compare(p, l); !d.Empty() || p.Meta.Serial != 1 || len(p.Partitions) != 1 {
			t.Errorf("after Write: primary serial %d with %d partitions, local differs in %s", p.Meta.Serial, len(p.Partitions), d)
		}
	})
	t.Run("primary failure writes nothing", func(t *testing.T) {
		boom := errors.New("boom")
		local := state.NewMem(testVersion)
		m := state.NewMirror(failingStore{state.NewMem(testVersion), boom}, local, nil)
		if err := m.Write(ctx, batch); !errors.Is(err, boom) {
			t.Fatalf("Write = %v, want the primary's error", err)
		}
		if l, _ := local.Read(ctx); l.Meta.Serial != 0 {
			t.Errorf("local serial %d after a failed primary write, want 0", l.Meta.Serial)
		}
	})
	t.Run("local failure is a warning", func(t *testing.T) {
		primary := state.NewMem(testVersion)
		var warnings []string
		m := state.NewMirror(primary, failingStore{state.NewMem(testVersion), errors.New("disk full")}, func(err error) { warnings = append(warnings, err.Error()) })
		if err := m.Write(ctx, batch); err != nil {
			t.Fatalf("Write = %v, want success (the primary has it)", err)
		}
		if len(warnings) != 1 || !strings.Contains(warnings[0], "disk full") {
			t.Errorf("warnings = %q, want one naming the local failure", warnings)
		}
		if p, _ := primary.Read(ctx); p.Meta.Serial != 1 {
			t.Errorf("primary serial %d, want 1", p.Meta.Serial)
		}
	})
	t.Run("cancelled after the primary still copies", func(t *testing.T) {
		primary, local := state.NewMem(testVersion), state.NewMem(testVersion)
		cctx, cancel := context.WithCancel(ctx)
		m := state.NewMirror(cancelAfterWrite{primary, cancel}, local, func(err error) { t.Errorf("warning: %v", err) })
		if err := m.Write(cctx, batch); err != nil {
			t.Fatalf("Write: %v", err)
		}
		if l, _ := local.Read(ctx); len(l.Partitions) != 1 {
			t.Errorf("local holds %d partitions, want 1", len(l.Partitions))
		}
	})
	t.Run("nil local", func(t *testing.T) {
		primary := state.NewMem(testVersion)
		m := state.NewMirror(primary, nil, nil)
		if err := m.Write(ctx, batch); err != nil {
			t.Fatalf("Write: %v", err)
		}
		if r, err := m.Reconcile(ctx); err != nil || r.Divergence != nil || len(r.Primary.Partitions) != 1 {
			t.Errorf("Reconcile = %+v, %v; want the primary's snapshot and no divergence", r, err)
		}
		if err := m.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
}

// cancelAfterWrite cancels the caller's context once its write committed.
type cancelAfterWrite struct {
	*state.Mem
	cancel context.CancelFunc
}

func (c cancelAfterWrite) Write(ctx context.Context, b *state.Batch) error {
	err := c.Mem.Write(ctx, b)
	c.cancel()
	return err
}

func TestMirrorReconcile(t *testing.T) {
	ctx := t.Context()
	primary, local := state.NewMem(testVersion), state.NewMem(testVersion)
	if err := primary.Write(ctx, &state.Batch{PutPartitions: []*state.PartitionRecord{
		mergePart("db.a", "p1", state.StageDone), mergePart("db.a", "p2", state.StageDone),
	}}); err != nil {
		t.Fatal(err)
	}
	if err := local.Write(ctx, &state.Batch{PutPartitions: []*state.PartitionRecord{
		mergePart("db.a", "p1", state.StageDone), mergePart("db.a", "p3", state.StageLoading),
	}}); err != nil {
		t.Fatal(err)
	}
	m := state.NewMirror(primary, local, func(err error) { t.Errorf("warning: %v", err) })
	r, err := m.Reconcile(ctx)
	if err != nil {
		t.Fatalf("Reconcile: %v", err)
	}
	want := []state.PartitionKey{{Table: "db.a", Partition: "p2"}, {Table: "db.a", Partition: "p3"}}
	if diff := cmp.Diff(want, r.Divergence.Partitions); diff != "" {
		t.Errorf("divergent partitions (-want +got):\n%s", diff)
	}
	if r.LocalMeta.Serial != 1 || r.Primary.Meta.Serial != 1 {
		t.Errorf("serials primary %d local %d, want 1 and 1 (before the refresh)", r.Primary.Meta.Serial, r.LocalMeta.Serial)
	}
	again, err := m.Reconcile(ctx)
	if err != nil {
		t.Fatalf("second Reconcile: %v", err)
	}
	if !again.Divergence.Empty() {
		t.Errorf("after a refresh the copy still differs in %s", again.Divergence)
	}
	if p, _ := primary.Read(ctx); p.Meta.Serial != 1 {
		t.Errorf("Reconcile wrote to the primary: serial %d, want 1", p.Meta.Serial)
	}
}
