package cli

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/srplan/srplan/lang"
	"github.com/srplan/srplan/state"
)

// stateHandle is an open, locked state.
type stateHandle struct {
	store   state.Store
	locker  state.Locker
	lockID  string
	release func()
}

// openState opens the spec's state (or override, a bbolt path) and takes
// the lock for op, waiting up to timeout for another holder. release
// unlocks and closes.
func (e *env) openState(cfg *lang.Config, override, op string, timeout time.Duration) (*stateHandle, error) {
	path := override
	if path == "" && cfg != nil && cfg.State != nil {
		path = cfg.State.Path
	}
	if path == "" {
		return nil, errors.New("no state path: add a state block to the spec or pass -state PATH")
	}
	if override == "" && cfg != nil && cfg.State != nil && cfg.State.DynamoDB != nil {
		// Refuse rather than silently use only the local file: workers on
		// other hosts would not see this one's progress or lock.
		return nil, errors.New("the spec's state block configures dynamodb, which this build of srplan cannot use yet; " +
			"remove the dynamodb block to use the local state file only (and run a single apply at a time)")
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
