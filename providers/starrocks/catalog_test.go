package starrocks

import (
	"context"
	"database/sql/driver"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/google/go-cmp/cmp"

	"github.com/srplan/srplan/planner"
)

const (
	ordersDDL = "CREATE TABLE `orders` (\n  `id` bigint(20) NOT NULL COMMENT \"\",\n  `dt` date NOT NULL COMMENT \"\"\n) ENGINE=OLAP\n" +
		"DUPLICATE KEY(`id`)\nPARTITION BY RANGE(`dt`)\n(PARTITION p1 VALUES [(\"2024-01-01\"), (\"2024-01-02\")))\n" +
		"DISTRIBUTED BY HASH(`id`)\nPROPERTIES (\"replication_num\" = \"1\");"
	usersDDL = "CREATE TABLE `users` (\n  `uid` bigint(20) NOT NULL COMMENT \"\",\n  `name` varchar(64) NULL COMMENT \"\"\n) ENGINE=OLAP\n" +
		"PRIMARY KEY(`uid`)\nDISTRIBUTED BY HASH(`uid`)\nORDER BY(`name`)\nPROPERTIES (\"replication_num\" = \"1\");"
)

var (
	ordersTable = planner.TableAddr{DB: "sales", Table: "orders"}
	usersTable  = planner.TableAddr{DB: "crm", Table: "users"}
	ordersCols  = []planner.Column{{Name: "id", Type: "bigint(20)", Key: true}, {Name: "dt", Type: "date"}}
	usersCols   = []planner.Column{{Name: "uid", Type: "bigint(20)", Key: true}, {Name: "name", Type: "varchar(64)", Nullable: true}}
	ts          = func(s string) time.Time {
		t, err := time.Parse(time.DateTime, s)
		if err != nil {
			panic(err)
		}
		return t
	}
)

// answerCreate makes SHOW CREATE TABLE of a answer with ddl.
func answerCreate(t *testing.T, f *fakeDB, a planner.TableAddr, ddl string) {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	f.answers[ShowCreateTableSQL(a)] = fakeAnswer{cols: []string{"Table", "Create Table"}, rows: [][]driver.Value{{[]byte(a.Table), []byte(ddl)}}}
}

// commonCatalog sets up the statements both architectures answer alike.
func commonCatalog(t *testing.T, f *fakeDB) {
	f.on(t, ShowDatabasesSQL, `
| Database           |
| _statistics_       |
| crm                |
| information_schema |
| sales              |`)
	f.on(t, ShowTablesSQL("sales"), `
| Tables_in_sales | Table_type |
| orders          | BASE TABLE |
| v_orders        | VIEW       |
| gone            | BASE TABLE |
| mv_orders       | BASE TABLE |
| mysql_ext       | BASE TABLE |`)
	f.on(t, ShowTablesSQL("crm"), `
| Tables_in_crm | Table_type |
| users         | BASE TABLE |
| leads         | BASE TABLE |`)
	answerCreate(t, f, ordersTable, ordersDDL)
	answerCreate(t, f, usersTable, usersDDL)
	f.onErr(ShowCreateTableSQL(planner.TableAddr{DB: "sales", Table: "gone"}),
		&mysql.MySQLError{Number: 5502, Message: "Getting analyzing error. Detail message: Unknown table 'sales.gone'."})
	f.on(t, ShowCreateTableSQL(planner.TableAddr{DB: "sales", Table: "mv_orders"}),
		"| Materialized View | Create Materialized View |\n| mv_orders | CREATE MATERIALIZED VIEW `mv_orders` AS SELECT 1 |")
	answerCreate(t, f, planner.TableAddr{DB: "sales", Table: "mysql_ext"},
		"CREATE EXTERNAL TABLE `mysql_ext` (`k1` int(11) NULL) ENGINE=MYSQL PROPERTIES (\"host\" = \"127.0.0.1\")")
}

var catalogSelector = Patterns{{DB: "sales", Table: "*"}, {DB: "crm", Table: "users"}, {DB: "missing", Table: "t"}}

func TestReadCatalogSharedNothing(t *testing.T) {
	t.Parallel()
	db, f := newFakeDB(t)
	commonCatalog(t, f)
	f.on(t, ShowPartitionsSQL(ordersTable, false), `
| PartitionId | PartitionName | VisibleVersion | VisibleVersionTime  | Range      | Buckets | DataSize | RowCount |
| 11          | p1            | 3              | 2024-01-02 03:04:05 | [2024-01-01, 2024-01-02) | 2 | 1KB | 10 |`)
	f.on(t, ShowPartitionsSQL(ordersTable, true), `
| PartitionId | PartitionName | VisibleVersion | VisibleVersionTime  | Range      | Buckets | DataSize | RowCount |
| 12          | tp1           | 2              | 2024-01-03 00:00:00 | [2024-01-01, 2024-01-02) | 2 | 0B | 0 |`)
	f.on(t, ShowPartitionsSQL(usersTable, false), `
| PartitionId | PartitionName | VisibleVersion | VisibleVersionTime  | Range | Buckets | DataSize | RowCount |
| 21          | users         | 5              | 2024-02-01 10:00:00 |       | 4       | 2MB      | 99       |`)
	f.on(t, ShowPartitionsSQL(usersTable, true), "| PartitionId | PartitionName | VisibleVersion | VisibleVersionTime |")

	info := planner.ClusterInfo{Name: "old", Version: planner.Version{Major: 3, Minor: 3, Patch: 2}, Mode: planner.SharedNothing}
	got, err := ReadCatalog(context.Background(), db, info, catalogSelector)
	if err != nil {
		t.Fatal(err)
	}
	want := &planner.Catalog{
		Cluster:   info,
		Databases: []string{"crm", "sales"},
		Tables: map[planner.TableAddr]*planner.Table{
			ordersTable: {
				Addr: ordersTable, CreateSQL: ordersDDL, KeysType: "DUPLICATE", Columns: ordersCols,
				PartitionKind: planner.RangePartitioned, PartitionColumns: []string{"dt"},
				Partitions: []planner.Partition{{ID: 11, Name: "p1", VisibleVersion: 3, VisibleVersionTime: ts("2024-01-02 03:04:05"),
					RowCount: 10, DataSize: 1024, Value: "[2024-01-01, 2024-01-02)", Buckets: 2}},
				TempPartitions: []planner.Partition{{ID: 12, Name: "tp1", VisibleVersion: 2, VisibleVersionTime: ts("2024-01-03 00:00:00"),
					Value: "[2024-01-01, 2024-01-02)", Buckets: 2}},
				Properties: map[string]string{"replication_num": "1"},
			},
			usersTable: {
				Addr: usersTable, CreateSQL: usersDDL, KeysType: "PRIMARY", Columns: usersCols,
				PartitionKind: planner.Unpartitioned,
				Partitions: []planner.Partition{{ID: 21, Name: "users", VisibleVersion: 5, VisibleVersionTime: ts("2024-02-01 10:00:00"),
					RowCount: 99, DataSize: 2 << 20, Buckets: 4}},
				TempPartitions: []planner.Partition{},
				Properties:     map[string]string{"replication_num": "1"},
			},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("catalog (-want +got):\n%s", diff)
	}
	wantQueries := []string{
		ShowDatabasesSQL, ShowTablesSQL("crm"), ShowTablesSQL("sales"),
		ShowCreateTableSQL(usersTable), ShowPartitionsSQL(usersTable, false), ShowPartitionsSQL(usersTable, true),
		ShowCreateTableSQL(planner.TableAddr{DB: "sales", Table: "gone"}),
		ShowCreateTableSQL(planner.TableAddr{DB: "sales", Table: "mv_orders"}),
		ShowCreateTableSQL(planner.TableAddr{DB: "sales", Table: "mysql_ext"}),
		ShowCreateTableSQL(ordersTable), ShowPartitionsSQL(ordersTable, false), ShowPartitionsSQL(ordersTable, true),
	}
	gotQueries := f.log()
	slices.Sort(wantQueries)
	slices.Sort(gotQueries)
	if diff := cmp.Diff(wantQueries, gotQueries); diff != "" {
		t.Errorf("statements sent (-want +got):\n%s", diff)
	}
}

// sharedDataPartitionsOf answers SHOW [TEMPORARY] PARTITIONS of a in the
// shared-data shape (no VisibleVersionTime).
func sharedDataPartitionsOf(t *testing.T, f *fakeDB, a planner.TableAddr, rows, tempRows string) {
	const header = "| PartitionId | PartitionName | CompactVersion | VisibleVersion | NextVersion | List | Buckets | DataSize | RowCount |\n"
	f.on(t, ShowPartitionsSQL(a, false), header+rows)
	f.on(t, ShowPartitionsSQL(a, true), header+tempRows)
}

func sharedDataCatalog(t *testing.T, f *fakeDB) {
	commonCatalog(t, f)
	sharedDataPartitionsOf(t, f, ordersTable,
		"| 11 | p1 | 0 | 3 | 4 | NULL | 2 | 1KB | 10 |\n| 13 | p2 | 0 | 1 | 2 | NULL | 2 | 0B | 0 |",
		"| 12 | tp1 | 0 | 2 | 3 | NULL | 2 | 0B | 0 |")
	sharedDataPartitionsOf(t, f, usersTable, "| 21 | users | 0 | 5 | 6 | NULL | 4 | 2MB | 99 |", "")
}

func TestReadCatalogSharedDataWithPartitionsMeta(t *testing.T) {
	t.Parallel()
	db, f := newFakeDB(t)
	sharedDataCatalog(t, f)
	const metaHeader = "| TABLE_NAME | PARTITION_NAME | IS_TEMP | VISIBLE_VERSION | VISIBLE_VERSION_TIME |\n"
	f.on(t, PartitionsMetaSQL("crm", "users"), metaHeader+"| users | users | 0 | 5 | 2024-02-01 10:00:00 |")
	f.on(t, PartitionsMetaSQL("sales", "orders"), metaHeader+
		"| orders | p1  | 0 | 3 | 2024-01-02 03:04:05 |\n"+
		"| orders | p2  | 0 | 2 | 2024-01-05 00:00:00 |\n"+ // a load committed after SHOW PARTITIONS
		"| orders | tp1 | 1 | 2 | 2024-01-03 00:00:00 |")

	info := planner.ClusterInfo{Name: "old", Version: planner.Version{Major: 3, Minor: 3, Patch: 2}, Mode: planner.SharedData}
	got, err := ReadCatalog(context.Background(), db, info, catalogSelector)
	if err != nil {
		t.Fatal(err)
	}
	type fp struct {
		Name    string
		Version int64
		Time    time.Time
	}
	fps := func(ps []planner.Partition) []fp {
		var out []fp
		for _, p := range ps {
			out = append(out, fp{p.Name, p.VisibleVersion, p.VisibleVersionTime})
		}
		return out
	}
	if diff := cmp.Diff([]fp{{"p1", 3, ts("2024-01-02 03:04:05")}, {"p2", 2, ts("2024-01-05 00:00:00")}},
		fps(got.Tables[ordersTable].Partitions)); diff != "" {
		t.Errorf("orders partitions (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]fp{{"tp1", 2, ts("2024-01-03 00:00:00")}}, fps(got.Tables[ordersTable].TempPartitions)); diff != "" {
		t.Errorf("orders temporary partitions (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]fp{{"users", 5, ts("2024-02-01 10:00:00")}}, fps(got.Tables[usersTable].Partitions)); diff != "" {
		t.Errorf("users partitions (-want +got):\n%s", diff)
	}
	if p := got.Tables[ordersTable].Partitions[0]; p.RowCount != 10 || p.DataSize != 1024 || p.ID != 11 {
		t.Errorf("statistics of p1 lost: %+v", p)
	}
	metaQueries := 0
	for _, q := range f.log() {
		if strings.Contains(q, "partitions_meta") {
			metaQueries++
		}
	}
	if metaQueries != 2 {
		t.Errorf("%d partitions_meta queries, want one per database (2)", metaQueries)
	}
}

func TestReadCatalogSharedDataWithoutPartitionsMeta(t *testing.T) {
	t.Parallel()
	db, f := newFakeDB(t)
	sharedDataCatalog(t, f)
	// Only the first database is asked: the answer shows the view is absent.
	f.onErr(PartitionsMetaSQL("crm", "users"),
		&mysql.MySQLError{Number: 1064, Message: "Getting analyzing error. Detail message: Unknown table 'information_schema.partitions_meta'."})

	info := planner.ClusterInfo{Name: "old", Version: planner.Version{Major: 3, Minor: 1, Patch: 11}, Mode: planner.SharedData}
	got, err := ReadCatalog(context.Background(), db, info, catalogSelector)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []planner.TableAddr{ordersTable, usersTable} {
		for _, p := range append(slices.Clone(got.Tables[a].Partitions), got.Tables[a].TempPartitions...) {
			if !p.VisibleVersionTime.IsZero() {
				t.Errorf("%s/%s has VisibleVersionTime %v, want zero", a, p.Name, p.VisibleVersionTime)
			}
		}
	}
	if v := got.Tables[ordersTable].Partitions[0].VisibleVersion; v != 3 {
		t.Errorf("p1 VisibleVersion = %d, want 3", v)
	}
	for _, q := range f.log() {
		if q == PartitionsMetaSQL("sales", "orders") {
			t.Error("partitions_meta was queried again after the cluster said it does not exist")
		}
	}
}

func TestReadCatalogErrors(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		setup func(t *testing.T, f *fakeDB)
		want  []string
	}{
		"show databases fails": {
			setup: func(t *testing.T, f *fakeDB) { f.onErr(ShowDatabasesSQL, errors.New("boom")) },
			want:  []string{`read catalog of cluster "old"`, "SHOW DATABASES", "boom"},
		},
		"show partitions fails": {
			setup: func(t *testing.T, f *fakeDB) {
				sharedDataCatalog(t, f)
				f.onErr(ShowPartitionsSQL(ordersTable, true), errors.New("Access denied"))
			},
			want: []string{`read catalog of cluster "old"`, "table sales.orders", "SHOW TEMPORARY PARTITIONS FROM `sales`.`orders`", "Access denied"},
		},
		"partitions missing a column": {
			setup: func(t *testing.T, f *fakeDB) {
				sharedDataCatalog(t, f)
				f.on(t, ShowPartitionsSQL(usersTable, false), "| PartitionName | Version |\n| users | 1 |")
			},
			want: []string{`read catalog of cluster "old"`, "partitions of crm.users: column VisibleVersion missing"},
		},
		"bad DDL": {
			setup: func(t *testing.T, f *fakeDB) {
				sharedDataCatalog(t, f)
				answerCreate(t, f, usersTable, "CREATE TABLE `users` (")
			},
			want: []string{`read catalog of cluster "old"`, "table crm.users", "parse create table"},
		},
		"partitions_meta fails otherwise": {
			setup: func(t *testing.T, f *fakeDB) {
				sharedDataCatalog(t, f)
				f.onErr(PartitionsMetaSQL("crm", "users"), &mysql.MySQLError{Number: 1105, Message: "timeout by txn manager"})
			},
			want: []string{`read catalog of cluster "old"`, "database crm", "partitions_meta", "timeout by txn manager"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			db, f := newFakeDB(t)
			tc.setup(t, f)
			_, err := ReadCatalog(context.Background(), db, planner.ClusterInfo{Name: "old"}, catalogSelector)
			if err == nil {
				t.Fatal("ReadCatalog succeeded, want an error")
			}
			for _, s := range tc.want {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not contain %q", err, s)
				}
			}
		})
	}
}

func TestReadCatalogNothingSelected(t *testing.T) {
	t.Parallel()
	db, f := newFakeDB(t)
	got, err := ReadCatalog(context.Background(), db, planner.ClusterInfo{Name: "old"}, Patterns{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Tables) != 0 || len(got.Databases) != 0 || len(f.log()) != 0 {
		t.Errorf("empty selector read %v and sent %q", got, f.log())
	}
}
