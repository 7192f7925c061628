package starrocks

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestExportLocal exports one partition to a local directory on every
// profile (EXPORT works on 3.1 shared-data too, STARROCKS.md 3.4) and
// checks the SHOW EXPORT row, the file names and the CSV content.
func TestExportLocal(t *testing.T) {
	for _, p := range profiles {
		t.Run(profileName(p.version, p.mode), func(t *testing.T) {
			dir := t.TempDir()
			c := startCluster(t, p.version, p.mode)
			db := rootDB(t, c, "d")
			mustExec(t, db, mixedTableDDL)
			mustExec(t, db, mixedTableRows)
			stmt := fmt.Sprintf(`EXPORT TABLE t PARTITION (p20240101) TO "file://%s/" PROPERTIES ("column_separator" = "\\x01", "line_delimiter" = "\\x02", "timeout" = "600") WITH BROKER`, dir)
			qid := lastQueryID(t, db, stmt)
			cols, _ := query(t, db, "SHOW EXPORT")
			wantCols := []string{"JobId", "QueryId", "State", "Progress", "TaskInfo", "Path", "CreateTime", "StartTime", "FinishTime", "Timeout", "ErrorMsg"}
			if diff := cmp.Diff(wantCols, cols); diff != "" {
				t.Errorf("SHOW EXPORT columns (-want +got):\n%s", diff)
			}
			row := waitRow(t, db, fmt.Sprintf("SHOW EXPORT WHERE QUERYID = %q", qid), terminal)
			got := map[string]string{"State": row["State"], "Progress": row["Progress"], "ErrorMsg": row["ErrorMsg"], "Timeout": row["Timeout"], "Path": row["Path"]}
			want := map[string]string{"State": "FINISHED", "Progress": "100%", "ErrorMsg": "N/A", "Timeout": "600", "Path": "file://" + dir + "/"}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("SHOW EXPORT row (-want +got):\n%s", diff)
			}
			var info map[string]any
			if err := json.Unmarshal([]byte(row["TaskInfo"]), &info); err != nil {
				t.Fatalf("TaskInfo %q: %v", row["TaskInfo"], err)
			}
			if info["tbl"] != "t" || info["db"] != "d" || fmt.Sprint(info["partitions"]) != "[p20240101]" || info["column separator"] != `\x01` || info["tablet num"] != 2.0 {
				t.Errorf("TaskInfo = %v", info)
			}
			wantFiles := []string{"data_" + qid + "_0_0_0.csv"}
			if diff := cmp.Diff(wantFiles, listFiles(t, dir)); diff != "" {
				t.Fatalf("exported files; the temporary directory must be gone (-want +got):\n%s", diff)
			}
			wantCSV := "2024-01-01\x011\x01alpha\x0112.500\x010.25\x011\x012024-01-01 10:00:00\x011\x02" +
				"2024-01-01\x012\x01\\N\x01\\N\x01\\N\x01\\N\x01\\N\x01\\N\x02" +
				"2024-01-01\x013\x01gamma, with comma\x01-7.125\x011e+20\x010\x012024-01-01 23:59:59\x01-128\x02"
			if diff := cmp.Diff(wantCSV, readFile(t, filepath.Join(dir, wantFiles[0]))); diff != "" {
				t.Errorf("CSV content (-want +got):\n%s", diff)
			}
			if n := c.Counters().Jobs[KindExport]; n != 1 {
				t.Errorf("Counters().Jobs[EXPORT] = %d, want 1", n)
			}
		})
	}
}

func TestExportFileNaming(t *testing.T) {
	c := startCluster(t, "3.3.2", SharedNothing, func(o *Options) { o.ExportRowsPerFile = 2 })
	db := rootDB(t, c, "d")
	mustExec(t, db, mixedTableDDL)
	mustExec(t, db, mixedTableRows)
	tests := map[string]struct {
		path  func(dir string) string
		props string
		want  func(qid string) []string
	}{
		"prefix from the last path segment, split by rows": {
			path:  func(dir string) string { return "file://" + dir + "/part_" },
			props: "",
			want: func(qid string) []string {
				return []string{"part_" + qid + "_0_0_0.csv", "part_" + qid + "_0_0_1.csv"}
			},
		},
		"without the query id": {
			path:  func(dir string) string { return "file://" + dir + "/" },
			props: `PROPERTIES ("include_query_id" = "false")`,
			want:  func(string) []string { return []string{"data_0_0_0.csv", "data_0_0_1.csv"} },
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			qid := lastQueryID(t, db, fmt.Sprintf(`EXPORT TABLE t TO %q %s WITH BROKER`, tc.path(dir), tc.props))
			row := waitRow(t, db, fmt.Sprintf("SHOW EXPORT WHERE QUERYID = %q", qid), terminal)
			if row["State"] != "FINISHED" {
				t.Fatalf("export: %v", row)
			}
			if diff := cmp.Diff(tc.want(qid), listFiles(t, dir)); diff != "" {
				t.Errorf("files (-want +got):\n%s", diff)
			}
			var all string
			for _, f := range listFiles(t, dir) {
				all += readFile(t, filepath.Join(dir, f))
			}
			if n := strings.Count(all, "\n"); n != 4 {
				t.Errorf("exported %d rows, want 4:\n%s", n, all)
			}
		})
	}
}

func TestExportErrors(t *testing.T) {
	dir := t.TempDir()
	c := startCluster(t, "3.3.2", SharedNothing)
	db := rootDB(t, c, "d")
	mustExec(t, db, mixedTableDDL)
	mustExec(t, db, `ALTER TABLE t ADD TEMPORARY PARTITION tp VALUES [('2024-01-01'), ('2024-01-02'))`)
	tests := map[string]struct{ stmt, want string }{
		"temporary partition": {
			stmt: fmt.Sprintf(`EXPORT TABLE t TEMPORARY PARTITION (tp) TO "file://%s/" WITH BROKER`, dir),
			want: "Error 1064 (HY000): Getting analyzing error. Detail message: Do not support exporting temporary partitions.",
		},
		"unknown partition": {
			stmt: fmt.Sprintf(`EXPORT TABLE t PARTITION (nope) TO "file://%s/" WITH BROKER`, dir),
			want: "Error 1735 (HY000): Unknown partition 'nope' in table 't'",
		},
		"unknown table": {
			stmt: fmt.Sprintf(`EXPORT TABLE missing TO "file://%s/" WITH BROKER`, dir),
			want: "Error 1051 (42S02): Unknown table 'missing'",
		},
		"bad separator": {
			stmt: fmt.Sprintf(`EXPORT TABLE t TO "file://%s/" PROPERTIES ("column_separator" = "\\x1") WITH BROKER`, dir),
			want: "Error 1064 (HY000): Getting analyzing error. Detail message: Invalid delimiter '\\x1: hex length must be a even number.",
		},
		"SYNC MODE before 3.4": {
			stmt: fmt.Sprintf(`EXPORT TABLE t TO "file://%s/" WITH SYNC MODE WITH BROKER`, dir),
			want: "Error 1064 (HY000): Getting syntax error at line 1, column ",
		},
		"cancel unknown": {
			stmt: `CANCEL EXPORT WHERE queryid = "0e5a4b4e-9d0c-4f7e-8a57-3c1f5a1d2b3c"`,
			want: "Error 1064 (HY000): Export job [0e5a4b4e-9d0c-4f7e-8a57-3c1f5a1d2b3c] is not found",
		},
		"show export bad where": {
			stmt: `SHOW EXPORT WHERE STATE = "RUNNING"`,
			want: `Error 1064 (HY000): Getting analyzing error. Detail message: Where clause should looks like below:  ID = $your_job_id, or STATE = "PENDING|EXPORTING|FINISHED|CANCELLED", or QUERYID = "$your_query_id".`,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got := execErr(t, db, tc.stmt)
			if !strings.HasPrefix(got, tc.want) {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
	if files := listFiles(t, dir); len(files) != 0 {
		t.Errorf("refused exports wrote files: %v", files)
	}
}

// TestExportCancelAndFaults covers CANCEL EXPORT, FailNext, the snapshot
// taken at submission and SHOW EXPORT filters.
func TestExportCancelAndFaults(t *testing.T) {
	dir := t.TempDir()
	c := startCluster(t, "3.5.0", SharedNothing)
	db := rootDB(t, c, "d")
	mustExec(t, db, mixedTableDDL)
	mustExec(t, db, mixedTableRows)
	stmt := fmt.Sprintf(`EXPORT TABLE t TO "file://%s/" WITH BROKER`, dir)

	t.Run("cancel a running export", func(t *testing.T) {
		slowJobs(c)
		defer c.Controls().SetJobModel(defaultJobModel)
		qid := lastQueryID(t, db, stmt)
		waitRow(t, db, fmt.Sprintf("SHOW EXPORT WHERE QUERYID = %q", qid), func(m map[string]string) bool { return m["State"] == "EXPORTING" })
		mustExec(t, db, fmt.Sprintf("CANCEL EXPORT WHERE queryid = %q", qid))
		row := waitRow(t, db, fmt.Sprintf("SHOW EXPORT WHERE QUERYID = %q", qid), terminal)
		if row["State"] != "CANCELLED" || row["ErrorMsg"] != "type:USER_CANCEL; msg:user cancel" {
			t.Errorf("cancelled export: %v", row)
		}
		got := execErr(t, db, fmt.Sprintf("CANCEL EXPORT FROM d WHERE queryid = %q", qid))
		if want := fmt.Sprintf("Error 1064 (HY000): Export job [%s] is already finished or cancelled", qid); got != want {
			t.Errorf("second cancel: got %q, want %q", got, want)
		}
	})

	t.Run("injected failure", func(t *testing.T) {
		c.Controls().FailNext(KindExport, 1, "injected export failure")
		row := exportAndWait(t, db, stmt)
		if row["State"] != "CANCELLED" || row["ErrorMsg"] != "type:RUN_FAIL; msg:injected export failure" {
			t.Errorf("failed export: %v", row)
		}
	})

	if files := listFiles(t, dir); len(files) != 0 {
		t.Fatalf("cancelled and failed exports left files: %v", files)
	}

	t.Run("rows are those of the submission", func(t *testing.T) {
		slowJobs(c)
		defer c.Controls().SetJobModel(defaultJobModel)
		out := t.TempDir()
		qid := lastQueryID(t, db, fmt.Sprintf(`EXPORT TABLE t PARTITION (p20240102) TO "file://%s/" WITH BROKER`, out))
		waitRow(t, db, fmt.Sprintf("SHOW EXPORT WHERE QUERYID = %q", qid), func(m map[string]string) bool { return m["State"] == "EXPORTING" })
		mustExec(t, db, "INSERT INTO t (dt, id) VALUES ('2024-01-02', 99)")
		c.Controls().SetJobModel(defaultJobModel)
		row := waitRow(t, db, fmt.Sprintf("SHOW EXPORT WHERE QUERYID = %q", qid), terminal)
		if row["State"] != "FINISHED" {
			t.Fatalf("export: %v", row)
		}
		content := readFile(t, filepath.Join(out, "data_"+qid+"_0_0_0.csv"))
		if strings.Count(content, "\n") != 1 || strings.Contains(content, "\t99\t") {
			t.Errorf("export saw a later insert:\n%s", content)
		}
	})

	t.Run("filters", func(t *testing.T) {
		_, rows := query(t, db, `SHOW EXPORT WHERE STATE = "CANCELLED" ORDER BY JobId DESC LIMIT 1`)
		if len(rows) != 1 || !strings.Contains(rows[0][10], "injected export failure") {
			t.Errorf("latest cancelled export: %v", rows)
		}
		_, rows = query(t, db, `SHOW EXPORT FROM d WHERE STATE = "FINISHED"`)
		if len(rows) != 1 {
			t.Errorf("finished exports: %v", rows)
		}
	})
}

// TestExportCancelDuringRename cancels an export while it renames its
// files into place. As in StarRocks (ExportJob.cancelInternal), the
// cancel removes the temporary directory and the files moved before it,
// but the rename under way still lands: the directory keeps one file of a
// job that SHOW EXPORT reports CANCELLED. srplan relies on the query id in file names
// to tell such a file from those of its next export.
func TestExportCancelDuringRename(t *testing.T) {
	dir := t.TempDir()
	c := startCluster(t, "3.3.8", SharedNothing, func(o *Options) { o.ExportRowsPerFile = 1 })
	reached, release := make(chan string, 1), make(chan struct{})
	c.jobs.beforeExportRename = func(qid, key string) {
		if strings.HasSuffix(key, "_0_0_1.csv") {
			reached <- qid
			<-release
		}
	}
	db := rootDB(t, c, "d")
	mustExec(t, db, mixedTableDDL)
	mustExec(t, db, mixedTableRows)
	qid := lastQueryID(t, db, fmt.Sprintf(`EXPORT TABLE t PARTITION (p20240101) TO "file://%s/" WITH BROKER`, dir))
	select {
	case got := <-reached:
		if got != qid {
			t.Fatalf("rename hook saw query id %s, want %s", got, qid)
		}
	case <-time.After(10 * time.Second):
		close(release)
		t.Fatal("the export never reached the rename of its second file")
	}
	mustExec(t, db, fmt.Sprintf("CANCEL EXPORT WHERE queryid = %q", qid))
	row := waitRow(t, db, fmt.Sprintf("SHOW EXPORT WHERE QUERYID = %q", qid), terminal)
	close(release)
	if row["State"] != "CANCELLED" || row["ErrorMsg"] != "type:USER_CANCEL; msg:user cancel" {
		t.Errorf("export cancelled while renaming: %v", row)
	}
	// The job removes what the cancel covers on its own goroutine: wait
	// (bounded) until the directory holds nothing else.
	want := []string{"data_" + qid + "_0_0_1.csv"}
	deadline := time.Now().Add(10 * time.Second)
	var got []string
	for {
		got = got[:0]
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			got = append(got, e.Name())
		}
		if slices.Equal(got, want) || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("left by the cancelled export: only the file being renamed at the cancel, no temporary directory (-want +got):\n%s", diff)
	}
}
