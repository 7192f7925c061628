package starrocks

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

const rangeTableDDL = `CREATE TABLE t (dt date, k int, v bigint) DUPLICATE KEY(dt, k)
	PARTITION BY RANGE(dt) (PARTITION p20240101 VALUES [("2024-01-01"), ("2024-01-02")),
	PARTITION p20240102 VALUES [("2024-01-02"), ("2024-01-03")))
	DISTRIBUTED BY HASH(k) BUCKETS 3`

func TestShowPartitionsColumns(t *testing.T) {
	sn := []string{"PartitionId", "PartitionName", "VisibleVersion", "VisibleVersionTime", "VisibleVersionHash",
		"State", "PartitionKey", "Range", "DistributionKey", "Buckets", "ReplicationNum", "StorageMedium",
		"CooldownTime", "LastConsistencyCheckTime", "DataSize", "IsInMemory", "RowCount"}
	sd := []string{"PartitionId", "PartitionName", "CompactVersion", "VisibleVersion", "NextVersion", "State",
		"PartitionKey", "Range", "DistributionKey", "Buckets", "DataSize", "RowCount", "EnableDataCache",
		"AsyncWrite", "AvgCS", "P50CS", "MaxCS"}
	for _, p := range profiles {
		t.Run(profileName(p.version, p.mode), func(t *testing.T) {
			db := rootDB(t, startCluster(t, p.version, p.mode), "d")
			mustExec(t, db, rangeTableDDL)
			mustExec(t, db, roundTripTables["list_single"])
			want := sn
			if p.mode == SharedData {
				want = sd
			}
			for _, stmt := range []string{"SHOW PARTITIONS FROM t", "SHOW TEMPORARY PARTITIONS FROM d.t"} {
				cols, _ := query(t, db, stmt)
				if diff := cmp.Diff(want, cols); diff != "" {
					t.Errorf("%s columns (-want +got):\n%s", stmt, diff)
				}
			}
			cols, _ := query(t, db, "SHOW PARTITIONS FROM l2")
			if cols[7] != "List" {
				t.Errorf("list table: column 8 is %q, want List", cols[7])
			}
		})
	}
}

func TestShowPartitionsValuesSharedNothing(t *testing.T) {
	clk := &clock{t: fixedNow}
	c := startCluster(t, "3.3.2", SharedNothing, func(o *Options) { o.Now = clk.now })
	db := rootDB(t, c, "d")
	mustExec(t, db, rangeTableDDL)
	rows := rowMaps(t, db, "SHOW PARTITIONS FROM t")
	if len(rows) != 2 {
		t.Fatalf("got %d partitions, want 2", len(rows))
	}
	got := rows[0]
	delete(got, "PartitionId")
	want := map[string]string{
		"PartitionName": "p20240101", "VisibleVersion": "1", "VisibleVersionTime": "2024-05-06 07:08:09",
		"VisibleVersionHash": "0", "State": "NORMAL", "PartitionKey": "dt",
		"Range":           "[types: [DATE]; keys: [2024-01-01]; ..types: [DATE]; keys: [2024-01-02]; )",
		"DistributionKey": "k", "Buckets": "3", "ReplicationNum": "3", "StorageMedium": "HDD",
		"CooldownTime": "9999-12-31 23:59:59", "LastConsistencyCheckTime": "NULL", "DataSize": "0B",
		"IsInMemory": "false", "RowCount": "0",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("new partition (-want +got):\n%s", diff)
	}

	later := fixedNow.Add(90 * time.Minute)
	clk.set(later)
	mustExec(t, db, "INSERT INTO t VALUES ('2024-01-01', 1, 10), ('2024-01-01', 2, 20)")
	clk.set(later.Add(time.Hour))
	mustExec(t, db, "INSERT INTO t VALUES ('2024-01-01', 3, 30)")
	rows = rowMaps(t, db, "SHOW PARTITIONS FROM t")
	p1, p2 := rows[0], rows[1]
	if p1["VisibleVersion"] != "3" || p1["VisibleVersionTime"] != "2024-05-06 09:38:09" || p1["RowCount"] != "3" {
		t.Errorf("loaded partition: version %s time %s rows %s, want 3, 2024-05-06 09:38:09, 3",
			p1["VisibleVersion"], p1["VisibleVersionTime"], p1["RowCount"])
	}
	if p1["DataSize"] != "48B" { // 3 rows x (date 4 + int 4 + bigint 8)
		t.Errorf("DataSize = %q, want 48B", p1["DataSize"])
	}
	if p2["VisibleVersion"] != "1" || p2["VisibleVersionTime"] != "2024-05-06 07:08:09" {
		t.Errorf("untouched partition changed: version %s time %s", p2["VisibleVersion"], p2["VisibleVersionTime"])
	}

	mustExec(t, db, "CREATE TABLE plain (k int, v int) DISTRIBUTED BY RANDOM")
	plain := rowMaps(t, db, "SHOW PARTITIONS FROM plain")
	if len(plain) != 1 || plain[0]["PartitionName"] != "plain" || plain[0]["Range"] != "" ||
		plain[0]["PartitionKey"] != "" || plain[0]["DistributionKey"] != "ALL KEY" || plain[0]["Buckets"] != "6" {
		t.Errorf("unpartitioned table partitions: %v", plain)
	}
}

func TestShowPartitionsValuesSharedData(t *testing.T) {
	c := startCluster(t, "3.1.11", SharedData)
	db := rootDB(t, c, "d")
	mustExec(t, db, rangeTableDDL)
	mustExec(t, db, "INSERT INTO t VALUES ('2024-01-02', 1, 10)")
	rows := rowMaps(t, db, "SHOW PARTITIONS FROM t WHERE PartitionName = 'p20240102'")
	if len(rows) != 1 {
		t.Fatalf("got %d rows, want 1", len(rows))
	}
	got := rows[0]
	delete(got, "PartitionId")
	want := map[string]string{
		"PartitionName": "p20240102", "CompactVersion": "0", "VisibleVersion": "2", "NextVersion": "3",
		"State": "NORMAL", "PartitionKey": "dt",
		"Range":           "[types: [DATE]; keys: [2024-01-02]; ..types: [DATE]; keys: [2024-01-03]; )",
		"DistributionKey": "k", "Buckets": "3", "DataSize": "16B", "RowCount": "1", "EnableDataCache": "true",
		"AsyncWrite": "false", "AvgCS": "0.00", "P50CS": "0.00", "MaxCS": "0.00",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("shared-data partition (-want +got):\n%s", diff)
	}
}

func TestShowPartitionsFilters(t *testing.T) {
	db := rootDB(t, startCluster(t, "3.5.0", SharedNothing), "d")
	mustExec(t, db, `CREATE TABLE t (dt date, k int) PARTITION BY RANGE(dt)
		(START ("2024-01-01") END ("2024-01-05") EVERY (INTERVAL 1 DAY), PARTITION p202402 VALUES [("2024-02-01"), ("2024-03-01")))
		DISTRIBUTED BY HASH(k)`)
	mustExec(t, db, "INSERT INTO t VALUES ('2024-01-02', 1), ('2024-01-03', 1)")
	mustExec(t, db, "INSERT INTO t VALUES ('2024-01-03', 2)")
	tests := map[string]struct {
		stmt string
		want []string
	}{
		"all in range order":  {"SHOW PARTITIONS FROM t", []string{"p20240101", "p20240102", "p20240103", "p20240104", "p202402"}},
		"equal name":          {"SHOW PARTITIONS FROM t WHERE PartitionName = 'p20240103'", []string{"p20240103"}},
		"like":                {"SHOW PARTITIONS FROM t WHERE PartitionName LIKE 'p202401%'", []string{"p20240101", "p20240102", "p20240103", "p20240104"}},
		"numeric compare":     {"SHOW PARTITIONS FROM t WHERE VisibleVersion > 1", []string{"p20240102", "p20240103"}},
		"and":                 {"SHOW PARTITIONS FROM t WHERE VisibleVersion >= 2 AND RowCount = 2", []string{"p20240103"}},
		"order desc":          {"SHOW PARTITIONS FROM t ORDER BY PartitionName DESC LIMIT 2", []string{"p202402", "p20240104"}},
		"order by two keys":   {"SHOW PARTITIONS FROM t ORDER BY VisibleVersion DESC, PartitionName ASC LIMIT 3", []string{"p20240103", "p20240102", "p20240101"}},
		"limit offset, count": {"SHOW PARTITIONS FROM t LIMIT 1, 2", []string{"p20240102", "p20240103"}},
		"limit count offset":  {"SHOW PARTITIONS FROM t LIMIT 2 OFFSET 3", []string{"p20240104", "p202402"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var got []string
			for _, m := range rowMaps(t, db, tc.stmt) {
				got = append(got, m["PartitionName"])
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tc.stmt, diff)
			}
		})
	}
	if _, _, err := tryQuery(db, "SHOW PARTITIONS FROM t WHERE Nope = 1"); err == nil {
		t.Error("unknown column: want an error")
	}
	if _, _, err := tryQuery(db, "SHOW PARTITIONS FROM missing"); err == nil || err.Error() != "Error 1051 (42S02): Unknown table 'missing'" {
		t.Errorf("missing table: got %v", err)
	}
}

func TestExpressionPartitions(t *testing.T) {
	db := rootDB(t, startCluster(t, "3.3.2", SharedNothing), "d")
	mustExec(t, db, "CREATE TABLE ed (ts datetime, k int) PARTITION BY date_trunc('day', ts) DISTRIBUTED BY HASH(k)")
	mustExec(t, db, "CREATE TABLE em (d date, k int) PARTITION BY date_trunc('month', d) DISTRIBUTED BY HASH(k)")
	mustExec(t, db, "CREATE TABLE ec (dt date NOT NULL, city varchar(20) NOT NULL, v int) PARTITION BY (dt, city) DISTRIBUTED BY HASH(v)")
	mustExec(t, db, "INSERT INTO ed VALUES ('2023-02-26 10:00:00', 1), ('2023-02-26 23:59:59', 2), ('2023-02-27 00:00:00', 3)")
	mustExec(t, db, "INSERT INTO em VALUES ('2024-01-31', 1), ('2024-03-01', 2)")
	mustExec(t, db, "INSERT INTO ec VALUES ('2022-04-01', 'Houston', 1), ('2022-04-01', 'Houston', 2)")
	layout := func(table string) [][]string {
		var out [][]string
		for _, m := range rowMaps(t, db, "SHOW PARTITIONS FROM "+table) {
			bound := m["Range"]
			if b, ok := m["List"]; ok {
				bound = b
			}
			out = append(out, []string{m["PartitionName"], bound, m["VisibleVersion"], m["RowCount"]})
		}
		return out
	}
	tests := map[string][][]string{
		"ed": {
			{"p20230226", "[types: [DATETIME]; keys: [2023-02-26 00:00:00]; ..types: [DATETIME]; keys: [2023-02-27 00:00:00]; )", "2", "2"},
			{"p20230227", "[types: [DATETIME]; keys: [2023-02-27 00:00:00]; ..types: [DATETIME]; keys: [2023-02-28 00:00:00]; )", "2", "1"},
		},
		"em": {
			{"p202401", "[types: [DATE]; keys: [2024-01-01]; ..types: [DATE]; keys: [2024-02-01]; )", "2", "1"},
			{"p202403", "[types: [DATE]; keys: [2024-03-01]; ..types: [DATE]; keys: [2024-04-01]; )", "2", "1"},
		},
		"ec": {{"p20220401_Houston", "(('2022-04-01', 'Houston'))", "2", "2"}},
	}
	for table, want := range tests {
		if diff := cmp.Diff(want, layout(table)); diff != "" {
			t.Errorf("%s partitions (-want +got):\n%s", table, diff)
		}
	}
	_, rows := query(t, db, "SHOW CREATE TABLE ed")
	if want := "PARTITION BY date_trunc('day', `ts`)\nDISTRIBUTED"; !strings.Contains(rows[0][1], want) {
		t.Errorf("SHOW CREATE TABLE ed lacks %q:\n%s", want, rows[0][1])
	}
	if strings.Contains(rows[0][1], "p20230226") {
		t.Errorf("SHOW CREATE TABLE prints auto-created partitions:\n%s", rows[0][1])
	}
}

func TestPartitionsMeta(t *testing.T) {
	t.Run("absent before 3.3", func(t *testing.T) {
		// [unconfirmed] 3.1/3.2: the simulator chooses "absent" and
		// answers with the analyzer's unknown-table error.
		db := rootDB(t, startCluster(t, "3.1.11", SharedData), "d")
		_, _, err := tryQuery(db, "SELECT * FROM information_schema.partitions_meta")
		want := "Error 1064 (HY000): Getting analyzing error. Detail message: Unknown table 'information_schema.partitions_meta'."
		if err == nil || err.Error() != want {
			t.Errorf("got %v, want %s", err, want)
		}
	})
	t.Run("present from 3.3", func(t *testing.T) {
		db := rootDB(t, startCluster(t, "3.3.2", SharedNothing), "d")
		mustExec(t, db, rangeTableDDL)
		mustExec(t, db, `ALTER TABLE t ADD TEMPORARY PARTITION tp1 VALUES [("2024-01-01"), ("2024-01-02"))`)
		mustExec(t, db, "INSERT INTO t VALUES ('2024-01-01', 1, 1)")
		cols, _ := query(t, db, "SELECT * FROM information_schema.partitions_meta")
		want := []string{"DB_NAME", "TABLE_NAME", "PARTITION_NAME", "PARTITION_ID", "COMPACT_VERSION", "VISIBLE_VERSION",
			"VISIBLE_VERSION_TIME", "NEXT_VERSION", "PARTITION_KEY", "PARTITION_VALUE", "DISTRIBUTION_KEY", "BUCKETS",
			"REPLICATION_NUM", "STORAGE_MEDIUM", "COOLDOWN_TIME", "LAST_CONSISTENCY_CHECK_TIME", "IS_IN_MEMORY", "IS_TEMP",
			"DATA_SIZE", "ROW_COUNT", "ENABLE_DATACACHE", "AVG_CS", "P50_CS", "MAX_CS", "STORAGE_PATH"}
		if diff := cmp.Diff(want, cols); diff != "" {
			t.Errorf("columns (-want +got):\n%s", diff)
		}
		_, rows := query(t, db, `SELECT PARTITION_NAME, VISIBLE_VERSION, VISIBLE_VERSION_TIME, IS_TEMP, ROW_COUNT
			FROM information_schema.partitions_meta WHERE DB_NAME = 'd' AND TABLE_NAME = 't' ORDER BY PARTITION_NAME`)
		wantRows := [][]string{
			{"p20240101", "2", "2024-05-06 07:08:09", "0", "1"},
			{"p20240102", "1", "2024-05-06 07:08:09", "0", "0"},
			{"tp1", "1", "2024-05-06 07:08:09", "1", "0"},
		}
		if diff := cmp.Diff(wantRows, rows); diff != "" {
			t.Errorf("rows (-want +got):\n%s", diff)
		}
	})
}

func TestShowProcPartitions(t *testing.T) {
	c := startCluster(t, "3.3.2", SharedNothing)
	db := rootDB(t, c, "d")
	mustExec(t, db, rangeTableDDL)
	mustExec(t, db, `ALTER TABLE t ADD TEMPORARY PARTITION tp VALUES [("2024-01-01"), ("2024-01-02"))`)
	snap, err := c.Store().Table("d", "t")
	if err != nil {
		t.Fatal(err)
	}
	_, want := query(t, db, "SHOW PARTITIONS FROM t")
	for _, path := range []string{"/dbs/d/t/partitions", "/dbs/" + fmt.Sprint(c.dbID("d")) + "/" + fmt.Sprint(snap.ID) + "/partitions"} {
		_, got := query(t, db, "SHOW PROC '"+path+"'")
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("SHOW PROC %s (-SHOW PARTITIONS +proc):\n%s", path, diff)
		}
	}
	_, temps := query(t, db, "SHOW PROC '/dbs/d/t/temp_partitions'")
	if len(temps) != 1 || temps[0][1] != "tp" {
		t.Errorf("temp_partitions: %v", temps)
	}
	if _, _, err := tryQuery(db, "SHOW PROC '/statistic'"); err == nil {
		t.Error("unsupported proc path: want an error")
	}
}
