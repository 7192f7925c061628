package starrocks

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func partitionNames(t *testing.T, c *Cluster, stmt string) []string {
	t.Helper()
	var out []string
	for _, m := range rowMaps(t, openDB(t, c, "root", "", "d"), stmt) {
		out = append(out, m["PartitionName"])
	}
	return out
}

func TestAlterAddDropPartitions(t *testing.T) {
	c := startCluster(t, "3.3.2", SharedNothing)
	db := rootDB(t, c, "d")
	mustExec(t, db, `CREATE TABLE t (dt date, k int) PARTITION BY RANGE(dt) (PARTITION p1 VALUES LESS THAN ("2024-01-01")) DISTRIBUTED BY HASH(k) BUCKETS 2`)
	mustExec(t, db, `ALTER TABLE t ADD PARTITION p2 VALUES LESS THAN ("2024-02-01")`)
	mustExec(t, db, `ALTER TABLE d.t ADD PARTITION p3 VALUES [("2024-03-01"), ("2024-04-01")) DISTRIBUTED BY HASH(k) BUCKETS 5`)
	mustExec(t, db, `ALTER TABLE t ADD PARTITIONS START ("2024-04-01") END ("2024-04-03") EVERY (INTERVAL 1 DAY)`)
	mustExec(t, db, `ALTER TABLE t ADD PARTITION IF NOT EXISTS p2 VALUES LESS THAN ("2024-02-01")`)
	if diff := cmp.Diff([]string{"p1", "p2", "p3", "p20240401", "p20240402"}, partitionNames(t, c, "SHOW PARTITIONS FROM t")); diff != "" {
		t.Errorf("partitions (-want +got):\n%s", diff)
	}
	m := rowMaps(t, db, "SHOW PARTITIONS FROM t WHERE PartitionName = 'p3'")[0]
	if m["Buckets"] != "5" {
		t.Errorf("p3 buckets = %s, want 5", m["Buckets"])
	}
	m = rowMaps(t, db, "SHOW PARTITIONS FROM t WHERE PartitionName = 'p2'")[0]
	if want := "[types: [DATE]; keys: [2024-01-01]; ..types: [DATE]; keys: [2024-02-01]; )"; m["Range"] != want {
		t.Errorf("LESS THAN range = %s, want %s", m["Range"], want)
	}
	errs := map[string]string{
		`ALTER TABLE t ADD PARTITION p2 VALUES [("2025-01-01"), ("2025-02-01"))`: "Error 1517 (HY000): Duplicate partition name p2",
		`ALTER TABLE t ADD PARTITION px VALUES [("2024-03-15"), ("2024-05-01"))`: "Error 1064 (HY000): Range [types: [DATE]; keys: [2024-03-15]; ..types: [DATE]; keys: [2024-05-01]; ) is intersected with range: [types: [DATE]; keys: [2024-03-01]; ..types: [DATE]; keys: [2024-04-01]; )",
		`ALTER TABLE t DROP PARTITION nope`:                                      "Error 1507 (HY000): Error in list of partitions to nope",
		`ALTER TABLE t ADD COLUMN x int`:                                         "Error 1064 (HY000): Getting syntax error. Detail message: ALTER TABLE clause not supported by the StarRocks simulator: ALTER TABLE t ADD COLUMN x int.",
	}
	for stmt, want := range errs {
		if got := execErr(t, db, stmt); got != want {
			t.Errorf("%s:\n got %s\nwant %s", stmt, got, want)
		}
	}
	mustExec(t, db, "ALTER TABLE t DROP PARTITION IF EXISTS nope")
	mustExec(t, db, "ALTER TABLE t DROP PARTITION p20240401 FORCE")
	mustExec(t, db, "ALTER TABLE t DROP PARTITIONS IF EXISTS (p20240402, nope)")
	if diff := cmp.Diff([]string{"p1", "p2", "p3"}, partitionNames(t, c, "SHOW PARTITIONS FROM t")); diff != "" {
		t.Errorf("after drops (-want +got):\n%s", diff)
	}
	mustExec(t, db, "CREATE TABLE l (city varchar(10), v int) PARTITION BY LIST(city) (PARTITION pa VALUES IN ('a')) DISTRIBUTED BY HASH(v)")
	mustExec(t, db, "ALTER TABLE l ADD PARTITION pb VALUES IN ('b', 'c')")
	if got := execErr(t, db, "ALTER TABLE l ADD PARTITION pc VALUES IN ('c')"); !strings.Contains(got, "Duplicate values") {
		t.Errorf("overlapping list values: got %s", got)
	}
}

func TestTemporaryPartitions(t *testing.T) {
	c := startCluster(t, "3.5.0", SharedNothing)
	db := rootDB(t, c, "d")
	mustExec(t, db, rangeTableDDL)
	mustExec(t, db, "INSERT INTO t VALUES ('2024-01-01', 1, 1), ('2024-01-02', 2, 2)")
	mustExec(t, db, `ALTER TABLE t ADD TEMPORARY PARTITION tp1 VALUES [("2024-01-01"), ("2024-01-02"))`)
	mustExec(t, db, `ALTER TABLE t ADD TEMPORARY PARTITIONS START ("2024-01-05") END ("2024-01-06") EVERY (INTERVAL 1 DAY)`)
	mustExec(t, db, `ALTER TABLE t ADD TEMPORARY PARTITION tq VALUES [("2024-01-02"), ("2024-01-03"))`)
	errs := map[string]string{
		`ALTER TABLE t ADD TEMPORARY PARTITION p20240101 VALUES [("2030-01-01"), ("2030-01-02"))`: "Error 1517 (HY000): Duplicate partition name p20240101",
		`ALTER TABLE t ADD TEMPORARY PARTITION tp2 VALUES [("2023-12-31"), ("2024-01-02"))`:       "Error 1064 (HY000): Range [types: [DATE]; keys: [2023-12-31]; ..types: [DATE]; keys: [2024-01-02]; ) is intersected with range: [types: [DATE]; keys: [2024-01-01]; ..types: [DATE]; keys: [2024-01-02]; )",
		`TRUNCATE TABLE t TEMPORARY PARTITION (tp1)`:                                              "Error 1064 (HY000): Not support truncate temp partitions",
	}
	for stmt, want := range errs {
		if got := execErr(t, db, stmt); got != want {
			t.Errorf("%s:\n got %s\nwant %s", stmt, got, want)
		}
	}
	mustExec(t, db, "INSERT INTO t TEMPORARY PARTITION (tp1) VALUES ('2024-01-01', 10, 100), ('2024-01-01', 11, 110)")
	_, rows := query(t, db, "SELECT count(*), sum(v) FROM t TEMPORARY PARTITION (tp1)")
	if diff := cmp.Diff([][]string{{"2", "210"}}, rows); diff != "" {
		t.Errorf("temporary partition rows (-want +got):\n%s", diff)
	}
	_, rows = query(t, db, "SELECT count(*) FROM t")
	if rows[0][0] != "2" {
		t.Errorf("table scan includes temporary partitions: count = %s, want 2", rows[0][0])
	}
	tmp := rowMaps(t, db, "SHOW TEMPORARY PARTITIONS FROM t")
	if len(tmp) != 3 || tmp[0]["PartitionName"] != "tp1" || tmp[0]["VisibleVersion"] != "2" || tmp[1]["PartitionName"] != "tq" || tmp[2]["PartitionName"] != "p20240105" {
		t.Errorf("SHOW TEMPORARY PARTITIONS: %v", tmp)
	}
	tp1ID := tmp[0]["PartitionId"]

	if got := execErr(t, db, `ALTER TABLE t REPLACE PARTITION (p20240101, p20240102) WITH TEMPORARY PARTITION (tp1)`); !strings.Contains(got, "strict_range") {
		t.Errorf("mismatched ranges under strict_range: got %s", got)
	}
	mustExec(t, db, `ALTER TABLE t REPLACE PARTITION (p20240101) WITH TEMPORARY PARTITION (tp1)`)
	parts := rowMaps(t, db, "SHOW PARTITIONS FROM t")
	if parts[0]["PartitionName"] != "p20240101" || parts[0]["PartitionId"] != tp1ID || parts[0]["VisibleVersion"] != "2" || parts[0]["RowCount"] != "2" {
		t.Errorf("replaced partition keeps the old name and takes the temporary one's id and data: %v", parts[0])
	}
	if diff := cmp.Diff([]string{"tq", "p20240105"}, partitionNames(t, c, "SHOW TEMPORARY PARTITIONS FROM t")); diff != "" {
		t.Errorf("temporary partitions after replace (-want +got):\n%s", diff)
	}
	mustExec(t, db, `ALTER TABLE t REPLACE PARTITION (p20240102) WITH TEMPORARY PARTITION (tq) PROPERTIES ("use_temp_partition_name" = "true")`)
	if diff := cmp.Diff([]string{"p20240101", "tq"}, partitionNames(t, c, "SHOW PARTITIONS FROM t")); diff != "" {
		t.Errorf("use_temp_partition_name keeps the temporary name (-want +got):\n%s", diff)
	}
	mustExec(t, db, "ALTER TABLE t DROP TEMPORARY PARTITION p20240105")

	mustExec(t, db, `ALTER TABLE t ADD TEMPORARY PARTITION tp9 VALUES [("2024-01-01"), ("2024-01-02"))`)
	mustExec(t, db, "ALTER TABLE t DROP TEMPORARY PARTITION tp9")
	mustExec(t, db, `ALTER TABLE t ADD TEMPORARY PARTITION tp8 VALUES [("2024-01-01"), ("2024-01-02"))`)
	mustExec(t, db, "TRUNCATE TABLE t PARTITION (p20240101)")
	if got := execErr(t, db, "ALTER TABLE t DROP TEMPORARY PARTITION tp9"); got != "Error 1507 (HY000): Error in list of partitions to tp9" {
		t.Errorf("dropping a dropped temporary partition: %s", got)
	}
	if diff := cmp.Diff([]string{"tp8"}, partitionNames(t, c, "SHOW TEMPORARY PARTITIONS FROM t")); diff != "" {
		t.Errorf("truncating a formal partition keeps temporary ones (-want +got):\n%s", diff)
	}
	before := rowMaps(t, db, "SHOW PARTITIONS FROM t")
	mustExec(t, db, "TRUNCATE TABLE t")
	after := rowMaps(t, db, "SHOW PARTITIONS FROM t")
	for i := range after {
		if after[i]["PartitionId"] == before[i]["PartitionId"] || after[i]["VisibleVersion"] != "1" || after[i]["RowCount"] != "0" {
			t.Errorf("truncated partition %s: before %v after %v; want a new empty partition at version 1", after[i]["PartitionName"], before[i], after[i])
		}
	}
	if got := partitionNames(t, c, "SHOW TEMPORARY PARTITIONS FROM t"); len(got) != 0 {
		t.Errorf("TRUNCATE TABLE keeps temporary partitions %v", got)
	}
}

func TestSwapTables(t *testing.T) {
	db := rootDB(t, startCluster(t, "3.3.2", SharedNothing), "d")
	mustExec(t, db, "CREATE TABLE a (k int) DISTRIBUTED BY HASH(k)")
	mustExec(t, db, "CREATE TABLE b (k int, v int) DISTRIBUTED BY HASH(k)")
	mustExec(t, db, "INSERT INTO a VALUES (1)")
	mustExec(t, db, "INSERT INTO b VALUES (2, 2), (3, 3)")
	mustExec(t, db, "ALTER TABLE a SWAP WITH b")
	_, rows := query(t, db, "SELECT count(*) FROM a")
	if rows[0][0] != "2" {
		t.Errorf("after swap a has %s rows, want 2", rows[0][0])
	}
	_, rows = query(t, db, "SHOW CREATE TABLE a")
	if !strings.HasPrefix(rows[0][1], "CREATE TABLE `a` (\n  `k` int(11) NULL COMMENT \"\",\n  `v` int(11)") {
		t.Errorf("swapped definition:\n%s", rows[0][1])
	}
	if p := rowMaps(t, db, "SHOW PARTITIONS FROM a"); p[0]["PartitionName"] != "a" {
		t.Errorf("unpartitioned table's partition is named %s after swap, want a", p[0]["PartitionName"])
	}
	if got := execErr(t, db, "ALTER TABLE a SWAP WITH nope"); got != "Error 1051 (42S02): Unknown table 'nope'" {
		t.Errorf("swap with missing table: %s", got)
	}
}

// TestReplacePartitionAtomicity runs a reader against a writer that keeps
// replacing a partition. Generation g of the partition holds g+1 rows whose
// value is g, so every consistent read has sum = count*(count-1); a reader
// that saw both or neither generation would break that.
func TestReplacePartitionAtomicity(t *testing.T) {
	c := startCluster(t, "3.3.2", SharedNothing)
	db := rootDB(t, c, "d")
	mustExec(t, db, `CREATE TABLE t (dt date, k int, v bigint) PARTITION BY RANGE(dt)
		(PARTITION p VALUES [("2024-01-01"), ("2024-01-02"))) DISTRIBUTED BY HASH(k)`)
	mustExec(t, db, "INSERT INTO t VALUES ('2024-01-01', 0, 0)")
	const generations = 25
	reader := openDB(t, c, "root", "", "d")
	done := make(chan struct{})
	var wg sync.WaitGroup
	var readErr error
	reads := 0
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < 2000; i++ {
			select {
			case <-done:
				return
			default:
			}
			var n, sum int64
			if err := reader.QueryRow("SELECT count(*), ifnull(sum(v), 0) FROM t PARTITION (p)").Scan(&n, &sum); err != nil {
				readErr = err
				return
			}
			reads++
			if n == 0 || sum != n*(n-1) {
				readErr = fmt.Errorf("inconsistent read: count %d sum %d", n, sum)
				return
			}
		}
	}()
	for g := 1; g <= generations; g++ {
		tp := fmt.Sprintf("tp%d", g)
		mustExec(t, db, fmt.Sprintf(`ALTER TABLE t ADD TEMPORARY PARTITION %s VALUES [("2024-01-01"), ("2024-01-02"))`, tp))
		var vals []string
		for i := 0; i <= g; i++ {
			vals = append(vals, fmt.Sprintf("('2024-01-01', %d, %d)", i, g))
		}
		mustExec(t, db, fmt.Sprintf("INSERT INTO t TEMPORARY PARTITION (%s) VALUES %s", tp, strings.Join(vals, ", ")))
		mustExec(t, db, fmt.Sprintf("ALTER TABLE t REPLACE PARTITION (p) WITH TEMPORARY PARTITION (%s)", tp))
	}
	close(done)
	wg.Wait()
	if readErr != nil {
		t.Fatal(readErr)
	}
	if reads == 0 {
		t.Fatal("reader made no reads")
	}
	_, rows := query(t, db, "SELECT count(*), sum(v) FROM t")
	if diff := cmp.Diff([][]string{{fmt.Sprint(generations + 1), fmt.Sprint(generations * (generations + 1))}}, rows); diff != "" {
		t.Errorf("final generation (-want +got):\n%s", diff)
	}
}
