package starrocks

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestKeyModels(t *testing.T) {
	for _, p := range profiles {
		t.Run(profileName(p.version, p.mode), func(t *testing.T) {
			db := rootDB(t, startCluster(t, p.version, p.mode), "d")
			mustExec(t, db, "CREATE TABLE dup (k int, v int) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k)")
			mustExec(t, db, "CREATE TABLE uniq (k int, v int, w varchar(10)) UNIQUE KEY(k) DISTRIBUTED BY HASH(k)")
			mustExec(t, db, "CREATE TABLE pk (k int NOT NULL, v int, w varchar(10)) PRIMARY KEY(k) DISTRIBUTED BY HASH(k)")
			mustExec(t, db, `CREATE TABLE agg (k int, s bigint SUM, mx int MAX, mn int MIN, r varchar(10) REPLACE,
				rn int REPLACE_IF_NOT_NULL) AGGREGATE KEY(k) DISTRIBUTED BY HASH(k)`)
			for _, stmt := range []string{
				"INSERT INTO dup VALUES (1, 1), (1, 1)",
				"INSERT INTO dup VALUES (1, 2)",
				"INSERT INTO uniq VALUES (1, 1, 'a'), (2, 2, 'b'), (1, 3, 'c')",
				"INSERT INTO uniq VALUES (2, 20, NULL)",
				"INSERT INTO pk VALUES (1, 1, 'a'), (2, 2, 'b')",
				"INSERT INTO pk VALUES (1, 10, 'z')",
				"INSERT INTO agg VALUES (1, 5, 1, 9, 'a', 7), (1, 6, 4, 2, 'b', NULL)",
				"INSERT INTO agg VALUES (1, NULL, 3, 5, 'c', 8), (2, 1, 1, 1, 'x', NULL)",
			} {
				mustExec(t, db, stmt)
			}
			tests := map[string][][]string{
				"SELECT k, v FROM dup ORDER BY k, v":             {{"1", "1"}, {"1", "1"}, {"1", "2"}},
				"SELECT k, v, w FROM uniq ORDER BY k":            {{"1", "3", "c"}, {"2", "20", nullCell}},
				"SELECT k, v, w FROM pk ORDER BY k":              {{"1", "10", "z"}, {"2", "2", "b"}},
				"SELECT k, s, mx, mn, r, rn FROM agg ORDER BY k": {{"1", "11", "4", "2", "c", "8"}, {"2", "1", "1", "1", "x", nullCell}},
			}
			for q, want := range tests {
				_, got := query(t, db, q)
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("%s (-want +got):\n%s", q, diff)
				}
			}
		})
	}
}

func TestPrimaryKeyPartialUpdateGate(t *testing.T) {
	// From 3.3.1 an explicit column list on a Primary Key table is a partial
	// update (STARROCKS.md 5.6); before, omitted columns take defaults.
	tests := map[string][]string{
		"3.3.0": {"1", "10", nullCell},
		"3.3.1": {"1", "10", "keep"},
	}
	for version, want := range tests {
		t.Run(version, func(t *testing.T) {
			db := rootDB(t, startCluster(t, version, SharedNothing), "d")
			mustExec(t, db, "CREATE TABLE pk (k int NOT NULL, v int, w varchar(10)) PRIMARY KEY(k) DISTRIBUTED BY HASH(k)")
			mustExec(t, db, "INSERT INTO pk VALUES (1, 1, 'keep')")
			mustExec(t, db, "INSERT INTO pk (k, v) VALUES (1, 10)")
			_, rows := query(t, db, "SELECT k, v, w FROM pk")
			if diff := cmp.Diff([][]string{want}, rows); diff != "" {
				t.Errorf("after column-list insert (-want +got):\n%s", diff)
			}
		})
	}
}

// TestInsertLoadTransaction covers labels, versions and strict mode. The
// filtered-data text is [unconfirmed]: the 3.x shape "Insert has filtered
// data in strict mode. txn_id = N tracking sql = ..." is used, and tests
// match its prefix only.
func TestInsertLoadTransaction(t *testing.T) {
	c := startCluster(t, "3.3.2", SharedNothing)
	db := rootDB(t, c, "d")
	mustExec(t, db, rangeTableDDL)
	res := mustExec(t, db, "INSERT INTO t WITH LABEL l1 VALUES ('2024-01-01', 1, 1), ('2024-01-02', 2, 2), ('2024-01-02', 3, 3)")
	if n, _ := res.RowsAffected(); n != 3 {
		t.Errorf("RowsAffected = %d, want 3", n)
	}
	versions := func() map[string]string {
		out := map[string]string{}
		for _, m := range rowMaps(t, db, "SHOW PARTITIONS FROM t") {
			out[m["PartitionName"]] = m["VisibleVersion"]
		}
		return out
	}
	if diff := cmp.Diff(map[string]string{"p20240101": "2", "p20240102": "2"}, versions()); diff != "" {
		t.Errorf("one load transaction bumps each touched partition once (-want +got):\n%s", diff)
	}

	t.Run("label reuse", func(t *testing.T) {
		got := execErr(t, db, "INSERT INTO t WITH LABEL l1 VALUES ('2024-01-01', 9, 9)")
		if got != "Error 1064 (HY000): Label [l1] has already been used." {
			t.Errorf("got %q", got)
		}
		other := rootDB(t, c, "other")
		mustExec(t, other, "CREATE TABLE x (k int) DISTRIBUTED BY HASH(k)")
		mustExec(t, other, "INSERT INTO x WITH LABEL l1 VALUES (1)") // labels are unique per database
	})

	t.Run("row outside every partition fails the whole load", func(t *testing.T) {
		got := execErr(t, db, "INSERT INTO t VALUES ('2024-01-01', 4, 4), ('2025-01-01', 5, 5)")
		if !strings.HasPrefix(got, "Error 1064 (HY000): Insert has filtered data in strict mode. txn_id = ") {
			t.Errorf("got %q", got)
		}
		if diff := cmp.Diff(map[string]string{"p20240101": "2", "p20240102": "2"}, versions()); diff != "" {
			t.Errorf("failed load changed versions (-want +got):\n%s", diff)
		}
		// The label of a failed INSERT is cancelled and may be reused.
		_ = execErr(t, db, "INSERT INTO t WITH LABEL lbad VALUES ('2030-01-01', 1, 1)")
		mustExec(t, db, "INSERT INTO t WITH LABEL lbad VALUES ('2024-01-01', 1, 1)")
	})

	t.Run("values that do not fit their columns are filtered", func(t *testing.T) {
		for _, stmt := range []string{
			"INSERT INTO t VALUES ('2024-01-01', 'abc', 1)",
			"INSERT INTO t VALUES ('not a date', 1, 1)",
			"INSERT INTO t VALUES ('2024-01-01', 99999999999, 1)",
		} {
			if got := execErr(t, db, stmt); !strings.Contains(got, "Insert has filtered data in strict mode") {
				t.Errorf("%s: got %q", stmt, got)
			}
		}
	})

	t.Run("non-strict insert skips filtered rows", func(t *testing.T) {
		conn, err := openDB(t, c, "root", "", "d").Conn(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		if _, err := conn.ExecContext(t.Context(), "SET enable_insert_strict = false"); err != nil {
			t.Fatal(err)
		}
		r, err := conn.ExecContext(t.Context(), "INSERT INTO t VALUES ('2024-01-02', 7, 7), ('2099-01-01', 8, 8)")
		if err != nil {
			t.Fatal(err)
		}
		if n, _ := r.RowsAffected(); n != 1 {
			t.Errorf("RowsAffected = %d, want 1", n)
		}
	})

	t.Run("explicit partition target", func(t *testing.T) {
		mustExec(t, db, "INSERT INTO t PARTITION (p20240102) VALUES ('2024-01-02', 10, 10)")
		got := execErr(t, db, "INSERT INTO t PARTITION (p20240102) VALUES ('2024-01-01', 11, 11)")
		if !strings.Contains(got, "Insert has filtered data in strict mode") {
			t.Errorf("row outside the named partition: got %q", got)
		}
		got = execErr(t, db, "INSERT INTO t PARTITION (nope) VALUES ('2024-01-01', 11, 11)")
		if got != "Error 1735 (HY000): Unknown partition 'nope' in table 't'" {
			t.Errorf("unknown partition: got %q", got)
		}
	})

	t.Run("insert select from a partition", func(t *testing.T) {
		mustExec(t, db, "CREATE TABLE cp LIKE t")
		mustExec(t, db, "INSERT INTO cp SELECT * FROM t PARTITION (p20240101)")
		_, a := query(t, db, "SELECT count(*), sum(v) FROM t PARTITION (p20240101)")
		_, b := query(t, db, "SELECT count(*), sum(v) FROM cp")
		if diff := cmp.Diff(a, b); diff != "" {
			t.Errorf("copied partition differs (-source +copy):\n%s", diff)
		}
	})

	t.Run("unknown table", func(t *testing.T) {
		got := execErr(t, db, "INSERT INTO missing VALUES (1)")
		if got != "Error 1064 (HY000): Getting analyzing error. Detail message: Unknown table 'd.missing'." {
			t.Errorf("got %q", got)
		}
	})
}

func TestInsertOverwrite(t *testing.T) {
	db := rootDB(t, startCluster(t, "3.3.2", SharedNothing), "d")
	mustExec(t, db, rangeTableDDL)
	mustExec(t, db, "INSERT INTO t VALUES ('2024-01-01', 1, 1), ('2024-01-02', 2, 2)")
	before := rowMaps(t, db, "SHOW PARTITIONS FROM t")
	mustExec(t, db, "INSERT OVERWRITE t PARTITION (p20240101) VALUES ('2024-01-01', 5, 5), ('2024-01-01', 6, 6)")
	after := rowMaps(t, db, "SHOW PARTITIONS FROM t")
	if after[0]["PartitionId"] == before[0]["PartitionId"] || after[0]["VisibleVersion"] != "2" || after[0]["RowCount"] != "2" {
		t.Errorf("overwritten partition: before %v after %v; want a new id at version 2 with 2 rows", before[0], after[0])
	}
	if after[1]["PartitionId"] != before[1]["PartitionId"] || after[1]["VisibleVersion"] != "2" {
		t.Errorf("other partition changed: before %v after %v", before[1], after[1])
	}
	_, rows := query(t, db, "SELECT k FROM t ORDER BY k")
	if diff := cmp.Diff([][]string{{"2"}, {"5"}, {"6"}}, rows); diff != "" {
		t.Errorf("rows after overwrite (-want +got):\n%s", diff)
	}
}

func TestResultTypes(t *testing.T) {
	db := rootDB(t, startCluster(t, "3.5.0", SharedNothing), "d")
	mustExec(t, db, "CREATE TABLE n (k int, b bigint, d decimal(10, 2), f double) DISTRIBUTED BY HASH(k)")
	mustExec(t, db, "INSERT INTO n VALUES (1, 9223372036854775807, 1.25, 0.5), (2, 2, 2.50, 1.5)")
	rs, err := db.Query("SELECT count(*), sum(k), sum(b), sum(d), sum(f), avg(k), min(b), max(d) FROM n")
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	ct, err := rs.ColumnTypes()
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, c := range ct {
		types = append(types, c.DatabaseTypeName())
	}
	if diff := cmp.Diff([]string{"BIGINT", "BIGINT", "BIGINT", "DECIMAL", "DOUBLE", "DOUBLE", "BIGINT", "DECIMAL"}, types); diff != "" {
		t.Errorf("result types (-want +got):\n%s", diff)
	}
	rs.Close()
	// SUM over BIGINT wraps like StarRocks' int64 accumulator.
	_, rows := query(t, db, "SELECT count(*), sum(k), sum(b), sum(d), sum(f) FROM n")
	if diff := cmp.Diff([][]string{{"2", "3", "-9223372036854775807", "3.75", "2"}}, rows); diff != "" {
		t.Errorf("aggregate values (-want +got):\n%s", diff)
	}
}

func TestSumThroughSubqueries(t *testing.T) {
	db := rootDB(t, startCluster(t, "3.3.2", SharedNothing), "d")
	mustExec(t, db, "CREATE TABLE t (k int, v bigint) DISTRIBUTED BY HASH(k)")
	// 2^53+1 is not representable as a double: a DOUBLE sum would lose it.
	mustExec(t, db, "INSERT INTO t VALUES (1, 9007199254740993), (1, 1), (2, 5)")
	tests := map[string][][]string{
		"SELECT s FROM (SELECT sum(v) AS s FROM t) x":                               {{"9007199254740999"}},
		"SELECT k, sum(v) FROM t GROUP BY k HAVING sum(v) > 1 ORDER BY sum(v) DESC": {{"1", "9007199254740994"}, {"2", "5"}},
		"SELECT sum(v) + 1 FROM t":                                                  {{"9007199254741000"}},
		"WITH c AS (SELECT k, sum(v) s FROM t GROUP BY k) SELECT sum(s) FROM c":     {{"9007199254740999"}},
		"SELECT sum(DISTINCT k) FROM t":                                             {{"3"}},
	}
	for q, want := range tests {
		_, got := query(t, db, q)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", q, diff)
		}
	}
}
