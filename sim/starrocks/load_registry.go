package starrocks

import (
	"context"
	"errors"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/dolthub/vitess/go/mysql"
)

// Load job states as SHOW LOAD prints them (STARROCKS.md 5.3). QUEUEING is
// a LOADING job waiting for a slot (max_broker_load_job_concurrency).
const (
	loadPending   = "PENDING"
	loadQueueing  = "QUEUEING"
	loadLoading   = "LOADING"
	loadFinished  = "FINISHED"
	loadCancelled = "CANCELLED"
)

// Load fail types (FailMsg.CancelType, STARROCKS.md 5.2).
const (
	failUserCancel         = "USER_CANCEL"
	failEtlRunFail         = "ETL_RUN_FAIL"
	failQualityUnsatisfied = "ETL_QUALITY_UNSATISFIED"
	failLoadRunFail        = "LOAD_RUN_FAIL"
	failTimeout            = "TIMEOUT"
)

// qualityFailMsg is DataQualityException.QUALITY_FAIL_MSG.
const qualityFailMsg = "quality not good enough to cancel"

// brokerLoadConcurrency is max_broker_load_job_concurrency.
const brokerLoadConcurrency = 5

// loadJob is one row of SHOW LOAD / information_schema.loads: a Broker
// Load or an INSERT (which shows only FINISHED or CANCELLED).
type loadJob struct {
	ID             int64
	Label          string
	DB             string
	Table          string
	Type           string // "BROKER" or "INSERT"
	User           string
	Priority       string
	Timeout        int64
	MaxFilterRatio float64
	Props          map[string]string // job PROPERTIES, for information_schema.loads

	stopCh   chan struct{}
	stopOnce sync.Once

	mu             sync.Mutex
	state          string
	progress       int
	scanRows       int64
	scanBytes      int64
	filteredRows   int64
	unselectedRows int64
	sinkRows       int64
	fileNumber     int64
	fileSize       int64
	created        time.Time
	loadStart      time.Time
	finished       time.Time
	failType       string
	failMsg        string
	txnID          int64
}

// loadRegistry holds the load jobs of a cluster.
type loadRegistry struct {
	mu      sync.Mutex
	byID    map[int64]*loadJob
	running int
}

func (r *loadRegistry) add(j *loadJob) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.byID[j.ID] = j
}

func (r *loadRegistry) remove(id int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.byID, id)
}

// list returns the jobs of a database (all when db is ""), by id.
func (r *loadRegistry) list(db string) []*loadJob {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []*loadJob
	for _, j := range r.byID {
		if db == "" || j.DB == db {
			out = append(out, j)
		}
	}
	sort.Slice(out, func(a, b int) bool { return out[a].ID < out[b].ID })
	return out
}

// tryAcquire takes a broker-load slot if one is free.
func (r *loadRegistry) tryAcquire() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.running >= brokerLoadConcurrency {
		return false
	}
	r.running++
	return true
}

func (r *loadRegistry) release() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.running--
}

// view is a copy of the job taken under its lock.
type loadView struct {
	*loadJob
	state, failType, failMsg                                           string
	progress                                                           int
	scanRows, scanBytes, filteredRows, unselectedRows, sinkRows, txnID int64
	fileNumber, fileSize                                               int64
	created, loadStart, finished                                       time.Time
}

func (j *loadJob) view() loadView {
	j.mu.Lock()
	defer j.mu.Unlock()
	return loadView{
		loadJob: j, state: j.state, failType: j.failType, failMsg: j.failMsg, progress: j.progress,
		scanRows: j.scanRows, scanBytes: j.scanBytes, filteredRows: j.filteredRows, unselectedRows: j.unselectedRows,
		sinkRows: j.sinkRows, txnID: j.txnID, fileNumber: j.fileNumber, fileSize: j.fileSize,
		created: j.created, loadStart: j.loadStart, finished: j.finished,
	}
}

// done reports whether the job has ended.
func (j *loadJob) done() bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.state == loadFinished || j.state == loadCancelled
}

// setState moves a running job on; false when it has already ended.
func (j *loadJob) setState(state string, now time.Time) bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.state == loadFinished || j.state == loadCancelled {
		return false
	}
	if state == loadLoading && j.loadStart.IsZero() {
		j.loadStart = now
	}
	j.state = state
	return true
}

// fail cancels a running job; false when it had already ended.
func (j *loadJob) fail(now time.Time, typ, msg string) bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.state == loadFinished || j.state == loadCancelled {
		return false
	}
	j.state, j.failType, j.failMsg, j.finished = loadCancelled, typ, msg, now
	j.stopOnce.Do(func() {
		if j.stopCh != nil {
			close(j.stopCh)
		}
	})
	return true
}

// recordInsert adds the SHOW LOAD row of an INSERT statement: FINISHED
// with its rows, or CANCELLED with its error (STARROCKS.md 5.3).
func (c *Cluster) recordInsert(db, table, label string, jobID int64, user string, created time.Time, rows int64, txnID int64, err error) {
	now := c.jobNow()
	j := &loadJob{ID: jobID, Label: label, DB: db, Table: table, Type: "INSERT", User: user, Priority: "NORMAL",
		Timeout: 3600, created: created, loadStart: created, finished: now, txnID: txnID}
	if err != nil {
		j.state, j.failType, j.failMsg = loadCancelled, failLoadRunFail, sqlErrorText(err)
	} else {
		j.state, j.progress, j.scanRows, j.sinkRows = loadFinished, 100, rows, rows
	}
	c.jobs.loads.add(j)
}

// sqlErrorText is the message of an error without the wire error number.
func sqlErrorText(err error) string {
	var se *mysql.SQLError
	if errors.As(err, &se) {
		return se.Message
	}
	return err.Error()
}

// purgeLabels drops finished and cancelled labels older than the keep
// time, then all but the newest LabelKeepMaxNum of them, with their load
// jobs (Controls.PurgeLabels).
func (c *Cluster) purgeLabels() int {
	now := c.jobNow()
	ended := c.store.Labels.List("")
	var done []LabelEntry
	for _, e := range ended {
		if e.State == LabelFinished || e.State == LabelCancelled {
			done = append(done, e)
		}
	}
	sort.Slice(done, func(a, b int) bool { return done[a].FinishedAt.After(done[b].FinishedAt) })
	drop := map[string]bool{}
	for i, e := range done {
		if i >= c.opts.LabelKeepMaxNum || !e.FinishedAt.Add(c.opts.LabelKeep).After(now) {
			drop[labelKey(e.DB, e.Label)+"\x00"+strconv.FormatInt(e.JobID, 10)] = true
		}
	}
	n := c.store.Labels.Purge(func(e LabelEntry) bool {
		return !drop[labelKey(e.DB, e.Label)+"\x00"+strconv.FormatInt(e.JobID, 10)]
	})
	for _, j := range c.jobs.loads.list("") {
		v := j.view()
		if (v.state == loadFinished || v.state == loadCancelled) && drop[labelKey(j.DB, j.Label)+"\x00"+strconv.FormatInt(j.ID, 10)] {
			c.jobs.loads.remove(j.ID)
		}
	}
	// Jobs whose label was taken over after a cancellation have no entry
	// left; they expire by their own finish time.
	for _, j := range c.jobs.loads.list("") {
		v := j.view()
		if (v.state == loadFinished || v.state == loadCancelled) && !v.finished.Add(c.opts.LabelKeep).After(now) {
			c.jobs.loads.remove(j.ID)
		}
	}
	return n
}

// startLabelCleaner purges expired labels every LabelCleanInterval until
// the cluster closes.
func (c *Cluster) startLabelCleaner() {
	c.jobs.goJob(func(ctx context.Context) {
		t := time.NewTicker(c.opts.LabelCleanInterval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				c.purgeLabels()
			}
		}
	})
}
