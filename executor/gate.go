package executor

import (
	"context"
	"sync"
)

// gate is a semaphore whose size changes while it is in use (throttle
// windows) and that can be held shut with a reason (health rules). Slots
// already taken are never revoked: running jobs are not killed by a
// throttle. Waiters are served by priority (lower first), then in arrival
// order, so the executor decides the order of work, not goroutine
// scheduling: exports start in the export order (exportOrder, revised by
// exportRanks), and the biggest exported partition gets the next load slot
// (loads are usually the bottleneck, and starting the longest last would
// leave the other slots idle at the end). A waiter's priority is read
// each time a slot frees, so it may change while it waits.
type gate struct {
	mu      sync.Mutex
	limit   int
	inUse   int
	hold    string
	seq     uint64
	waiters []*waiter
}

type waiter struct {
	rank func() int64
	seq  uint64
	ch   chan struct{}
}

func newGate(limit int) *gate { return &gate{limit: limit} }

// acquire blocks until a slot is free for this priority and the gate is
// not held, or ctx ends.
func (g *gate) acquire(ctx context.Context, prio int64) error {
	return g.acquireRanked(ctx, func() int64 { return prio })
}

// acquireRanked is acquire with a priority that rank reports whenever a
// slot frees (it may change while the caller waits; it must be cheap and
// must not call the gate).
func (g *gate) acquireRanked(ctx context.Context, rank func() int64) error {
	g.mu.Lock()
	if len(g.waiters) == 0 && g.open() {
		g.inUse++
		g.mu.Unlock()
		return nil
	}
	g.seq++
	w := &waiter{rank: rank, seq: g.seq, ch: make(chan struct{})}
	g.waiters = append(g.waiters, w)
	g.mu.Unlock()
	select {
	case <-w.ch:
		return nil
	case <-ctx.Done():
		g.mu.Lock()
		defer g.mu.Unlock()
		for i, o := range g.waiters {
			if o == w {
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

// wakeLocked grants free slots to the waiters of lowest priority, the
// earliest first among equals.
func (g *gate) wakeLocked() {
	for len(g.waiters) > 0 && g.open() {
		best, bestRank := 0, g.waiters[0].rank()
		for i, w := range g.waiters[1:] {
			if r := w.rank(); r < bestRank || r == bestRank && w.seq < g.waiters[best].seq {
				best, bestRank = i+1, r
			}
		}
		w := g.waiters[best]
		g.waiters = append(g.waiters[:best], g.waiters[best+1:]...)
		g.inUse++
		close(w.ch)
	}
}

// stats returns the slots in use, the size and the number of waiters.
func (g *gate) stats() (inUse, limit, waiting int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.inUse, g.limit, len(g.waiters)
}
