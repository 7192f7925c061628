// Package executor runs a Plan: it exports each partition from its source
// cluster to staging storage, loads it into the target, verifies both
// sides and records every step in state before taking the next, so a
// process killed at any instant is followed by an apply that finishes the
// work without duplicating a row. It never prints: it emits typed events
// to an Observer (views print them).
package executor

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/srplan/srplan/lang"
	"github.com/srplan/srplan/planner"
	"github.com/srplan/srplan/providers/s3"
	"github.com/srplan/srplan/state"
)

// Store is the state the executor reads and writes.
type Store interface {
	state.Reader
	state.Writer
}

// Config is everything Run needs. Clusters and storages are keyed by spec
// block name.
type Config struct {
	Plan     *planner.Plan
	Spec     *lang.Config
	State    Store
	Sources  map[string]Source
	Targets  map[string]Target
	Storages map[string]s3.Storage
	Observer Observer
	// Job names this migration in export paths and load labels; the state
	// lineage is the natural choice (stable across runs of one migration).
	Job string
	// Now is the clock of throttle windows; default time.Now.
	Now func() time.Time
	// MaxInFlight caps partitions in progress at once (default 64). Each
	// stage is further limited by its throttle's exports/loads.
	MaxInFlight int
	// Retry is the policy for retryable errors.
	Retry RetryPolicy
	// ControlInterval is how often throttle windows and health rules are
	// re-evaluated (default 15s).
	ControlInterval time.Duration
	// Role is the part of the pipeline this worker runs (default RoleAll).
	Role Role
	// Claims, when set, makes every partition exclusive to one worker at a
	// time across processes sharing State: a worker claims a partition
	// before touching it, renews the claim while it works and releases it
	// after. Required with RoleLoader and when several workers share State.
	Claims state.Claimer
	// Worker describes this worker in its claims (Holder must be unique
	// per process run); Role defaults to Config.Role and Expires is set
	// from ClaimLease at each claim.
	Worker state.ClaimInfo
	// ClaimLease is how long a claim lasts unless renewed (default
	// DefaultClaimLease); a killed worker's partitions are taken over
	// after it.
	ClaimLease time.Duration
	// Notifiers deliver object-created notifications of load storages, by
	// storage block name. With RoleLoader, or RoleAll and at least one
	// notifier, loads are driven by them and by ReconcileInterval.
	Notifiers map[string]Notifier
	// ExporterAlive, when set, tells a loader whether an exporter is
	// running now (for the DynamoDB state: the state lock is held by a
	// live holder). A loader settles a partition whose export failed in an
	// earlier run as failed when no exporter is alive to redo it, instead
	// of waiting for one; nil keeps it waiting.
	ExporterAlive func(ctx context.Context) (bool, error)
	// ReconcileInterval is how often a loader re-reads state for its
	// partitions, so that nothing depends on a single notification
	// (default DefaultReconcileInterval).
	ReconcileInterval time.Duration
	// CopyParallel is how many partitions of one throttle are copied to
	// their load storage at once, and how many objects each copy moves at
	// once (default DefaultCopyParallel).
	CopyParallel int
}

// Result sums up a run.
type Result struct {
	Done, Failed, Skipped int
	// Interrupted is true when ctx ended before every partition finished.
	Interrupted bool
}

// run is one Run's shared state.
type run struct {
	cfg      Config
	now      func() time.Time
	throttle map[string]*throttleGates // by throttle name ("" = default)
	tables   sync.Map                  // target table -> *tableOnce
	copyMu   sync.Mutex
	copies   map[string]*copyThrottle // by throttle name, see copyGates
	// exportOnly stops each partition once exported (and copied).
	exportOnly bool
	// start is when Run began.
	start time.Time
	// ranks are the export priorities of pipelines' items (nil in the
	// event-driven flow, whose exports keep the export order).
	ranks *exportRanks
}

// item is one partition of the plan's work.
type item struct {
	tc *planner.TableChange
	pc *planner.PartitionChange
}

type tableOnce struct {
	once sync.Once
	err  error
}

// Run executes cfg.Plan. It returns when every partition is done or
// failed, or when ctx ends; then it stops starting work and returns after
// the stages in progress reached a recorded point. Per-partition failures
// are events and counts, not an error: the error is for the run itself
// (a state write that failed, a missing cluster).
func Run(ctx context.Context, cfg Config) (*Result, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	r := &run{cfg: cfg, now: cfg.Now, throttle: map[string]*throttleGates{}}
	if r.now == nil {
		r.now = time.Now
	}
	r.start = r.now()
	var items []item
	var rows, bytes int64
	for _, tc := range cfg.Plan.Tables {
		if _, ok := r.throttle[tc.Throttle]; !ok {
			r.throttle[tc.Throttle] = newThrottleGates(cfg.Spec.Throttles[tc.Throttle])
		}
		for _, pc := range tc.Partitions {
			if pc.Action == planner.Copy || pc.Action == planner.Recopy {
				items = append(items, item{tc, pc})
				rows += pc.Rows
				bytes += pc.Bytes
			}
		}
	}
	items = byExportOrder(items, func(it item) (string, int64) { return it.tc.Throttle, it.pc.Bytes },
		func(name string) int { return r.throttle[name].exportSlots() })
	r.emit(Started{At: At{r.now()}, Partitions: len(items), Rows: rows, Bytes: bytes})

	// Limits and health holds apply before the first job is submitted.
	r.evaluate(ctx)
	ctlCtx, stopCtl := context.WithCancel(ctx)
	var ctlWG sync.WaitGroup
	ctlWG.Go(func() { r.control(ctlCtx) })

	items, backups := splitBackupItems(items)
	bk := r.startBackups(ctx, backups)
	var res *Result
	var fatal error
	if cfg.eventDriven() {
		res, fatal = r.runWithLoader(ctx, items)
	} else {
		r.exportOnly = cfg.Role == RoleExporter
		res, fatal = r.pipelines(ctx, items)
	}
	fatal = bk.wait(res, fatal)
	stopCtl()
	ctlWG.Wait()
	res.Interrupted = ctx.Err() != nil
	r.emit(Finished{At: At{r.now()}, Done: res.Done, Failed: res.Failed, Skipped: res.Skipped, Interrupted: res.Interrupted})
	return res, fatal
}

// pipelines runs each item's pipeline, at most MaxInFlight at once.
func (r *run) pipelines(ctx context.Context, items []item) (*Result, error) {
	cfg := r.cfg
	res := &Result{}
	var mu sync.Mutex
	var fatal error
	slots := make(chan struct{}, max(cfg.MaxInFlight, 1))
	var wg sync.WaitGroup
	r.ranks = newExportRanks(items)
	queue := newRankQueue(r.ranks)
	for queue.Len() > 0 {
		if ctx.Err() != nil {
			res.Skipped += queue.Len()
			break
		}
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			continue
		}
		seq := queue.next()
		it := items[seq]
		wg.Go(func() {
			defer func() { <-slots }()
			err := r.partition(ctx, seq, it.tc, it.pc)
			mu.Lock()
			defer mu.Unlock()
			var fe *fatalError
			switch {
			case err == nil:
				res.Done++
			case errors.Is(err, errSkipped):
				res.Skipped++
			case errors.As(err, &fe):
				if fatal == nil {
					fatal = fe.err
				}
				res.Failed++
			case ctx.Err() != nil:
				res.Skipped++
			default:
				res.Failed++
			}
		})
	}
	wg.Wait()
	return res, fatal
}

func (c *Config) check() error {
	if c.Plan == nil || c.Spec == nil || c.State == nil {
		return errors.New("executor: plan, spec and state are required")
	}
	if c.Job == "" {
		return errors.New("executor: job name is required")
	}
	if c.MaxInFlight == 0 {
		c.MaxInFlight = 64
	}
	if c.ControlInterval == 0 {
		c.ControlInterval = 15 * time.Second
	}
	c.Retry = c.Retry.withDefaults()
	if c.Role == "" {
		c.Role = RoleAll
	}
	if _, err := ParseRole(string(c.Role)); err != nil {
		return fmt.Errorf("executor: %w", err)
	}
	if c.Role == RoleLoader && c.Claims == nil {
		return errors.New("executor: the loader role needs partition claims (shared state)")
	}
	if c.Claims != nil && c.Worker.Holder == "" {
		return errors.New("executor: claims need a worker holder id")
	}
	if c.ClaimLease <= 0 {
		c.ClaimLease = DefaultClaimLease
	}
	if c.ReconcileInterval <= 0 {
		c.ReconcileInterval = DefaultReconcileInterval
	}
	if c.CopyParallel <= 0 {
		c.CopyParallel = DefaultCopyParallel
	}
	if c.Observer == nil {
		c.Observer = ObserverFunc(func(Event) {})
	}
	for _, tc := range c.Plan.Tables {
		if c.Sources[tc.SourceCluster] == nil {
			return fmt.Errorf("executor: no connection to source %q", tc.SourceCluster)
		}
		if c.Targets[tc.TargetCluster] == nil {
			return fmt.Errorf("executor: no connection to target %q", tc.TargetCluster)
		}
		if c.Storages[tc.Storage] == nil {
			return fmt.Errorf("executor: storage %q is not open", tc.Storage)
		}
		if c.Storages[tc.LoadFrom()] == nil {
			return fmt.Errorf("executor: storage %q is not open", tc.LoadFrom())
		}
	}
	return nil
}

func (r *run) emit(e Event) { r.cfg.Observer.Event(e) }

// fatalError stops the whole run (state can no longer be written).
type fatalError struct{ err error }

func (e *fatalError) Error() string { return e.err.Error() }
func (e *fatalError) Unwrap() error { return e.err }

// ensureTable creates tc's target table once per run.
func (r *run) ensureTable(ctx context.Context, tc *planner.TableChange) error {
	if tc.Action != planner.CreateTable {
		return nil
	}
	v, _ := r.tables.LoadOrStore(tc.Target, &tableOnce{})
	to := v.(*tableOnce)
	to.once.Do(func() {
		dst := r.cfg.Targets[tc.TargetCluster]
		if tc.CreateDatabase {
			if to.err = dst.CreateDatabase(ctx, tc.Target.DB); to.err != nil {
				return
			}
		}
		to.err = dst.CreateTable(ctx, tc.CreateDDL)
		if to.err == nil {
			r.emit(TableCreated{At: At{r.now()}, Table: tc.Target})
		}
	})
	return to.err
}
