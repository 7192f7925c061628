package cli

import (
	"context"
	"errors"
	"fmt"
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
