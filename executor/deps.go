package executor

import (
	"context"

	"github.com/srplan/srplan/lang"
	"github.com/srplan/srplan/planner"
	"github.com/srplan/srplan/state"
)

// The interfaces below are what the executor needs from the providers.
// providers/starrocks implements Source and Target, providers/s3
// implements Storage. Every method must be safe for concurrent use.

// ExportRequest asks a source cluster to write one partition to storage.
type ExportRequest struct {
	Table     planner.TableAddr
	Partition string
	// Columns in source order; the export writes them in this order.
	Columns []planner.Column
	// Method is lang.MethodExport (EXPORT, CSV) or lang.MethodFiles
	// (INSERT INTO FILES, Parquet).
	Method lang.Method
	// DirURL is the storage URL of the export directory, ending in '/'.
	DirURL string
	// Properties are the storage properties (aws.s3.*) for the statement.
	Properties map[string]string
	// Label is the deterministic job label (INSERT INTO FILES ... WITH
	// LABEL); EXPORT jobs are found by DirURL instead.
	Label string
	// Where and Split come from the table block (files method only).
	Where string
	Split *lang.Split
	// Prepare is called after earlier jobs for the same directory or
	// label are settled and before the new job is submitted; the executor
	// clears the directory there. An error from it aborts the export.
	Prepare func(ctx context.Context) error
	// OnSubmitted is called with the job id once the cluster accepted the
	// job, before Export waits for it.
	OnSubmitted func(jobID string)
}

// ExportResult is a finished export job.
type ExportResult struct {
	// Job is the job id: the EXPORT query id or the INSERT INTO FILES
	// label.
	Job string
	// FilePrefix, when not empty, begins the name of every file the job
	// wrote into the directory; files there without it belong to another
	// job and are left out of the manifest. An EXPORT cancelled while it
	// renamed its files into place can still land one of them after SHOW
	// EXPORT reported it CANCELLED, that is after the directory was
	// cleared for this job (the FE's rename loop does not look at the job
	// state).
	FilePrefix string
}

// LoadRequest asks a target cluster to load staged files.
type LoadRequest struct {
	Table planner.TableAddr
	// Partition is the formal partition to load ("" for none: an
	// unpartitioned table, or an expression-partitioned one that creates
	// its partitions on load).
	Partition string
	// TempPartition, when set, is loaded instead of Partition.
	TempPartition string
	// FileURLs are the staged files (storage URLs).
	FileURLs   []string
	Format     string // "csv" or "parquet"
	Columns    []planner.Column
	Properties map[string]string
	// Label is deterministic; "label already used" means the job exists.
	Label string
	// OnSubmitted is called once the job was accepted (or found).
	OnSubmitted func(jobID string)
}

// LabelState is what a target knows about a load label.
type LabelState string

// Label states. Running covers every non-terminal job state.
const (
	LabelUnknown   LabelState = "unknown" // never used, or purged
	LabelRunning   LabelState = "running"
	LabelFinished  LabelState = "finished"
	LabelCancelled LabelState = "cancelled"
)

// Source is a source cluster.
type Source interface {
	// Export writes one partition to req.DirURL and blocks until the job
	// finished. Before submitting it settles any job an earlier srplan
	// process left running for the same directory or label (waits for it
	// or cancels it), so that only one job's files end up in the
	// directory; the caller clears the directory after that.
	Export(ctx context.Context, req ExportRequest) (ExportResult, error)
	// PartitionVersion returns the partition's current VisibleVersion.
	PartitionVersion(ctx context.Context, t planner.TableAddr, partition string) (int64, error)
	// Verify computes the partition's verification result.
	Verify(ctx context.Context, req VerifyRequest) (*state.VerifyResult, error)
	// Health returns the data nodes' load (SHOW BACKENDS / COMPUTE NODES).
	Health(ctx context.Context) ([]NodeLoad, error)
}

// Target is a target cluster.
type Target interface {
	// CreateDatabase runs CREATE DATABASE IF NOT EXISTS db.
	CreateDatabase(ctx context.Context, db string) error
	// CreateTable runs a CREATE TABLE IF NOT EXISTS statement.
	CreateTable(ctx context.Context, ddl string) error
	// EnsurePartition adds partition p with the source's Range/List value
	// when the table does not have it (range and list tables only).
	EnsurePartition(ctx context.Context, t planner.TableAddr, p, value string) error
	// ResetTempPartition drops temporary partition tp if it exists and adds
	// it again, empty, with value's range or list.
	ResetTempPartition(ctx context.Context, t planner.TableAddr, tp, value string) error
	// DropTempPartition drops temporary partition tp if it exists.
	DropTempPartition(ctx context.Context, t planner.TableAddr, tp string) error
	// TempPartitionExists reports whether t has temporary partition tp.
	TempPartitionExists(ctx context.Context, t planner.TableAddr, tp string) (bool, error)
	// ReplacePartition atomically replaces p with temporary partition tp.
	ReplacePartition(ctx context.Context, t planner.TableAddr, p, tp string) error
	// ResetShadowTable drops shadow if it exists and creates it empty LIKE t.
	ResetShadowTable(ctx context.Context, t planner.TableAddr, shadow string) error
	// TableExists reports whether t exists.
	TableExists(ctx context.Context, t planner.TableAddr) (bool, error)
	// OverwriteFromShadow replaces t's rows with shadow's in one
	// transaction: INSERT OVERWRITE t WITH LABEL label SELECT * FROM shadow.
	// The label makes it idempotent like a load: a used label is looked up
	// and waited for.
	OverwriteFromShadow(ctx context.Context, t planner.TableAddr, shadow, label string) error
	// DropTable drops db.table if it exists.
	DropTable(ctx context.Context, t planner.TableAddr) error
	// PartitionExists reports whether t has formal partition p.
	PartitionExists(ctx context.Context, t planner.TableAddr, p string) (bool, error)
	// LabelState looks a load label up in t's database.
	LabelState(ctx context.Context, db, label string) (LabelState, string, error)
	// Load submits a load and blocks until it finished. A label that is
	// already used is looked up and waited for, never loaded twice.
	Load(ctx context.Context, req LoadRequest) error
	// Verify computes the partition's verification result.
	Verify(ctx context.Context, req VerifyRequest) (*state.VerifyResult, error)
	// Health returns the data nodes' load.
	Health(ctx context.Context) ([]NodeLoad, error)
}

// VerifyRequest describes one side of a verification.
type VerifyRequest struct {
	Table     planner.TableAddr
	Partition string // "" = the whole (unpartitioned) table
	Columns   []planner.Column
	Rule      lang.VerifyRule
	// Where is the table block's row filter, applied on the source side
	// only (the target holds exactly the filtered rows).
	Where string
}
