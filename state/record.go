package state

import (
	"encoding/json"
	"time"
)

// Fingerprint identifies a partition's content: it changes whenever data is
// loaded into the partition. RowCount is deliberately not part of it (it is
// a statistic that lags).
type Fingerprint struct {
	VisibleVersion int64 `json:"visible_version"`
	// VisibleVersionTime is zero where the cluster does not report it.
	VisibleVersionTime time.Time `json:"visible_version_time,omitzero"`
}

// Equal compares two fingerprints. A zero VisibleVersionTime on either side
// is treated as unknown and ignored, so a cluster that starts reporting the
// time (an upgrade to a version with partitions_meta) does not cause recopies.
func (f Fingerprint) Equal(o Fingerprint) bool {
	if f.VisibleVersion != o.VisibleVersion {
		return false
	}
	if f.VisibleVersionTime.IsZero() || o.VisibleVersionTime.IsZero() {
		return true
	}
	return f.VisibleVersionTime.Equal(o.VisibleVersionTime)
}

// Stage is where a partition is in its pipeline:
//
//	planned -> exporting -> exported -> copied -> loading -> loaded -> verifying -> done
type Stage string

// Pipeline stages, in order.
const (
	StagePlanned   Stage = "planned"
	StageExporting Stage = "exporting"
	StageExported  Stage = "exported"
	StageCopied    Stage = "copied"
	StageLoading   Stage = "loading"
	StageLoaded    Stage = "loaded"
	StageVerifying Stage = "verifying"
	StageDone      Stage = "done"
)

// Status is the outcome of the partition's current stage.
type Status string

// Statuses. A partition is complete only with Stage == StageDone and Status == StatusOK.
const (
	StatusPending Status = "pending" // planned, nothing submitted yet
	StatusRunning Status = "running" // a job for Stage is (or may be) running
	StatusOK      Status = "ok"      // Stage completed
	StatusFailed  Status = "failed"  // Stage failed; LastError says why
)

// VerifyResult is one side's verification fingerprint of a partition.
type VerifyResult struct {
	// Mode is "count", "checksum" or "sums".
	Mode     string `json:"mode"`
	RowCount int64  `json:"row_count"`
	// Checksum is the aggregated row hash (mode checksum), as text.
	Checksum string `json:"checksum,omitempty"`
	// Sums by column name (mode sums), as text to keep decimals exact.
	Sums map[string]string `json:"sums,omitempty"`
	At   time.Time         `json:"at"`
}

// TableRecord is what srplan recorded about one migrated table.
type TableRecord struct {
	// Table is the source address "db.table"; the record key.
	Table string `json:"table"`
	// Target is the target address "db.table".
	Target string `json:"target"`
	// SchemaHash is a hash of the source column list when the target was
	// created or last checked; drift is judged against the live catalogs.
	SchemaHash string `json:"schema_hash,omitempty"`
	// CreatedTarget reports whether srplan created the target table.
	CreatedTarget bool      `json:"created_target,omitempty"`
	UpdatedAt     time.Time `json:"updated_at"`
}

// PartitionRecord is what srplan recorded about one partition. The key is
// (Table, Partition).
type PartitionRecord struct {
	// Table is the source address "db.table".
	Table string `json:"table"`
	// Partition is the source partition name.
	Partition string `json:"partition"`
	// Fingerprint is the source fingerprint the current (or last) copy was
	// exported from.
	Fingerprint Fingerprint `json:"fingerprint"`
	// LastDone is the fingerprint of the last copy that reached StageDone,
	// nil if the partition was never completely copied. It survives an
	// interrupted recopy, so the planner can tell a first copy (load straight
	// into the partition) from a recopy (atomic swap) after a crash.
	LastDone *Fingerprint `json:"last_done,omitempty"`
	// Method is the resolved method: export, files or backup.
	Method string `json:"method,omitempty"`
	Stage  Stage  `json:"stage"`
	Status Status `json:"status"`
	// Attempts counts failed attempts of the current copy.
	Attempts  int    `json:"attempts,omitempty"`
	LastError string `json:"last_error,omitempty"`
	// ExportPath is the storage URL prefix the data was exported to.
	ExportPath string `json:"export_path,omitempty"`
	// Manifest is the _manifest.json document, verbatim.
	Manifest json.RawMessage `json:"manifest,omitempty"`
	// Labels are the load labels used, oldest first.
	Labels []string `json:"labels,omitempty"`
	// Jobs are provider job ids (export query ids, snapshot names), oldest first.
	Jobs []string `json:"jobs,omitempty"`
	// Snapshot is the BACKUP/RESTORE of the current copy (method backup
	// only): SHOW BACKUP and SHOW RESTORE keep only a database's last job,
	// so the job ids and outcomes live here.
	Snapshot *SnapshotRecord `json:"snapshot,omitempty"`
	// Rows and Bytes as reported by the source at plan time.
	Rows  int64 `json:"rows,omitempty"`
	Bytes int64 `json:"bytes,omitempty"`
	// VerifySource and VerifyTarget are the last verification results; nil
	// when not verified yet.
	VerifySource *VerifyResult `json:"verify_source,omitempty"`
	VerifyTarget *VerifyResult `json:"verify_target,omitempty"`
	CreatedAt    time.Time     `json:"created_at"`
	UpdatedAt    time.Time     `json:"updated_at"`
}

// Done reports whether the partition was copied and verified.
func (r *PartitionRecord) Done() bool { return r.Stage == StageDone && r.Status == StatusOK }

// PartitionKey is the key of a PartitionRecord.
type PartitionKey struct {
	Table     string
	Partition string
}

// Key returns the record's key.
func (r *PartitionRecord) Key() PartitionKey {
	return PartitionKey{Table: r.Table, Partition: r.Partition}
}

// SnapshotRecord is one partition's part in a BACKUP SNAPSHOT and the
// RESTORE of it. Stages of method backup: exporting = the backup job
// submitted (Name recorded first), exported = the snapshot is in the
// repository (Timestamp), loading = the restore submitted (RestoreInto
// recorded first), loaded = restored and swapped in.
type SnapshotRecord struct {
	// Name is the deterministic snapshot name; several partitions of one
	// table share it.
	Name string `json:"name"`
	// Repository is the repository name.
	Repository string `json:"repository"`
	// Timestamp is the snapshot's backup_timestamp, once finished.
	Timestamp string `json:"timestamp,omitempty"`
	// BackupJobID and RestoreJobID are the cluster's job ids when known.
	BackupJobID  string `json:"backup_job_id,omitempty"`
	RestoreJobID string `json:"restore_job_id,omitempty"`
	// RestoreInto is the table the restore writes: the target table (a
	// first copy) or a staging table (a recopy, swapped in afterwards).
	RestoreInto string `json:"restore_into,omitempty"`
	// Outcome is the last job outcome: "backed up", "restored", or the
	// error of a cancelled job.
	Outcome string `json:"outcome,omitempty"`
}
