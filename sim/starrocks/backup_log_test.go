package starrocks

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestBackupJobLog: the job log keeps every BACKUP and RESTORE of a
// database, with start and end, after SHOW BACKUP only shows the last.
func TestBackupJobLog(t *testing.T) {
	dir := t.TempDir()
	c := startCluster(t, "3.3.8", SharedNothing)
	db := rootDB(t, c, "d")
	mustExec(t, db, "CREATE TABLE plain (k INT, v STRING) DISTRIBUTED BY HASH(k)")
	mustExec(t, db, "INSERT INTO plain VALUES (1, 'x')")
	mustExec(t, db, fmt.Sprintf(`CREATE REPOSITORY r WITH BROKER ON LOCATION "file://%s/repo"`, dir))
	backupAndWait(t, db, "BACKUP SNAPSHOT d.s1 TO r ON (plain)")
	backupAndWait(t, db, "BACKUP SNAPSHOT d.s2 TO r ON (plain)")
	restoreAndWait(t, db, `RESTORE SNAPSHOT d.s1 FROM r ON (plain AS plain2) PROPERTIES ("backup_timestamp" = "2024-05-06-07-08-09-000", "replication_num" = "1")`)
	var got [][3]string
	log := c.BackupJobs()
	for i, e := range log {
		got = append(got, [3]string{e.Kind, e.Snapshot, e.State})
		if e.Ended.IsZero() || (i > 0 && e.Started.Before(log[i-1].Ended)) {
			t.Errorf("job %d: started %v, ended %v, previous ended %v", i, e.Started, e.Ended, log[max(i-1, 0)].Ended)
		}
	}
	want := [][3]string{{KindBackup, "s1", "FINISHED"}, {KindBackup, "s2", "FINISHED"}, {KindRestore, "s1", "FINISHED"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("job log (-want +got):\n%s", diff)
	}
}
