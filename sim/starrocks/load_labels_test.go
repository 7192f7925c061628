package starrocks

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestLoadLabels covers STARROCKS.md 5.5: a label of a running or
// FINISHED job cannot be reused, a CANCELLED one can, and finished labels
// are purged after the keep time.
func TestLoadLabels(t *testing.T) {
	clk := &clock{t: fixedNow}
	dir := t.TempDir()
	c := startCluster(t, "3.3.2", SharedNothing, func(o *Options) {
		o.Now = clk.now
		o.LabelKeep = time.Hour
	})
	db := rootDB(t, c, "d")
	mustExec(t, db, loadTableDDL)
	writeFile(t, filepath.Join(dir, "f.csv"), "2024-01-01\t1\ta\t1\n")
	load := func(label string) string {
		return fmt.Sprintf(`LOAD LABEL %s (DATA INFILE ("file://%s/f.csv") INTO TABLE t) WITH BROKER`, label, dir)
	}
	used := func(label string) string {
		return fmt.Sprintf("Error 1064 (HY000): Label [%s] has already been used.", label)
	}

	t.Run("running label", func(t *testing.T) {
		slowJobs(c)
		mustExec(t, db, load("run1"))
		waitRow(t, db, `SHOW LOAD WHERE LABEL = "run1"`, func(m map[string]string) bool { return m["State"] == "LOADING" })
		if got := execErr(t, db, load("run1")); got != used("run1") {
			t.Errorf("resubmitting a running label: %q", got)
		}
		mustExec(t, db, `CANCEL LOAD WHERE LABEL = "run1"`)
		c.Controls().SetJobModel(defaultJobModel)
		row := waitRow(t, db, `SHOW LOAD WHERE LABEL = "run1"`, terminal)
		if row["State"] != "CANCELLED" || row["ErrorMsg"] != "type:USER_CANCEL; msg:user cancel" {
			t.Errorf("cancelled load: %v", row)
		}
	})

	t.Run("cancelled label is reusable", func(t *testing.T) {
		row := loadAndWait(t, db, "run1", load("run1"))
		if row["State"] != "FINISHED" {
			t.Fatalf("reused label: %v", row)
		}
		_, rows := query(t, db, `SHOW LOAD WHERE LABEL = "run1" ORDER BY JobId`)
		if len(rows) != 2 || rows[0][2] != "CANCELLED" || rows[1][2] != "FINISHED" {
			t.Errorf("both jobs of the label are shown: %v", rows)
		}
	})

	t.Run("finished label", func(t *testing.T) {
		if got := execErr(t, db, load("run1")); got != used("run1") {
			t.Errorf("resubmitting a finished label: %q", got)
		}
		if got := execErr(t, db, "INSERT INTO t WITH LABEL run1 VALUES ('2024-01-01', 9, 'x', 1)"); got != used("run1") {
			t.Errorf("INSERT with a Broker Load's label: %q", got)
		}
	})

	t.Run("purge after the keep time", func(t *testing.T) {
		if n := c.Controls().PurgeLabels(); n != 0 {
			t.Errorf("PurgeLabels before the keep time removed %d labels", n)
		}
		clk.set(clk.now().Add(time.Hour))
		if n := c.Controls().PurgeLabels(); n != 1 {
			t.Errorf("PurgeLabels after the keep time removed %d labels, want 1", n)
		}
		_, rows := query(t, db, `SHOW LOAD WHERE LABEL = "run1"`)
		if len(rows) != 0 {
			t.Errorf("purged jobs still shown: %v", rows)
		}
		if row := loadAndWait(t, db, "run1", load("run1")); row["State"] != "FINISHED" {
			t.Errorf("load with a purged label: %v", row)
		}
	})
}

// TestShowLoadInsertJobs: INSERT statements appear in SHOW LOAD as Type
// INSERT, FINISHED or CANCELLED only.
func TestShowLoadInsertJobs(t *testing.T) {
	db := rootDB(t, startCluster(t, "3.5.0", SharedNothing), "d")
	mustExec(t, db, loadTableDDL)
	mustExec(t, db, "INSERT INTO t WITH LABEL ins_ok VALUES ('2024-01-01', 1, 'a', 1), ('2024-01-02', 2, 'b', 2)")
	_ = execErr(t, db, "INSERT INTO t WITH LABEL ins_bad VALUES ('2030-01-01', 1, 'a', 1)")
	_, rows := query(t, db, `SHOW LOAD WHERE LABEL LIKE "ins%" ORDER BY Label DESC`)
	var got [][]string
	for _, r := range rows {
		got = append(got, []string{r[1], r[2], r[4], r[9]}) // Label, State, Type, SinkRows
	}
	want := [][]string{{"ins_ok", "FINISHED", "INSERT", "2"}, {"ins_bad", "CANCELLED", "INSERT", "0"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("INSERT jobs (-want +got):\n%s", diff)
	}
	if !strings.HasPrefix(rows[1][12], "type:LOAD_RUN_FAIL; msg:Insert has filtered data in strict mode") {
		t.Errorf("ErrorMsg of the failed INSERT: %q", rows[1][12])
	}
	_, rows = query(t, db, `SHOW LOAD WHERE LABEL LIKE "ins%" AND STATE = "CANCELLED"`)
	if len(rows) != 1 {
		t.Errorf("LABEL LIKE AND STATE: %v", rows)
	}
	mustExec(t, db, "CREATE TABLE t2 LIKE t")
	mustExec(t, db, "INSERT INTO t2 VALUES ('2024-01-01', 7, 'old', 7)")
	mustExec(t, db, "INSERT OVERWRITE t2 PARTITION (p1) WITH LABEL ow1 SELECT * FROM t PARTITION (p1)")
	if got := execErr(t, db, "INSERT OVERWRITE t2 WITH LABEL ow1 SELECT * FROM t"); got != "Error 1064 (HY000): Label [ow1] has already been used." {
		t.Errorf("INSERT OVERWRITE with a used label: %q", got)
	}
	_, rows = query(t, db, "SELECT id FROM t2")
	if diff := cmp.Diff([][]string{{"1"}}, rows); diff != "" {
		t.Errorf("after INSERT OVERWRITE ... WITH LABEL (-want +got):\n%s", diff)
	}
}

// TestLoadsInformationSchema checks the per-version columns of
// information_schema.loads. The switch from DATABASE_NAME to DB_NAME is
// [unconfirmed]; the simulator places it at 3.4 (Appendix A).
func TestLoadsInformationSchema(t *testing.T) {
	old := []string{"JOB_ID", "LABEL", "DATABASE_NAME", "STATE", "PROGRESS", "TYPE", "PRIORITY", "SCAN_ROWS",
		"FILTERED_ROWS", "UNSELECTED_ROWS", "SINK_ROWS", "ETL_INFO", "TASK_INFO", "CREATE_TIME", "ETL_START_TIME",
		"ETL_FINISH_TIME", "LOAD_START_TIME", "LOAD_FINISH_TIME", "JOB_DETAILS", "ERROR_MSG", "TRACKING_URL",
		"TRACKING_SQL", "REJECTED_RECORD_PATH"}
	newer := []string{"ID", "LABEL", "PROFILE_ID", "DB_NAME", "TABLE_NAME", "USER", "WAREHOUSE", "STATE", "PROGRESS",
		"TYPE", "PRIORITY", "SCAN_ROWS", "SCAN_BYTES", "FILTERED_ROWS", "UNSELECTED_ROWS", "SINK_ROWS",
		"RUNTIME_DETAILS", "CREATE_TIME", "LOAD_START_TIME", "LOAD_COMMIT_TIME", "LOAD_FINISH_TIME", "PROPERTIES",
		"ERROR_MSG", "TRACKING_SQL", "REJECTED_RECORD_PATH", "JOB_ID"}
	want := map[string][]string{"3.1.11": old, "3.3.2": old, "3.5.0": newer}
	dbCol := map[string]string{"3.1.11": "DATABASE_NAME", "3.3.2": "DATABASE_NAME", "3.5.0": "DB_NAME"}
	for _, p := range profiles {
		t.Run(profileName(p.version, p.mode), func(t *testing.T) {
			db := rootDB(t, startCluster(t, p.version, p.mode), "d")
			mustExec(t, db, loadTableDDL)
			mustExec(t, db, "INSERT INTO t WITH LABEL l1 VALUES ('2024-01-01', 1, 'a', 1)")
			cols, rows := query(t, db, "SELECT * FROM information_schema.loads")
			if diff := cmp.Diff(want[p.version], cols); diff != "" {
				t.Errorf("columns (-want +got):\n%s", diff)
			}
			_, rows = query(t, db, fmt.Sprintf("SELECT LABEL, %s, STATE, TYPE, SINK_ROWS FROM information_schema.loads WHERE LABEL = 'l1'", dbCol[p.version]))
			if diff := cmp.Diff([][]string{{"l1", "d", "FINISHED", "INSERT", "1"}}, rows); diff != "" {
				t.Errorf("row (-want +got):\n%s", diff)
			}
		})
	}
}

// TestJobCancelRate: with the cancel rate at 1 every asynchronous job ends
// CANCELLED with the lost-backend error.
func TestJobCancelRate(t *testing.T) {
	dir := t.TempDir()
	c := startCluster(t, "3.3.2", SharedNothing)
	db := rootDB(t, c, "d")
	mustExec(t, db, loadTableDDL)
	mustExec(t, db, "INSERT INTO t VALUES ('2024-01-01', 1, 'a', 1)")
	mustExec(t, db, fmt.Sprintf(`CREATE REPOSITORY r WITH BROKER ON LOCATION "file://%s/repo"`, dir))
	c.Controls().SetCancelRate(1, 7)
	want := "Backend node not found. Check if any backend node is down."
	if row := exportAndWait(t, db, fmt.Sprintf(`EXPORT TABLE t TO "file://%s/out/" WITH BROKER`, dir)); row["ErrorMsg"] != "type:RUN_FAIL; msg:"+want {
		t.Errorf("export: %v", row)
	}
	writeFile(t, filepath.Join(dir, "f.csv"), "2024-01-01\t2\tb\t2\n")
	if row := loadAndWait(t, db, "cr", fmt.Sprintf(`LOAD LABEL cr (DATA INFILE ("file://%s/f.csv") INTO TABLE t) WITH BROKER`, dir)); row["ErrorMsg"] != "type:LOAD_RUN_FAIL; msg:"+want {
		t.Errorf("load: %v", row)
	}
	mustExec(t, db, "BACKUP SNAPSHOT d.s TO r")
	if row := waitRow(t, db, "SHOW BACKUP", terminal); row["Status"] != "[COMMON_ERROR, msg: "+want+"]" {
		t.Errorf("backup: %v", row)
	}
	c.Controls().SetCancelRate(0, 0)
	if _, rows := query(t, db, "SELECT count(*) FROM t"); rows[0][0] != "1" {
		t.Errorf("a cancelled load changed the table: %v", rows)
	}
}
