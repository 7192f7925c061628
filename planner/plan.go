package planner

import (
	"time"

	"github.com/srplan/srplan/lang"
)

// PlanFormatVersion is the version of the Plan JSON document (saved plans
// and `plan -json`). Readers refuse a newer major version.
const PlanFormatVersion = "1.0"

// Plan is the result of planning: pure data with documented fields.
type Plan struct {
	// FormatVersion is PlanFormatVersion.
	FormatVersion string `json:"format_version"`
	// SrplanVersion is the release that computed the plan.
	SrplanVersion string `json:"srplan_version"`
	// CreatedAt is Input.Now.
	CreatedAt time.Time `json:"created_at"`
	// ConfigHash is lang.Config.Hash of the spec planned from.
	ConfigHash string `json:"config_hash"`
	// StateLineage and StateSerial identify the recorded state planned
	// from; applying a saved plan is refused if either moved.
	StateLineage string `json:"state_lineage"`
	StateSerial  uint64 `json:"state_serial"`
	// Sources and Targets describe the observed clusters by block name.
	Sources map[string]ClusterInfo `json:"sources"`
	Targets map[string]ClusterInfo `json:"targets"`
	// Tables in address order.
	Tables []*TableChange `json:"tables"`
	// Orphans are recorded partitions whose source table is no longer
	// selected by the spec or no longer exists (reported only).
	Orphans []*PartitionChange `json:"orphans,omitempty"`
	// Summary counts the changes.
	Summary Summary `json:"summary"`
}

// Summary counts a plan's changes. Rows and bytes are source statistics
// (SHOW PARTITIONS RowCount and DataSize), which may lag.
type Summary struct {
	Copy         int   `json:"copy"`
	CopyRows     int64 `json:"copy_rows"`
	CopyBytes    int64 `json:"copy_bytes"`
	Recopy       int   `json:"recopy"`
	RecopyRows   int64 `json:"recopy_rows"`
	RecopyBytes  int64 `json:"recopy_bytes"`
	Blocked      int   `json:"blocked"`
	Orphan       int   `json:"orphan"`
	NoOp         int   `json:"no_op"`
	CreateTables int   `json:"create_tables"`
	DriftTables  int   `json:"drift_tables"`
}

// HasChanges reports whether applying the plan would do any work. Blocked
// and orphan lines are reported but are not work.
func (s Summary) HasChanges() bool { return s.Copy+s.Recopy+s.CreateTables > 0 }

// RecopyStrategy names how a changed partition replaces its old copy.
type RecopyStrategy string

// Recopy strategies. All but InPlace are atomic for concurrent readers.
const (
	// ViaTempPartition loads into a temporary partition, then
	// ALTER TABLE ... REPLACE PARTITION (p) WITH TEMPORARY PARTITION (tp).
	ViaTempPartition RecopyStrategy = "temporary partition + REPLACE PARTITION"
	// ViaShadowSwap loads a shadow table, then replaces the table's rows
	// with INSERT OVERWRITE ... SELECT FROM the shadow in one labelled
	// transaction. Used for unpartitioned tables, which have no temporary
	// partitions. (A SWAP WITH would be atomic too, but after a crash between
	// the swap and the state write the shadow name holds the old data and a
	// rerun cannot tell; the labelled overwrite can be looked up.)
	ViaShadowSwap RecopyStrategy = "shadow table + INSERT OVERWRITE"
)

// TableChange is what the plan does with one selected source table.
//
//	Action       meaning
//	NoOp         target exists with the same columns
//	CreateTable  target missing; CreateDDL will be run before the first load
//	SchemaDrift  target columns differ (Drift); every partition is Blocked
//	Blocked      the table cannot be migrated (Reason); every partition is Blocked
type TableChange struct {
	// Source and Target addresses.
	Source TableAddr `json:"source"`
	Target TableAddr `json:"target"`
	// Block is the spec table label that selected this table.
	Block string `json:"block"`
	// SourceCluster, TargetCluster and Storage are spec block names.
	SourceCluster string `json:"source_cluster"`
	TargetCluster string `json:"target_cluster"`
	Storage       string `json:"storage"`
	// LoadStorage is the storage block the target loads from when it is
	// not Storage (the table's load_via); "" means Storage. When set, apply
	// copies each exported partition from Storage to LoadStorage before
	// loading it. Use LoadFrom for the effective name.
	LoadStorage string `json:"load_storage,omitempty"`
	// Method is the resolved method (never auto).
	Method lang.Method `json:"method"`
	// Format is the staging file format: "csv" (export) or "parquet" (files).
	Format string `json:"format,omitempty"`
	Action Action `json:"action"`
	Reason string `json:"reason,omitempty"`
	// Notes say what srplan changed in CreateDDL beyond the spec's own
	// schema rule, and why.
	Notes []string `json:"notes,omitempty"`
	// CreateDatabase is set when the target database does not exist
	// either; it is created before the table.
	CreateDatabase bool `json:"create_database,omitempty"`
	// CreateDDL is the exact statement run for CreateTable.
	CreateDDL string `json:"create_ddl,omitempty"`
	// Drift lists column differences for SchemaDrift.
	Drift []ColumnDiff `json:"drift,omitempty"`
	// Columns are the source columns, in table order.
	Columns []Column `json:"columns,omitempty"`
	// PartitionKind is how the source table is partitioned.
	PartitionKind PartitionKind `json:"partition_kind,omitempty"`
	// Recopy is how recopied partitions are swapped in.
	Recopy RecopyStrategy `json:"recopy_strategy"`
	// Repository is the spec repository block method "backup" moves the
	// table through ("" for other methods).
	Repository string `json:"repository,omitempty"`
	// Partitions with an action other than NoOp (all of them with
	// Input.Verbose), in source order, orphans last.
	Partitions []*PartitionChange `json:"partitions"`
	// NoOps counts the partitions that are up to date.
	NoOps int `json:"no_ops"`
	// Throttle is the throttle block name ("" = executor default).
	Throttle string `json:"throttle,omitempty"`
}

// LoadFrom returns the storage block the target loads from: LoadStorage,
// or Storage when there is no copy step.
func (t *TableChange) LoadFrom() string {
	if t.LoadStorage != "" {
		return t.LoadStorage
	}
	return t.Storage
}

// ColumnDiff is one column difference between source and target.
type ColumnDiff struct {
	// Kind is "added" (on the source only), "removed" (on the target only)
	// or "changed".
	Kind   string `json:"kind"`
	Column string `json:"column"`
	// Source and Target are the column definitions ("" where absent).
	Source string `json:"source,omitempty"`
	Target string `json:"target,omitempty"`
}

// PartitionChange is what the plan does with one partition.
//
//	Action   Fingerprint             Prior
//	Copy     source now              recorded fingerprint of an unfinished copy, or nil
//	Recopy   source now              fingerprint of the last completed copy
//	Blocked  source now              as recorded, or nil
//	Orphan   zero                    as recorded, or nil
//	NoOp     source now              equal to Fingerprint
type PartitionChange struct {
	Addr   PartitionAddr `json:"addr"`
	Action Action        `json:"action"`
	Reason string        `json:"reason"`
	// Rows and Bytes are the source statistics.
	Rows        int64        `json:"rows"`
	Bytes       int64        `json:"bytes"`
	Fingerprint Fingerprint  `json:"fingerprint"`
	Prior       *Fingerprint `json:"prior,omitempty"`
	// Value is the source partition's Range or List text (SHOW PARTITIONS),
	// used to create the partition or a temporary partition on the target.
	Value string `json:"value,omitempty"`
	// Resume names the stage an interrupted copy resumes from ("" = start).
	Resume string `json:"resume,omitempty"`
}
