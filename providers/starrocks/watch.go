package starrocks

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Default polling of a Watcher: the first check of a job right away, then
// every MinPollInterval, growing by PollGrowth while no watched job
// changes state, up to MaxPollInterval; a state change or a new job resets
// the interval.
const (
	MinPollInterval = time.Second
	MaxPollInterval = 30 * time.Second
	PollGrowth      = 1.5
)

// pollTimeout bounds one status query.
const pollTimeout = 30 * time.Second

// maxPollFailures is how many status queries in a row may fail with a
// retryable error before the waiters get the error.
const maxPollFailures = 5

// Watcher follows the asynchronous jobs of one cluster. It batches: all
// jobs of one kind in one database are checked with ONE status query per
// poll interval, whatever their number:
//
//   - loads: SELECT * FROM information_schema.loads WHERE LABEL IN (...)
//     (3.1+), falling back for good to SHOW LOAD FROM db (WHERE LABEL = x
//     for a single job) if the cluster lacks the view;
//   - exports: SHOW EXPORT FROM db (WHERE QUERYID = x for a single job).
//
// A poller goroutine runs per (kind, database) while someone waits and
// ends when the last waiter leaves. A Watcher is safe for concurrent use.
type Watcher struct {
	q        Querier
	min, max time.Duration
	// after is the timer; tests replace it.
	after func(d time.Duration) (<-chan time.Time, func() bool)
	// now is the clock for not-found grace periods; tests replace it.
	now func() time.Time

	queries   atomic.Int64
	noLoadsIS atomic.Bool // information_schema.loads is missing

	mu     sync.Mutex
	groups map[groupKey]*pollGroup
}

type groupKey struct {
	kind JobKind
	db   string
}

// pollGroup is the set of jobs one poller checks.
type pollGroup struct {
	waiters map[string][]*waiter
	// last is the state each job had at the previous poll.
	last map[string]string
	// wake is signalled when a waiter joins, to shorten the current sleep.
	wake chan struct{}
}

// waiter is one Wait call.
type waiter struct {
	ch chan waitResult
	// notFoundAfter: Wait returns a not-found status once the job has not
	// been listed for this long (0 = wait for it indefinitely).
	notFoundAfter time.Duration
	since         time.Time
}

type waitResult struct {
	st  JobStatus
	err error
}

// NewWatcher returns a Watcher that polls through q every lo to hi
// (lo <= 0 selects MinPollInterval; hi < lo selects MaxPollInterval, or lo
// if that is larger).
func NewWatcher(q Querier, lo, hi time.Duration) *Watcher {
	if lo <= 0 {
		lo = MinPollInterval
	}
	if hi < lo {
		hi = max(MaxPollInterval, lo)
	}
	return &Watcher{
		q: q, min: lo, max: hi,
		after: func(d time.Duration) (<-chan time.Time, func() bool) {
			t := time.NewTimer(d)
			return t.C, t.Stop
		},
		now:    time.Now,
		groups: map[groupKey]*pollGroup{},
	}
}

// Queries returns how many status queries the Watcher has issued, for
// reporting queries per job and minute.
func (w *Watcher) Queries() int64 { return w.queries.Load() }

// WaitOptions tune one Wait.
type WaitOptions struct {
	// NotFoundAfter makes Wait return a status with Found false once the
	// job has not been listed for this long. Zero waits until ctx ends:
	// right for an INSERT, which SHOW LOAD lists only once it ended.
	NotFoundAfter time.Duration
}

// Wait blocks until the job reaches FINISHED or CANCELLED and returns that
// status, or until it has not been listed for opts.NotFoundAfter (status
// with Found false), or ctx ends (ctx.Err()). A status query that keeps
// failing ends the wait with its error.
func (w *Watcher) Wait(ctx context.Context, key JobKey, opts WaitOptions) (JobStatus, error) {
	wt := &waiter{ch: make(chan waitResult, 1), notFoundAfter: opts.NotFoundAfter, since: w.now()}
	gk := groupKey{kind: key.Kind, db: key.DB}
	w.mu.Lock()
	g, running := w.groups[gk]
	if !running {
		g = &pollGroup{waiters: map[string][]*waiter{}, last: map[string]string{}, wake: make(chan struct{}, 1)}
		w.groups[gk] = g
	}
	g.waiters[key.ID] = append(g.waiters[key.ID], wt)
	w.mu.Unlock()
	if running {
		select {
		case g.wake <- struct{}{}:
		default:
		}
	} else {
		go w.poll(gk, g)
	}
	select {
	case r := <-wt.ch:
		return r.st, r.err
	case <-ctx.Done():
		w.mu.Lock()
		g.remove(key.ID, wt)
		w.mu.Unlock()
		select {
		case r := <-wt.ch: // delivered while leaving
			return r.st, r.err
		default:
		}
		return JobStatus{}, ctx.Err()
	}
}

// remove drops one waiter; the caller holds the Watcher's lock.
func (g *pollGroup) remove(id string, wt *waiter) {
	ws := slices.DeleteFunc(g.waiters[id], func(x *waiter) bool { return x == wt })
	if len(ws) == 0 {
		delete(g.waiters, id)
		delete(g.last, id)
	} else {
		g.waiters[id] = ws
	}
}

// poll is the loop of one group: query, deliver, sleep. It exits once the
// group has no waiters, removing the group under the lock so that a new
// Wait starts a new poller.
func (w *Watcher) poll(gk groupKey, g *pollGroup) {
	interval := w.min
	failures := 0
	for {
		w.mu.Lock()
		if len(g.waiters) == 0 {
			delete(w.groups, gk)
			w.mu.Unlock()
			return
		}
		ids := make([]string, 0, len(g.waiters))
		for id := range g.waiters {
			ids = append(ids, id)
		}
		w.mu.Unlock()
		slices.Sort(ids)

		statuses, err := w.fetch(gk, ids)
		changed := false
		w.mu.Lock()
		switch {
		case err != nil:
			failures++
			if !IsRetryable(err) || failures >= maxPollFailures {
				for id, ws := range g.waiters {
					for _, wt := range ws {
						wt.ch <- waitResult{err: err}
					}
					delete(g.waiters, id)
					delete(g.last, id)
				}
			}
		default:
			failures = 0
			now := w.now()
			for id, ws := range g.waiters {
				st := statuses[id]
				if prev, seen := g.last[id]; !seen || prev != st.State {
					changed = changed || seen
					g.last[id] = st.State
				}
				keep := ws[:0]
				for _, wt := range ws {
					switch {
					case st.Terminal():
						wt.ch <- waitResult{st: st}
					case !st.Found && wt.notFoundAfter > 0 && now.Sub(wt.since) >= wt.notFoundAfter:
						wt.ch <- waitResult{st: st}
					default:
						keep = append(keep, wt)
					}
				}
				if len(keep) == 0 {
					delete(g.waiters, id)
					delete(g.last, id)
				} else {
					g.waiters[id] = keep
				}
			}
		}
		empty := len(g.waiters) == 0
		w.mu.Unlock()
		if empty {
			continue // the loop head removes the group
		}
		if changed {
			interval = w.min
		}
		interval = w.sleep(g, interval)
	}
}

// sleep waits interval, or less when a waiter joins: then the next poll
// comes at most min after this one. It returns the next interval.
func (w *Watcher) sleep(g *pollGroup, interval time.Duration) time.Duration {
	start := w.now()
	c, stop := w.after(interval)
	select {
	case <-c:
	case <-g.wake:
		stop()
		rest := w.min - w.now().Sub(start)
		if rest > 0 {
			c, stop := w.after(rest)
			<-c
			stop()
		}
		return w.min
	}
	next := time.Duration(float64(interval) * PollGrowth)
	return min(next, w.max)
}

// fetch runs the group's status query and returns the statuses by id.
func (w *Watcher) fetch(gk groupKey, ids []string) (map[string]JobStatus, error) {
	ctx, cancel := context.WithTimeout(context.Background(), pollTimeout)
	defer cancel()
	return w.Statuses(ctx, gk.kind, gk.db, ids)
}

// Statuses looks the given jobs of one database up with one query (two
// the first time a cluster turns out to lack information_schema.loads).
// Jobs the cluster does not list have a zero status (Found false).
func (w *Watcher) Statuses(ctx context.Context, kind JobKind, db string, ids []string) (map[string]JobStatus, error) {
	if kind == ExportJob {
		q := ShowExportSQL(db, "")
		if len(ids) == 1 {
			q = ShowExportSQL(db, ids[0])
		}
		w.queries.Add(1)
		res, err := queryAll(ctx, w.q, q)
		if err != nil {
			return nil, err
		}
		return exportStatuses(res), nil
	}
	if !w.noLoadsIS.Load() {
		w.queries.Add(1)
		res, err := queryAll(ctx, w.q, LoadsQuerySQL(ids))
		if err == nil {
			return loadStatuses(res, db), nil
		}
		if !isMissingTable(err) {
			return nil, err
		}
		w.noLoadsIS.Store(true)
	}
	q := ShowLoadSQL(db, "")
	if len(ids) == 1 {
		q = ShowLoadSQL(db, ids[0])
	}
	w.queries.Add(1)
	res, err := queryAll(ctx, w.q, q)
	if err != nil {
		return nil, err
	}
	return loadStatuses(res, db), nil
}

// Status looks one job up once, without waiting.
func (w *Watcher) Status(ctx context.Context, key JobKey) (JobStatus, error) {
	m, err := w.Statuses(ctx, key.Kind, key.DB, []string{key.ID})
	if err != nil {
		return JobStatus{}, err
	}
	return m[key.ID], nil
}

// errStillRunning is returned by waits that gave up on a running job.
var errStillRunning = errors.New("job still running")

// waitTerminal waits for a job and turns its end into an error: nil for
// FINISHED, a *JobError for CANCELLED, ErrJobNotFound (wrapped) when the
// job was not listed within notFoundAfter.
func (w *Watcher) waitTerminal(ctx context.Context, key JobKey, notFoundAfter time.Duration) (JobStatus, error) {
	st, err := w.Wait(ctx, key, WaitOptions{NotFoundAfter: notFoundAfter})
	switch {
	case err != nil:
		return st, err
	case st.Finished():
		return st, nil
	case st.Cancelled():
		return st, newJobError(key.Kind.String(), key.DB, key.ID, st)
	case !st.Found:
		return st, fmt.Errorf("%s job %q in database %s: %w", key.Kind, key.ID, key.DB, ErrJobNotFound)
	}
	return st, errStillRunning
}
