package starrocks

import (
	"context"
	"encoding/json"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/dolthub/vitess/go/sqltypes"
)

// RESTORE SNAPSHOT (STARROCKS.md 6.4): backup_timestamp is required; a
// missing table is created, an existing one must have the same schema;
// all restored partitions are published in one transaction at COMMIT.

// Restore job states.
const (
	restorePending     = "PENDING"
	restoreSnapshoting = "SNAPSHOTING"
	restoreDownload    = "DOWNLOAD"
	restoreDownloading = "DOWNLOADING"
	restoreCommit      = "COMMIT"
	restoreCommitting  = "COMMITTING"
	restoreFinished    = "FINISHED"
	restoreCancelled   = "CANCELLED"
)

// restoreJob is one RESTORE SNAPSHOT.
type restoreJob struct {
	ID          int64
	Snapshot    string
	Timestamp   string
	DB          string
	Repo        *repository
	ReplNum     string
	AllowLoad   bool
	Timeout     int64
	Objs        string
	info        *snapshotInfo
	meta        *snapshotMeta
	aliases     map[string]string   // backed-up name -> target name
	partFilter  map[string][]string // backed-up name -> partitions (nil: all)
	stopCh      chan struct{}
	stopOnce    sync.Once
	mu          sync.Mutex
	state       string
	status      string
	created     time.Time
	metaDone    time.Time
	snapDone    time.Time
	downDone    time.Time
	end         time.Time
	unfinished  string
	taskProgres string
}

func (j *restoreJob) isDone() bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.state == restoreFinished || j.state == restoreCancelled
}

func (j *restoreJob) repoName() string { return j.Repo.Name }
func (j *restoreJob) isRestore() bool  { return true }

func (j *restoreJob) cancelJob(now time.Time, status string) bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.state == restoreFinished || j.state == restoreCancelled || j.state == restoreCommitting {
		return false
	}
	j.state, j.status, j.end = restoreCancelled, status, now
	j.stopOnce.Do(func() { close(j.stopCh) })
	return true
}

func (j *restoreJob) step(state string, now time.Time) bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.state == restoreCancelled {
		return false
	}
	j.state = state
	switch state {
	case restoreSnapshoting:
		j.metaDone = now
	case restoreDownload:
		j.snapDone = now
	case restoreCommit:
		j.downDone = now
	case restoreFinished:
		j.end = now
	}
	return true
}

// handleRestore: RESTORE SNAPSHOT db.snap FROM repo [ON (...)]
// PROPERTIES ("backup_timestamp" = "...", ...).
func handleRestore(ctx context.Context, s *Session, st *Statement) (*sqltypes.Result, error) {
	p := &parser{src: st.SQL, toks: st.Toks, i: 1}
	if err := p.expectKw("SNAPSHOT"); err != nil {
		return nil, err
	}
	dbName, snapName, err := p.qualifiedName()
	if err != nil {
		return nil, err
	}
	if err := p.expectKw("FROM"); err != nil {
		return nil, err
	}
	repoName, err := p.ident()
	if err != nil {
		return nil, err
	}
	if p.isKw("DATABASE") {
		return nil, errUnsupportedStatement("RESTORE SNAPSHOT ... DATABASE")
	}
	var refs []tableRefClause
	if p.acceptKw("ON") {
		if refs, err = parseTableRefs(p, true); err != nil {
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
	pm := propMap(props)
	ts := pm["backup_timestamp"]
	if ts == "" {
		return nil, analysisError("Missing backup_timestamp property")
	}
	repl := "3"
	if v, ok := pm["replication_num"]; ok {
		if n, err := strconv.Atoi(v); err != nil || n <= 0 {
			return nil, analysisError("Invalid replication_num: " + v)
		}
		repl = v
	}
	timeout, err := timeoutProperty(props)
	if err != nil {
		return nil, err
	}
	db, err := s.resolveDB(dbName)
	if err != nil {
		return nil, err
	}
	if err := s.require("RESTORE", "DATABASE", db, "REPOSITORY"); err != nil {
		return nil, err
	}
	repo := s.c.jobs.repos.get(repoName)
	if repo == nil {
		return nil, errDDLf("Repository %s does not exist", repoName)
	}
	if j := s.c.jobs.backups.job(db); j != nil && !j.isDone() {
		return nil, errDDLf("Can only run one backup or restore job of a database at same time")
	}
	if s.c.prof.sharedData() {
		// STARROCKS.md 6.5: shared-data clusters do not support RESTORE.
		return nil, errDDLf("Shared-data StarRocks clusters do not support data BACKUP and RESTORE.")
	}
	stor, err := repo.store(ctx)
	if err != nil {
		return nil, errDDLf("%s", err.Error())
	}
	info, meta, err := findSnapshot(ctx, stor, repo, snapName, ts)
	if err != nil {
		return nil, errDDLf("Failed to get info of snapshot '%s' because: %s. Maybe specified wrong backup timestamp", snapName, err.Error())
	}
	job := &restoreJob{ID: s.c.store.NewID(), Snapshot: snapName, Timestamp: ts, DB: db, Repo: repo, ReplNum: repl,
		AllowLoad: strings.EqualFold(pm["allow_load"], "true"), Timeout: timeout, info: info, meta: meta,
		aliases: map[string]string{}, partFilter: map[string][]string{}, stopCh: make(chan struct{}),
		state: restorePending, status: "[OK]", created: s.c.jobNow()}
	if len(refs) == 0 {
		for name := range info.Tables {
			refs = append(refs, tableRefClause{Table: name})
		}
		sort.Slice(refs, func(a, b int) bool { return refs[a].Table < refs[b].Table })
	}
	var objs []string
	for _, r := range refs {
		ti, ok := info.Tables[r.Table]
		if !ok || meta.Tables[r.Table] == nil {
			return nil, errDDLf("Table %s does not exist in snapshot %s", r.Table, snapName)
		}
		if r.Temporary {
			return nil, errDDLf("Do not support restoring temporary partitions")
		}
		for _, pn := range r.Partitions {
			found := false
			for _, pi := range ti.Partitions {
				found = found || strings.EqualFold(pi.Name, pn)
			}
			if !found {
				return nil, errDDLf("Partition %s of table %s does not exist in snapshot %s", pn, r.Table, snapName)
			}
		}
		target := r.Table
		if r.Alias != "" {
			target = r.Alias
		}
		job.aliases[r.Table] = target
		job.partFilter[r.Table] = r.Partitions
		objs = append(objs, r.Table)
	}
	details, _ := json.Marshal(map[string]any{"name": snapName, "database": info.Database, "backup_time": ts, "tables": objs})
	job.Objs = string(details)
	if err := s.c.jobs.backups.submit(db, job); err != nil {
		return nil, err
	}
	s.c.jobs.countSubmit(KindRestore)
	s.c.jobs.goJob(func(ctx context.Context) { s.c.runRestore(ctx, job) })
	return okResult(0), nil
}

// findSnapshot reads the snapshot with the name and timestamp.
func findSnapshot(ctx context.Context, st objectStore, repo *repository, name, ts string) (*snapshotInfo, *snapshotMeta, error) {
	entries, err := listSnapshots(ctx, st, repo)
	if err != nil {
		return nil, nil, err
	}
	for _, e := range entries {
		if e.Name == name && e.Timestamp == ts {
			return readSnapshot(ctx, st, repo, e)
		}
	}
	return nil, nil, errSnapshotNotFound(repo, name, ts)
}

func errSnapshotNotFound(repo *repository, name, ts string) error {
	return &textError{"cannot find job info file: " + joinKey(repo.root(), "__ss_"+name+"/__info_"+ts)}
}

// textError is an error with a fixed text.
type textError struct{ s string }

func (e *textError) Error() string { return e.s }

// runRestore downloads the partitions (DOWNLOADING, paced by the job
// model) and publishes them at COMMIT in one transaction.
func (c *Cluster) runRestore(ctx context.Context, j *restoreJob) {
	fault := c.jobs.drawFault(KindRestore)
	fail := func(msg string) { j.cancelJob(c.jobNow(), "[COMMON_ERROR, msg: "+msg+"]") }
	for _, st := range []string{restoreSnapshoting, restoreDownload, restoreDownloading} {
		if !j.step(st, c.jobNow()) {
			return
		}
	}
	stor, err := j.Repo.store(ctx)
	if err != nil {
		fail(err.Error())
		return
	}
	dir := joinKey(j.Repo.root(), "__ss_"+j.Snapshot)
	var tables []RestoreTable
	names := make([]string, 0, len(j.aliases))
	for n := range j.aliases {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		def := j.meta.Tables[name]
		rt := RestoreTable{Name: j.aliases[name], Def: def, ReplicationNum: j.ReplNum}
		for _, pi := range j.info.Tables[name].Partitions {
			if f := j.partFilter[name]; f != nil && !containsFold(f, pi.Name) {
				continue
			}
			data, err := readAll(ctx, stor, joinKey(dir, pi.DataFile))
			if err != nil {
				if ctx.Err() == nil {
					fail(err.Error())
				}
				return
			}
			rows, err := decodePartitionRows(def, data)
			if err != nil {
				fail(err.Error())
				return
			}
			rt.Partitions = append(rt.Partitions, Partition{Name: pi.Name, Lower: pi.Lower, Upper: pi.Upper, Values: pi.Values,
				VisibleVersion: pi.Version, Buckets: pi.Buckets, Rows: rows})
			if !c.jobs.pace(ctx, j.stopCh, pi.DataSize, nil) {
				return
			}
		}
		tables = append(tables, rt)
	}
	switch {
	case fault.failText != "":
		fail(fault.failText)
		return
	case fault.cancelled:
		fail(cancelRateMsg)
		return
	}
	if !j.step(restoreCommit, c.jobNow()) || !j.step(restoreCommitting, c.jobNow()) {
		return
	}
	if err := c.store.RestoreTables(j.DB, tables); err != nil {
		j.mu.Lock()
		j.state, j.status, j.end = restoreCancelled, "[COMMON_ERROR, msg: "+sqlErrorText(err)+"]", c.jobNow()
		j.mu.Unlock()
		return
	}
	j.step(restoreFinished, c.jobNow())
}
