package starrocks

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// loadTableDDL is the target of the Broker Load tests.
const loadTableDDL = `CREATE TABLE t (dt DATE NOT NULL, id INT NOT NULL, name VARCHAR(8), amount DECIMAL(10, 2))
	DUPLICATE KEY(dt, id)
	PARTITION BY RANGE(dt) (
		PARTITION p1 VALUES [('2024-01-01'), ('2024-01-02')),
		PARTITION p2 VALUES [('2024-01-02'), ('2024-01-03')))
	DISTRIBUTED BY HASH(id) BUCKETS 2`

// TestBrokerLoad loads CSV files with hex separators, a glob and two data
// descriptions on every profile, and checks SHOW LOAD's columns for the
// version, the job's row counts and that the load was one transaction.
func TestBrokerLoad(t *testing.T) {
	wantCols := map[string][]string{
		"3.1.11": {"JobId", "Label", "State", "Progress", "Type", "Priority", "EtlInfo", "TaskInfo", "ErrorMsg",
			"CreateTime", "EtlStartTime", "EtlFinishTime", "LoadStartTime", "LoadFinishTime", "URL", "JobDetails"},
		"3.3.2": {"JobId", "Label", "State", "Progress", "Type", "Priority", "ScanRows", "FilteredRows", "UnselectedRows",
			"SinkRows", "EtlInfo", "TaskInfo", "ErrorMsg", "CreateTime", "EtlStartTime", "EtlFinishTime", "LoadStartTime",
			"LoadFinishTime", "TrackingSQL", "JobDetails"},
		"3.5.0": {"JobId", "Label", "State", "Progress", "Type", "Priority", "ScanRows", "FilteredRows", "UnselectedRows",
			"SinkRows", "EtlInfo", "TaskInfo", "ErrorMsg", "CreateTime", "EtlStartTime", "EtlFinishTime", "LoadStartTime",
			"LoadFinishTime", "TrackingSQL", "JobDetails", "Warehouse"},
	}
	for _, p := range profiles {
		t.Run(profileName(p.version, p.mode), func(t *testing.T) {
			dir := t.TempDir()
			c := startCluster(t, p.version, p.mode)
			db := rootDB(t, c, "d")
			mustExec(t, db, loadTableDDL)
			writeFile(t, filepath.Join(dir, "a", "part1.csv"), "2024-01-01\x011\x01one\x011.50\x022024-01-02\x012\x01\\N\x01\\N\x02")
			writeFile(t, filepath.Join(dir, "a", "part2.csv"), "2024-01-02\x013\x01three\x01-3.25\x02")
			writeFile(t, filepath.Join(dir, "a", "skip.txt"), "not loaded")
			writeFile(t, filepath.Join(dir, "b.csv"), "4,2024-01-01,four\n")
			stmt := fmt.Sprintf(`LOAD LABEL d.l1 (
				DATA INFILE ("file://%[1]s/a/*.csv") INTO TABLE t
					COLUMNS TERMINATED BY "\\x01" ROWS TERMINATED BY "\\x02" FORMAT AS "CSV" (dt, id, name, amount),
				DATA INFILE ("file://%[1]s/b.csv") INTO TABLE t PARTITION (p1)
					COLUMNS TERMINATED BY "," (id, dt, name)
			) WITH BROKER PROPERTIES ("timeout" = "3600", "max_filter_ratio" = "0")`, dir)
			row := loadAndWait(t, db, "l1", stmt)
			cols, _ := query(t, db, `SHOW LOAD WHERE LABEL = "l1"`)
			if diff := cmp.Diff(wantCols[p.version], cols); diff != "" {
				t.Errorf("SHOW LOAD columns (-want +got):\n%s", diff)
			}
			want := map[string]string{"State": "FINISHED", "Progress": "ETL:100%; LOAD:100%", "Type": "BROKER", "Priority": "NORMAL",
				"ErrorMsg": "N/A", "TaskInfo": "resource:N/A; timeout(s):3600; max_filter_ratio:0.0"}
			if p.version != "3.1.11" {
				want["ScanRows"], want["SinkRows"], want["FilteredRows"], want["UnselectedRows"] = "4", "4", "0", "0"
			}
			got := map[string]string{}
			for k := range want {
				got[k] = row[k]
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("SHOW LOAD row (-want +got):\n%s", diff)
			}
			_, rows := query(t, db, "SELECT dt, id, name, amount FROM t ORDER BY id")
			wantRows := [][]string{{"2024-01-01", "1", "one", "1.50"}, {"2024-01-02", "2", nullCell, nullCell},
				{"2024-01-02", "3", "three", "-3.25"}, {"2024-01-01", "4", "four", nullCell}}
			if diff := cmp.Diff(wantRows, rows); diff != "" {
				t.Errorf("loaded rows (-want +got):\n%s", diff)
			}
			for _, m := range rowMaps(t, db, "SHOW PARTITIONS FROM t") {
				if m["VisibleVersion"] != "2" {
					t.Errorf("partition %s at version %s: both data descriptions must be one transaction", m["PartitionName"], m["VisibleVersion"])
				}
			}
			if n := c.Counters().Jobs[KindLoad]; n != 1 {
				t.Errorf("Counters().Jobs[LOAD] = %d, want 1", n)
			}
		})
	}
}

// TestBrokerLoadQuality covers rows that do not fit: the whole job is
// cancelled with ETL_QUALITY_UNSATISFIED unless max_filter_ratio allows
// them, and strict mode decides whether bad values become NULL.
func TestBrokerLoadQuality(t *testing.T) {
	dir := t.TempDir()
	c := startCluster(t, "3.3.2", SharedNothing)
	db := rootDB(t, c, "d")
	mustExec(t, db, loadTableDDL)
	// Row 2 has a bad amount, row 3 no partition, row 4 too few columns.
	writeFile(t, filepath.Join(dir, "bad.csv"), "2024-01-01\t1\tok\t1\n2024-01-01\t2\tbadval\tx\n2030-01-01\t3\tnopart\t3\n2024-01-01\t4\n")
	path := fmt.Sprintf("file://%s/bad.csv", dir)
	tests := []struct {
		label, props string
		state        string
		errMsg       string
		filtered     string
		rows         string
	}{
		{"q1", `"max_filter_ratio" = "0"`, "CANCELLED", "type:ETL_QUALITY_UNSATISFIED; msg:quality not good enough to cancel", "2", "0"},
		{"q2", `"max_filter_ratio" = "0.5"`, "FINISHED", "N/A", "2", "2"},
		{"q3", `"max_filter_ratio" = "0.5", "strict_mode" = "true"`, "CANCELLED", "type:ETL_QUALITY_UNSATISFIED; msg:quality not good enough to cancel", "3", "2"},
	}
	for _, tc := range tests {
		t.Run(tc.label, func(t *testing.T) {
			row := loadAndWait(t, db, tc.label, fmt.Sprintf(`LOAD LABEL %s (DATA INFILE (%q) INTO TABLE t) WITH BROKER PROPERTIES (%s)`, tc.label, path, tc.props))
			got := []string{row["State"], row["ErrorMsg"], row["FilteredRows"]}
			if diff := cmp.Diff([]string{tc.state, tc.errMsg, tc.filtered}, got); diff != "" {
				t.Errorf("State, ErrorMsg, FilteredRows (-want +got):\n%s", diff)
			}
			_, rows := query(t, db, "SELECT count(*) FROM t")
			if rows[0][0] != tc.rows {
				t.Errorf("table has %s rows, want %s", rows[0][0], tc.rows)
			}
		})
	}
	_, rows := query(t, db, "SELECT id, name, amount FROM t ORDER BY id")
	if diff := cmp.Diff([][]string{{"1", "ok", "1.00"}, {"2", "badval", nullCell}}, rows); diff != "" {
		t.Errorf("non-strict load turns a bad value into NULL (-want +got):\n%s", diff)
	}
}

// TestBrokerLoadMapping covers SET, WHERE, COLUMNS FROM PATH, NEGATIVE,
// temporary partitions and skip_header.
func TestBrokerLoadMapping(t *testing.T) {
	dir := t.TempDir()
	c := startCluster(t, "3.5.0", SharedNothing)
	db := rootDB(t, c, "d")
	mustExec(t, db, loadTableDDL)
	mustExec(t, db, `ALTER TABLE t ADD TEMPORARY PARTITION tp1 VALUES [('2024-01-01'), ('2024-01-02'))`)
	mustExec(t, db, `CREATE TABLE agg (k INT, s BIGINT SUM) AGGREGATE KEY(k) DISTRIBUTED BY HASH(k)`)
	mustExec(t, db, `INSERT INTO agg VALUES (1, 10), (2, 20)`)
	writeFile(t, filepath.Join(dir, "dt=2024-01-01", "f.csv"), "id,name\n1,a\n2,b\n3,c\n")
	writeFile(t, filepath.Join(dir, "agg.csv"), "1\t4\n2\t5\n")
	row := loadAndWait(t, db, "m1", fmt.Sprintf(`LOAD LABEL m1 (
		DATA INFILE ("file://%[1]s/dt=*/f.csv") INTO TABLE t TEMPORARY PARTITION (tp1)
			COLUMNS TERMINATED BY "," (skip_header = 1) (id, tmp) COLUMNS FROM PATH AS (dt)
			SET (name = tmp, amount = "9.99") WHERE id != 2,
		DATA INFILE ("file://%[1]s/agg.csv") NEGATIVE INTO TABLE agg
	) WITH BROKER`, dir))
	if row["State"] != "FINISHED" || row["UnselectedRows"] != "1" || row["SinkRows"] != "4" {
		t.Fatalf("load: %v", row)
	}
	_, rows := query(t, db, "SELECT dt, id, name, amount FROM t TEMPORARY PARTITION (tp1) ORDER BY id")
	if diff := cmp.Diff([][]string{{"2024-01-01", "1", "a", "9.99"}, {"2024-01-01", "3", "c", "9.99"}}, rows); diff != "" {
		t.Errorf("temporary partition rows (-want +got):\n%s", diff)
	}
	_, rows = query(t, db, "SELECT count(*) FROM t")
	if rows[0][0] != "0" {
		t.Errorf("formal partitions got %s rows", rows[0][0])
	}
	_, rows = query(t, db, "SELECT k, s FROM agg ORDER BY k")
	if diff := cmp.Diff([][]string{{"1", "6"}, {"2", "15"}}, rows); diff != "" {
		t.Errorf("NEGATIVE load (-want +got):\n%s", diff)
	}
}

func TestBrokerLoadErrors(t *testing.T) {
	dir := t.TempDir()
	c := startCluster(t, "3.3.2", SharedNothing)
	db := rootDB(t, c, "d")
	mustExec(t, db, loadTableDDL)
	t.Run("no source file", func(t *testing.T) {
		row := loadAndWait(t, db, "e1", fmt.Sprintf(`LOAD LABEL e1 (DATA INFILE ("file://%s/none/*.csv") INTO TABLE t) WITH BROKER`, dir))
		if row["State"] != "CANCELLED" || row["ErrorMsg"] != "type:ETL_RUN_FAIL; msg:No source file in this table(t)." || row["Progress"] != "ETL:N/A; LOAD:N/A" {
			t.Errorf("load of nothing: %v", row)
		}
	})
	tests := map[string]struct{ stmt, want string }{
		"unknown table": {
			stmt: `LOAD LABEL x1 (DATA INFILE ("file:///tmp/x.csv") INTO TABLE nope) WITH BROKER`,
			want: "Error 1064 (HY000): Getting analyzing error. Detail message: Unknown table 'nope'.",
		},
		"bad label": {
			stmt: `LOAD LABEL ` + "`bad label`" + ` (DATA INFILE ("file:///tmp/x.csv") INTO TABLE t) WITH BROKER`,
			want: "Error 1064 (HY000): Getting analyzing error. Detail message: Label format error. regex: ^[-_A-Za-z0-9:]{1,128}$, label: bad label.",
		},
		"bad filter ratio": {
			stmt: `LOAD LABEL x2 (DATA INFILE ("file:///tmp/x.csv") INTO TABLE t) WITH BROKER PROPERTIES ("max_filter_ratio" = "2")`,
			want: "Error 1064 (HY000): Getting analyzing error. Detail message: max_filter_ratio must be between 0.0 and 1.0.",
		},
		"cancel unknown label": {
			stmt: `CANCEL LOAD WHERE LABEL = "nope"`,
			want: "Error 1064 (HY000): Load job does not exist",
		},
		"cancel a finished job": {
			stmt: `CANCEL LOAD FROM d WHERE LABEL = "e1"`,
			want: "Error 1064 (HY000): There is no uncompleted job which label is e1",
		},
		"show load bad where": {
			stmt: `SHOW LOAD WHERE STATE = "RUNNING"`,
			want: "Error 1064 (HY000): Getting analyzing error. Detail message: Where clause should looks like: LABEL",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := execErr(t, db, tc.stmt); !strings.HasPrefix(got, tc.want) {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}
