package statetest

import (
	"errors"
	"os"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/srplan/srplan/state"
)

// holder describes this test process as a lock holder. It is alive and on
// this host, so no backend may take its lock over.
func holder(t *testing.T, operation string) *state.LockInfo {
	t.Helper()
	host, err := os.Hostname()
	if err != nil {
		t.Fatalf("hostname: %v", err)
	}
	return &state.LockInfo{
		Who:       "tester@" + host,
		PID:       os.Getpid(),
		Host:      host,
		Operation: operation,
		Created:   at,
		Version:   "0.0.0-test",
	}
}

func lock(t *testing.T, b Backend, info *state.LockInfo) string {
	t.Helper()
	id, err := b.Lock(t.Context(), info)
	if err != nil {
		t.Fatalf("Lock: %v", err)
	}
	if id == "" || info.ID != id {
		t.Fatalf("Lock returned ID %q and set info.ID %q; want the same, non-empty", id, info.ID)
	}
	return id
}

// wantLocked asserts that Lock fails with a *LockError naming first.
func wantLocked(t *testing.T, b Backend, first *state.LockInfo) {
	t.Helper()
	id, err := b.Lock(t.Context(), holder(t, "plan"))
	le, ok := errors.AsType[*state.LockError](err)
	if !ok {
		t.Fatalf("second Lock = %q, %v; want a *LockError", id, err)
	}
	if diff := cmp.Diff(first, le.Holder); diff != "" {
		t.Errorf("LockError.Holder (-want +got):\n%s", diff)
	}
}

func testLockHeld(t *testing.T, b Backend) {
	first := holder(t, "apply")
	lock(t, b, first)
	wantLocked(t, b, first)
}

func testUnlockWrongID(t *testing.T, b Backend) {
	first := holder(t, "apply")
	id := lock(t, b, first)
	if err := b.Unlock(t.Context(), id+"0"); err == nil {
		t.Fatal("Unlock with a wrong ID succeeded")
	}
	wantLocked(t, b, first)
}

func testUnlockThenLock(t *testing.T, b Backend) {
	id := lock(t, b, holder(t, "apply"))
	if err := b.Unlock(t.Context(), id); err != nil {
		t.Fatalf("Unlock: %v", err)
	}
	second := holder(t, "plan")
	if id2 := lock(t, b, second); id2 == id {
		t.Errorf("Lock after Unlock reused ID %q", id)
	}
	wantLocked(t, b, second)
}

func testUnlockNotLocked(t *testing.T, b Backend) {
	if err := b.Unlock(t.Context(), "0123456789abcdef"); err == nil {
		t.Fatal("Unlock of an unlocked state succeeded")
	}
	id := lock(t, b, holder(t, "apply"))
	if err := b.Unlock(t.Context(), id); err != nil {
		t.Fatalf("Unlock: %v", err)
	}
	if err := b.Unlock(t.Context(), id); err == nil {
		t.Fatal("second Unlock with the same ID succeeded")
	}
}

func testLockFillsCreated(t *testing.T, b Backend) {
	info := holder(t, "apply")
	info.Created = time.Time{}
	before := time.Now().Add(-time.Second)
	lock(t, b, info)
	if info.Created.Before(before) {
		t.Fatalf("Created = %v, want it filled with the time of Lock", info.Created)
	}
	wantLocked(t, b, info)
}
