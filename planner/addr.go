package planner

import (
	"encoding/json"
	"fmt"
	"strings"
)

// TableAddr names a table as "db.table". Both parts are case-sensitive, as
// StarRocks table names are.
type TableAddr struct {
	DB    string
	Table string
}

// String returns "db.table".
func (a TableAddr) String() string { return a.DB + "." + a.Table }

// IsZero reports whether the address is unset.
func (a TableAddr) IsZero() bool { return a.DB == "" && a.Table == "" }

// PartitionAddr names one partition of a table: "db.table/partition".
type PartitionAddr struct {
	Table     TableAddr
	Partition string
}

// String returns "db.table/partition".
func (a PartitionAddr) String() string { return a.Table.String() + "/" + a.Partition }

// Addr is a -target or -replace address: a whole table when Partition is
// empty, one partition otherwise.
type Addr struct {
	Table     TableAddr
	Partition string
}

// String returns "db.table" or "db.table/partition".
func (a Addr) String() string {
	if a.Partition == "" {
		return a.Table.String()
	}
	return a.Table.String() + "/" + a.Partition
}

// MatchesTable reports whether the address selects table t (whole or in part).
func (a Addr) MatchesTable(t TableAddr) bool { return a.Table == t }

// MatchesPartition reports whether the address selects partition p of table t.
func (a Addr) MatchesPartition(t TableAddr, p string) bool {
	return a.Table == t && (a.Partition == "" || a.Partition == p)
}

// ParseTableAddr parses "db.table". The table part may not contain a '/'.
func ParseTableAddr(s string) (TableAddr, error) {
	db, tbl, ok := strings.Cut(s, ".")
	if !ok || db == "" || tbl == "" || strings.Contains(tbl, "/") {
		return TableAddr{}, fmt.Errorf("invalid table address %q: want db.table", s)
	}
	return TableAddr{DB: db, Table: tbl}, nil
}

// ParseAddr parses "db.table" or "db.table/partition".
func ParseAddr(s string) (Addr, error) {
	tbl, part, hasPart := strings.Cut(s, "/")
	t, err := ParseTableAddr(tbl)
	if err != nil {
		return Addr{}, fmt.Errorf("invalid address %q: want db.table or db.table/partition", s)
	}
	if hasPart && part == "" {
		return Addr{}, fmt.Errorf("invalid address %q: empty partition name after '/'", s)
	}
	return Addr{Table: t, Partition: part}, nil
}

// MarshalJSON writes "db.table".
func (a TableAddr) MarshalJSON() ([]byte, error) { return json.Marshal(a.String()) }

// UnmarshalJSON reads "db.table".
func (a *TableAddr) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	t, err := ParseTableAddr(s)
	if err != nil {
		return err
	}
	*a = t
	return nil
}

// MarshalJSON writes "db.table/partition".
func (a PartitionAddr) MarshalJSON() ([]byte, error) { return json.Marshal(a.String()) }

// UnmarshalJSON reads "db.table/partition".
func (a *PartitionAddr) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	x, err := ParseAddr(s)
	if err != nil || x.Partition == "" {
		return fmt.Errorf("invalid partition address %q: want db.table/partition", s)
	}
	*a = PartitionAddr{Table: x.Table, Partition: x.Partition}
	return nil
}
