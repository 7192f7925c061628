package executor

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestGateLimitsAndResizes(t *testing.T) {
	t.Parallel()
	g := newGate(2)
	ctx := context.Background()
	var running, peak atomic.Int32
	var wg sync.WaitGroup
	release := make(chan struct{})
	for range 6 {
		wg.Go(func() {
			if err := g.acquire(ctx, 0); err != nil {
				t.Error(err)
				return
			}
			n := running.Add(1)
			for {
				p := peak.Load()
				if n <= p || peak.CompareAndSwap(p, n) {
					break
				}
			}
			<-release
			running.Add(-1)
			g.release()
		})
	}
	waitFor(t, func() bool { in, _, w := g.stats(); return in == 2 && w == 4 })
	g.set(4, "") // a window opens: two more start
	waitFor(t, func() bool { in, _, w := g.stats(); return in == 4 && w == 2 && running.Load() == 4 })
	g.set(1, "") // shrinking never revokes running slots
	if in, _, _ := g.stats(); in != 4 {
		t.Fatalf("in use %d after shrink, want 4", in)
	}
	close(release)
	wg.Wait()
	if peak.Load() != 4 {
		t.Errorf("peak %d, want 4", peak.Load())
	}
}

func TestGateHoldAndCancel(t *testing.T) {
	t.Parallel()
	g := newGate(3)
	g.set(3, "source CPU too high")
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := g.acquire(ctx, 0); err == nil {
		t.Fatal("acquired a held gate")
	}
	if _, _, w := g.stats(); w != 0 {
		t.Fatalf("cancelled waiter left behind")
	}
	done := make(chan error, 1)
	go func() { done <- g.acquire(context.Background(), 0) }()
	waitFor(t, func() bool { _, _, w := g.stats(); return w == 1 })
	g.set(3, "")
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached")
		}
		time.Sleep(time.Millisecond)
	}
}

// heldGate returns a gate of one slot, taken.
func heldGate(t *testing.T) (*gate, context.Context) {
	t.Helper()
	g := newGate(1)
	ctx := context.Background()
	if err := g.acquire(ctx, 0); err != nil {
		t.Fatal(err)
	}
	return g, ctx
}

func TestGateServesByPriorityThenArrival(t *testing.T) {
	t.Parallel()
	g, ctx := heldGate(t)
	var mu sync.Mutex
	var order []int64
	var wg sync.WaitGroup
	for i, prio := range []int64{5, 1, 3, 1} {
		wg.Go(func() {
			if err := g.acquire(ctx, prio); err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			order = append(order, prio*10+int64(i))
			mu.Unlock()
			g.release()
		})
		waitFor(t, func() bool { _, _, w := g.stats(); return w == i+1 })
	}
	g.release()
	wg.Wait()
	want := []int64{11, 13, 32, 50} // priority 1 (arrivals 1 then 3), 3, 5
	for i := range want {
		if order[i] != want[i] {
			t.Fatalf("order %v, want %v", order, want)
		}
	}
}
