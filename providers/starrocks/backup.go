package starrocks

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/srplan/srplan/executor"
	"github.com/srplan/srplan/planner"
)

// BACKUP and RESTORE jobs (STARROCKS.md 6). StarRocks runs one backup or
// restore job per database and SHOW BACKUP / SHOW RESTORE show only the
// database's last job, so jobs are found by what they leave: a snapshot
// by its deterministic name in the repository (SHOW SNAPSHOT), a running
// job by SHOW BACKUP/RESTORE's last row. A database busy with another
// job is waited for.

var (
	_ executor.BackupSource  = (*Jobs)(nil)
	_ executor.RestoreTarget = (*Jobs)(nil)
)

// Texts of the refusals srplan branches on (BackupHandler).
const (
	msgOneJobPerDB     = "Can only run one backup or restore job of a database at same time"
	msgSnapshotExists  = "already exist in repository"
	msgRepositoryExist = "repository with same name already exist"
)

// EnsureRepository implements executor.BackupSource and RestoreTarget.
func (j *Jobs) EnsureRepository(ctx context.Context, r executor.RepositorySpec) error {
	loc, found, err := j.repositoryLocation(ctx, r.Name)
	if err != nil {
		return mark(err)
	}
	if !found {
		err := execSecret(ctx, j.db, CreateRepositorySQL(r.Name, r.Location, r.Properties, r.ReadOnly), secretValues(r.Properties))
		if err == nil {
			return nil
		}
		if !strings.Contains(err.Error(), msgRepositoryExist) {
			return markf(err, "create repository %s on %q", r.Name, j.info.Name)
		}
		if loc, _, err = j.repositoryLocation(ctx, r.Name); err != nil {
			return mark(err)
		}
	}
	if strings.TrimRight(loc, "/") != strings.TrimRight(r.Location, "/") {
		return mark(fmt.Errorf("repository %s on %q is at %s, not at %s: drop it (DROP REPOSITORY keeps the files) or rename the spec's repository", r.Name, j.info.Name, loc, r.Location))
	}
	return nil
}

// repositoryLocation looks a repository up in SHOW REPOSITORIES.
func (j *Jobs) repositoryLocation(ctx context.Context, name string) (string, bool, error) {
	res, err := queryAll(ctx, j.db, ShowRepositoriesSQL)
	if err != nil {
		return "", false, err
	}
	nc, ok1 := res.col("RepoName")
	lc, ok2 := res.col("Location")
	if !ok1 || !ok2 {
		return "", false, fmt.Errorf("%s: no RepoName or Location column", ShowRepositoriesSQL)
	}
	for i := range res.rows {
		if n, _ := res.cell(i, nc); n == name {
			loc, _ := res.cell(i, lc)
			return loc, true, nil
		}
	}
	return "", false, nil
}

// brJob is the last row of SHOW BACKUP or SHOW RESTORE.
type brJob struct {
	found                          bool
	id, snapshot, timestamp, state string
	status                         string
}

func (b brJob) terminal() bool {
	return b.found && (strings.EqualFold(b.state, "FINISHED") || strings.EqualFold(b.state, "CANCELLED"))
}

// lastJob reads SHOW BACKUP (restore false) or SHOW RESTORE of db.
func (j *Jobs) lastJob(ctx context.Context, db string, restore bool) (brJob, error) {
	q, nameCol := ShowBackupSQL(db), "SnapshotName"
	if restore {
		q, nameCol = ShowRestoreSQL(db), "Label"
	}
	res, err := queryAll(ctx, j.db, q)
	if err != nil || len(res.rows) == 0 {
		return brJob{}, err
	}
	i := len(res.rows) - 1
	get := func(c string) string {
		if k, ok := res.col(c); ok {
			v, _ := res.cell(i, k)
			return v
		}
		return ""
	}
	return brJob{found: true, id: get("JobId"), snapshot: get(nameCol), timestamp: get("Timestamp"),
		state: get("State"), status: get("Status")}, nil
}

// snapshotTimestamp returns the Timestamp of an OK snapshot in repo.
func (j *Jobs) snapshotTimestamp(ctx context.Context, repo, name string) (string, bool, error) {
	res, err := queryAll(ctx, j.db, ShowSnapshotSQL(repo, name))
	if err != nil {
		return "", false, err
	}
	sc, ok1 := res.col("Snapshot")
	tc, ok2 := res.col("Timestamp")
	st, ok3 := res.col("Status")
	if !ok1 || !ok2 || !ok3 {
		return "", false, fmt.Errorf("%s: no Snapshot, Timestamp or Status column", ShowSnapshotSQL(repo, name))
	}
	latest := ""
	for i := range res.rows {
		n, _ := res.cell(i, sc)
		s, _ := res.cell(i, st)
		ts, _ := res.cell(i, tc)
		if n == name && strings.EqualFold(s, "OK") && ts > latest {
			latest = ts
		}
	}
	return latest, latest != "", nil
}

// Backup implements executor.BackupSource.
func (j *Jobs) Backup(ctx context.Context, req executor.BackupRequest) (executor.Snapshot, error) {
	snap := executor.Snapshot{Name: req.Snapshot}
	for attempt := 0; ; attempt++ {
		if ts, ok, err := j.snapshotTimestamp(ctx, req.Repository, req.Snapshot); err != nil {
			return snap, mark(err)
		} else if ok {
			snap.Timestamp = ts
			if last, err := j.lastJob(ctx, req.Table.DB, false); err == nil && last.snapshot == req.Snapshot {
				snap.JobID = last.id
			}
			return snap, nil
		}
		last, err := j.lastJob(ctx, req.Table.DB, false)
		if err != nil {
			return snap, mark(err)
		}
		if last.found && last.snapshot == req.Snapshot && !last.terminal() {
			// An earlier run's job: wait for it, then look again.
			if _, err := j.waitBR(ctx, req.Table.DB, false, req.Snapshot, ""); err != nil {
				return snap, err
			}
			continue
		}
		if attempt > 0 && last.found && last.snapshot == req.Snapshot && strings.EqualFold(last.state, "CANCELLED") {
			return snap, newBRError("backup", req.Table.DB, req.Snapshot, last)
		}
		err = j.exec(ctx, BackupSQL(req.Table, req.Partitions, req.Snapshot, req.Repository))
		switch {
		case err == nil:
			if last, lerr := j.lastJob(ctx, req.Table.DB, false); lerr == nil && last.snapshot == req.Snapshot {
				snap.JobID = last.id
				if req.OnSubmitted != nil {
					req.OnSubmitted(last.id)
				}
			}
			final, err := j.waitBR(ctx, req.Table.DB, false, req.Snapshot, "")
			if err != nil {
				return snap, err
			}
			if !strings.EqualFold(final.state, "FINISHED") {
				return snap, newBRError("backup", req.Table.DB, req.Snapshot, final)
			}
			attempt = 0
			continue
		case strings.Contains(err.Error(), msgSnapshotExists):
			continue
		case strings.Contains(err.Error(), msgOneJobPerDB):
			if err := j.waitIdle(ctx, req.Table.DB); err != nil {
				return snap, err
			}
			attempt = -1
			continue
		default:
			return snap, markf(err, "backup %s", req.Table)
		}
	}
}

// Restore implements executor.RestoreTarget.
func (j *Jobs) Restore(ctx context.Context, req executor.RestoreRequest) (string, error) {
	db := req.Into.DB
	for {
		last, err := j.lastJob(ctx, db, true)
		if err != nil {
			return "", mark(err)
		}
		ours := last.found && last.snapshot == req.Snapshot && last.timestamp == req.Timestamp
		switch {
		case ours && !last.terminal():
			final, err := j.waitBR(ctx, db, true, req.Snapshot, req.Timestamp)
			if err != nil {
				return "", err
			}
			if strings.EqualFold(final.state, "FINISHED") {
				return final.id, nil
			}
			return final.id, newBRError("restore", db, req.Snapshot, final)
		case ours && req.Adopt && strings.EqualFold(last.state, "FINISHED"):
			return last.id, nil
		case !ours && req.Adopt && req.Restored != nil:
			// One restore runs per database at a time: a job of ours
			// that is not the last one has ended; its data is the proof.
			done, err := req.Restored(ctx)
			if err != nil {
				return "", err
			}
			if done {
				return "", nil
			}
		}
		err = j.exec(ctx, RestoreSQL(db, req.Table.Table, req.Partitions, req.Into.Table, req.Snapshot, req.Timestamp, req.Repository, req.ReplicationNum))
		switch {
		case err == nil:
		case strings.Contains(err.Error(), msgOneJobPerDB):
			if err := j.waitIdle(ctx, db); err != nil {
				return "", err
			}
			continue
		default:
			return "", markf(err, "restore %s into %s", req.Snapshot, req.Into)
		}
		id := ""
		if last, err := j.lastJob(ctx, db, true); err == nil && last.snapshot == req.Snapshot {
			id = last.id
		}
		if req.OnSubmitted != nil {
			req.OnSubmitted(id)
		}
		final, err := j.waitBR(ctx, db, true, req.Snapshot, req.Timestamp)
		if err != nil {
			return id, err
		}
		if !strings.EqualFold(final.state, "FINISHED") {
			return final.id, newBRError("restore", db, req.Snapshot, final)
		}
		return final.id, nil
	}
}

// CopyToTempPartition implements executor.RestoreTarget.
func (j *Jobs) CopyToTempPartition(ctx context.Context, t planner.TableAddr, tp string, from planner.TableAddr, fromPartition, label string) error {
	err := j.runInsert(ctx, JobKey{Kind: LoadJob, DB: t.DB, ID: label}, CopyToTempPartitionSQL(t, tp, from, fromPartition, label), nil, "")
	return markf(err, "copy %s into temporary partition %s of %s", from, tp, t)
}

// errOutcomeUnknown: the job left SHOW BACKUP/RESTORE (another job of the
// database replaced it) before srplan saw it end.
var errOutcomeUnknown = errors.New("the job is no longer shown by the cluster (another backup or restore job of the database replaced it) before srplan saw it end")

// waitBR polls SHOW BACKUP/RESTORE of db until the job of snapshot (and
// timestamp, for restores) is terminal.
func (j *Jobs) waitBR(ctx context.Context, db string, restore bool, snapshot, ts string) (brJob, error) {
	interval := j.minPoll()
	deadline := time.Now().Add(j.jobTimeout)
	for {
		last, err := j.lastJob(ctx, db, restore)
		if err != nil {
			return last, mark(err)
		}
		if !last.found || last.snapshot != snapshot || (restore && last.timestamp != ts) {
			return last, mark(&retryError{err: fmt.Errorf("wait for snapshot %s in database %s: %w", snapshot, db, errOutcomeUnknown), retry: true})
		}
		if last.terminal() {
			return last, nil
		}
		if time.Now().After(deadline) {
			return last, mark(&retryError{err: fmt.Errorf("snapshot %s in database %s still %s after %s", snapshot, db, last.state, j.jobTimeout), retry: true})
		}
		if err := sleepCtx(ctx, interval); err != nil {
			return last, err
		}
		interval = min(interval*2, j.maxPoll())
	}
}

// waitIdle waits until db's last backup and restore jobs are terminal.
func (j *Jobs) waitIdle(ctx context.Context, db string) error {
	interval := j.minPoll()
	for {
		b, err := j.lastJob(ctx, db, false)
		if err != nil {
			return mark(err)
		}
		r, err := j.lastJob(ctx, db, true)
		if err != nil {
			return mark(err)
		}
		if (!b.found || b.terminal()) && (!r.found || r.terminal()) {
			return nil
		}
		if err := sleepCtx(ctx, interval); err != nil {
			return err
		}
		interval = min(interval*2, j.maxPoll())
	}
}

func (j *Jobs) minPoll() time.Duration { return j.watch.min }
func (j *Jobs) maxPoll() time.Duration { return j.watch.max }

// newBRError is the error of a CANCELLED backup or restore job.
func newBRError(kind, db, snapshot string, b brJob) error {
	return &JobError{Kind: kind, DB: db, ID: snapshot, State: b.state, Message: b.status, retry: retryableJobMessage(b.status)}
}

// sleepCtx waits d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
