package state_test

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/srplan/srplan/state"
)

// deadPID returns the PID of a process that has exited and been reaped.
func deadPID(t *testing.T) int {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	if err := cmd.Run(); err != nil {
		t.Fatalf("run a short-lived process: %v", err)
	}
	return cmd.Process.Pid
}

func hostname(t *testing.T) string {
	t.Helper()
	h, err := os.Hostname()
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestBoltLockTakeover(t *testing.T) {
	t.Parallel()
	host := hostname(t)
	dead := deadPID(t)
	tests := map[string]struct {
		holder   state.LockInfo
		takeover bool
	}{
		"dead pid on this host":  {state.LockInfo{PID: dead, Host: host, Operation: "apply"}, true},
		"dead pid on other host": {state.LockInfo{PID: dead, Host: host + "-other", Operation: "apply"}, false},
		"live pid on this host":  {state.LockInfo{PID: os.Getpid(), Host: host, Operation: "apply"}, false},
		"unknown host":           {state.LockInfo{PID: dead, Operation: "apply"}, false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			b := openBolt(t, filepath.Join(t.TempDir(), "state.db"), state.BoltOptions{Create: true})
			old := tc.holder
			oldID, err := b.Lock(t.Context(), &old)
			if err != nil {
				t.Fatal(err)
			}
			next := state.NewLockInfo("plan", testVersion)
			id, err := b.Lock(t.Context(), next)
			h, herr := b.Holder(t.Context())
			if herr != nil {
				t.Fatal(herr)
			}
			if !tc.takeover {
				if le, ok := errors.AsType[*state.LockError](err); !ok || le.Holder.ID != oldID {
					t.Fatalf("Lock = %q, %v; want a *LockError naming %s", id, err, oldID)
				}
				if h.ID != oldID {
					t.Errorf("holder is %s, want %s still", h.ID, oldID)
				}
				return
			}
			if err != nil {
				t.Fatalf("Lock over a dead holder: %v", err)
			}
			if diff := cmp.Diff(next, h); diff != "" {
				t.Errorf("holder after takeover (-want +got):\n%s", diff)
			}
			if got := readSidecar(t, b.Path()); got == nil || got.ID != id {
				t.Errorf("sidecar names %v, want %s", got, id)
			}
		})
	}
}

// readSidecar returns the holder in the sidecar of path, or nil if none.
func readSidecar(t *testing.T, path string) *state.LockInfo {
	t.Helper()
	raw, err := os.ReadFile(path + ".lock.json")
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	h := new(state.LockInfo)
	if err := json.Unmarshal(raw, h); err != nil {
		t.Fatalf("sidecar: %v", err)
	}
	return h
}

func TestBoltLockSidecar(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "state.db")
	b := openBolt(t, path, state.BoltOptions{Create: true})
	if h, err := b.Holder(t.Context()); err != nil || h != nil {
		t.Fatalf("Holder of a new state = %v, %v; want nil", h, err)
	}
	info := state.NewLockInfo("apply", testVersion)
	id, err := b.Lock(t.Context(), info)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(info, readSidecar(t, path)); diff != "" {
		t.Errorf("sidecar (-want +got):\n%s", diff)
	}
	if fi, err := os.Stat(path + ".lock.json"); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("sidecar mode = %v, %v; want 0600", fi.Mode(), err)
	}
	if h, err := b.Holder(t.Context()); err != nil || !cmp.Equal(info, h) {
		t.Errorf("Holder = %v, %v; want %v", h, err, info)
	}

	err = b.Unlock(t.Context(), "not-"+id)
	if err == nil || !strings.Contains(err.Error(), "lock ID mismatch: held by ID "+id) {
		t.Errorf("Unlock with a wrong ID = %v, want a lock ID mismatch naming %s", err, id)
	}
	if err := b.Unlock(t.Context(), id); err != nil {
		t.Fatal(err)
	}
	if h := readSidecar(t, path); h != nil {
		t.Errorf("sidecar remains after Unlock: %v", h)
	}
	if h, err := b.Holder(t.Context()); err != nil || h != nil {
		t.Errorf("Holder after Unlock = %v, %v; want nil", h, err)
	}
}

func TestOpenBoltInUse(t *testing.T) {
	t.Parallel()
	const wait = 200 * time.Millisecond
	tests := map[string]struct {
		// setup prepares the first open, which stays open.
		setup func(t *testing.T, b *state.Bolt) *state.LockInfo
	}{
		"locked": {func(t *testing.T, b *state.Bolt) *state.LockInfo {
			info := state.NewLockInfo("apply", testVersion)
			if _, err := b.Lock(t.Context(), info); err != nil {
				t.Fatal(err)
			}
			return info
		}},
		"open without lock": {func(t *testing.T, b *state.Bolt) *state.LockInfo { return nil }},
		"sidecar of a dead holder": {func(t *testing.T, b *state.Bolt) *state.LockInfo {
			h, _ := json.Marshal(&state.LockInfo{ID: "0abc", PID: deadPID(t), Host: hostname(t)})
			writeFile(t, b.Path()+".lock.json", string(h))
			return nil
		}},
		"unreadable sidecar": {func(t *testing.T, b *state.Bolt) *state.LockInfo {
			writeFile(t, b.Path()+".lock.json", "{")
			return nil
		}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "state.db")
			first := openBolt(t, path, state.BoltOptions{Create: true})
			want := tc.setup(t, first)

			// bbolt's file lock is per open file, so a second open in
			// this process waits like another process would.
			b, err := state.OpenBolt(path, state.BoltOptions{SrplanVersion: testVersion, Timeout: wait})
			if err == nil {
				_ = b.Close()
				t.Fatal("second OpenBolt succeeded")
			}
			le, ok := errors.AsType[*state.LockError](err)
			if !ok {
				t.Fatalf("second OpenBolt = %v, want *LockError", err)
			}
			if diff := cmp.Diff(want, le.Holder); diff != "" {
				t.Errorf("LockError.Holder (-want +got):\n%s", diff)
			}
			inUse := "state file " + path + " is in use by another srplan process (waited 200ms)"
			if le.Err == nil || le.Err.Error() != inUse {
				t.Errorf("LockError.Err = %v, want %q", le.Err, inUse)
			}
			if want == nil && !strings.Contains(err.Error(), inUse) {
				t.Errorf("error %q does not say %q", err, inUse)
			}
		})
	}
}
