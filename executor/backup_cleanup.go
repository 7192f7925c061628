package executor

import (
	"context"
	"fmt"
	"strings"

	"github.com/srplan/srplan/planner"
	"github.com/srplan/srplan/state"
)

// Snapshot cleanup (repository attribute cleanup = true). StarRocks has no
// statement that drops a snapshot (STARROCKS.md 6.1: DROP REPOSITORY keeps
// the files), so srplan deletes a snapshot's directory from the
// repository's storage itself, once no partition needs it any more: every
// partition recorded with the snapshot is copied and verified. A snapshot
// of a partition that failed, is unverified or still in progress stays.

// SnapshotOutcomeCleaned is state.SnapshotRecord.Outcome once srplan
// deleted the snapshot's files from its repository. It replaces
// "restored": a cleaned snapshot was restored and verified.
const SnapshotOutcomeCleaned = "cleaned"

// SnapshotCleaned reports the cleanup of one snapshot: its files deleted
// from the repository (Err ""), or the deletion failed (Err set; the
// partitions stay done and the snapshot stays in the repository).
type SnapshotCleaned struct {
	At
	Table      planner.TableAddr
	Snapshot   string
	Repository string
	// Files is how many objects were deleted.
	Files int
	Err   string
}

// snapshotPrefix is the repository storage key prefix of a snapshot's
// directory: StarRocks keeps a repository's files under
// <location>/__starrocks_repository_<name>/ and a snapshot's under
// __ss_<snapshot>/ in it (StarRocks' Repository class). The trailing '/'
// keeps snapshot "a" from matching snapshot "ab".
func snapshotPrefix(repoPath, repo, snapshot string) string {
	return strings.Trim(repoPath, "/") + "/__starrocks_repository_" + repo + "/__ss_" + snapshot + "/"
}

// cleanup deletes the batch's snapshot from the repository when the
// repository asks for it and no partition recorded with the snapshot
// still needs it, then records the outcome.
func (b *backupRun) cleanup(ctx context.Context, tc *planner.TableChange, bt *backupBatch) {
	rb := b.r.cfg.Spec.Repositories[tc.Repository]
	if rb == nil || !rb.Cleanup || ctx.Err() != nil || !strings.HasPrefix(bt.snap, "srplan_") {
		return
	}
	for _, p := range bt.parts {
		if !p.rec.Done() {
			return
		}
	}
	snap, err := b.r.cfg.State.Read(ctx)
	if err != nil {
		b.cleaned(tc, bt.snap, rb.Name, 0, fmt.Errorf("read state: %w", err))
		return
	}
	var recs []*state.PartitionRecord
	for _, r := range snap.Partitions {
		s := r.Snapshot
		if s == nil || s.Name != bt.snap || s.Repository != rb.Name {
			continue
		}
		if !r.Done() {
			return // a partition still needs the snapshot
		}
		if s.Outcome == SnapshotOutcomeCleaned {
			continue
		}
		recs = append(recs, r)
	}
	if len(recs) == 0 {
		return
	}
	st := b.r.cfg.Storages[rb.Storage]
	if st == nil {
		b.cleaned(tc, bt.snap, rb.Name, 0, fmt.Errorf("storage %q of repository %q is not open", rb.Storage, rb.Name))
		return
	}
	n, err := st.DeletePrefix(ctx, snapshotPrefix(rb.Path, rb.Name, bt.snap))
	if err != nil {
		b.cleaned(tc, bt.snap, rb.Name, n, fmt.Errorf("delete the snapshot's files: %w", err))
		return
	}
	batch := &state.Batch{}
	now := b.r.now().UTC()
	for _, r := range recs {
		r.Snapshot.Outcome, r.UpdatedAt = SnapshotOutcomeCleaned, now
		batch.PutPartitions = append(batch.PutPartitions, r)
	}
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), backupStateWriteTimeout)
	defer cancel()
	if err := b.r.cfg.State.Write(wctx, batch); err != nil {
		// The files are gone and every partition is done: nothing needs
		// the snapshot, only its recorded outcome is stale.
		b.cleaned(tc, bt.snap, rb.Name, n, fmt.Errorf("files deleted, but recording it in state failed: %w", err))
		return
	}
	b.cleaned(tc, bt.snap, rb.Name, n, nil)
}

// cleaned emits SnapshotCleaned.
func (b *backupRun) cleaned(tc *planner.TableChange, snap, repo string, files int, err error) {
	e := SnapshotCleaned{At: At{b.r.now()}, Table: tc.Source, Snapshot: snap, Repository: repo, Files: files}
	if err != nil {
		e.Err = fmt.Sprintf("clean snapshot %s of %s from repository %s: %v", snap, tc.Source, repo, err)
	}
	b.r.emit(e)
}
