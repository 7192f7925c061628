package executor

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/srplan/srplan/lang"
	"github.com/srplan/srplan/planner"
	"github.com/srplan/srplan/state"
)

// Method "backup" moves a table's partitions in batches: one BACKUP
// SNAPSHOT per batch on the source, one RESTORE of it on the target
// (STARROCKS.md 6). Each table runs two loops: the backup of batch n+1
// proceeds while batch n is restored, swapped in and verified. Jobs hold
// their database's queue on their cluster (dbQueue), so jobs of tables of
// one database never overlap on a cluster.
//
// Every step is in state before the next starts. A partition's record
// gets the snapshot name before the BACKUP is submitted and the restore
// destination before the RESTORE is, so a rerun finds its snapshot in the
// repository (or its job still running) instead of taking another, and
// adopts its restore job instead of running it again.

// backupBatchSize is the most partitions one snapshot holds.
const backupBatchSize = 16

// backupStateWriteTimeout bounds one state write of a batch; the write is
// not abandoned when the run is stopped (the record says what was
// submitted).
const backupStateWriteTimeout = 30 * time.Second

// backupItem is one partition of the plan moved by method backup.
type backupItem struct {
	seq int
	tc  *planner.TableChange
	pc  *planner.PartitionChange
}

// backupBatch is the partitions of one snapshot.
type backupBatch struct {
	snap  string
	parts []*part
}

// backupRun moves every backup-method table of a Run.
type backupRun struct {
	r      *run
	queues dbQueues
	repos  sync.Map // "source.x/repo" -> *tableOnce

	mu    sync.Mutex
	res   Result
	fatal error
}

// splitBackupItems separates the partitions of method backup (with their
// position in items) from the others.
func splitBackupItems(items []item) (rest []item, backups []backupItem) {
	for seq, it := range items {
		if it.tc.Method == lang.MethodBackup {
			backups = append(backups, backupItem{seq: seq, tc: it.tc, pc: it.pc})
			continue
		}
		rest = append(rest, it)
	}
	return rest, backups
}

// backupHandle is the backup work of a Run, running beside the other
// methods' pipelines.
type backupHandle struct {
	done  chan struct{}
	res   Result
	fatal error
}

// startBackups starts moving the backup items. Only a worker of role
// "all" runs them: BACKUP/RESTORE has no staged files to hand between an
// exporter and a loader, so other roles leave them (counted as skipped).
func (r *run) startBackups(ctx context.Context, items []backupItem) *backupHandle {
	h := &backupHandle{done: make(chan struct{})}
	if r.cfg.Role != RoleAll {
		h.res.Skipped = len(items)
		close(h.done)
		return h
	}
	go func() {
		defer close(h.done)
		h.res, h.fatal = r.runBackups(ctx, items)
	}()
	return h
}

// wait adds the backup counts to res and returns the first fatal error.
func (h *backupHandle) wait(res *Result, fatal error) error {
	<-h.done
	res.Done += h.res.Done
	res.Failed += h.res.Failed
	res.Skipped += h.res.Skipped
	if fatal == nil {
		fatal = h.fatal
	}
	return fatal
}

// runBackups moves the items (all of method backup) and returns their
// counts; fatal is a state write that failed.
func (r *run) runBackups(ctx context.Context, items []backupItem) (Result, error) {
	b := &backupRun{r: r}
	byTable := map[*planner.TableChange][]backupItem{}
	var order []*planner.TableChange
	for _, it := range items {
		if _, ok := byTable[it.tc]; !ok {
			order = append(order, it.tc)
		}
		byTable[it.tc] = append(byTable[it.tc], it)
	}
	var wg sync.WaitGroup
	for _, tc := range order {
		wg.Go(func() { b.table(ctx, tc, byTable[tc]) })
	}
	wg.Wait()
	return b.res, b.fatal
}

// account counts one partition's outcome.
func (b *backupRun) account(ctx context.Context, p *part, err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	var fe *fatalError
	switch {
	case err == nil:
		b.res.Done++
		b.r.emit(PartitionDone{At: At{b.r.now()}, Addr: p.pc.Addr, Rows: p.pc.Rows, Bytes: p.pc.Bytes})
	case errors.As(err, &fe):
		if b.fatal == nil {
			b.fatal = fe.err
		}
		b.res.Failed++
	case ctx.Err() != nil:
		b.res.Skipped++
	default:
		b.res.Failed++
		stage := state.StagePlanned
		if p.rec != nil {
			stage = p.rec.Stage
		}
		b.r.emit(PartitionFailed{At: At{b.r.now()}, Addr: p.pc.Addr, Stage: stage, Err: err.Error()})
	}
}

// failAll records err for every partition of the batch.
func (b *backupRun) failAll(ctx context.Context, parts []*part, stage state.Stage, err error) {
	for _, p := range parts {
		if ctx.Err() == nil {
			var fe *fatalError
			if !errors.As(err, &fe) {
				if serr := p.fail(ctx, stage, err); serr != nil && !errors.Is(serr, err) {
					b.account(ctx, p, serr)
					continue
				}
			}
		}
		b.account(ctx, p, err)
	}
}

// table moves one table's partitions.
func (b *backupRun) table(ctx context.Context, tc *planner.TableChange, items []backupItem) {
	var parts []*part
	for _, it := range items {
		p := b.r.newPart(it.seq, tc, it.pc)
		if err := p.load(ctx); err != nil {
			b.account(ctx, p, err)
			continue
		}
		parts = append(parts, p)
	}
	src, okS := b.r.cfg.Sources[tc.SourceCluster].(BackupSource)
	dst, okT := b.r.cfg.Targets[tc.TargetCluster].(RestoreTarget)
	if !okS || !okT {
		b.failAll(ctx, parts, state.StagePlanned, fmt.Errorf("%s: %w", tc.Source, ErrBackupUnsupported))
		return
	}
	repo, err := b.repository(tc)
	if err != nil {
		b.failAll(ctx, parts, state.StagePlanned, err)
		return
	}
	if err := b.ensureRepository(ctx, "source."+tc.SourceCluster, src, repo, false); err != nil {
		b.failAll(ctx, parts, state.StagePlanned, fmt.Errorf("repository %s on source %q: %w", repo.Name, tc.SourceCluster, err))
		return
	}
	if err := b.ensureRepository(ctx, "target."+tc.TargetCluster, dst, repo, true); err != nil {
		b.failAll(ctx, parts, state.StagePlanned, fmt.Errorf("repository %s on target %q: %w", repo.Name, tc.TargetCluster, err))
		return
	}
	if err := b.r.ensureTable(ctx, tc); err != nil {
		b.failAll(ctx, parts, state.StagePlanned, fmt.Errorf("create target table %s: %w", tc.Target, err))
		return
	}
	batches := b.batches(tc, parts)
	restoreCh := make(chan *backupBatch, 1)
	var wg sync.WaitGroup
	wg.Go(func() {
		for bt := range restoreCh {
			b.restoreBatch(ctx, tc, dst, repo, bt)
		}
	})
	for _, bt := range batches {
		if ctx.Err() != nil {
			for _, p := range bt.parts {
				b.account(ctx, p, ctx.Err())
			}
			continue
		}
		if err := b.backupBatch(ctx, tc, src, repo, bt); err != nil {
			b.failAll(ctx, bt.parts, state.StageExporting, err)
			continue
		}
		restoreCh <- bt
	}
	close(restoreCh)
	wg.Wait()
}

// repository returns the table's repository as created on the clusters.
func (b *backupRun) repository(tc *planner.TableChange) (RepositorySpec, error) {
	rb := b.r.cfg.Spec.Repositories[tc.Repository]
	if rb == nil {
		return RepositorySpec{}, fmt.Errorf("%s: the plan names repository %q, which the spec does not declare", tc.Source, tc.Repository)
	}
	st := b.r.cfg.Storages[rb.Storage]
	if st == nil {
		return RepositorySpec{}, fmt.Errorf("%s: storage %q of repository %q is not open", tc.Source, rb.Storage, rb.Name)
	}
	props := st.StarRocksProperties()
	maps.Copy(props, rb.Properties)
	return RepositorySpec{Name: rb.Name, Location: st.URL(rb.Path), Properties: props}, nil
}

// ensureRepository creates the repository on a cluster once per run.
func (b *backupRun) ensureRepository(ctx context.Context, cluster string, c interface {
	EnsureRepository(context.Context, RepositorySpec) error
}, repo RepositorySpec, readOnly bool) error {
	v, _ := b.repos.LoadOrStore(cluster+"/"+repo.Name, &tableOnce{})
	o := v.(*tableOnce)
	o.once.Do(func() {
		repo.ReadOnly = readOnly
		o.err = c.EnsureRepository(ctx, repo)
	})
	return o.err
}

// batches groups the partitions: those with a recorded snapshot keep it
// (a rerun resumes its batch), the others are cut into new batches in
// plan order with deterministic snapshot names.
func (b *backupRun) batches(tc *planner.TableChange, parts []*part) []*backupBatch {
	var out []*backupBatch
	byName := map[string]*backupBatch{}
	var fresh []*part
	for _, p := range parts {
		if s := p.rec.Snapshot; s != nil && p.rec.Stage != state.StagePlanned {
			bt := byName[s.Name]
			if bt == nil {
				bt = &backupBatch{snap: s.Name}
				byName[s.Name] = bt
				out = append(out, bt)
			}
			bt.parts = append(bt.parts, p)
			continue
		}
		fresh = append(fresh, p)
	}
	for chunk := range slices.Chunk(fresh, backupBatchSize) {
		keys := []string{b.r.cfg.Job, tc.Source.String()}
		for _, p := range chunk {
			keys = append(keys, p.pc.Addr.Partition, fmt.Sprint(p.pc.Fingerprint.VisibleVersion), fmt.Sprint(len(p.rec.Jobs)))
		}
		out = append(out, &backupBatch{snap: "srplan_" + sanitize(tc.Source.Table, 40) + "_" + shortHash(keys...), parts: chunk})
	}
	return out
}

// partitionNames returns the partitions to name in BACKUP/RESTORE: none
// for an unpartitioned table (the whole table).
func partitionNames(tc *planner.TableChange, parts []*part) []string {
	if tc.PartitionKind == planner.Unpartitioned {
		return nil
	}
	out := make([]string, len(parts))
	for i, p := range parts {
		out[i] = p.pc.Addr.Partition
	}
	return out
}

// saveAll writes the records of the batch in one state transaction.
func saveAll(ctx context.Context, parts []*part, stage state.Stage, status state.Status) error {
	if len(parts) == 0 {
		return nil
	}
	r := parts[0].r
	batch := &state.Batch{}
	for _, p := range parts {
		p.rec.Stage, p.rec.Status, p.rec.LastError = stage, status, ""
		p.rec.UpdatedAt = r.now().UTC()
		batch.PutPartitions = append(batch.PutPartitions, p.rec)
	}
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), backupStateWriteTimeout)
	defer cancel()
	if err := r.cfg.State.Write(wctx, batch); err != nil {
		return &fatalError{fmt.Errorf("record %d partition(s) of %s %s in state: %w", len(parts), parts[0].tc.Source, stage, err)}
	}
	return nil
}

// retry runs fn under the run's retry policy for retryable errors.
func (b *backupRun) retry(ctx context.Context, fn func() error) error {
	bo := b.r.cfg.Retry.backOff()
	for attempt := 1; ; attempt++ {
		err := fn()
		var fe *fatalError
		if err == nil || errors.As(err, &fe) || ctx.Err() != nil {
			return err
		}
		if !IsRetryable(err) {
			return fmt.Errorf("%w (not retryable: fix the cause, then run apply again)", err)
		}
		if attempt >= b.r.cfg.Retry.MaxAttempts {
			return fmt.Errorf("%w (gave up after %d attempts: run apply again to retry)", err, attempt)
		}
		if err := sleep(ctx, bo.NextBackOff()); err != nil {
			return err
		}
	}
}

// withQueue runs fn holding gate g (nil = none) and the queue.
func (b *backupRun) withQueue(ctx context.Context, g *gate, prio int64, q *dbQueue, fn func() error) error {
	if g != nil {
		if err := g.acquire(ctx, prio); err != nil {
			return err
		}
		defer g.release()
	}
	if err := q.lock(ctx); err != nil {
		return err
	}
	defer q.unlock()
	return fn()
}

// backupBatch takes (or finds) the batch's snapshot.
func (b *backupRun) backupBatch(ctx context.Context, tc *planner.TableChange, src BackupSource, repo RepositorySpec, bt *backupBatch) error {
	var todo []*part
	for _, p := range bt.parts {
		if p.rec.Stage == state.StagePlanned || p.rec.Stage == state.StageExporting {
			todo = append(todo, p)
		}
	}
	if len(todo) == 0 {
		return nil
	}
	for _, p := range todo {
		if p.rec.Snapshot == nil || p.rec.Snapshot.Name != bt.snap {
			p.rec.Snapshot = &state.SnapshotRecord{Name: bt.snap, Repository: repo.Name}
			p.rec.Jobs = append(p.rec.Jobs, bt.snap)
		}
		b.r.emit(StageStarted{At: At{b.r.now()}, Addr: p.pc.Addr, Stage: state.StageExporting})
	}
	if err := saveAll(ctx, todo, state.StageExporting, state.StatusRunning); err != nil {
		return err
	}
	start := b.r.now()
	q := b.queues.get("source."+tc.SourceCluster, tc.Source.DB)
	var snap Snapshot
	err := b.retry(ctx, func() error {
		return b.withQueue(ctx, todo[0].tg.exports, todo[0].seq, q, func() error {
			var err error
			snap, err = src.Backup(ctx, BackupRequest{Table: tc.Source, Partitions: partitionNames(tc, bt.parts),
				Snapshot: bt.snap, Repository: repo.Name})
			return err
		})
	})
	if err != nil {
		for _, p := range todo {
			p.rec.Snapshot.Outcome = err.Error()
		}
		return fmt.Errorf("backup %s snapshot %s: %w", tc.Source, bt.snap, err)
	}
	for _, p := range todo {
		s := p.rec.Snapshot
		s.Timestamp, s.Outcome = snap.Timestamp, "backed up"
		if snap.JobID != "" {
			s.BackupJobID = snap.JobID
		}
		p.rec.Attempts = 0
	}
	if err := saveAll(ctx, todo, state.StageExported, state.StatusOK); err != nil {
		return err
	}
	for _, p := range todo {
		b.r.emit(StageDone{At: At{b.r.now()}, Addr: p.pc.Addr, Stage: state.StageExporting, Duration: b.r.now().Sub(start), Rows: p.pc.Rows, Bytes: p.pc.Bytes})
	}
	return nil
}
