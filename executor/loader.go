package executor

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/srplan/srplan/planner"
	"github.com/srplan/srplan/providers/s3"
	"github.com/srplan/srplan/state"
)

// hotRetryDelay and hotRetries: after a notification for a partition that
// was not ready yet (its export or copy not recorded, files missing, or
// another worker's claim), the loader looks again this often, this many
// times, so that it does not wait for the message's redelivery or the
// next reconcile.
var (
	hotRetryDelay = 2 * time.Second
	hotRetries    = 30
)

// outcome is what one look at a partition found or did.
type outcome int

const (
	outNotExported outcome = iota // export (or copy) not recorded yet
	outWaiting                    // recorded, but files missing in the load storage
	outClaimed                    // another worker holds it
	outDone                       // done (now, or already)
	outFailed                     // failed (now, or recorded since this run began)
)

func (o outcome) String() string {
	return [...]string{OutcomeNotExported, OutcomeWaiting, OutcomeClaimed, OutcomeDone, OutcomeFailed}[o]
}

// terminal reports whether the partition needs nothing more from this run.
func (o outcome) terminal() bool { return o == outDone || o == outFailed }

// loader loads the partitions of one run whose exports other workers (or
// this process's exporter half) recorded. State is the truth; a
// notification only says "look now". It never exports.
type loader struct {
	r     *run
	items map[state.PartitionKey]loaderItem
	slots chan struct{}

	mu       sync.Mutex
	flights  map[state.PartitionKey]*flight
	finished map[state.PartitionKey]outcome
	hot      map[state.PartitionKey]int // remaining hot retries
	fatal    error
	allDone  chan struct{}
	closed   bool
}

type loaderItem struct {
	item
	seq int
}

// flight is one look at a partition in progress; later callers wait for it.
type flight struct {
	done chan struct{}
	out  outcome
}

// runWithLoader runs the load half as a loader. With RoleAll the export
// half runs at the same time in this process, stopping each partition
// once exported (and copied); the loader is fed by the notifiers and the
// periodic reconcile only. The result counts the loader's view: a
// partition whose export failed is failed.
func (r *run) runWithLoader(ctx context.Context, items []item) (*Result, error) {
	l := &loader{r: r, items: map[state.PartitionKey]loaderItem{}, slots: make(chan struct{}, max(r.cfg.MaxInFlight, 1)),
		flights: map[state.PartitionKey]*flight{}, finished: map[state.PartitionKey]outcome{},
		hot: map[state.PartitionKey]int{}, allDone: make(chan struct{})}
	for i, it := range items {
		l.items[partKey(it)] = loaderItem{it, i}
	}
	if len(items) == 0 {
		return &Result{}, nil
	}
	var wg sync.WaitGroup
	var exportFatal error
	if r.cfg.Role == RoleAll {
		r.exportOnly = true
		wg.Go(func() { _, exportFatal = r.pipelines(ctx, items) })
	}
	lctx, stop := context.WithCancel(ctx)
	for name, n := range r.cfg.Notifiers {
		st := r.cfg.Storages[name]
		if st == nil {
			continue
		}
		wg.Go(func() {
			err := n.Run(lctx, func(hctx context.Context, msg Notification) error { return l.notified(hctx, st, msg) })
			if err != nil && lctx.Err() == nil {
				l.setFatal(fmt.Errorf("notifications of storage %q: %w", name, err))
			}
		})
	}
	wg.Go(func() { l.reconcile(lctx) })
	select {
	case <-l.allDone:
	case <-ctx.Done():
	}
	stop()
	wg.Wait()
	l.mu.Lock()
	defer l.mu.Unlock()
	res := &Result{}
	for k := range l.items {
		switch o, ok := l.finished[k]; {
		case ok && o == outDone:
			res.Done++
		case ok && o == outFailed:
			res.Failed++
		default:
			res.Skipped++
		}
	}
	return res, errors.Join(l.fatal, exportFatal)
}

func partKey(it item) state.PartitionKey {
	return state.PartitionKey{Table: it.tc.Source.String(), Partition: it.pc.Addr.Partition}
}

func (l *loader) setFatal(err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.fatal == nil {
		l.fatal = err
	}
	l.closeLocked()
}

// closeLocked ends the loader (every partition settled, or a fatal error).
func (l *loader) closeLocked() {
	if !l.closed {
		l.closed = true
		close(l.allDone)
	}
}

// reconcile looks at every unsettled partition now and every
// ReconcileInterval, and at hot partitions every hotRetryDelay.
func (l *loader) reconcile(ctx context.Context) {
	full := time.NewTicker(l.r.cfg.ReconcileInterval)
	defer full.Stop()
	hot := time.NewTicker(hotRetryDelay)
	defer hot.Stop()
	l.sweep(ctx, false)
	for {
		select {
		case <-ctx.Done():
			return
		case <-full.C:
			l.sweep(ctx, false)
		case <-hot.C:
			l.sweep(ctx, true)
		}
	}
}

// sweep starts a look at each unsettled partition (only the hot ones when
// hotOnly) that is not being looked at already, bounded by slots.
func (l *loader) sweep(ctx context.Context, hotOnly bool) {
	l.mu.Lock()
	var keys []state.PartitionKey
	for k := range l.items {
		if _, ok := l.finished[k]; ok || l.flights[k] != nil {
			continue
		}
		if hotOnly {
			if l.hot[k] <= 0 {
				continue
			}
			l.hot[k]--
		}
		keys = append(keys, k)
	}
	l.mu.Unlock()
	for _, k := range keys {
		select {
		case l.slots <- struct{}{}:
		case <-ctx.Done():
			return
		}
		go func() {
			defer func() { <-l.slots }()
			l.look(ctx, k)
		}()
	}
}

// notified handles one notification: each object key that maps to a
// partition of the plan triggers a look at it. The message is settled
// (nil) when every partition it names is settled or waits only for more
// files (whose own notifications, or the reconcile, will trigger it), and
// kept for redelivery while an export is not recorded or another worker
// holds the partition.
func (l *loader) notified(ctx context.Context, st s3.Storage, msg Notification) error {
	seen := map[state.PartitionKey]bool{}
	var keep []string
	for _, u := range msg.URLs {
		key, ok := storageKey(st, u)
		if !ok {
			l.r.emit(Notified{At: At{l.r.now()}, MessageID: msg.ID, Key: u, Outcome: OutcomeForeign})
			continue
		}
		job, db, table, partition, _, ok := s3.ParseExportDir(key)
		pk := state.PartitionKey{Table: db + "." + table, Partition: partition}
		li, mine := l.items[pk]
		if !ok || job != l.r.cfg.Job || !mine {
			l.r.emit(Notified{At: At{l.r.now()}, MessageID: msg.ID, Key: key, Outcome: OutcomeForeign})
			continue
		}
		if seen[pk] {
			continue
		}
		seen[pk] = true
		out := l.look(ctx, pk)
		kept := out == outNotExported || out == outClaimed
		l.r.emit(Notified{At: At{l.r.now()}, MessageID: msg.ID, Key: key, Addr: li.pc.Addr, Outcome: out.String(), Kept: kept})
		if !out.terminal() {
			l.mu.Lock()
			l.hot[pk] = hotRetries
			l.mu.Unlock()
		}
		if kept {
			keep = append(keep, fmt.Sprintf("%s: %s", li.pc.Addr, out))
		}
	}
	if len(keep) > 0 {
		return fmt.Errorf("kept for redelivery: %v", keep)
	}
	return nil
}

// look examines partition k once (joining a look already in progress)
// and loads it when it is ready. Settled outcomes are remembered.
func (l *loader) look(ctx context.Context, k state.PartitionKey) outcome {
	l.mu.Lock()
	if o, ok := l.finished[k]; ok {
		l.mu.Unlock()
		return o
	}
	if f := l.flights[k]; f != nil {
		l.mu.Unlock()
		select {
		case <-f.done:
			return f.out
		case <-ctx.Done():
			return outNotExported
		}
	}
	f := &flight{done: make(chan struct{})}
	l.flights[k] = f
	l.mu.Unlock()

	out, err := l.attempt(ctx, l.items[k])
	l.mu.Lock()
	defer l.mu.Unlock()
	f.out = out
	delete(l.flights, k)
	close(f.done)
	if err != nil {
		if l.fatal == nil {
			l.fatal = err
		}
		l.closeLocked()
		return out
	}
	if out.terminal() {
		l.finished[k] = out
		delete(l.hot, k)
		if len(l.finished) == len(l.items) {
			l.closeLocked()
		}
	}
	return out
}

// attempt reads the partition's record, and when its export is recorded
// and its files are all in the load storage, claims it and runs the load
// and verify stages. The error is fatal to the run (state unusable).
func (l *loader) attempt(ctx context.Context, li loaderItem) (outcome, error) {
	r := l.r
	k := partKey(li.item)
	rec, out, err := l.classify(ctx, li)
	if err != nil || rec == nil {
		return out, err
	}
	cctx, release, err := r.claim(ctx, k)
	if err != nil {
		if _, ok := errors.AsType[*errClaimed](err); ok {
			return outClaimed, nil
		}
		return outNotExported, err
	}
	defer release()
	// Read again under the claim: another worker may have finished it.
	if rec, out, err = l.classify(cctx, li); err != nil || rec == nil {
		return out, err
	}
	pc := *li.pc
	pc.Fingerprint = rec.Fingerprint // load what was exported
	p := r.newPart(li.seq, li.tc, &pc)
	p.rec, p.exportOnly = rec, false
	m, err := s3.ReadManifest(cctx, p.ld, p.exportDir())
	switch {
	case errors.Is(err, s3.ErrNotFound):
		return outWaiting, nil
	case err != nil:
		return outWaiting, nil // a manifest being replaced, or storage trouble: look again later
	case m.SourceVersion != rec.Fingerprint.VisibleVersion:
		return outWaiting, nil
	}
	if missing, err := m.Complete(cctx, p.ld); err != nil || len(missing) > 0 {
		return outWaiting, nil
	}
	err = p.run(cctx)
	switch {
	case err == nil:
		r.emit(PartitionDone{At: At{r.now()}, Addr: pc.Addr, Rows: pc.Rows, Bytes: pc.Bytes})
		return outDone, nil
	case claimLost(cctx) != nil:
		r.emit(Skipped{At: At{r.now()}, Addr: pc.Addr, Reason: "claim lost: " + claimLost(cctx).Error()})
		return outClaimed, nil
	case ctx.Err() != nil:
		return outNotExported, nil
	}
	if fe, ok := errors.AsType[*fatalError](err); ok {
		return outFailed, fe.err
	}
	r.emit(PartitionFailed{At: At{r.now()}, Addr: pc.Addr, Stage: p.rec.Stage, Err: err.Error()})
	return outFailed, nil
}

// classify reads li's record and says whether the loader can work on it
// (rec non-nil) or what it is waiting for. A failure recorded before this
// run began is not final: a failed load is the loader's to retry; a
// failed export, copy or verification (which starts the partition over)
// is the exporter's.
func (l *loader) classify(ctx context.Context, li loaderItem) (*state.PartitionRecord, outcome, error) {
	r := l.r
	rec, err := r.cfg.State.Partition(ctx, partKey(li.item))
	switch {
	case errors.Is(err, state.ErrNotFound):
		return nil, outNotExported, nil
	case err != nil:
		if ctx.Err() != nil {
			return nil, outNotExported, nil
		}
		return nil, outNotExported, &fatalError{fmt.Errorf("read state of %s: %w", li.pc.Addr, err)}
	}
	recent := !rec.UpdatedAt.Before(r.start.Add(-time.Second))
	switch {
	case rec.Done():
		if rec.Fingerprint.Equal(li.pc.Fingerprint) && (li.pc.Action == planner.Copy || rec.UpdatedAt.After(r.cfg.Plan.CreatedAt)) || recent {
			return nil, outDone, nil
		}
		return nil, outNotExported, nil // an earlier copy: the recopy's export is not recorded yet
	case rec.Status == state.StatusFailed:
		if recent {
			if r.cfg.Role == RoleLoader {
				r.emit(PartitionFailed{At: At{r.now()}, Addr: li.pc.Addr, Stage: rec.Stage, Err: "recorded by another worker: " + rec.LastError})
			}
			return nil, outFailed, nil
		}
		if rec.Stage == state.StageLoading || rec.Stage == state.StageLoaded {
			return rec, outWaiting, nil
		}
		if r.cfg.Role == RoleLoader && r.cfg.ExporterAlive != nil {
			if alive, err := r.cfg.ExporterAlive(ctx); err == nil && !alive {
				r.emit(PartitionFailed{At: At{r.now()}, Addr: li.pc.Addr, Stage: rec.Stage,
					Err: "its " + string(rec.Stage) + " failed and no exporter is running to redo it (" + rec.LastError + "); run 'srplan apply -role exporter' (or -role all)"})
				return nil, outFailed, nil
			}
		}
		return nil, outNotExported, nil
	}
	if rec.Fingerprint.VisibleVersion < li.pc.Fingerprint.VisibleVersion {
		// An export of an older version than this run planned (the source
		// moved since): loading it would fail verification; the exporter
		// exports the new version.
		return nil, outNotExported, nil
	}
	needCopy := li.tc.LoadFrom() != li.tc.Storage
	switch rec.Stage {
	case state.StagePlanned, state.StageExporting:
		return nil, outNotExported, nil
	case state.StageExported:
		if needCopy || rec.Status != state.StatusOK {
			return nil, outNotExported, nil
		}
	case state.StageCopied:
		if rec.Status != state.StatusOK {
			return nil, outNotExported, nil
		}
	}
	return rec, outWaiting, nil
}
