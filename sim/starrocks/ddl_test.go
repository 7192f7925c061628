package starrocks

import (
	"database/sql"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// profiles are the cluster shapes every conformance test runs on.
var profiles = []struct {
	version string
	mode    Mode
}{
	{"3.1.11", SharedData},
	{"3.3.2", SharedNothing},
	{"3.5.0", SharedNothing},
}

func profileName(v string, m Mode) string { return v + "/" + string(m) }

func TestShowCreateTableText(t *testing.T) {
	c := startCluster(t, "3.3.2", SharedNothing)
	db := rootDB(t, c, "d")
	mustExec(t, db, `CREATE TABLE orders (
		dt DATE NOT NULL COMMENT "day",
		id BIGINT NOT NULL,
		city VARCHAR(32) DEFAULT "x",
		amount DECIMAL(10,2) SUM DEFAULT "0"
	) ENGINE=OLAP AGGREGATE KEY(dt, id, city) COMMENT "order totals"
	PARTITION BY RANGE(dt) (PARTITION p1 VALUES LESS THAN ("2024-01-01"), PARTITION p2 VALUES LESS THAN (MAXVALUE))
	DISTRIBUTED BY HASH(id) BUCKETS 4 PROPERTIES ("replication_num" = "1", "bloom_filter_columns" = "city")`)
	_, rows := query(t, db, "SHOW CREATE TABLE d.orders")
	want := "CREATE TABLE `orders` (\n" +
		"  `dt` date NOT NULL COMMENT \"day\",\n" +
		"  `id` bigint(20) NOT NULL COMMENT \"\",\n" +
		"  `city` varchar(32) NULL DEFAULT \"x\" COMMENT \"\",\n" +
		"  `amount` decimal(10, 2) SUM NULL DEFAULT \"0\" COMMENT \"\"\n" +
		") ENGINE=OLAP \n" +
		"AGGREGATE KEY(`dt`, `id`, `city`)\n" +
		"COMMENT \"order totals\"\n" +
		"PARTITION BY RANGE(`dt`)\n" +
		"(PARTITION p1 VALUES [(\"0000-01-01\"), (\"2024-01-01\")),\n" +
		"PARTITION p2 VALUES [(\"2024-01-01\"), (MAXVALUE)))\n" +
		"DISTRIBUTED BY HASH(`id`) BUCKETS 4 \n" +
		"PROPERTIES (\n" +
		"\"replication_num\" = \"1\",\n" +
		"\"in_memory\" = \"false\",\n" +
		"\"enable_persistent_index\" = \"false\",\n" +
		"\"replicated_storage\" = \"true\",\n" +
		"\"compression\" = \"LZ4\",\n" +
		"\"bloom_filter_columns\" = \"city\"\n" +
		");"
	if diff := cmp.Diff([][]string{{"orders", want}}, rows); diff != "" {
		t.Errorf("SHOW CREATE TABLE (-want +got):\n%s", diff)
	}
	cols, _ := query(t, db, "SHOW CREATE TABLE orders")
	if diff := cmp.Diff([]string{"Table", "Create Table"}, cols); diff != "" {
		t.Errorf("columns (-want +got):\n%s", diff)
	}
}

// roundTripTables are created on one cluster and re-created on another from
// SHOW CREATE TABLE output.
var roundTripTables = map[string]string{
	"range_less_than": `CREATE TABLE r1 (dt date, k int, v bigint) DUPLICATE KEY(dt, k)
		PARTITION BY RANGE(dt) (PARTITION p1 VALUES LESS THAN ("2024-01-01"), PARTITION p2 VALUES LESS THAN (MAXVALUE))
		DISTRIBUTED BY HASH(k) BUCKETS 3 PROPERTIES ("replication_num" = "1")`,
	"range_batch_month": `CREATE TABLE r2 (dt datetime, k int) PARTITION BY RANGE(dt)
		(START ("2024-01-01") END ("2024-04-01") EVERY (INTERVAL 1 MONTH)) DISTRIBUTED BY HASH(k)`,
	"range_numeric_batch": `CREATE TABLE r3 (k bigint, v string) DUPLICATE KEY(k) PARTITION BY RANGE(k)
		(START ("0") END ("30") EVERY (10), PARTITION pmax VALUES LESS THAN (MAXVALUE)) DISTRIBUTED BY RANDOM BUCKETS 2`,
	"list_multi_column": `CREATE TABLE l1 (dt date NOT NULL, city varchar(20) NOT NULL, v int) DUPLICATE KEY(dt, city)
		PARTITION BY LIST(dt, city) (PARTITION p1 VALUES IN (("2022-04-01", "LA"), ("2022-04-01", "SF")),
		PARTITION p2 VALUES IN (("2022-04-02", "LA"))) DISTRIBUTED BY HASH(city) BUCKETS 2`,
	"list_single": `CREATE TABLE l2 (city varchar(20), v int) PARTITION BY LIST(city)
		(PARTITION pw VALUES IN ("LA", "SF"), PARTITION pe VALUES IN ("NY")) DISTRIBUTED BY RANDOM`,
	"expr_time":   `CREATE TABLE e1 (ts datetime, k int) PARTITION BY date_trunc('day', ts) DISTRIBUTED BY HASH(k) BUCKETS 2`,
	"expr_column": `CREATE TABLE e2 (dt date, city varchar(20), v int) DUPLICATE KEY(dt, city) PARTITION BY (dt, city) DISTRIBUTED BY HASH(dt)`,
	"aggregate": `CREATE TABLE a1 (k int, s bigint SUM, mx int MAX, mn int MIN, r varchar(10) REPLACE, rn int REPLACE_IF_NOT_NULL)
		AGGREGATE KEY(k) COMMENT "agg" DISTRIBUTED BY HASH(k) BUCKETS 1`,
	"primary_key": `CREATE TABLE pk1 (id bigint NOT NULL, ts datetime DEFAULT CURRENT_TIMESTAMP, name varchar(64), j json)
		PRIMARY KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 4 ORDER BY(name) PROPERTIES ("replication_num" = "1")`,
	"unique_all_types": `CREATE TABLE u1 (a tinyint, b smallint, c int, d bigint, e largeint, f float, g double, h decimal(20, 5),
		i date, j datetime, k char(5), l varchar(100), m string, n boolean, o json, p array<int>) UNIQUE KEY(a, b, c)
		DISTRIBUTED BY HASH(a)`,
}

func TestShowCreateTableRoundTrip(t *testing.T) {
	for _, p := range profiles {
		t.Run(profileName(p.version, p.mode), func(t *testing.T) {
			src := rootDB(t, startCluster(t, p.version, p.mode), "src")
			dst := rootDB(t, startCluster(t, p.version, p.mode), "dst")
			for name, ddl := range roundTripTables {
				t.Run(name, func(t *testing.T) {
					mustExec(t, src, ddl)
					table := strings.Fields(ddl)[2]
					_, rows := query(t, src, "SHOW CREATE TABLE "+table)
					text := rows[0][1]
					mustExec(t, dst, text)
					_, again := query(t, dst, "SHOW CREATE TABLE "+table)
					if diff := cmp.Diff(text, again[0][1]); diff != "" {
						t.Errorf("re-created table prints differently (-source +target):\n%s", diff)
					}
					_, d1 := query(t, src, "DESC "+table)
					_, d2 := query(t, dst, "DESC "+table)
					if diff := cmp.Diff(d1, d2); diff != "" {
						t.Errorf("DESC differs (-source +target):\n%s", diff)
					}
					n1 := partitionLayout(t, src, table)
					n2 := partitionLayout(t, dst, table)
					if diff := cmp.Diff(n1, n2); diff != "" {
						t.Errorf("partitions differ (-source +target):\n%s", diff)
					}
				})
			}
		})
	}
}

// partitionLayout lists name, range/list text and buckets of each partition.
func partitionLayout(t *testing.T, db *sql.DB, table string) [][]string {
	t.Helper()
	var out [][]string
	for _, m := range rowMaps(t, db, "SHOW PARTITIONS FROM "+table) {
		bound, ok := m["Range"]
		if !ok {
			bound = m["List"]
		}
		out = append(out, []string{m["PartitionName"], bound, m["Buckets"]})
	}
	return out
}
