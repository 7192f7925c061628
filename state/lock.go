package state

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/user"
	"strconv"
	"time"
)

// errLockHeld is the cause carried by the *LockError a Locker returns when
// another holder has the lock.
var errLockHeld = errors.New("the lock is held by another srplan process")

// NewLockInfo describes the calling process as a lock holder for operation
// ("apply", "plan", ...): Who is "user@host", PID and Host are this
// process's, Created is now and Version is srplanVersion. ID is left empty;
// Lock assigns it.
func NewLockInfo(operation, srplanVersion string) *LockInfo {
	host, _ := os.Hostname() // an unknown host never passes as this host, so no lock is ever taken over from it
	name := strconv.Itoa(os.Getuid())
	if u, err := user.Current(); err == nil && u.Username != "" {
		name = u.Username
	}
	return &LockInfo{
		Who:       name + "@" + host,
		PID:       os.Getpid(),
		Host:      host,
		Operation: operation,
		Created:   now(),
		Version:   srplanVersion,
	}
}

// LockWithContext takes l's lock for info, retrying while another holder has
// it: the first retry waits 100ms and every further wait doubles, capped at
// 2s, until timeout has passed since the call. It returns the lock ID, or
// the last *LockError when the lock is still held at the deadline. A
// timeout of zero or less makes a single attempt. Errors other than
// *LockError are returned at once; a cancelled ctx returns its error.
func LockWithContext(ctx context.Context, l Locker, info *LockInfo, timeout time.Duration) (string, error) {
	const (
		firstDelay = 100 * time.Millisecond
		maxDelay   = 2 * time.Second
	)
	deadline := time.Now().Add(timeout)
	delay := firstDelay
	for {
		id, err := l.Lock(ctx, info)
		if err == nil {
			return id, nil
		}
		if _, held := errors.AsType[*LockError](err); !held {
			return "", err
		}
		left := time.Until(deadline)
		if left <= 0 {
			return "", err
		}
		t := time.NewTimer(min(delay, left))
		select {
		case <-ctx.Done():
			t.Stop()
			return "", fmt.Errorf("state: wait for lock: %w", ctx.Err())
		case <-t.C:
		}
		delay = min(2*delay, maxDelay)
	}
}

// newLockID returns a random lock ID of 32 hex digits.
func newLockID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return hex.EncodeToString(b[:])
}

// newLineage returns a random lineage in the 8-4-4-4-12 hex form.
func newLineage() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return formatLineage(b)
}

func formatLineage(b [16]byte) string {
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// now is the current time in UTC without a monotonic reading, as stored
// times read back.
func now() time.Time { return time.Now().UTC() }
