package executor

import (
	"context"
	"sort"
	"sync"
)

// gate is a semaphore whose size changes while it is in use (throttle
// windows) and that can be held shut with a reason (health rules). Slots
// already taken are never revoked: running jobs are not killed by a
// throttle. Waiters are served by priority (lower first), then in arrival
// order, so the executor decides the order of work, not goroutine
// scheduling: exports start in plan order, and the biggest exported
// partition gets the next load slot (loads are usually the bottleneck, and
// starting the longest last would leave the other slots idle at the end).
type gate struct {
	mu      sync.Mutex
	limit   int
	inUse   int
	hold    string
	seq     uint64
	waiters []*waiter
}

type waiter struct {
	prio int64
	seq  uint64
	ch   chan struct{}
}

func newGate(limit int) *gate { return &gate{limit: limit} }

// acquire blocks until a slot is free for this priority and the gate is
// not held, or ctx ends.
func (g *gate) acquire(ctx context.Context, prio int64) error {
	g.mu.Lock()
	if len(g.waiters) == 0 && g.open() {
		g.inUse++
		g.mu.Unlock()
		return nil
	}
	g.seq++
	w := &waiter{prio: prio, seq: g.seq, ch: make(chan struct{})}
	i := sort.Search(len(g.waiters), func(i int) bool {
		o := g.waiters[i]
		return o.prio > prio || (o.prio == prio && o.seq > w.seq)
	})
	g.waiters = append(g.waiters, nil)
	copy(g.waiters[i+1:], g.waiters[i:])
	g.waiters[i] = w
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

func (g *gate) wakeLocked() {
	for len(g.waiters) > 0 && g.open() {
		w := g.waiters[0]
		g.waiters = g.waiters[1:]
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
