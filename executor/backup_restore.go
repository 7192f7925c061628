package executor

import (
	"context"
	"fmt"

	"github.com/srplan/srplan/planner"
	"github.com/srplan/srplan/state"
)

// restoreBatch restores one batch on the target, swaps recopies in and
// verifies every partition; with repository cleanup, it then deletes the
// snapshot when no partition needs it any more.
//
// A partition the target lacks, or has only as created and never loaded
// (VisibleVersion 1), is restored straight into the target table: no
// reader can lose data there. Any other is restored into a staging table
// (RESTORE ... AS) and swapped in atomically: a temporary partition
// filled from the staging table replaces the partition, or for an
// unpartitioned table a labelled INSERT OVERWRITE from it. RESTORE never
// writes over live data in place.
func (b *backupRun) restoreBatch(ctx context.Context, tc *planner.TableChange, dst RestoreTarget, repo RepositorySpec, bt *backupBatch) {
	var direct, staged, ready []*part
	for _, p := range bt.parts {
		switch p.rec.Stage {
		case state.StageLoaded, state.StageVerifying:
			ready = append(ready, p)
		case state.StageLoading:
			if p.rec.Snapshot != nil && p.rec.Snapshot.RestoreInto == tc.Target.String() {
				direct = append(direct, p)
			} else {
				staged = append(staged, p)
			}
		default:
			d, err := b.restoresDirectly(ctx, tc, dst, p)
			if err != nil {
				b.failAll(ctx, []*part{p}, state.StageLoading, fmt.Errorf("restore %s: %w", p.pc.Addr, err))
				continue
			}
			if d {
				direct = append(direct, p)
			} else {
				staged = append(staged, p)
			}
		}
	}
	for _, group := range []struct {
		parts []*part
		into  planner.TableAddr
	}{
		{direct, tc.Target},
		{staged, planner.TableAddr{DB: tc.Target.DB, Table: stagingTableName(bt.snap)}},
	} {
		if len(group.parts) == 0 {
			continue
		}
		if err := b.restoreGroup(ctx, tc, dst, repo, bt, group.parts, group.into); err != nil {
			b.failAll(ctx, group.parts, state.StageLoading, err)
			continue
		}
		ready = append(ready, group.parts...)
	}
	for _, p := range ready {
		b.account(ctx, p, p.stage(ctx, state.StageVerifying, nil, p.verify))
	}
	b.cleanup(ctx, tc, bt)
}

// stagingTableName names the staging table of one snapshot's recopy.
func stagingTableName(snap string) string { return "srplan_stage_" + shortHash(snap) }

// restoresDirectly reports whether partition p can be restored straight
// into the target table.
func (b *backupRun) restoresDirectly(ctx context.Context, tc *planner.TableChange, dst RestoreTarget, p *part) (bool, error) {
	exists, err := p.dst.TableExists(ctx, tc.Target)
	if err != nil || !exists {
		return !exists, err
	}
	name := p.pc.Addr.Partition
	if tc.PartitionKind == planner.Unpartitioned {
		name = tc.Target.Table
	} else if has, err := p.dst.PartitionExists(ctx, tc.Target, name); err != nil || !has {
		return !has, err
	}
	v, err := dst.PartitionVersion(ctx, tc.Target, name)
	if err != nil {
		return false, err
	}
	return v <= 1, nil
}

// restoreGroup restores parts into table into (the target table or the
// staging table), then swaps staged partitions in.
func (b *backupRun) restoreGroup(ctx context.Context, tc *planner.TableChange, dst RestoreTarget, repo RepositorySpec, bt *backupBatch, parts []*part, into planner.TableAddr) error {
	adopt := true
	for _, p := range parts {
		s := p.rec.Snapshot
		if p.rec.Stage != state.StageLoading || s.RestoreInto != into.String() {
			adopt = false
		}
		s.RestoreInto = into.String()
		b.r.emit(StageStarted{At: At{b.r.now()}, Addr: p.pc.Addr, Stage: state.StageLoading})
	}
	if err := saveAll(ctx, parts, state.StageLoading, state.StatusRunning); err != nil {
		return err
	}
	start := b.r.now()
	ts := parts[0].rec.Snapshot.Timestamp
	repl := parts[0].block().Schema.Properties["replication_num"]
	q := b.queues.get("target."+tc.TargetCluster, tc.Target.DB)
	var jobID string
	err := b.retry(ctx, func() error {
		return b.withQueue(ctx, parts[0].tg.loads, -parts[0].pc.Bytes, q, func() error {
			var err error
			jobID, err = dst.Restore(ctx, RestoreRequest{Table: tc.Source, Into: into, Partitions: partitionNames(tc, parts),
				Snapshot: bt.snap, Timestamp: ts, Repository: repo.Name, ReplicationNum: repl, Adopt: adopt,
				Restored: func(ctx context.Context) (bool, error) { return restoredAlready(ctx, tc, dst, parts, into) }})
			adopt = false
			return err
		})
	})
	for _, p := range parts {
		if jobID != "" {
			p.rec.Snapshot.RestoreJobID = jobID
		}
		p.rec.Snapshot.Outcome = "restored"
		if err != nil {
			p.rec.Snapshot.Outcome = err.Error()
		}
	}
	if err != nil {
		return fmt.Errorf("restore %s snapshot %s into %s: %w", tc.Source, bt.snap, into, err)
	}
	if into != tc.Target {
		if err := b.retry(ctx, func() error { return b.swapIn(ctx, tc, dst, parts, into) }); err != nil {
			return fmt.Errorf("swap %s in from %s: %w", tc.Target, into, err)
		}
	}
	for _, p := range parts {
		p.rec.Attempts = 0
	}
	if err := saveAll(ctx, parts, state.StageLoaded, state.StatusOK); err != nil {
		return err
	}
	for _, p := range parts {
		b.r.emit(StageDone{At: At{b.r.now()}, Addr: p.pc.Addr, Stage: state.StageLoading, Duration: b.r.now().Sub(start), Rows: p.pc.Rows, Bytes: p.pc.Bytes})
	}
	return nil
}

// restoredAlready reports whether the partitions of parts are in place in
// into (the target or the staging table), as an earlier run's finished
// RESTORE left them: the table exists, each partition exists, and one
// that held data on the source has a version past the initial one.
func restoredAlready(ctx context.Context, tc *planner.TableChange, dst RestoreTarget, parts []*part, into planner.TableAddr) (bool, error) {
	t := parts[0].dst
	if ok, err := t.TableExists(ctx, into); err != nil || !ok {
		return false, err
	}
	for _, p := range parts {
		name := p.pc.Addr.Partition
		if tc.PartitionKind == planner.Unpartitioned {
			name = into.Table
		} else if has, err := t.PartitionExists(ctx, into, name); err != nil || !has {
			return false, err
		}
		if p.pc.Fingerprint.VisibleVersion > 1 {
			v, err := dst.PartitionVersion(ctx, into, name)
			if err != nil || v <= 1 {
				return false, err
			}
		}
	}
	return true, nil
}

// swapIn replaces each partition of the target with its restored copy in
// the staging table, then drops the staging table. Each step is
// idempotent, so a rerun after a crash completes it.
func (b *backupRun) swapIn(ctx context.Context, tc *planner.TableChange, dst RestoreTarget, parts []*part, staging planner.TableAddr) error {
	t := p0dst(parts)
	for _, p := range parts {
		label := "srplan_swap_" + shortHash(staging.Table, p.pc.Addr.Partition)
		if tc.PartitionKind == planner.Unpartitioned {
			if err := t.OverwriteFromShadow(ctx, tc.Target, staging.Table, label); err != nil {
				return err
			}
			continue
		}
		part, tp := p.pc.Addr.Partition, tempPartitionName(label)
		st, _, err := t.LabelState(ctx, tc.Target.DB, label)
		if err != nil {
			return err
		}
		if st == LabelFinished {
			has, err := t.TempPartitionExists(ctx, tc.Target, tp)
			if err != nil {
				return err
			}
			if !has {
				continue // replaced before an interruption
			}
		} else {
			if tc.PartitionKind != planner.ExpressionPartitions {
				if err := t.EnsurePartition(ctx, tc.Target, part, p.pc.Value); err != nil {
					return err
				}
			}
			if st != LabelRunning {
				if err := t.ResetTempPartition(ctx, tc.Target, tp, p.pc.Value); err != nil {
					return err
				}
			}
			if err := dst.CopyToTempPartition(ctx, tc.Target, tp, staging, part, label); err != nil {
				return err
			}
		}
		if err := t.ReplacePartition(ctx, tc.Target, part, tp); err != nil {
			return err
		}
	}
	return t.DropTable(ctx, staging)
}

// p0dst is the Target of a batch (all its parts share it).
func p0dst(parts []*part) Target { return parts[0].dst }
