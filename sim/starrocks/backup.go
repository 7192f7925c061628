package starrocks

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/dolthub/vitess/go/sqltypes"
)

// BACKUP SNAPSHOT (STARROCKS.md 6.2). Texts of refusals come from
// BackupHandler. Only one BACKUP or RESTORE runs per database; SHOW BACKUP
// and SHOW RESTORE show the database's last job only (one job per
// database is kept, of either kind). Shared-data clusters refuse: their
// tables are not OLAP tables to the backup handler.

// Backup job states.
const (
	backupPending        = "PENDING"
	backupSnapshoting    = "SNAPSHOTING"
	backupUploadSnapshot = "UPLOAD_SNAPSHOT"
	backupUploading      = "UPLOADING"
	backupSaveMeta       = "SAVE_META"
	backupUploadInfo     = "UPLOAD_INFO"
	backupFinished       = "FINISHED"
	backupCancelled      = "CANCELLED"
)

// brJob is a backup or restore job (AbstractJob).
type brJob interface {
	isDone() bool
	repoName() string
	isRestore() bool
	cancelJob(now time.Time, status string) bool
}

// backupRegistry keeps the last backup-or-restore job of every database.
type backupRegistry struct {
	mu   sync.Mutex
	last map[string]brJob
	// log is every job accepted, in order (Cluster.BackupJobs).
	log []brJob
}

func (r *backupRegistry) job(db string) brJob {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.last[db]
}

// submit installs a job for db unless one is running there.
func (r *backupRegistry) submit(db string, j brJob) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if cur := r.last[db]; cur != nil && !cur.isDone() {
		return errDDLf("Can only run one backup or restore job of a database at same time")
	}
	r.last[db] = j
	r.log = append(r.log, j)
	return nil
}

func (r *backupRegistry) runningOnRepo(repo string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, j := range r.last {
		if !j.isDone() && j.repoName() == repo {
			return true
		}
	}
	return false
}

// backupTable is one table a backup writes: its definition and the
// partitions' rows at submission.
type backupTable struct {
	ID    int64
	Def   *TableDef
	Parts []Partition
}

// backupJob is one BACKUP SNAPSHOT.
type backupJob struct {
	ID        int64
	Snapshot  string
	DB        string
	DBID      int64
	Repo      *repository
	Objs      string
	Timeout   int64
	Timestamp string
	tables    []backupTable
	stopCh    chan struct{}

	mu                                     sync.Mutex
	state, status                          string
	created, snapshotDone, uploadDone, end time.Time
	unfinished, taskProgress               string
	stopOnce                               sync.Once
}

func (j *backupJob) isDone() bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.state == backupFinished || j.state == backupCancelled
}

func (j *backupJob) repoName() string { return j.Repo.Name }
func (j *backupJob) isRestore() bool  { return false }

func (j *backupJob) cancelJob(now time.Time, status string) bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.state == backupFinished || j.state == backupCancelled {
		return false
	}
	j.state, j.status, j.end = backupCancelled, status, now
	j.stopOnce.Do(func() { close(j.stopCh) })
	return true
}

// step moves a running job to a state; false once it has ended.
func (j *backupJob) step(state string, now time.Time) bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.state == backupCancelled {
		return false
	}
	j.state = state
	switch state {
	case backupUploadSnapshot:
		j.snapshotDone = now
	case backupSaveMeta:
		j.uploadDone = now
	case backupFinished:
		j.end = now
	}
	return true
}

// tableRefClause is one "t [PARTITION (p, ...)] [AS alias]" of ON (...).
type tableRefClause struct {
	Table      string
	Partitions []string
	Temporary  bool
	Alias      string
}

// parseTableRefs consumes ON (t [PARTITION (...)] [AS a], ...).
func parseTableRefs(p *parser, allowAlias bool) ([]tableRefClause, error) {
	if err := p.expectPunct("("); err != nil {
		return nil, err
	}
	var out []tableRefClause
	for {
		p.acceptKw("TABLE")
		var r tableRefClause
		var err error
		if r.Table, err = p.ident(); err != nil {
			return nil, err
		}
		if p.isKw("TEMPORARY", "PARTITION") || p.isKw("TEMPORARY", "PARTITIONS") {
			p.next()
			r.Temporary = true
		}
		if p.acceptKw("PARTITION") || p.acceptKw("PARTITIONS") {
			if r.Partitions, err = p.identList(); err != nil {
				return nil, err
			}
		}
		if allowAlias && p.acceptKw("AS") {
			if r.Alias, err = p.ident(); err != nil {
				return nil, err
			}
		}
		out = append(out, r)
		if p.acceptPunct(",") {
			continue
		}
		return out, p.expectPunct(")")
	}
}

// timeoutProperty reads PROPERTIES "timeout" (default 86400 s).
func timeoutProperty(props []property) (int64, error) {
	for _, pr := range props {
		if strings.EqualFold(pr.Key, "timeout") {
			n, err := strconv.ParseInt(pr.Value, 10, 64)
			if err != nil || n <= 0 {
				return 0, analysisError("Invalid timeout format: " + pr.Value)
			}
			return n, nil
		}
	}
	return 86400, nil
}

// exprPartitionBackup reports whether the release backs up expression-
// partitioned tables (3.1.16, 3.2.13, 3.3.8, 3.4.0; STARROCKS.md 6.4).
func (p profile) exprPartitionBackup() bool {
	switch p.Minor {
	case 1:
		return p.Patch >= 16
	case 2:
		return p.Patch >= 13
	case 3:
		return p.Patch >= 8
	}
	return true
}

// handleBackup: BACKUP SNAPSHOT db.snap TO repo [ON (...)] [PROPERTIES (...)].
func handleBackup(ctx context.Context, s *Session, st *Statement) (*sqltypes.Result, error) {
	p := &parser{src: st.SQL, toks: st.Toks, i: 1}
	if p.isKw("DATABASE") || p.isKw("EXTERNAL") || p.isKw("ALL") {
		return nil, errUnsupportedStatement("BACKUP DATABASE / EXTERNAL CATALOG")
	}
	if err := p.expectKw("SNAPSHOT"); err != nil {
		return nil, err
	}
	dbName, snapName, err := p.qualifiedName()
	if err != nil {
		return nil, err
	}
	if err := p.expectKw("TO"); err != nil {
		return nil, err
	}
	repoName, err := p.ident()
	if err != nil {
		return nil, err
	}
	var refs []tableRefClause
	if p.acceptKw("ON") {
		if refs, err = parseTableRefs(p, false); err != nil {
			return nil, err
		}
	}
	var props []property
	if p.acceptKw("PROPERTIES") {
		if props, err = p.properties(); err != nil {
			return nil, err
		}
	}
	if err := p.expectEnd(); err != nil {
		return nil, err
	}
	for _, pr := range props {
		if strings.EqualFold(pr.Key, "type") && !strings.EqualFold(pr.Value, "full") {
			return nil, analysisError("Invalid backup job type: " + pr.Value)
		}
	}
	timeout, err := timeoutProperty(props)
	if err != nil {
		return nil, err
	}
	db, err := s.resolveDB(dbName)
	if err != nil {
		return nil, err
	}
	if err := s.require("BACKUP", "DATABASE", db, "REPOSITORY"); err != nil {
		return nil, err
	}
	repo := s.c.jobs.repos.get(repoName)
	if repo == nil {
		return nil, errDDLf("Repository %s does not exist", repoName)
	}
	if j := s.c.jobs.backups.job(db); j != nil && !j.isDone() {
		return nil, errDDLf("Can only run one backup or restore job of a database at same time")
	}
	if repo.ReadOnly {
		return nil, errDDLf("Repository %s is read only", repo.Name)
	}
	job := &backupJob{ID: s.c.store.NewID(), Snapshot: snapName, DB: db, DBID: s.c.dbID(db), Repo: repo, Timeout: timeout,
		stopCh: make(chan struct{}), state: backupPending, status: "[OK]", created: s.c.jobNow()}
	job.Timestamp = backupTimestamp(job.created)
	if len(refs) == 0 {
		names, _ := s.c.store.TableNames(db)
		for _, n := range names {
			refs = append(refs, tableRefClause{Table: n})
		}
	}
	var objs []string
	for _, r := range refs {
		snap := s.c.store.TableIfExists(db, r.Table)
		if snap == nil {
			return nil, errTableNotFoundDDL(r.Table)
		}
		if s.c.prof.sharedData() {
			return nil, newError(errDDL, fmt.Sprintf("Table '%s' is not a OLAP table", r.Table))
		}
		if k := snap.Def.Partition.Kind; (k == ExprTimePartitioned || k == ExprColumnPartitioned) && !s.c.prof.exprPartitionBackup() {
			// [unconfirmed] wording; support arrived in 3.1.16/3.2.13/3.3.8.
			return nil, errDDLf("Do not support backing up table %s with expression partitions", r.Table)
		}
		if len(snap.Temps) > 0 {
			return nil, errDDLf("Do not support backing up table with temp partitions")
		}
		if r.Temporary {
			return nil, errDDLf("Do not support backing up temp partitions")
		}
		bt := backupTable{ID: snap.ID, Def: snap.Def, Parts: snap.Partitions}
		obj := db + "." + r.Table
		if r.Partitions != nil {
			bt.Parts = nil
			for _, pn := range r.Partitions {
				pt, ok := snap.Partition(pn, false)
				if !ok {
					return nil, errDDLf("Unknown partition %s in table%s", pn, r.Table)
				}
				bt.Parts = append(bt.Parts, pt)
			}
			obj += " PARTITIONS (" + strings.Join(r.Partitions, ", ") + ")"
		}
		objs = append(objs, "["+obj+"]")
		job.tables = append(job.tables, bt)
	}
	job.Objs = strings.Join(objs, ", ")
	stor, err := repo.store(ctx)
	if err != nil {
		return nil, errDDLf("%s", err.Error())
	}
	existing, err := listSnapshots(ctx, stor, repo)
	if err != nil {
		return nil, errDDLf("%s", err.Error())
	}
	for _, e := range existing {
		if e.Name == snapName {
			return nil, errDDLf("Snapshot with name '%s' already exist in repository", snapName)
		}
	}
	if err := s.c.jobs.backups.submit(db, job); err != nil {
		return nil, err
	}
	s.c.jobs.countSubmit(KindBackup)
	s.c.jobs.goJob(func(ctx context.Context) { s.c.runBackup(ctx, job) })
	return okResult(0), nil
}

// runBackup writes the snapshot: partition data (UPLOADING, paced by the
// job model), then the meta and info files (SAVE_META, UPLOAD_INFO).
func (c *Cluster) runBackup(ctx context.Context, j *backupJob) {
	fault := c.jobs.drawFault(KindBackup)
	fail := func(msg string) { j.cancelJob(c.jobNow(), "[COMMON_ERROR, msg: "+msg+"]") }
	if !j.step(backupSnapshoting, c.jobNow()) || !j.step(backupUploadSnapshot, c.jobNow()) || !j.step(backupUploading, c.jobNow()) {
		return
	}
	stor, err := j.Repo.store(ctx)
	if err != nil {
		fail(err.Error())
		return
	}
	dir := joinKey(j.Repo.root(), "__ss_"+j.Snapshot)
	info := &snapshotInfo{Name: j.Snapshot, BackupTime: j.Timestamp, Database: j.DB, DatabaseID: j.DBID, Tables: map[string]*snapshotTableInfo{}}
	meta := &snapshotMeta{Tables: map[string]*TableDef{}, DDL: map[string]string{}}
	var written []string
	for _, t := range j.tables {
		ti := &snapshotTableInfo{ID: t.ID, Name: t.Def.Name}
		for _, pt := range t.Parts {
			data := encodePartitionRows(t.Def, pt.Rows)
			key := joinKey(dir, fmt.Sprintf("__ss_content/__db_%d/__tbl_%d/__part_%d/%s", j.DBID, t.ID, pt.ID, withChecksum("__data", data)))
			if err := writeAll(ctx, stor, key, data); err != nil {
				cleanupKeys(stor, written)
				fail(err.Error())
				return
			}
			written = append(written, key)
			ti.Partitions = append(ti.Partitions, &snapshotPartInfo{Name: pt.Name, ID: pt.ID, Version: pt.VisibleVersion,
				Rows: pt.RowCount(), DataSize: pt.DataSize, Buckets: pt.Buckets, Lower: pt.Lower, Upper: pt.Upper,
				Values: pt.Values, DataFile: key[len(dir)+1:]})
			if !c.jobs.pace(ctx, j.stopCh, pt.DataSize, nil) {
				cleanupKeys(stor, written)
				return
			}
		}
		info.Tables[t.Def.Name] = ti
		meta.Tables[t.Def.Name] = t.Def
		meta.DDL[t.Def.Name] = showCreateTable(&TableSnapshot{ID: t.ID, DB: j.DB, Def: t.Def, Partitions: t.Parts}, c.prof)
	}
	switch {
	case fault.failText != "":
		cleanupKeys(stor, written)
		fail(fault.failText)
		return
	case fault.cancelled:
		cleanupKeys(stor, written)
		fail(cancelRateMsg)
		return
	}
	if !j.step(backupSaveMeta, c.jobNow()) {
		cleanupKeys(stor, written)
		return
	}
	metaData, _ := json.Marshal(meta)
	infoData, _ := json.Marshal(info)
	if err := writeAll(ctx, stor, joinKey(dir, withChecksum("__meta", metaData)), metaData); err != nil {
		fail(err.Error())
		return
	}
	if !j.step(backupUploadInfo, c.jobNow()) {
		return
	}
	if err := writeAll(ctx, stor, joinKey(dir, withChecksum("__info_"+j.Timestamp, infoData)), infoData); err != nil {
		fail(err.Error())
		return
	}
	j.step(backupFinished, c.jobNow())
}
