package starrocks

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/dolthub/vitess/go/sqltypes"
)

// SHOW BACKUP / SHOW RESTORE / SHOW SNAPSHOT / CANCEL BACKUP|RESTORE
// (STARROCKS.md 6.3).

var (
	showBackupColumns = []string{"JobId", "SnapshotName", "DbName", "State", "BackupObjs", "CreateTime",
		"SnapshotFinishedTime", "UploadFinishedTime", "FinishedTime", "UnfinishedTasks", "Progress", "TaskErrMsg",
		"Status", "Timeout"}
	showRestoreColumns = []string{"JobId", "Label", "Timestamp", "DbName", "State", "AllowLoad", "ReplicationNum",
		"RestoreObjs", "CreateTime", "MetaPreparedTime", "SnapshotFinishedTime", "DownloadFinishedTime", "FinishedTime",
		"UnfinishedTasks", "Progress", "TaskErrMsg", "Status", "Timeout"}
	showSnapshotColumns       = []string{"Snapshot", "Timestamp", "Status"}
	showSnapshotDetailColumns = []string{"Snapshot", "Timestamp", "Status", "Database", "Details"}
)

// parseFromDB consumes an optional FROM|IN db.
func parseFromDB(p *parser) (string, error) {
	if p.acceptKw("FROM") || p.acceptKw("IN") {
		return p.ident()
	}
	return "", nil
}

// handleShowBackup: SHOW BACKUP [FROM db] — the database's last job, if it
// is a backup.
func handleShowBackup(_ context.Context, s *Session, st *Statement) (*sqltypes.Result, error) {
	p := &parser{src: st.SQL, toks: st.Toks, i: 2}
	db, err := parseFromDB(p)
	if err != nil {
		return nil, err
	}
	if err := p.expectEnd(); err != nil {
		return nil, err
	}
	if db, err = s.resolveDB(db); err != nil {
		return nil, err
	}
	var rows [][]any
	if j, ok := s.c.jobs.backups.job(db).(*backupJob); ok {
		j.mu.Lock()
		rows = append(rows, []any{j.ID, j.Snapshot, j.DB, j.state, j.Objs, jobTime(j.created), jobTime(j.snapshotDone),
			jobTime(j.uploadDone), jobTime(j.end), j.unfinished, j.taskProgress, "", j.status, j.Timeout})
		j.mu.Unlock()
	}
	return textResult(showBackupColumns, rows), nil
}

// handleShowRestore: SHOW RESTORE [FROM db] [WHERE ...] — the database's
// last job, if it is a restore. A WHERE clause is accepted and ignored,
// as there is at most one row.
func handleShowRestore(_ context.Context, s *Session, st *Statement) (*sqltypes.Result, error) {
	p := &parser{src: st.SQL, toks: st.Toks, i: 2}
	db, err := parseFromDB(p)
	if err != nil {
		return nil, err
	}
	if p.acceptKw("WHERE") {
		for !p.atEnd() {
			p.next()
		}
	}
	if err := p.expectEnd(); err != nil {
		return nil, err
	}
	if db, err = s.resolveDB(db); err != nil {
		return nil, err
	}
	var rows [][]any
	if j, ok := s.c.jobs.backups.job(db).(*restoreJob); ok {
		j.mu.Lock()
		rows = append(rows, []any{j.ID, j.Snapshot, j.Timestamp, j.DB, j.state, boolText(j.AllowLoad), j.ReplNum, j.Objs,
			jobTime(j.created), jobTime(j.metaDone), jobTime(j.snapDone), jobTime(j.downDone), jobTime(j.end),
			j.unfinished, j.taskProgres, "", j.status, j.Timeout})
		j.mu.Unlock()
	}
	return textResult(showRestoreColumns, rows), nil
}

// handleShowSnapshot: SHOW SNAPSHOT ON repo [WHERE SNAPSHOT = "x" [AND
// TIMESTAMP = "y"]]. With both conditions the detailed columns (Database,
// Details) are shown.
func handleShowSnapshot(ctx context.Context, s *Session, st *Statement) (*sqltypes.Result, error) {
	p := &parser{src: st.SQL, toks: st.Toks, i: 2}
	if err := p.expectKw("ON"); err != nil {
		return nil, err
	}
	repoName, err := p.ident()
	if err != nil {
		return nil, err
	}
	snapName, ts := "", ""
	if p.acceptKw("WHERE") {
		for {
			n, err := p.ident()
			if err != nil {
				return nil, err
			}
			if err := p.expectPunct("="); err != nil {
				return nil, err
			}
			v, err := p.stringLit()
			if err != nil {
				return nil, err
			}
			switch strings.ToUpper(n) {
			case "SNAPSHOT":
				snapName = v
			case "TIMESTAMP":
				ts = v
			default:
				return nil, analysisError(`Where clause should looks like: SNAPSHOT = 'your_snapshot_name' [AND TIMESTAMP = '2018-04-19-11-11-11']`)
			}
			if !p.acceptKw("AND") {
				break
			}
		}
	}
	if err := p.expectEnd(); err != nil {
		return nil, err
	}
	repo := s.c.jobs.repos.get(repoName)
	if repo == nil {
		return nil, errDDLf("Repository %s does not exist", repoName)
	}
	stor, err := repo.store(ctx)
	if err != nil {
		return nil, errDDLf("%s", err.Error())
	}
	entries, err := listSnapshots(ctx, stor, repo)
	if err != nil {
		return nil, errDDLf("%s", err.Error())
	}
	detail := snapName != "" && ts != ""
	var rows [][]any
	for _, e := range entries {
		if (snapName != "" && e.Name != snapName) || (ts != "" && e.Timestamp != ts) {
			continue
		}
		if !detail {
			rows = append(rows, []any{e.Name, e.Timestamp, "OK"})
			continue
		}
		info, _, err := readSnapshot(ctx, stor, repo, e)
		if err != nil {
			rows = append(rows, []any{e.Name, e.Timestamp, "ERROR: " + err.Error(), "", ""})
			continue
		}
		objs := map[string]any{}
		for name, t := range info.Tables {
			var parts []string
			for _, pt := range t.Partitions {
				parts = append(parts, pt.Name)
			}
			objs[name] = map[string]any{"partitions": parts}
		}
		d, _ := json.Marshal(map[string]any{"database": info.Database, "backup_time": info.BackupTime, "backup_objs": objs})
		rows = append(rows, []any{e.Name, e.Timestamp, "OK", info.Database, string(d)})
	}
	if detail {
		return textResult(showSnapshotDetailColumns, rows), nil
	}
	return textResult(showSnapshotColumns, rows), nil
}

// handleCancelBackup: CANCEL BACKUP|RESTORE [FROM db].
func handleCancelBackup(_ context.Context, s *Session, st *Statement) (*sqltypes.Result, error) {
	restore := st.Toks[1].isWord("RESTORE")
	p := &parser{src: st.SQL, toks: st.Toks, i: 2}
	db, err := parseFromDB(p)
	if err != nil {
		return nil, err
	}
	if err := p.expectEnd(); err != nil {
		return nil, err
	}
	if db, err = s.resolveDB(db); err != nil {
		return nil, err
	}
	fam := "BACKUP"
	if restore {
		fam = "RESTORE"
	}
	if err := s.require(fam, "DATABASE", db); err != nil {
		return nil, err
	}
	j := s.c.jobs.backups.job(db)
	if j == nil || j.isRestore() != restore {
		// BackupHandler.cancel's text, including its uneven wording.
		what := "backup job"
		if restore {
			what = "restore"
		}
		return nil, errDDLf("No %s is currently running", what)
	}
	if !j.cancelJob(s.c.jobNow(), "[CANCELLED, msg: user cancelled]") {
		state := ""
		switch x := j.(type) {
		case *backupJob:
			x.mu.Lock()
			state = x.state
			x.mu.Unlock()
		case *restoreJob:
			x.mu.Lock()
			state = x.state
			x.mu.Unlock()
		}
		return nil, errDDLf("Failed to cancel job: Job can not be cancelled. state: %s", state)
	}
	return okResult(0), nil
}
