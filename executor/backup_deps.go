package executor

import (
	"context"
	"errors"

	"github.com/srplan/srplan/planner"
)

// Method "backup" needs more of a cluster than Source and Target: the
// optional capabilities below, which Run looks for by type assertion on
// the configured Source and Target (providers/starrocks.Jobs has them).
// A cluster without them fails the table's partitions with
// ErrBackupUnsupported.

// ErrBackupUnsupported is returned (wrapped) when a table uses method
// "backup" but its source is no BackupSource or its target no
// RestoreTarget.
var ErrBackupUnsupported = errors.New("the cluster connection does not support BACKUP/RESTORE")

// RepositorySpec is a backup repository as created on a cluster.
type RepositorySpec struct {
	// Name is the repository name, the same on both clusters.
	Name string
	// Location is the storage URL of the repository directory
	// (s3://bucket/prefix/path or file:///dir/path).
	Location string
	// Properties are the CREATE REPOSITORY properties; they may hold
	// credentials, which never appear in errors.
	Properties map[string]string
	// ReadOnly creates the repository READ ONLY (the target's).
	ReadOnly bool
}

// BackupRequest asks a source for one snapshot of some partitions of one
// table.
type BackupRequest struct {
	Table planner.TableAddr
	// Partitions to back up; empty backs up the whole (unpartitioned) table.
	Partitions []string
	// Snapshot is the deterministic snapshot name. A snapshot of that name
	// already in the repository is the result of an earlier run and is
	// returned as is; a backup job of that name still running is waited
	// for. Neither is ever taken twice.
	Snapshot   string
	Repository string
	// OnSubmitted is called with the job id once the cluster accepted a
	// new job (not for a snapshot or job found from an earlier run).
	OnSubmitted func(jobID string)
}

// Snapshot is a finished snapshot in a repository.
type Snapshot struct {
	Name string
	// Timestamp is SHOW SNAPSHOT's Timestamp, RESTORE's backup_timestamp.
	Timestamp string
	// JobID is the backup job's id when known ("" for a snapshot found in
	// the repository after its job left SHOW BACKUP).
	JobID string
}

// RestoreRequest asks a target to restore partitions of one table from a
// snapshot.
type RestoreRequest struct {
	// Table is the backed-up table (the source's database and name); the
	// target database is Into.DB.
	Table planner.TableAddr
	// Into is where the data goes: the target table, or a staging table
	// (RESTORE ... AS) in the same database.
	Into planner.TableAddr
	// Partitions to restore; empty restores the whole table.
	Partitions []string
	Snapshot   string
	Timestamp  string
	Repository string
	// ReplicationNum is the replication_num of tables RESTORE creates
	// ("" = the cluster default).
	ReplicationNum string
	// Adopt lets a FINISHED restore job of this snapshot, still shown by
	// SHOW RESTORE, count as this request's (an earlier run submitted it
	// and was stopped before recording the outcome). A job of this
	// snapshot still running is always waited for instead of resubmitted.
	Adopt bool
	// Restored, with Adopt, is asked when SHOW RESTORE's last job of the
	// database is not this snapshot's (another table's restore replaced
	// it, so an earlier run's job, if any, has ended): true means the
	// restored data is in place and no new job is submitted.
	Restored func(ctx context.Context) (bool, error)
	// OnSubmitted is called with the job id once the cluster accepted a
	// new job.
	OnSubmitted func(jobID string)
}

// BackupSource is a source cluster that takes snapshots.
type BackupSource interface {
	// EnsureRepository creates the repository unless one of that name
	// exists; an existing one at another location is an error.
	EnsureRepository(ctx context.Context, r RepositorySpec) error
	// Backup takes (or finds) the snapshot and blocks until it is in the
	// repository. Only one backup or restore job runs per database: a
	// cluster busy with another job is waited for.
	Backup(ctx context.Context, req BackupRequest) (Snapshot, error)
}

// RestoreTarget is a target cluster that restores snapshots.
type RestoreTarget interface {
	// EnsureRepository is BackupSource.EnsureRepository.
	EnsureRepository(ctx context.Context, r RepositorySpec) error
	// Restore restores and blocks until the job finished; it returns the
	// job id.
	Restore(ctx context.Context, req RestoreRequest) (string, error)
	// PartitionVersion returns partition p's VisibleVersion; an error
	// when p does not exist.
	PartitionVersion(ctx context.Context, t planner.TableAddr, p string) (int64, error)
	// CopyToTempPartition copies partition fromPartition of table from
	// into temporary partition tp of t in one labelled INSERT; a used
	// label is looked up and waited for, never run twice.
	CopyToTempPartition(ctx context.Context, t planner.TableAddr, tp string, from planner.TableAddr, fromPartition, label string) error
}
