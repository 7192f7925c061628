package starrocks

import (
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// backupAndWait runs a BACKUP and waits for SHOW BACKUP to end.
func backupAndWait(t *testing.T, db *sql.DB, stmt string) map[string]string {
	t.Helper()
	mustExec(t, db, stmt)
	return waitRow(t, db, "SHOW BACKUP", terminal)
}

// restoreAndWait runs a RESTORE and waits for SHOW RESTORE to end.
func restoreAndWait(t *testing.T, db *sql.DB, stmt string) map[string]string {
	t.Helper()
	mustExec(t, db, stmt)
	return waitRow(t, db, "SHOW RESTORE", terminal)
}

func TestRepositories(t *testing.T) {
	dir := t.TempDir()
	c := startCluster(t, "3.3.2", SharedNothing)
	db := rootDB(t, c, "d")
	mustExec(t, db, fmt.Sprintf(`CREATE REPOSITORY r1 WITH BROKER ON LOCATION "file://%s/repo" PROPERTIES ("k" = "v")`, dir))
	mustExec(t, db, fmt.Sprintf(`CREATE READ ONLY REPOSITORY r2 WITH BROKER ON LOCATION "file://%s/repo"`, dir))
	cols, rows := query(t, db, "SHOW REPOSITORIES")
	if diff := cmp.Diff([]string{"RepoId", "RepoName", "CreateTime", "IsReadOnly", "Location", "Broker", "ErrMsg"}, cols); diff != "" {
		t.Errorf("columns (-want +got):\n%s", diff)
	}
	var got [][]string
	for _, r := range rows {
		got = append(got, []string{r[1], r[2], r[3], r[4]})
	}
	want := [][]string{{"r1", "2024-05-06 07:08:09", "false", "file://" + dir + "/repo"}, {"r2", "2024-05-06 07:08:09", "true", "file://" + dir + "/repo"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	if files := listFiles(t, dir); !cmp.Equal(files, []string{"repo/__starrocks_repository_r1/__repo_info"}) {
		t.Errorf("repository files: %v", files)
	}
	tests := map[string]struct{ stmt, want string }{
		"duplicate": {fmt.Sprintf(`CREATE REPOSITORY r1 WITH BROKER ON LOCATION "file://%s/x"`, dir),
			"Error 1064 (HY000): Failed to create repository: repository with same name already exist: r1"},
		"drop unknown":     {"DROP REPOSITORY nope", "Error 1064 (HY000): Repository does not exist"},
		"backup read only": {"BACKUP SNAPSHOT d.s1 TO r2", "Error 1064 (HY000): Repository r2 is read only"},
		"backup unknown":   {"BACKUP SNAPSHOT d.s1 TO nope", "Error 1064 (HY000): Repository nope does not exist"},
		"restore without timestamp": {`RESTORE SNAPSHOT d.s1 FROM r1 PROPERTIES ("replication_num" = "1")`,
			"Error 1064 (HY000): Getting analyzing error. Detail message: Missing backup_timestamp property."},
		"restore unknown snapshot": {`RESTORE SNAPSHOT d.s1 FROM r1 PROPERTIES ("backup_timestamp" = "2024-01-01-00-00-00-000")`,
			"Error 1064 (HY000): Failed to get info of snapshot 's1' because: cannot find job info file: "},
		"cancel nothing": {"CANCEL BACKUP", "Error 1064 (HY000): No backup job is currently running"},
		"cancel restore": {"CANCEL RESTORE FROM d", "Error 1064 (HY000): No restore is currently running"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := execErr(t, db, tc.stmt); !strings.HasPrefix(got, tc.want) {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
	mustExec(t, db, "DROP REPOSITORY r2")
	if _, rows := query(t, db, "SHOW REPOSITORIES"); len(rows) != 1 {
		t.Errorf("after DROP REPOSITORY: %v", rows)
	}
}

// TestBackupRestoreLocal backs up on a 3.3 cluster and restores on a 3.5
// cluster through a repository of the same name and location, then
// checks rows, checksums, versions and the SHOW statements.
func TestBackupRestoreLocal(t *testing.T) {
	dir := t.TempDir()
	src := startCluster(t, "3.3.2", SharedNothing)
	dst := startCluster(t, "3.5.0", SharedNothing)
	sdb, ddb := rootDB(t, src, "d"), rootDB(t, dst, "d")
	mustExec(t, sdb, mixedTableDDL)
	mustExec(t, sdb, mixedTableRows)
	mustExec(t, sdb, "CREATE TABLE plain (k INT, v STRING) DISTRIBUTED BY HASH(k)")
	mustExec(t, sdb, "INSERT INTO plain VALUES (1, 'x'), (2, NULL)")
	repo := fmt.Sprintf(`REPOSITORY repo WITH BROKER ON LOCATION "file://%s/backups"`, dir)
	mustExec(t, sdb, "CREATE "+repo)
	mustExec(t, ddb, "CREATE READ ONLY "+repo)

	row := backupAndWait(t, sdb, "BACKUP SNAPSHOT d.snap1 TO repo ON (t, plain) PROPERTIES (\"type\" = \"full\")")
	cols, _ := query(t, sdb, "SHOW BACKUP")
	if diff := cmp.Diff([]string{"JobId", "SnapshotName", "DbName", "State", "BackupObjs", "CreateTime", "SnapshotFinishedTime",
		"UploadFinishedTime", "FinishedTime", "UnfinishedTasks", "Progress", "TaskErrMsg", "Status", "Timeout"}, cols); diff != "" {
		t.Errorf("SHOW BACKUP columns (-want +got):\n%s", diff)
	}
	if row["State"] != "FINISHED" || row["Status"] != "[OK]" || row["BackupObjs"] != "[d.t], [d.plain]" || row["Timeout"] != "86400" {
		t.Errorf("backup: %v", row)
	}

	cols, rows := query(t, ddb, "SHOW SNAPSHOT ON repo")
	if diff := cmp.Diff([]string{"Snapshot", "Timestamp", "Status"}, cols); diff != "" {
		t.Errorf("SHOW SNAPSHOT columns (-want +got):\n%s", diff)
	}
	wantTS := "2024-05-06-07-08-09-000"
	if diff := cmp.Diff([][]string{{"snap1", wantTS, "OK"}}, rows); diff != "" {
		t.Errorf("SHOW SNAPSHOT (-want +got):\n%s", diff)
	}
	cols, rows = query(t, ddb, fmt.Sprintf(`SHOW SNAPSHOT ON repo WHERE SNAPSHOT = "snap1" AND TIMESTAMP = %q`, wantTS))
	if len(rows) != 1 || len(cols) != 5 || cols[3] != "Database" || cols[4] != "Details" || rows[0][3] != "d" || !strings.Contains(rows[0][4], "p20240101") {
		t.Errorf("SHOW SNAPSHOT detail: %v %v", cols, rows)
	}

	row = restoreAndWait(t, ddb, fmt.Sprintf(`RESTORE SNAPSHOT d.snap1 FROM repo ON (t, plain AS plain2) PROPERTIES ("backup_timestamp" = %q, "replication_num" = "1")`, wantTS))
	cols, _ = query(t, ddb, "SHOW RESTORE")
	if diff := cmp.Diff([]string{"JobId", "Label", "Timestamp", "DbName", "State", "AllowLoad", "ReplicationNum", "RestoreObjs",
		"CreateTime", "MetaPreparedTime", "SnapshotFinishedTime", "DownloadFinishedTime", "FinishedTime", "UnfinishedTasks",
		"Progress", "TaskErrMsg", "Status", "Timeout"}, cols); diff != "" {
		t.Errorf("SHOW RESTORE columns (-want +got):\n%s", diff)
	}
	if row["State"] != "FINISHED" || row["Status"] != "[OK]" || row["Label"] != "snap1" || row["Timestamp"] != wantTS || row["ReplicationNum"] != "1" {
		t.Errorf("restore: %v", row)
	}
	if a, b := checksum(t, sdb, "t", mixedTableColumns), checksum(t, ddb, "t", mixedTableColumns); a != b || a[0] != "4" {
		t.Errorf("t: source %v, restored %v", a, b)
	}
	if a, b := checksum(t, sdb, "plain", []string{"k", "v"}), checksum(t, ddb, "plain2", []string{"k", "v"}); a != b || a[0] != "2" {
		t.Errorf("plain: source %v, restored as plain2 %v", a, b)
	}
	srcParts, dstParts := rowMaps(t, sdb, "SHOW PARTITIONS FROM t"), rowMaps(t, ddb, "SHOW PARTITIONS FROM t")
	for i := range srcParts {
		if srcParts[i]["VisibleVersion"] != dstParts[i]["VisibleVersion"] || srcParts[i]["Range"] != dstParts[i]["Range"] {
			t.Errorf("partition %d: source %v, restored %v", i, srcParts[i], dstParts[i])
		}
	}
	if _, rows := query(t, ddb, "SHOW BACKUP"); len(rows) != 0 {
		t.Errorf("SHOW BACKUP after a restore shows only the last job, a restore: %v", rows)
	}
	if n := dst.Counters().Jobs[KindRestore]; n != 1 {
		t.Errorf("Counters().Jobs[RESTORE] = %d", n)
	}

	t.Run("snapshot name taken", func(t *testing.T) {
		if got := execErr(t, sdb, "BACKUP SNAPSHOT d.snap1 TO repo ON (t)"); got != "Error 1064 (HY000): Snapshot with name 'snap1' already exist in repository" {
			t.Errorf("got %q", got)
		}
	})
	t.Run("restore into a different schema", func(t *testing.T) {
		mustExec(t, ddb, "CREATE TABLE other (k INT, v INT) DISTRIBUTED BY HASH(k)")
		row := restoreAndWait(t, ddb, fmt.Sprintf(`RESTORE SNAPSHOT d.snap1 FROM repo ON (plain AS other) PROPERTIES ("backup_timestamp" = %q)`, wantTS))
		if row["State"] != "CANCELLED" || row["Status"] != "[COMMON_ERROR, msg: Table other already exist but with different schema]" {
			t.Errorf("restore: %v", row)
		}
	})
	t.Run("partial restore of one partition", func(t *testing.T) {
		mustExec(t, ddb, "CREATE DATABASE d2")
		row := restoreAndWait(t, openDB(t, dst, "root", "", "d2"), fmt.Sprintf(`RESTORE SNAPSHOT d2.snap1 FROM repo ON (t PARTITION (p20240102)) PROPERTIES ("backup_timestamp" = %q, "replication_num" = "1")`, wantTS))
		if row["State"] != "FINISHED" {
			t.Fatalf("restore: %v", row)
		}
		parts := rowMaps(t, ddb, "SHOW PARTITIONS FROM d2.t")
		if len(parts) != 1 || parts[0]["PartitionName"] != "p20240102" || parts[0]["RowCount"] != "1" {
			t.Errorf("restored partitions: %v", parts)
		}
	})
}

func TestBackupRefusals(t *testing.T) {
	t.Run("shared-data", func(t *testing.T) {
		dir := t.TempDir()
		c := startCluster(t, "3.1.11", SharedData)
		db := rootDB(t, c, "d")
		mustExec(t, db, "CREATE TABLE t (k INT) DISTRIBUTED BY HASH(k)")
		mustExec(t, db, fmt.Sprintf(`CREATE REPOSITORY r WITH BROKER ON LOCATION "file://%s/"`, dir))
		if got := execErr(t, db, "BACKUP SNAPSHOT d.s TO r"); got != "Error 1064 (HY000): Table 't' is not a OLAP table" {
			t.Errorf("BACKUP: %q", got)
		}
		got := execErr(t, db, `RESTORE SNAPSHOT d.s FROM r PROPERTIES ("backup_timestamp" = "2024-01-01-00-00-00-000")`)
		if got != "Error 1064 (HY000): Shared-data StarRocks clusters do not support data BACKUP and RESTORE." {
			t.Errorf("RESTORE: %q", got)
		}
	})
	t.Run("one job per database", func(t *testing.T) {
		dir := t.TempDir()
		c := startCluster(t, "3.3.2", SharedNothing)
		db := rootDB(t, c, "d")
		mustExec(t, db, mixedTableDDL)
		mustExec(t, db, mixedTableRows)
		mustExec(t, db, fmt.Sprintf(`CREATE REPOSITORY r WITH BROKER ON LOCATION "file://%s/"`, dir))
		slowJobs(c)
		mustExec(t, db, "BACKUP SNAPSHOT d.s1 TO r")
		waitRow(t, db, "SHOW BACKUP", func(m map[string]string) bool { return m["State"] == "UPLOADING" })
		want := "Error 1064 (HY000): Can only run one backup or restore job of a database at same time"
		if got := execErr(t, db, "BACKUP SNAPSHOT d.s2 TO r"); got != want {
			t.Errorf("second BACKUP: %q", got)
		}
		if got := execErr(t, db, `RESTORE SNAPSHOT d.s1 FROM r PROPERTIES ("backup_timestamp" = "x")`); got != want {
			t.Errorf("RESTORE during BACKUP: %q", got)
		}
		mustExec(t, db, "CANCEL BACKUP FROM d")
		row := waitRow(t, db, "SHOW BACKUP", terminal)
		if row["State"] != "CANCELLED" || row["Status"] != "[CANCELLED, msg: user cancelled]" {
			t.Errorf("cancelled backup: %v", row)
		}
		c.Controls().SetJobModel(defaultJobModel)
		if _, rows := query(t, db, "SHOW SNAPSHOT ON r"); len(rows) != 0 {
			t.Errorf("a cancelled backup left a snapshot: %v", rows)
		}
		mustExec(t, db, `ALTER TABLE t ADD TEMPORARY PARTITION tp VALUES [('2024-01-01'), ('2024-01-02'))`)
		if got := execErr(t, db, "BACKUP SNAPSHOT d.s3 TO r ON (t)"); got != "Error 1064 (HY000): Do not support backing up table with temp partitions" {
			t.Errorf("BACKUP of a table with temporary partitions: %q", got)
		}
	})
	t.Run("injected failure", func(t *testing.T) {
		dir := t.TempDir()
		c := startCluster(t, "3.5.0", SharedNothing)
		db := rootDB(t, c, "d")
		mustExec(t, db, "CREATE TABLE t (k INT) DISTRIBUTED BY HASH(k)")
		mustExec(t, db, fmt.Sprintf(`CREATE REPOSITORY r WITH BROKER ON LOCATION "file://%s/"`, dir))
		c.Controls().FailNext(KindBackup, 1, "injected backup failure")
		row := backupAndWait(t, db, "BACKUP SNAPSHOT d.s1 TO r")
		if row["State"] != "CANCELLED" || row["Status"] != "[COMMON_ERROR, msg: injected backup failure]" {
			t.Errorf("backup: %v", row)
		}
	})
}
