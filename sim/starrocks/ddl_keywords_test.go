package starrocks

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// keywordTableDDL creates d.kw: a reserved word names a column and a
// partition, both backquoted as StarRocks requires.
const keywordTableDDL = "CREATE TABLE kw (d DATE NOT NULL, `order` INT NULL) DUPLICATE KEY(d) " +
	"PARTITION BY RANGE(d) (PARTITION `order` VALUES [('2024-01-01'), ('2024-01-02')), PARTITION p2 VALUES [('2024-01-02'), ('2024-01-03'))) " +
	"DISTRIBUTED BY HASH(d) BUCKETS 1 PROPERTIES (\"replication_num\" = \"1\")"

// identifierErr is the error StarRocks returns for the bare reserved word
// that starts at the first occurrence of at+word in q.
func identifierErr(t *testing.T, q, at, word string) string {
	t.Helper()
	i := strings.Index(q, at+word)
	if i < 0 {
		t.Fatalf("%q does not contain %q", q, at+word)
	}
	return fmt.Sprintf("Error 1064 (HY000): Getting syntax error at line 1, column %d. Detail message: Unexpected input '%s', the most similar input is {a legal identifier}.",
		i+len(at), word)
}

// TestReservedWordsRejectedUnquoted: wherever StarRocks' grammar expects an
// identifier, a bare reserved keyword is a syntax error naming it, and the
// statement changes nothing.
func TestReservedWordsRejectedUnquoted(t *testing.T) {
	c := startCluster(t, "3.3.2", SharedNothing)
	db := rootDB(t, c, "d")
	mustExec(t, db, keywordTableDDL)
	mustExec(t, db, "ALTER TABLE kw ADD TEMPORARY PARTITION tp VALUES [('2024-01-01'), ('2024-01-02'))")
	const cols = "(d DATE NOT NULL, v INT NULL) DUPLICATE KEY(d) DISTRIBUTED BY HASH(d) BUCKETS 1"
	tests := []struct {
		name, q, at, word string
	}{
		{"create database", "CREATE DATABASE select", "DATABASE ", "select"},
		{"create database if not exists", "CREATE DATABASE IF NOT EXISTS Table", "EXISTS ", "Table"},
		{"create table name", "CREATE TABLE order " + cols, "TABLE ", "order"},
		{"create table database part", "CREATE TABLE select.t " + cols, "TABLE ", "select"},
		{"create table table part", "CREATE TABLE d.from " + cols, "d.", "from"},
		{"column name", "CREATE TABLE t2 (d DATE NOT NULL, key INT NULL) DUPLICATE KEY(d) DISTRIBUTED BY HASH(d) BUCKETS 1", ", ", "key"},
		{"key column", "CREATE TABLE t2 (d DATE NOT NULL) DUPLICATE KEY(desc) DISTRIBUTED BY HASH(d) BUCKETS 1", "KEY(", "desc"},
		{"partition in create table", "CREATE TABLE t2 (d DATE NOT NULL) DUPLICATE KEY(d) PARTITION BY RANGE(d) (PARTITION order VALUES LESS THAN ('2024-01-01')) DISTRIBUTED BY HASH(d) BUCKETS 1", "PARTITION ", "order"},
		{"list partition in create table", "CREATE TABLE t2 (d DATE NOT NULL, c VARCHAR(8) NOT NULL) DUPLICATE KEY(d) PARTITION BY LIST(c) (PARTITION group VALUES IN ('a')) DISTRIBUTED BY HASH(d) BUCKETS 1", "PARTITION ", "group"},
		{"add partition", "ALTER TABLE kw ADD PARTITION select VALUES [('2024-01-05'), ('2024-01-06'))", "PARTITION ", "select"},
		{"add temporary partition", "ALTER TABLE kw ADD TEMPORARY PARTITION values VALUES [('2024-01-05'), ('2024-01-06'))", "PARTITION ", "values"},
		{"replace partition", "ALTER TABLE kw REPLACE PARTITION (order) WITH TEMPORARY PARTITION (tp)", "(", "order"},
		{"drop partition", "ALTER TABLE kw DROP PARTITION order", "PARTITION ", "order"},
		{"alter table name", "ALTER TABLE table ADD PARTITION p9 VALUES [('2024-01-05'), ('2024-01-06'))", "TABLE ", "table"},
		{"select partition clause", "SELECT COUNT(*) FROM kw PARTITION (order)", "(", "order"},
		{"select temporary partition clause", "SELECT COUNT(*) FROM kw TEMPORARY PARTITION (p2, like)", ", ", "like"},
		{"select table with partition clause", "SELECT COUNT(*) FROM d.where PARTITION (p2)", "d.", "where"},
		{"insert partition clause", "INSERT INTO kw PARTITION (order) VALUES ('2024-01-01', 1)", "(", "order"},
		{"insert column list", "INSERT INTO kw (d, order) VALUES ('2024-01-01', 1)", ", ", "order"},
		{"export partition clause", "EXPORT TABLE kw PARTITION (order) TO 'file:///tmp/x/' WITH BROKER", "(", "order"},
		{"broker load partition clause", "LOAD LABEL d.l1 (DATA INFILE ('file:///tmp/x.csv') INTO TABLE kw PARTITION (order) FORMAT AS 'CSV') WITH BROKER", "(", "order"},
		{"broker load temporary partition clause", "LOAD LABEL d.l2 (DATA INFILE ('file:///tmp/x.csv') INTO TABLE kw TEMPORARY PARTITION (tp, select) FORMAT AS 'CSV') WITH BROKER", ", ", "select"},
		{"broker load table", "LOAD LABEL d.l3 (DATA INFILE ('file:///tmp/x.csv') INTO TABLE table FORMAT AS 'CSV') WITH BROKER", "TABLE ", "table"},
		{"export column list", "EXPORT TABLE kw (d, order) TO 'file:///tmp/x/' WITH BROKER", ", ", "order"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := identifierErr(t, tt.q, tt.at, tt.word)
			if got := execErr(t, db, tt.q); got != want {
				t.Errorf("%s:\n got %s\nwant %s", tt.q, got, want)
			}
		})
	}
	if diff := cmp.Diff([]string{"order", "p2"}, partitionNames(t, c, "SHOW PARTITIONS FROM kw")); diff != "" {
		t.Errorf("partitions after the rejected statements (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"tp"}, partitionNames(t, c, "SHOW TEMPORARY PARTITIONS FROM kw")); diff != "" {
		t.Errorf("temporary partitions after the rejected statements (-want +got):\n%s", diff)
	}
}

// TestReservedWordsQuoted: the same names backquoted work in every
// statement srplan sends, non-reserved keywords work bare, and SHOW CREATE
// TABLE prints the partition name bare and the column name backquoted,
// as StarRocks does (RangePartitionInfo.toSql).
func TestReservedWordsQuoted(t *testing.T) {
	c := startCluster(t, "3.3.2", SharedNothing)
	db := rootDB(t, c, "d")
	mustExec(t, db, "CREATE DATABASE `select`")
	mustExec(t, db, "CREATE TABLE `select`.`table` (id BIGINT NOT NULL, `from` VARCHAR(8) NULL) PRIMARY KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1")
	mustExec(t, db, "INSERT INTO `select`.`table` (id, `from`) VALUES (1, 'a')")
	// date, status and type are keywords StarRocks does not reserve.
	mustExec(t, db, "CREATE TABLE nr (date DATE NOT NULL, status INT NULL, type INT NULL) DUPLICATE KEY(date) DISTRIBUTED BY HASH(date) BUCKETS 1")
	mustExec(t, db, keywordTableDDL)
	for _, q := range []string{
		"INSERT INTO kw PARTITION (`order`) (d, `order`) VALUES ('2024-01-01', 1), ('2024-01-01', 2)",
		"INSERT INTO kw VALUES ('2024-01-02', 3)",
		"ALTER TABLE kw ADD PARTITION `select` VALUES [('2024-01-05'), ('2024-01-06'))",
		"ALTER TABLE kw ADD TEMPORARY PARTITION `values` VALUES [('2024-01-01'), ('2024-01-02'))",
		"INSERT INTO kw TEMPORARY PARTITION (`values`) VALUES ('2024-01-01', 7)",
	} {
		mustExec(t, db, q)
	}
	_, rows := query(t, db, "SELECT COUNT(*), SUM(`order`) FROM kw PARTITION (`order`)")
	if diff := cmp.Diff([][]string{{"2", "3"}}, rows); diff != "" {
		t.Errorf("rows of partition `order` (-want +got):\n%s", diff)
	}
	_, rows = query(t, db, "SELECT COUNT(*) FROM kw TEMPORARY PARTITION (`values`)")
	if diff := cmp.Diff([][]string{{"1"}}, rows); diff != "" {
		t.Errorf("rows of temporary partition `values` (-want +got):\n%s", diff)
	}
	_, rows = query(t, db, "SHOW CREATE TABLE kw")
	if len(rows) != 1 {
		t.Fatalf("SHOW CREATE TABLE: %v", rows)
	}
	for _, want := range []string{"  `order` int(11) NULL COMMENT \"\"", "(PARTITION order VALUES [(\"2024-01-01\"), (\"2024-01-02\")),", "PARTITION select VALUES [(\"2024-01-05\"), (\"2024-01-06\"))"} {
		if !strings.Contains(rows[0][1], want) {
			t.Errorf("SHOW CREATE TABLE lacks %q:\n%s", want, rows[0][1])
		}
	}
	mustExec(t, db, "ALTER TABLE kw REPLACE PARTITION (`order`) WITH TEMPORARY PARTITION (`values`)")
	_, rows = query(t, db, "SELECT COUNT(*), SUM(`order`) FROM kw PARTITION (`order`)")
	if diff := cmp.Diff([][]string{{"1", "7"}}, rows); diff != "" {
		t.Errorf("rows of partition `order` after REPLACE (-want +got):\n%s", diff)
	}
	_, rows = query(t, db, "SELECT COUNT(*) FROM `select`.`table` WHERE `from` = 'a'")
	if diff := cmp.Diff([][]string{{"1"}}, rows); diff != "" {
		t.Errorf("rows of `select`.`table` (-want +got):\n%s", diff)
	}
	dir := t.TempDir()
	qid := lastQueryID(t, db, fmt.Sprintf("EXPORT TABLE kw PARTITION (`order`) (d, `order`) TO 'file://%s/' WITH BROKER", dir))
	if row := waitRow(t, db, fmt.Sprintf("SHOW EXPORT WHERE QUERYID = %q", qid), terminal); row["State"] != "FINISHED" {
		t.Errorf("EXPORT of partition `order`: %v", row)
	}
	mustExec(t, db, "ALTER TABLE kw DROP PARTITION `select`")
	if diff := cmp.Diff([]string{"order", "p2"}, partitionNames(t, c, "SHOW PARTITIONS FROM kw")); diff != "" {
		t.Errorf("partitions (-want +got):\n%s", diff)
	}
}
