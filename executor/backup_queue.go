package executor

import (
	"context"
	"slices"
	"sync"
)

// dbQueue is a first-in first-out lock: StarRocks runs one BACKUP or
// RESTORE job per database at a time, so srplan holds the database's
// queue on that cluster for the whole of each job, and jobs of several
// tables of one database take turns in the order they asked.
type dbQueue struct {
	mu      sync.Mutex
	busy    bool
	waiters []chan struct{}
}

// lock waits for the queue; it fails only when ctx ends first.
func (q *dbQueue) lock(ctx context.Context) error {
	q.mu.Lock()
	if !q.busy {
		q.busy = true
		q.mu.Unlock()
		return nil
	}
	ch := make(chan struct{})
	q.waiters = append(q.waiters, ch)
	q.mu.Unlock()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		q.mu.Lock()
		if i := slices.Index(q.waiters, ch); i >= 0 {
			q.waiters = slices.Delete(q.waiters, i, i+1)
			q.mu.Unlock()
			return ctx.Err()
		}
		q.mu.Unlock()
		q.unlock() // handed over meanwhile: pass it on
		return ctx.Err()
	}
}

// unlock hands the queue to the longest waiter, or frees it.
func (q *dbQueue) unlock() {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.waiters) == 0 {
		q.busy = false
		return
	}
	ch := q.waiters[0]
	q.waiters = q.waiters[1:]
	close(ch)
}

// dbQueues holds a queue per cluster and database.
type dbQueues struct {
	m sync.Map // "source.x/db" or "target.y/db" -> *dbQueue
}

func (d *dbQueues) get(cluster, db string) *dbQueue {
	v, _ := d.m.LoadOrStore(cluster+"/"+db, &dbQueue{})
	return v.(*dbQueue)
}
