package executor

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/srplan/srplan/planner"
	"github.com/srplan/srplan/providers/s3"
	"github.com/srplan/srplan/state"
)

// part is one partition's pipeline. Its record is written to state before
// each job is submitted and after each stage completes:
//
//	planned -> exporting -> exported -> loading -> loaded -> verifying -> done
//
// so that a rerun resumes at the last recorded point and, with the
// deterministic export directory and load label, never does a job twice.
type part struct {
	r   *run
	tc  *planner.TableChange
	pc  *planner.PartitionChange
	rec *state.PartitionRecord
	src Source
	dst Target
	st  s3.Storage
	// ld is the storage the target loads from: st, or the table's load
	// storage when the export is copied there first.
	ld s3.Storage
	tg *throttleGates
	// exportOnly stops the pipeline once exported (and copied).
	exportOnly bool
	// done is the record as read when it was complete, else nil.
	done *state.PartitionRecord
	// handedOff is set when the pipeline stopped for a loader to go on
	// (exporter role, or an event-driven loader in this process).
	handedOff bool
	// seq is the partition's position in the export order (exportOrder).
	seq int64
}

// partition runs one partition to done or failed.
func (r *run) partition(ctx context.Context, seq int, tc *planner.TableChange, pc *planner.PartitionChange) error {
	p := r.newPart(seq, tc, pc)
	key := state.PartitionKey{Table: tc.Source.String(), Partition: pc.Addr.Partition}
	ctx, release, err := r.claimOrWait(ctx, key)
	if err != nil {
		if ec, ok := errors.AsType[*errClaimed](err); ok {
			r.emit(Skipped{At: At{r.now()}, Addr: pc.Addr, Reason: ec.Error()})
			return errSkipped
		}
		return err
	}
	defer release()
	if err := p.load(ctx); err != nil {
		return err
	}
	if p.doneElsewhere() {
		r.emit(Skipped{At: At{r.now()}, Addr: pc.Addr, Reason: "already done by another worker"})
		return nil
	}
	err = p.run(ctx)
	if err == nil {
		if p.handedOff {
			r.emit(HandedOff{At: At{r.now()}, Addr: pc.Addr, Stage: p.rec.Stage})
			return nil
		}
		r.emit(PartitionDone{At: At{r.now()}, Addr: pc.Addr, Rows: pc.Rows, Bytes: pc.Bytes})
		return nil
	}
	if lost := claimLost(ctx); lost != nil {
		r.emit(Skipped{At: At{r.now()}, Addr: pc.Addr, Reason: "claim lost: " + lost.Error()})
		return errSkipped
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var fe *fatalError
	if errors.As(err, &fe) {
		return err
	}
	r.emit(PartitionFailed{At: At{r.now()}, Addr: pc.Addr, Stage: p.rec.Stage, Err: err.Error()})
	return err
}

// newPart makes the pipeline of one partition.
func (r *run) newPart(seq int, tc *planner.TableChange, pc *planner.PartitionChange) *part {
	return &part{r: r, tc: tc, pc: pc, seq: int64(seq),
		src: r.cfg.Sources[tc.SourceCluster], dst: r.cfg.Targets[tc.TargetCluster],
		st: r.cfg.Storages[tc.Storage], ld: r.cfg.Storages[tc.LoadFrom()], tg: r.throttle[tc.Throttle],
		exportOnly: r.exportOnly}
}

// errSkipped is a partition left to another worker.
var errSkipped = errors.New("left to another worker")

// doneElsewhere reports, for workers sharing state (Claims set), a
// partition another worker finished since the plan was made: its record
// is done at the planned fingerprint and was either a first copy or
// written after the plan.
func (p *part) doneElsewhere() bool {
	if p.r.cfg.Claims == nil || p.done == nil {
		return false
	}
	d := p.done
	return d.Fingerprint.Equal(p.pc.Fingerprint) && (p.pc.Action == planner.Copy || d.UpdatedAt.After(p.r.cfg.Plan.CreatedAt))
}

// load reads the partition's record and decides where to start. A record
// of another source version, or of a completed copy (a recopy), starts
// over; otherwise the pipeline resumes at the recorded stage.
func (p *part) load(ctx context.Context) error {
	key := state.PartitionKey{Table: p.tc.Source.String(), Partition: p.pc.Addr.Partition}
	rec, err := p.r.cfg.State.Partition(ctx, key)
	switch {
	case errors.Is(err, state.ErrNotFound):
		rec = nil
	case err != nil:
		return &fatalError{fmt.Errorf("read state of %s: %w", p.pc.Addr, err)}
	}
	now := p.r.now().UTC()
	if rec != nil && rec.Done() {
		p.done = rec
	}
	fresh := rec == nil || !rec.Fingerprint.Equal(p.pc.Fingerprint) || rec.Done() ||
		(rec.Stage == state.StageVerifying && rec.Status == state.StatusFailed)
	if fresh {
		n := &state.PartitionRecord{
			Table: key.Table, Partition: key.Partition, Fingerprint: p.pc.Fingerprint,
			Method: string(p.tc.Method), Stage: state.StagePlanned, Status: state.StatusPending,
			Rows: p.pc.Rows, Bytes: p.pc.Bytes, CreatedAt: now, UpdatedAt: now,
		}
		if rec != nil {
			n.LastDone, n.Labels, n.Jobs, n.CreatedAt = rec.LastDone, rec.Labels, rec.Jobs, rec.CreatedAt
		}
		rec = n
	}
	p.rec = rec
	return nil
}

// save writes the record (one state transaction).
func (p *part) save(ctx context.Context, stage state.Stage, status state.Status, lastErr string) error {
	p.rec.Stage, p.rec.Status, p.rec.LastError = stage, status, lastErr
	p.rec.UpdatedAt = p.r.now().UTC()
	// A state write must not be abandoned halfway through a stop: the
	// record says what was submitted.
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if err := p.r.cfg.State.Write(wctx, &state.Batch{PutPartitions: []*state.PartitionRecord{p.rec}}); err != nil {
		return &fatalError{fmt.Errorf("record %s %s in state: %w", p.pc.Addr, stage, err)}
	}
	return nil
}

// run drives the stages from the recorded one.
func (p *part) run(ctx context.Context) error {
	if p.exportOnly && p.rec.Stage != state.StagePlanned && p.rec.Stage != state.StageExporting &&
		p.rec.Stage != state.StageExported && p.rec.Stage != state.StageCopied {
		p.handedOff = true // a loader has it already
		return nil
	}
	if !p.exportOnly {
		if err := p.r.ensureTable(ctx, p.tc); err != nil {
			return p.fail(ctx, state.StagePlanned, fmt.Errorf("create target table %s: %w", p.tc.Target, err))
		}
	}
	switch p.rec.Stage {
	case state.StagePlanned, state.StageExporting:
		if err := p.stage(ctx, state.StageExporting, p.tg.exports, p.export); err != nil {
			return err
		}
		fallthrough
	case state.StageExported:
		if err := p.copyStage(ctx); err != nil {
			return err
		}
		fallthrough
	case state.StageCopied:
		if p.exportOnly {
			p.handedOff = true
			return nil
		}
		fallthrough
	case state.StageLoading:
		if err := p.stage(ctx, state.StageLoading, p.tg.loads, p.loadStage); err != nil {
			return err
		}
		fallthrough
	case state.StageLoaded, state.StageVerifying:
		return p.stage(ctx, state.StageVerifying, nil, p.verify)
	}
	return fmt.Errorf("%s: unexpected recorded stage %q", p.pc.Addr, p.rec.Stage)
}

// stage runs fn under gate g (nil = no gate) with retries for retryable
// errors. Backoff waits do not hold a slot.
func (p *part) stage(ctx context.Context, stage state.Stage, g *gate, fn func(context.Context) error) error {
	rank := func() int64 { return p.r.ranks.rankOf(int(p.seq)) } // exports: in the export order
	if stage == state.StageLoading {
		rank = func() int64 { return -p.pc.Bytes } // loads: biggest first
	}
	bo := p.r.cfg.Retry.backOff()
	for attempt := 1; ; attempt++ {
		if g != nil {
			if err := g.acquireRanked(ctx, rank); err != nil {
				return err
			}
			if stage == state.StageExporting {
				p.r.ranks.start(int(p.seq))
			}
		}
		start := p.r.now()
		p.r.emit(StageStarted{At: At{start}, Addr: p.pc.Addr, Stage: stage})
		err := fn(ctx)
		if g != nil {
			g.release()
		}
		if err == nil {
			took := p.r.now().Sub(start)
			p.r.emit(StageDone{At: At{p.r.now()}, Addr: p.pc.Addr, Stage: stage, Duration: took, Rows: p.pc.Rows, Bytes: p.pc.Bytes})
			if stage == state.StageExporting || stage == state.StageLoading {
				p.r.measured(p.tc.Throttle, stage == state.StageExporting, p.pc.Bytes, took)
			}
			return nil
		}
		var fe *fatalError
		if errors.As(err, &fe) || ctx.Err() != nil {
			return err
		}
		p.rec.Attempts++
		if !IsRetryable(err) || attempt >= p.r.cfg.Retry.MaxAttempts {
			if !IsRetryable(err) {
				err = fmt.Errorf("%w (not retryable: fix the cause, then run apply again)", err)
			} else {
				err = fmt.Errorf("%w (gave up after %d attempts: run apply again to retry)", err, attempt)
			}
			return p.fail(ctx, stage, err)
		}
		wait := bo.NextBackOff()
		if serr := p.save(ctx, stage, state.StatusRunning, err.Error()); serr != nil {
			return serr
		}
		p.r.emit(Retrying{At: At{p.r.now()}, Addr: p.pc.Addr, Stage: stage, Attempt: attempt, Err: err.Error(), In: wait})
		if err := sleep(ctx, wait); err != nil {
			return err
		}
	}
}

// fail records a permanent failure at stage.
func (p *part) fail(ctx context.Context, stage state.Stage, err error) error {
	if serr := p.save(ctx, stage, state.StatusFailed, err.Error()); serr != nil {
		return serr
	}
	return err
}
