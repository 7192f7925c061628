package planner

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/srplan/srplan/state"
)

// Mode is a StarRocks cluster architecture.
type Mode string

// The two StarRocks architectures srplan distinguishes.
const (
	SharedNothing Mode = "shared-nothing"
	SharedData    Mode = "shared-data"
)

// Version is a StarRocks release, e.g. 3.3.8.
type Version struct {
	Major, Minor, Patch int
}

// AtLeast reports whether v >= major.minor.patch.
func (v Version) AtLeast(major, minor, patch int) bool {
	if v.Major != major {
		return v.Major > major
	}
	if v.Minor != minor {
		return v.Minor > minor
	}
	return v.Patch >= patch
}

// String returns "major.minor.patch".
func (v Version) String() string {
	return strconv.Itoa(v.Major) + "." + strconv.Itoa(v.Minor) + "." + strconv.Itoa(v.Patch)
}

// ClusterInfo describes one observed cluster.
type ClusterInfo struct {
	// Name is the spec block name (source "old" -> "old").
	Name string `json:"name"`
	// Version is the detected release (SELECT current_version()).
	Version Version `json:"version"`
	// Mode is shared-nothing or shared-data.
	Mode Mode `json:"mode"`
}

// MarshalJSON writes "major.minor.patch".
func (v Version) MarshalJSON() ([]byte, error) { return json.Marshal(v.String()) }

// UnmarshalJSON reads "major.minor.patch".
func (v *Version) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	p, err := ParseVersion(s)
	if err != nil {
		return err
	}
	*v = p
	return nil
}

// ParseVersion parses "3.3.2" (a suffix after '-' is ignored, as in
// "3.3.2-6a3e29e").
func ParseVersion(s string) (Version, error) {
	core, _, _ := strings.Cut(strings.TrimSpace(s), "-")
	parts := strings.Split(core, ".")
	if len(parts) < 2 || len(parts) > 3 {
		return Version{}, fmt.Errorf("invalid StarRocks version %q: want major.minor[.patch]", s)
	}
	var n [3]int
	for i, p := range parts {
		v, err := strconv.Atoi(p)
		if err != nil || v < 0 {
			return Version{}, fmt.Errorf("invalid StarRocks version %q: want major.minor[.patch]", s)
		}
		n[i] = v
	}
	return Version{Major: n[0], Minor: n[1], Patch: n[2]}, nil
}

// Catalog is what srplan observed on one cluster before planning: the tables
// that the spec selects (source) or may write to (target). The planner never
// queries a cluster; it only reads a Catalog.
type Catalog struct {
	Cluster ClusterInfo
	// Tables by address. A table missing from the map does not exist.
	Tables map[TableAddr]*Table
	// Databases lists the databases seen, so that a pattern "sales.*" can be
	// told apart from a missing database.
	Databases []string
}

// PartitionKind is how a table is partitioned.
type PartitionKind string

// Partitioning kinds as they appear in SHOW CREATE TABLE.
const (
	Unpartitioned        PartitionKind = "none"
	RangePartitioned     PartitionKind = "range"
	ListPartitioned      PartitionKind = "list"
	ExpressionPartitions PartitionKind = "expression" // date_trunc/time_slice or column expression
)

// Table is one observed table.
type Table struct {
	Addr TableAddr
	// CreateSQL is the verbatim SHOW CREATE TABLE text.
	CreateSQL string
	// KeysType is DUPLICATE, AGGREGATE, UNIQUE or PRIMARY.
	KeysType string
	// Columns in table order.
	Columns []Column
	// PartitionKind tells how partitions are defined.
	PartitionKind PartitionKind
	// PartitionColumns are the partition key columns (may be empty).
	PartitionColumns []string
	// Partitions are the formal partitions in SHOW PARTITIONS order. An
	// unpartitioned table has exactly one partition named like the table.
	Partitions []Partition
	// TempPartitions are the temporary partitions (SHOW TEMPORARY PARTITIONS).
	TempPartitions []Partition
	// Properties from the PROPERTIES clause of CreateSQL.
	Properties map[string]string
}

// Column is one table column as SHOW COLUMNS / SHOW CREATE TABLE describe it.
type Column struct {
	Name string `json:"name"`
	// Type is the StarRocks type text, lower case, e.g. "bigint(20)", "varchar(64)", "date".
	Type     string `json:"type"`
	Nullable bool   `json:"nullable,omitempty"`
	// Key reports whether the column is part of the key.
	Key bool `json:"key,omitempty"`
	// Aggregation is the aggregate function for AGGREGATE KEY value columns ("SUM", ...), else "".
	Aggregation string `json:"aggregation,omitempty"`
}

// Partition is one row of SHOW PARTITIONS (or partitions_meta), read by column name.
type Partition struct {
	ID   int64
	Name string
	// VisibleVersion grows by one per load transaction into the partition.
	VisibleVersion int64
	// VisibleVersionTime is zero where the cluster does not report it
	// (shared-data SHOW PARTITIONS without partitions_meta).
	VisibleVersionTime time.Time
	// RowCount and DataSize are statistics that may lag; never use them as fingerprints.
	RowCount int64
	DataSize int64
	// Value is the Range or List column text.
	Value   string
	Buckets int
}

// Fingerprint identifies a partition's content; see state.Fingerprint.
type Fingerprint = state.Fingerprint

// Fingerprint returns the partition's fingerprint.
func (p Partition) Fingerprint() Fingerprint {
	return Fingerprint{VisibleVersion: p.VisibleVersion, VisibleVersionTime: p.VisibleVersionTime.UTC()}
}
