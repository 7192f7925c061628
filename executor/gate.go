package executor

import (
	"context"
	"sync"
)

// gate is a semaphore whose size changes while it is in use (throttle
// windows) and that can be held shut with a reason (health rules). Slots
// already taken are never revoked: running jobs are not killed by a
// throttle. Waiters are served in arrival order.
type gate struct {
	mu      sync.Mutex
	limit   int
	inUse   int
	hold    string
	waiters []chan struct{}
}

func newGate(limit int) *gate { return &gate{limit: limit} }

// acquire blocks until a slot is free and the gate is not held, or ctx ends.
func (g *gate) acquire(ctx context.Context) error {
	g.mu.Lock()
	if len(g.waiters) == 0 && g.open() {
		g.inUse++
		g.mu.Unlock()
		return nil
	}
	ch := make(chan struct{})
	g.waiters = append(g.waiters, ch)
	g.mu.Unlock()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		g.mu.Lock()
		defer g.mu.Unlock()
		for i, w := range g.waiters {
			if w == ch {
				g.waiters = append(g.waiters[:i], g.waiters[i+1:]...)
				return ctx.Err()
			}
		}
		// The slot was granted while ctx ended: give it back.
		g.inUse--
		g.wakeLocked()
		return ctx.Err()
	}
}

func (g *gate) open() bool { return g.hold == "" && g.inUse < g.limit }

// release frees a slot.
func (g *gate) release() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.inUse--
	g.wakeLocked()
}

// set changes the size and the hold reason ("" = not held).
func (g *gate) set(limit int, hold string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.limit, g.hold = limit, hold
	g.wakeLocked()
}

func (g *gate) wakeLocked() {
	for len(g.waiters) > 0 && g.open() {
		ch := g.waiters[0]
		g.waiters = g.waiters[1:]
		g.inUse++
		close(ch)
	}
}

// stats returns the slots in use, the size and the number of waiters.
func (g *gate) stats() (inUse, limit, waiting int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.inUse, g.limit, len(g.waiters)
}
