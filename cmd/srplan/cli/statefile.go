package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"github.com/srplan/srplan/lang"
	"github.com/srplan/srplan/state"
)

// stateHandle is an open state, locked unless it was opened for a loader.
type stateHandle struct {
	store state.Store
	// locker and lockID are the lock taken; lockID is empty when no lock
	// was taken (apply -role loader).
	locker  state.Locker
	lockID  string
	release func()
	// claims hands out partition claims; nil without a dynamodb block.
	claims state.Claimer
	// shared reports that the state is the DynamoDB one (store writes to
	// DynamoDB and mirrors into the local file).
	shared bool
	// missing reports that the local state file did not exist: store is an
	// empty in-memory state, nothing is locked and nothing was created.
	// Commands that write call materialize first; the others read the
	// empty state, so a plan or a failed apply leaves no file behind.
	missing bool
	// path, op and timeout are what materialize opens and locks with.
	path    string
	op      string
	timeout time.Duration
}

// errNoState says that a command needs recorded state and there is none.
func errNoState(path string) error {
	return fmt.Errorf("there is no state file at %s: nothing has been applied with this state yet, or the path is wrong "+
		"(check the spec's state block or -state)", path)
}

// materialize creates and locks the state file of a handle whose file was
// missing when it was opened (a no-op otherwise). It refuses when another
// process created the file and recorded something in the meantime: the
// plan was made for an empty state.
func (e *env) materialize(h *stateHandle) error {
	if !h.missing {
		return nil
	}
	b, err := state.OpenBolt(h.path, state.BoltOptions{Timeout: max(h.timeout, state.DefaultBoltTimeout), SrplanVersion: Version, Create: true})
	if err != nil {
		return err
	}
	id, err := state.LockWithContext(e.ctx, b, state.NewLockInfo(h.op, Version), h.timeout)
	if err != nil {
		b.Close()
		return err
	}
	release := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := b.Unlock(ctx, id); err != nil {
			fmt.Fprintf(e.stderr, "Warning: could not release the state lock %s: %v\n", id, err)
		}
		b.Close()
	}
	snap, err := b.Read(e.ctx)
	if err == nil && snap.Meta.Serial != 0 {
		err = fmt.Errorf("the state file %s was created by another srplan process while this one was planning; run the command again", h.path)
	}
	if err != nil {
		release()
		return err
	}
	h.store, h.locker, h.lockID, h.release, h.missing = b, b, id, release, false
	return nil
}

// Apply roles accepted by openStateForRole.
const (
	roleAll      = "all"
	roleExporter = "exporter"
	roleLoader   = "loader"
)

// openStateForRole opens the state for an apply in role: "all" and
// "exporter" take the exclusive state lock as openState does; "loader"
// takes no lock (loaders coordinate through h.claims) and requires the
// spec's state block to configure dynamodb, since only the shared state
// reaches workers on other hosts. override (a bbolt path) is refused for
// loaders.
func (e *env) openStateForRole(cfg *lang.Config, override, role string, timeout time.Duration) (*stateHandle, error) {
	switch role {
	case roleAll, "":
		return e.openState(cfg, override, "apply", timeout)
	case roleExporter:
		return e.openState(cfg, override, "apply (exporter)", timeout)
	case roleLoader:
		ddb := sharedState(cfg)
		if ddb == nil || override != "" {
			return nil, errors.New("apply -role loader needs the shared state: add a dynamodb block to the spec's state block " +
				"(loaders on several hosts coordinate through its partition claims, which a local state file cannot offer), " +
				"or run a single apply with -role all")
		}
		return e.openShared(cfg, "apply (loader)", false, timeout)
	}
	return nil, fmt.Errorf("unknown apply role %q: want all, exporter or loader", role)
}

// sharedState returns the spec's dynamodb block, or nil.
func sharedState(cfg *lang.Config) *lang.DynamoDB {
	if cfg == nil || cfg.State == nil {
		return nil
	}
	return cfg.State.DynamoDB
}

// openState opens the spec's state (or override, a bbolt path) and takes
// the lock for op, waiting up to timeout for another holder. With a
// dynamodb block (and no override) that is the shared state: see
// openShared. release unlocks and closes.
func (e *env) openState(cfg *lang.Config, override, op string, timeout time.Duration) (*stateHandle, error) {
	if override == "" && sharedState(cfg) != nil {
		return e.openShared(cfg, op, true, timeout)
	}
	path := override
	if path == "" && cfg != nil && cfg.State != nil {
		path = cfg.State.Path
	}
	if path == "" {
		return nil, errors.New("no state path: add a state block to the spec or pass -state PATH")
	}
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return &stateHandle{store: state.NewMem(Version), release: func() {}, missing: true, path: path, op: op, timeout: timeout}, nil
	}
	b, err := state.OpenBolt(path, state.BoltOptions{Timeout: max(timeout, state.DefaultBoltTimeout), SrplanVersion: Version, Create: true})
	if err != nil {
		return nil, err
	}
	id, err := state.LockWithContext(e.ctx, b, state.NewLockInfo(op, Version), timeout)
	if err != nil {
		b.Close()
		return nil, err
	}
	h := &stateHandle{store: b, locker: b, lockID: id}
	h.release = func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := b.Unlock(ctx, id); err != nil {
			fmt.Fprintf(e.stderr, "Warning: could not release the state lock %s: %v\n", id, err)
		}
		b.Close()
	}
	return h, nil
}

// failState prints a state error with what to do about it.
func (e *env) failState(err error) int {
	if le, ok := errors.AsType[*state.LockError](err); ok {
		detail := err.Error()
		if le.Holder != nil {
			detail += fmt.Sprintf("\n\nWait for it to finish, or pass -lock-timeout to wait longer. If that process is gone for good, release the lock with:\n  srplan force-unlock %s", le.Holder.ID)
		}
		return e.fail("State is locked", errors.New(detail))
	}
	if _, ok := errors.AsType[*state.UnusableError](err); ok {
		return e.fail("State cannot be used", err)
	}
	return e.fail("State error", err)
}
