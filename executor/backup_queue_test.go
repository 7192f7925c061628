package executor

import (
	"context"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDBQueueIsFIFOAndExclusive(t *testing.T) {
	t.Parallel()
	q := &dbQueue{}
	ctx := context.Background()
	if err := q.lock(ctx); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var order []int
	var inside int
	var wg sync.WaitGroup
	queued := make(chan struct{})
	for i := range 5 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := q.lock(ctx); err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			inside++
			if inside != 1 {
				t.Errorf("%d holders at once", inside)
			}
			order = append(order, i)
			inside--
			mu.Unlock()
			q.unlock()
		}()
		// Wait until goroutine i is queued before starting the next.
		for {
			q.mu.Lock()
			n := len(q.waiters)
			q.mu.Unlock()
			if n == i+1 {
				break
			}
		}
	}
	close(queued)
	q.unlock()
	wg.Wait()
	if diff := cmp.Diff([]int{0, 1, 2, 3, 4}, order); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}

	// A waiter whose context ends leaves the queue.
	if err := q.lock(ctx); err != nil {
		t.Fatal(err)
	}
	cctx, cancel := context.WithCancel(ctx)
	done := make(chan error)
	go func() { done <- q.lock(cctx) }()
	for {
		q.mu.Lock()
		n := len(q.waiters)
		q.mu.Unlock()
		if n == 1 {
			break
		}
	}
	cancel()
	if err := <-done; err == nil {
		t.Fatal("lock after cancel: want an error")
	}
	q.unlock()
	if q.busy || len(q.waiters) != 0 {
		t.Errorf("queue not free: busy %v, %d waiters", q.busy, len(q.waiters))
	}
}
