package planner

import (
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
