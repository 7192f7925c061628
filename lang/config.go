package lang

import (
	"fmt"
	"io"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// Config is a decoded, validated migration spec. Every reference in it has
// been resolved: a Table's From names an existing source, and so on.
type Config struct {
	// Variables by name, with their final values (sensitive ones redacted in
	// every String/JSON form).
	Variables map[string]*Variable
	// Sources and Targets by block name.
	Sources map[string]*Cluster
	Targets map[string]*Cluster
	// Storages by block name.
	Storages map[string]*Storage
	// State is the state block; never nil after a successful Load (defaults
	// to path ".srplan/state.db" relative to the spec directory).
	State *StateConfig
	// Throttles by block name. A spec without throttle blocks gets none; the
	// executor then uses its defaults (exports = 4, loads = 4).
	Throttles map[string]*Throttle
	// Repositories by block name (BACKUP/RESTORE repositories).
	Repositories map[string]*Repository
	// Tables in declaration order (files sorted by name, blocks in file order).
	Tables []*Table
	// Hash is a stable hash of the decoded spec (values, not formatting, and
	// never secret values): saved plans record it.
	Hash string
}

// Variable is a declared input variable.
type Variable struct {
	Name        string
	Description string
	Sensitive   bool
	// Value is the final value after defaults < -var-file < SRPLAN_VAR_name
	// < -var, converted to the declared type. It carries no cty marks
	// (check Sensitive); it is cty.NilVal when the variable got no usable
	// value (an error diagnostic says why). Variable's String, Format and
	// MarshalJSON show "(sensitive)" instead of a sensitive value.
	Value     cty.Value
	DeclRange hcl.Range
}

// Secret holds a password or key. Its String, GoString, Format and
// MarshalJSON forms never show the value; call Reveal to use it. The value
// sits behind a pointer so that even reflection-based printing of a struct
// holding a Secret in an unexported field shows an address, not the value.
// Compare secrets with Equal (go-cmp uses it), not ==.
type Secret struct{ v *string }

// NewSecret wraps s.
func NewSecret(s string) Secret { return Secret{v: &s} }

// Reveal returns the secret value.
func (s Secret) Reveal() string {
	if s.v == nil {
		return ""
	}
	return *s.v
}

// IsSet reports whether a non-empty value is held.
func (s Secret) IsSet() bool { return s.Reveal() != "" }

// Equal reports whether both secrets hold the same value.
func (s Secret) Equal(o Secret) bool { return s.Reveal() == o.Reveal() }

// String returns "(sensitive)" or "" for an empty secret.
func (s Secret) String() string {
	if !s.IsSet() {
		return ""
	}
	return "(sensitive)"
}

// GoString is like String, for %#v.
func (s Secret) GoString() string { return s.String() }

// Format prints String for every verb and flag, so %d, %x or %+v cannot
// reveal the value either.
func (s Secret) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, s.String()) }

// MarshalJSON writes "(sensitive)" or "".
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + s.String() + `"`), nil }

// ClusterKind tells a source block from a target block.
type ClusterKind string

// Cluster block kinds.
const (
	SourceCluster ClusterKind = "source"
	TargetCluster ClusterKind = "target"
)

// Cluster is a `source "starrocks" "name"` or `target "starrocks" "name"` block.
type Cluster struct {
	Kind ClusterKind
	// Type is the first label; only "starrocks" exists.
	Type string
	Name string
	// Hosts are FE query endpoints "host:port" (port defaults to 9030).
	Hosts          []string
	User           string
	Password       Secret
	TLS            *TLS
	ConnectTimeout time.Duration // default 10s
	ReadTimeout    time.Duration // default 60s
	DeclRange      hcl.Range
}

// TLS is the optional tls block of a cluster.
type TLS struct {
	// Enabled turns TLS on (default true when the block is present).
	Enabled bool
	// CAFile is a PEM bundle path; empty = system roots.
	CAFile string
	// ServerName overrides the name checked in the certificate.
	ServerName string
	// SkipVerify disables certificate checks (warned about at validate).
	SkipVerify bool
}

// StorageType is "s3" or "local".
type StorageType string

// Storage types.
const (
	StorageS3    StorageType = "s3"
	StorageLocal StorageType = "local"
)

// Storage is a `storage "s3"|"local" "name"` block.
type Storage struct {
	Type StorageType
	Name string
	// URL is the staging prefix: "s3://bucket/prefix" for s3, or a
	// "file:///abs/dir" URL for local (the local block's path, made absolute
	// relative to the spec directory).
	URL string
	// Region, Endpoint, PathStyle apply to s3.
	Region    string
	Endpoint  string
	PathStyle bool
	// AccessKey and SecretKey are static credentials; empty = default chain.
	AccessKey Secret
	SecretKey Secret
	// Events is the optional events block (S3 notifications through SQS).
	Events    *Events
	DeclRange hcl.Range
}

// Events configures event-driven loads.
type Events struct {
	SQSQueueURL        string
	DeadLetterQueueURL string
	// Endpoint overrides the SQS API URL (attribute endpoint, for
	// SQS-compatible servers); "" uses AWS in the storage's region.
	Endpoint string
}

// StateConfig is the state block.
type StateConfig struct {
	// Path of the bbolt file, absolute (resolved against the spec directory).
	Path      string
	DynamoDB  *DynamoDB
	DeclRange hcl.Range
}

// DynamoDB is the optional dynamodb block of state.
type DynamoDB struct {
	Table    string
	Region   string
	Endpoint string
	// Workspace separates migrations sharing one table (default "default").
	Workspace string
}

// Throttle is a `throttle "name"` block.
type Throttle struct {
	Name string
	// Exports and Loads are the default concurrencies (>= 0; 0 pauses new work).
	Exports int
	Loads   int
	Windows []*Window
	// Health rules; 0 means no rule.
	SourceMaxCPUPct float64
	SourceMaxMemPct float64
	TargetMaxCPUPct float64
	TargetMaxMemPct float64
	// CopyBandwidth caps the bytes per second of all storage-to-storage
	// copies of the tables using this throttle together (attribute
	// copy_bandwidth, e.g. "200MiB/s"); 0 means no limit.
	CopyBandwidth int64
	DeclRange     hcl.Range
}

// Window is a `window "name"` block inside a throttle: when it is active its
// concurrencies replace the throttle's. The first active window in
// declaration order wins.
type Window struct {
	Name string
	// Hours is nil when the window has no hours attribute (all day).
	Hours *HourRange
	// Days is empty when the window has no days attribute (every day).
	Days []time.Weekday
	// Location is the time zone of Hours and Days (attribute time_zone,
	// default UTC).
	Location  *time.Location
	Exports   int
	Loads     int
	DeclRange hcl.Range
}

// HourRange is "HH:MM-HH:MM", minutes after midnight. Start == End is
// rejected; Start > End wraps midnight ("20:00-08:00").
type HourRange struct {
	Start, End int
}

// Method is how a table is copied.
type Method string

// Methods.
const (
	MethodAuto   Method = "auto"
	MethodExport Method = "export" // EXPORT, CSV
	MethodFiles  Method = "files"  // INSERT INTO FILES, Parquet
	MethodBackup Method = "backup" // BACKUP/RESTORE
)

// Table is a `table "db.name"` block. The label is an exact name or a glob
// pattern (path.Match syntax, at most in the table part or the whole
// "db.*").
type Table struct {
	// Pattern is the block label, e.g. "sales.orders" or "sales.*".
	Pattern string
	// DBPattern and TablePattern are its two halves.
	DBPattern    string
	TablePattern string
	// From, To, Via name the source, target and storage blocks.
	From string
	To   string
	Via  string
	// LoadVia names the storage block the target loads from (attribute
	// load_via). It is "" when the spec leaves it out or names Via itself:
	// the target loads from Via. When set, apply copies each exported
	// partition directory from Via to LoadVia (same keys, manifest last)
	// before loading; this is the cross-cloud case where the source can
	// only write to its own cloud's store.
	LoadVia string
	// Method defaults to auto.
	Method Method
	// TargetTable is the rename rule: "" = same name; "db.table" for an
	// exact block; for a pattern block "db.*" (keep the table name, change
	// the database) is the only allowed form.
	TargetTable string
	Partitions  *PartitionFilter
	// Where is a row filter (SQL boolean expression), "" = none.
	Where string
	// Split exports big partitions in parts; nil = no split.
	Split  *Split
	Schema SchemaRule
	Verify VerifyRule
	// Throttle names a throttle block; "" = the executor default.
	Throttle string
	// Repository names a repository block; "" = none. Required by method
	// "backup"; with method "auto" it allows BACKUP/RESTORE where both
	// clusters are shared-nothing and the version gates pass.
	Repository string
	// AllowOrphanDelete lets apply drop target partitions that no longer
	// exist on the source (attribute allow_delete, default false).
	AllowOrphanDelete bool
	DeclRange         hcl.Range
}

// PartitionFilter selects partitions by name. A partition is selected when
// it matches any Include glob (or Include is empty), matches no Exclude
// glob, and From <= name < To in byte-wise lexical order (each bound
// optional). Lexical order is the documented rule: date-named partitions
// (p20240101) compare as dates.
type PartitionFilter struct {
	Include []string
	Exclude []string
	From    string
	To      string
	// DeclRange of the partitions block.
	DeclRange hcl.Range
}

// Split exports a partition in Parts parts by hash of Column.
type Split struct {
	Column string
	Parts  int
}

// SchemaRule is the schema block.
type SchemaRule struct {
	// Create lets srplan create a missing target table (default true).
	Create bool
	// Properties are set on the created table, replacing source values.
	Properties map[string]string
	// DropProperties are removed from the source DDL.
	DropProperties []string
}

// VerifyRule is the verify block.
type VerifyRule struct {
	// Mode is "count", "checksum" (default) or "sums".
	Mode string
	// Sums are the columns summed in mode "sums".
	Sums []string
}
