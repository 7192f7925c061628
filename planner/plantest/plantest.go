// Package plantest builds planner inputs for tests and benchmarks: spec
// configs, observed catalogs and recorded states, without any cluster.
package plantest

import (
	"fmt"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/srplan/srplan/lang"
	"github.com/srplan/srplan/planner"
	"github.com/srplan/srplan/state"
)

// Now is the fixed clock of every scenario.
var Now = time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)

// OrdersDDL is the source DDL of sales.orders.
const OrdersDDL = "CREATE TABLE `orders` (\n" +
	"  `order_date` date NOT NULL COMMENT \"\",\n" +
	"  `order_id` bigint(20) NOT NULL COMMENT \"\",\n" +
	"  `amount` decimal(12, 2) NULL COMMENT \"\"\n" +
	") ENGINE=OLAP\n" +
	"DUPLICATE KEY(`order_date`, `order_id`)\n" +
	"PARTITION BY RANGE(`order_date`)\n" +
	"(PARTITION p20240101 VALUES [(\"2024-01-01\"), (\"2024-01-02\")),\n" +
	"PARTITION p20240102 VALUES [(\"2024-01-02\"), (\"2024-01-03\")))\n" +
	"DISTRIBUTED BY HASH(`order_id`) BUCKETS 8\n" +
	"PROPERTIES (\n" +
	"\"replication_num\" = \"3\",\n" +
	"\"in_memory\" = \"false\",\n" +
	"\"storage_medium\" = \"HDD\",\n" +
	"\"compression\" = \"LZ4\"\n" +
	");"

// CustomersDDL is the source DDL of sales.customers (unpartitioned).
const CustomersDDL = "CREATE TABLE `customers` (\n" +
	"  `id` bigint(20) NOT NULL COMMENT \"\",\n" +
	"  `name` varchar(64) NULL COMMENT \"\"\n" +
	") ENGINE=OLAP\n" +
	"PRIMARY KEY(`id`)\n" +
	"DISTRIBUTED BY HASH(`id`) BUCKETS 4\n" +
	"PROPERTIES (\n" +
	"\"replication_num\" = \"3\"\n" +
	");"

var ordersCols = []planner.Column{
	{Name: "order_date", Type: "date", Key: true},
	{Name: "order_id", Type: "bigint(20)", Key: true},
	{Name: "amount", Type: "decimal(12,2)", Nullable: true},
}

var customersCols = []planner.Column{
	{Name: "id", Type: "bigint(20)", Key: true},
	{Name: "name", Type: "varchar(64)", Nullable: true},
}

// OrdersPartitions are the partition names of sales.orders.
var OrdersPartitions = []string{"p20231231", "p20240101", "p20240102", "p20240103", "p20240229"}

// Config returns a spec with one source "old", one target "new", one local
// storage "stage" and two table blocks: "sales.orders" and "sales.*".
func Config() *lang.Config {
	rng := func(line int) hcl.Range {
		return hcl.Range{Filename: "migration.hcl", Start: hcl.Pos{Line: line, Column: 1}, End: hcl.Pos{Line: line, Column: 20}}
	}
	return &lang.Config{
		Sources:  map[string]*lang.Cluster{"old": {Kind: lang.SourceCluster, Type: "starrocks", Name: "old", Hosts: []string{"127.0.0.1:9030"}, User: "root", Password: lang.NewSecret("s3cret-src")}},
		Targets:  map[string]*lang.Cluster{"new": {Kind: lang.TargetCluster, Type: "starrocks", Name: "new", Hosts: []string{"127.0.0.1:9031"}, User: "root", Password: lang.NewSecret("s3cret-dst")}},
		Storages: map[string]*lang.Storage{"stage": {Type: lang.StorageLocal, Name: "stage", URL: "file:///tmp/stage"}},
		State:    &lang.StateConfig{Path: "/tmp/state.db"},
		Tables: []*lang.Table{
			{Pattern: "sales.orders", DBPattern: "sales", TablePattern: "orders", From: "old", To: "new", Via: "stage",
				Method: lang.MethodAuto, Schema: lang.SchemaRule{Create: true}, Verify: lang.VerifyRule{Mode: "checksum"}, DeclRange: rng(10)},
			{Pattern: "sales.*", DBPattern: "sales", TablePattern: "*", From: "old", To: "new", Via: "stage",
				Method: lang.MethodAuto, Schema: lang.SchemaRule{Create: true}, Verify: lang.VerifyRule{Mode: "checksum"}, DeclRange: rng(20)},
		},
		Hash: "cfg-hash-1",
	}
}

// Source returns the source catalog: StarRocks 3.3.2 shared-nothing with
// sales.orders (5 range partitions, versions 2..6) and sales.customers.
func Source() *planner.Catalog {
	c := &planner.Catalog{
		Cluster:   planner.ClusterInfo{Name: "old", Version: planner.Version{Major: 3, Minor: 3, Patch: 2}, Mode: planner.SharedNothing},
		Tables:    map[planner.TableAddr]*planner.Table{},
		Databases: []string{"sales"},
	}
	orders := &planner.Table{
		Addr: planner.TableAddr{DB: "sales", Table: "orders"}, CreateSQL: OrdersDDL, KeysType: "DUPLICATE",
		Columns: ordersCols, PartitionKind: planner.RangePartitioned, PartitionColumns: []string{"order_date"},
	}
	for i, n := range OrdersPartitions {
		orders.Partitions = append(orders.Partitions, planner.Partition{
			ID: int64(1000 + i), Name: n, VisibleVersion: int64(2 + i),
			VisibleVersionTime: Now.Add(-time.Duration(10-i) * time.Hour),
			RowCount:           int64(1000 * (i + 1)), DataSize: int64(64 << 10 * (i + 1)),
		})
	}
	c.Tables[orders.Addr] = orders
	cust := &planner.Table{
		Addr: planner.TableAddr{DB: "sales", Table: "customers"}, CreateSQL: CustomersDDL, KeysType: "PRIMARY",
		Columns: customersCols, PartitionKind: planner.Unpartitioned,
		Partitions: []planner.Partition{{ID: 2000, Name: "customers", VisibleVersion: 4, VisibleVersionTime: Now.Add(-time.Hour), RowCount: 250, DataSize: 12 << 10}},
	}
	c.Tables[cust.Addr] = cust
	return c
}

// EmptyTarget returns a StarRocks 3.5.1 shared-data target with no tables.
func EmptyTarget() *planner.Catalog {
	return &planner.Catalog{
		Cluster: planner.ClusterInfo{Name: "new", Version: planner.Version{Major: 3, Minor: 5, Patch: 1}, Mode: planner.SharedData},
		Tables:  map[planner.TableAddr]*planner.Table{},
	}
}

// CopiedTarget returns the target after every source table was copied:
// same tables, columns and partition names.
func CopiedTarget(src *planner.Catalog) *planner.Catalog {
	t := EmptyTarget()
	for addr, st := range src.Tables {
		cp := *st
		cp.Partitions = append([]planner.Partition(nil), st.Partitions...)
		t.Tables[addr] = &cp
	}
	return t
}

// DoneState records every partition of src as copied and verified at its
// current fingerprint.
func DoneState(src *planner.Catalog) *state.Snapshot {
	s := &state.Snapshot{
		Meta:       state.Meta{FormatVersion: state.FormatVersion, Lineage: "lineage-1", Serial: 42, SrplanVersion: "test"},
		Tables:     map[string]*state.TableRecord{},
		Partitions: map[state.PartitionKey]*state.PartitionRecord{},
	}
	for addr, t := range src.Tables {
		s.Tables[addr.String()] = &state.TableRecord{Table: addr.String(), Target: addr.String(), UpdatedAt: Now}
		for _, p := range t.Partitions {
			fp := p.Fingerprint()
			r := &state.PartitionRecord{
				Table: addr.String(), Partition: p.Name, Fingerprint: fp, LastDone: &fp,
				Method: "files", Stage: state.StageDone, Status: state.StatusOK, CreatedAt: Now, UpdatedAt: Now,
			}
			s.Partitions[r.Key()] = r
		}
	}
	return s
}

// Input assembles a planner input.
func Input(cfg *lang.Config, prior *state.Snapshot, src, dst *planner.Catalog) planner.Input {
	return planner.Input{
		Config:        cfg,
		Prior:         prior,
		Sources:       map[string]*planner.Catalog{"old": src},
		Targets:       map[string]*planner.Catalog{"new": dst},
		Now:           Now,
		SrplanVersion: "test",
	}
}

// Large builds a source catalog of tables x partitions (one database
// "big", tables t0000.., partitions p000000..), the matching copied target
// and a state recording every partition done, for benchmarks. The config
// selects "big.*".
func Large(tables, partitions int) (*lang.Config, *planner.Catalog, *planner.Catalog, *state.Snapshot) {
	cfg := Config()
	cfg.Tables = []*lang.Table{{Pattern: "big.*", DBPattern: "big", TablePattern: "*", From: "old", To: "new", Via: "stage",
		Method: lang.MethodAuto, Schema: lang.SchemaRule{Create: true}, Verify: lang.VerifyRule{Mode: "checksum"}}}
	src := &planner.Catalog{
		Cluster: planner.ClusterInfo{Name: "old", Version: planner.Version{Major: 3, Minor: 3, Patch: 2}, Mode: planner.SharedNothing},
		Tables:  make(map[planner.TableAddr]*planner.Table, tables),
	}
	dst := EmptyTarget()
	snap := &state.Snapshot{
		Meta:       state.Meta{FormatVersion: state.FormatVersion, Lineage: "lineage-big", Serial: 7},
		Tables:     make(map[string]*state.TableRecord, tables),
		Partitions: make(map[state.PartitionKey]*state.PartitionRecord, tables*partitions),
	}
	for i := range tables {
		addr := planner.TableAddr{DB: "big", Table: fmt.Sprintf("t%04d", i)}
		t := &planner.Table{Addr: addr, CreateSQL: OrdersDDL, KeysType: "DUPLICATE", Columns: ordersCols,
			PartitionKind: planner.RangePartitioned, Partitions: make([]planner.Partition, partitions)}
		name := addr.String()
		for j := range partitions {
			p := planner.Partition{ID: int64(i*partitions + j), Name: fmt.Sprintf("p%06d", j), VisibleVersion: int64(j%7 + 2),
				VisibleVersionTime: Now, RowCount: 1000, DataSize: 1 << 20}
			t.Partitions[j] = p
			fp := p.Fingerprint()
			r := &state.PartitionRecord{Table: name, Partition: p.Name, Fingerprint: fp, LastDone: &fp,
				Stage: state.StageDone, Status: state.StatusOK}
			snap.Partitions[r.Key()] = r
		}
		src.Tables[addr] = t
		dt := *t
		dst.Tables[addr] = &dt
	}
	return cfg, src, dst, snap
}
