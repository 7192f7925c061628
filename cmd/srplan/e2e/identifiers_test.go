package e2e

import (
	"os"
	"strings"
	"testing"

	simsr "github.com/srplan/srplan/sim/starrocks"
)

// identifierCases are the awkward names TestIdentifiersMigrate copies: a
// database named like an SQL keyword, a table name with a quote, a
// backtick, a double quote and CJK letters, tables named like keywords, a
// column with an accent and a quote, columns and partitions named like
// reserved keywords. StarRocks accepts them (FeNameFormat: table names are
// any characters but NUL, column names any but NUL = < > ! *; database and
// partition names letters, digits and underscores) but only backquoted
// where they are reserved words, and SHOW CREATE TABLE prints partition
// names bare.
var identifierCases = []string{"database `select`", "table with ' ` \" and 订单", "table `table`", "column `wé'ird`", "partition `order`",
	"table `group` (export and Broker Load)", "column `key`", "column `desc`", "partition `range`", "partition `values`", "recopy of `order` and `range`"}

// TestIdentifiersMigrate: tables with the names of identifierCases are
// planned, applied, re-copied after a source change (temporary partitions
// and REPLACE PARTITION) and verified like any other, with both the files
// and the export method, and the copies match.
func TestIdentifiersMigrate(t *testing.T) {
	t.Parallel()
	src := startSim(t, hostOptions{Version: "3.3.8", Mode: simsr.SharedNothing})
	dst := startSim(t, hostOptions{Version: "3.5.2", Mode: simsr.SharedData})
	const odd = "`select`.`o'r``d\"ers_订单`"
	const group = "`select`.`group`"
	src.exec(t, "CREATE DATABASE `select`",
		"CREATE TABLE "+odd+" (d DATE NOT NULL, id BIGINT NOT NULL, `wé'ird` VARCHAR(20) NULL) DUPLICATE KEY(d, id) "+
			"PARTITION BY RANGE(d) (PARTITION `order` VALUES [('2024-01-01'), ('2024-01-02')), PARTITION p2 VALUES [('2024-01-02'), ('2024-01-03'))) "+
			"DISTRIBUTED BY HASH(id) BUCKETS 2 PROPERTIES (\"replication_num\" = \"1\")",
		"INSERT INTO "+odd+" VALUES ('2024-01-01', 1, 'it''s'), ('2024-01-01', 2, NULL), ('2024-01-02', 3, 'ü`x')",
		"CREATE TABLE `select`.`table` (id BIGINT NOT NULL, `from` VARCHAR(8) NULL) PRIMARY KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1 PROPERTIES (\"replication_num\" = \"1\")",
		"INSERT INTO `select`.`table` VALUES (1, 'a'), (2, 'b')",
		"CREATE TABLE "+group+" (d DATE NOT NULL, `desc` INT NOT NULL, `key` VARCHAR(8) NULL) DUPLICATE KEY(d, `desc`) "+
			"PARTITION BY RANGE(d) (PARTITION `range` VALUES [('2024-01-01'), ('2024-01-02')), PARTITION `values` VALUES [('2024-01-02'), ('2024-01-03'))) "+
			"DISTRIBUTED BY HASH(`desc`) BUCKETS 2 PROPERTIES (\"replication_num\" = \"1\")",
		"INSERT INTO "+group+" (d, `desc`, `key`) VALUES ('2024-01-01', 1, 'k1'), ('2024-01-01', 2, NULL), ('2024-01-02', 3, 'k3')",
	)
	w := newWorkspace(t, specOptions{src: src, dst: dst, methods: map[string]string{"select.group": "export"}})
	spec, err := os.ReadFile(w.spec)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(w.spec, []byte(strings.Replace(string(spec), `table "shop.*"`, `table "select.*"`, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	badInputsTried.Add(int64(len(identifierCases)))
	w.mustRun(t, "apply", "-auto-approve")
	if p := w.plan(t); len(p) != 0 {
		t.Errorf("plan after the apply lists %v", p)
	}
	// A change in partitions `order` and `range` makes them re-copied
	// through temporary partitions and REPLACE PARTITION.
	src.exec(t, "INSERT INTO "+odd+" VALUES ('2024-01-01', 4, 'new')",
		"INSERT INTO "+group+" (d, `desc`, `key`) VALUES ('2024-01-01', 4, 'k4')")
	p := w.plan(t)
	for _, a := range []string{"select.o'r`d\"ers_订单/order", "select.group/range"} {
		if p[a][0] != "recopy" {
			t.Errorf("plan after the source change: %s is %v, want recopy (plan %v)", a, p[a], p)
		}
	}
	w.mustRun(t, "apply", "-auto-approve")
	if p := w.plan(t); len(p) != 0 {
		t.Errorf("plan after the second apply lists %v", p)
	}
	w.mustRun(t, "verify")
	oddSum := "SELECT COUNT(*), COALESCE(SUM(murmur_hash3_32(concat_ws('|', d, id, COALESCE(`wé'ird`, '-')))), 0) FROM " + odd
	groupSum := "SELECT COUNT(*), COALESCE(SUM(murmur_hash3_32(concat_ws('|', d, `desc`, COALESCE(`key`, '-')))), 0) FROM " + group
	for _, q := range []string{
		oddSum + " PARTITION (`order`)",
		oddSum + " PARTITION (p2)",
		"SELECT COUNT(*), COALESCE(SUM(murmur_hash3_32(concat_ws('|', id, `from`))), 0) FROM `select`.`table`",
		groupSum + " PARTITION (`range`)",
		groupSum + " PARTITION (`values`)",
	} {
		var want, got [2]string
		if err := src.db.QueryRow(q).Scan(&want[0], &want[1]); err != nil {
			t.Fatalf("source: %s: %v", q, err)
		}
		if err := dst.db.QueryRow(q).Scan(&got[0], &got[1]); err != nil {
			t.Fatalf("target: %s: %v", q, err)
		}
		if want != got || want[0] == "0" {
			t.Errorf("%s: source %v, target %v", q, want, got)
		}
	}
}
