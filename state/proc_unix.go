//go:build unix

package state

import (
	"errors"
	"syscall"
)

// processAlive reports whether a process with pid exists on this host. A
// process that exists but belongs to another user counts as alive; only a
// definite "no such process" counts as dead. A pid below 1 is unknown and
// counts as alive, so a lock naming it is never taken over.
func processAlive(pid int) bool {
	if pid < 1 {
		return true
	}
	err := syscall.Kill(pid, 0)
	return !errors.Is(err, syscall.ESRCH)
}
