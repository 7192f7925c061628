package starrocks

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"sort"
	"sync"
	"time"
)

// Export job states (STARROCKS.md 3.3).
const (
	exportPending   = "PENDING"
	exportExporting = "EXPORTING"
	exportFinished  = "FINISHED"
	exportCancelled = "CANCELLED"
)

// Export cancel types (ExportFailMsg.CancelType).
const (
	exportUserCancel = "USER_CANCEL"
	exportRunFail    = "RUN_FAIL"
	exportTimeout    = "TIMEOUT"
)

// exportTaskBytes is export_max_bytes_per_be_per_task (256 MB): the data
// of one task; a bigger export is split into several tasks (task_no).
const exportTaskBytes = 256 << 20

// exportRunningLimit is export_running_job_num_limit: jobs beyond it wait
// in PENDING.
const exportRunningLimit = 5

// exportJob is one EXPORT. The rows are the partitions' rows at
// submission: later loads do not change what the job writes.
type exportJob struct {
	ID         int64
	QueryID    string
	DB, Table  string
	Partitions []string
	Columns    []string
	Path       string
	Broker     string

	opts    exportOptions
	loc     location
	prefix  string
	props   map[string]string
	def     *TableDef
	colIdx  []int
	parts   []Partition
	tablets int64
	stopCh  chan struct{}

	mu         sync.Mutex
	state      string
	progress   int
	created    time.Time
	started    time.Time
	finished   time.Time
	cancelType string
	errMsg     string
	tasks      int
	stopOnce   sync.Once
	// moved counts the files renamed into Path so far; movedAtCancel is
	// that count when the job was cancelled.
	moved, movedAtCancel int
}

// exportRegistry holds the export jobs of a cluster (SHOW EXPORT reads at
// most 2000 per database).
type exportRegistry struct {
	mu      sync.Mutex
	byID    map[int64]*exportJob
	running int
}

func (r *exportRegistry) add(j *exportJob) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.byID[j.ID] = j
}

// list returns the jobs of a database ordered by id.
func (r *exportRegistry) list(db string) []*exportJob {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []*exportJob
	for _, j := range r.byID {
		if j.DB == db {
			out = append(out, j)
		}
	}
	sort.Slice(out, func(a, b int) bool { return out[a].ID < out[b].ID })
	return out
}

// acquire waits for a running slot; false when ctx or the job stops first.
func (r *exportRegistry) acquire(ctx context.Context, j *exportJob) bool {
	for {
		r.mu.Lock()
		if r.running < exportRunningLimit {
			r.running++
			r.mu.Unlock()
			return true
		}
		r.mu.Unlock()
		t := time.NewTimer(5 * time.Millisecond)
		select {
		case <-ctx.Done():
			t.Stop()
			return false
		case <-j.stopCh:
			t.Stop()
			return false
		case <-t.C:
		}
	}
}

func (r *exportRegistry) release() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.running--
}

// snapshot returns the job's show-state under its lock.
func (j *exportJob) snapshot() exportJob {
	j.mu.Lock()
	defer j.mu.Unlock()
	return exportJob{
		ID: j.ID, QueryID: j.QueryID, DB: j.DB, Table: j.Table, Partitions: j.Partitions, Columns: j.Columns,
		Path: j.Path, Broker: j.Broker, opts: j.opts, tablets: j.tablets, state: j.state, progress: j.progress,
		created: j.created, started: j.started, finished: j.finished, cancelType: j.cancelType, errMsg: j.errMsg, tasks: j.tasks,
	}
}

// cancel ends a job that has not ended yet; false when it had.
func (j *exportJob) cancel(now time.Time, typ, msg string) bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.state == exportFinished || j.state == exportCancelled {
		return false
	}
	j.state, j.cancelType, j.errMsg = exportCancelled, typ, msg
	j.finished, j.progress = now, 100
	j.movedAtCancel = j.moved
	j.stopOnce.Do(func() { close(j.stopCh) })
	return true
}

// cancelledMoves reports whether the job was cancelled and, if so, how
// many of its files had been moved into its directory by then.
func (j *exportJob) cancelledMoves() (bool, int) {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.state == exportCancelled, j.movedAtCancel
}

func (j *exportJob) setState(state string, now time.Time) bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.state == exportCancelled {
		return false
	}
	j.state = state
	switch state {
	case exportExporting:
		j.started = now
	case exportFinished:
		j.finished, j.progress = now, 100
	}
	return true
}

func (j *exportJob) setProgress(p int) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.state == exportExporting && p < 100 {
		j.progress = p
	}
}

// runExport runs one export job: wait for a slot, draw faults, write the
// CSV files into <dir>/__starrocks_export_tmp_<query_id>/, pace them by
// the job model, then rename them into <dir>.
func (c *Cluster) runExport(ctx context.Context, j *exportJob) {
	if !c.jobs.exports.acquire(ctx, j) {
		return
	}
	defer c.jobs.exports.release()
	if !j.setState(exportExporting, c.jobNow()) {
		return
	}
	fault := c.jobs.drawFault(KindExport)
	var total int64
	for _, p := range j.parts {
		total += p.DataSize
	}
	ctx, cancel, timedOut := c.jobs.withJobTimeout(ctx, j.opts.timeout)
	defer cancel()
	st, err := openStore(ctx, j.loc, j.props)
	if err != nil {
		j.cancel(c.jobNow(), exportRunFail, err.Error())
		return
	}
	tmpDir := joinKey(j.loc.Key, "__starrocks_export_tmp_"+j.QueryID)
	written, err := c.writeExportFiles(ctx, st, j, tmpDir, total)
	if err != nil {
		cleanupKeys(st, written)
		switch {
		case timedOut():
			j.cancel(c.jobNow(), exportTimeout, "timeout")
		case ctx.Err() == nil:
			j.cancel(c.jobNow(), exportRunFail, err.Error())
		}
		return
	}
	switch {
	case fault.failText != "":
		cleanupKeys(st, written)
		j.cancel(c.jobNow(), exportRunFail, fault.failText)
		return
	case fault.cancelled:
		cleanupKeys(st, written)
		j.cancel(c.jobNow(), exportRunFail, cancelRateMsg)
		return
	}
	if !c.moveExportFiles(ctx, st, j, tmpDir, written) {
		return
	}
	if fs, ok := st.(fileStore); ok {
		fs.removeDir(tmpDir)
	}
	j.setState(exportFinished, c.jobNow())
}

// moveExportFiles renames the files written into tmpDir into the job's
// directory, as ExportExportingTask.moveTmpFiles does, and reports whether
// all of them were moved.
//
// Like StarRocks, the rename loop does not look at the job's state, so a
// CANCEL EXPORT during this phase races with it: the cancel removes the
// temporary directory and the files moved so far (ExportJob.cancelInternal),
// which makes the next rename fail, but a rename already under way still
// lands. That file, of a job SHOW EXPORT reports CANCELLED, stays in the
// directory. (The simulator removes the files on the job's goroutine,
// just after the cancel, where the FE removes them in the cancel itself.)
func (c *Cluster) moveExportFiles(ctx context.Context, st objectStore, j *exportJob, tmpDir string, written []string) bool {
	var moved []string
	for _, k := range written {
		if cancelled, atCancel := j.cancelledMoves(); cancelled {
			cleanupKeys(st, written[len(moved):])
			cleanupKeys(st, moved[:atCancel])
			if fs, ok := st.(fileStore); ok {
				fs.removeDir(tmpDir)
			}
			return false
		}
		if hook := c.jobs.beforeExportRename; hook != nil {
			hook(j.QueryID, k)
		}
		final := joinKey(j.loc.Key, k[len(tmpDir)+1:])
		if err := st.Rename(ctx, k, final); err != nil {
			cleanupKeys(st, written)
			cleanupKeys(st, moved)
			j.cancel(c.jobNow(), exportRunFail, "failed to rename export file: "+err.Error())
			return false
		}
		moved = append(moved, final)
		j.mu.Lock()
		j.moved++
		j.mu.Unlock()
	}
	return true
}

// writeExportFiles writes the job's rows into tmpDir and returns the keys
// written. Files are split into tasks of exportTaskBytes and into files
// of Options.ExportRowsPerFile rows.
func (c *Cluster) writeExportFiles(ctx context.Context, st objectStore, j *exportJob, tmpDir string, total int64) ([]string, error) {
	var written []string
	var buf bytes.Buffer
	task, file, rowsInFile := 0, 0, 0
	var taskBytes, doneBytes int64
	name := func() string {
		if j.opts.includeQueryID {
			return fmt.Sprintf("%s%s_%d_%d_%d.csv", j.prefix, j.QueryID, task, 0, file)
		}
		return fmt.Sprintf("%s%d_%d_%d.csv", j.prefix, task, 0, file)
	}
	flush := func() error {
		if rowsInFile == 0 && len(written) > 0 {
			return nil
		}
		key := joinKey(tmpDir, name())
		w, err := st.Create(ctx, key)
		if err != nil {
			return err
		}
		if _, err := io.Copy(w, &buf); err != nil {
			_ = w.Close()
			return err
		}
		if err := w.Close(); err != nil {
			return err
		}
		written = append(written, key)
		buf.Reset()
		rowsInFile = 0
		return nil
	}
	perFile := c.opts.ExportRowsPerFile
	for _, p := range j.parts {
		if taskBytes > 0 && taskBytes+p.DataSize > exportTaskBytes {
			if err := flush(); err != nil {
				return written, err
			}
			task, file, taskBytes = task+1, 0, 0
		}
		for _, r := range p.Rows {
			appendCSVRow(&buf, j.def, j.colIdx, r, j.opts.colSep, j.opts.rowSep)
			rowsInFile++
			if rowsInFile >= perFile {
				if err := flush(); err != nil {
					return written, err
				}
				file++
			}
		}
		taskBytes += p.DataSize
		doneBytes += p.DataSize
		frac := 1.0
		if total > 0 {
			frac = float64(doneBytes) / float64(total)
		}
		if !c.jobs.pace(ctx, j.stopCh, p.DataSize, nil) {
			return written, errStopped
		}
		j.setProgress(int(frac * 99))
	}
	if rowsInFile > 0 || len(written) == 0 {
		if err := flush(); err != nil {
			return written, err
		}
	}
	j.mu.Lock()
	j.tasks = task + 1
	j.mu.Unlock()
	return written, nil
}

// errStopped ends a job whose context or stop channel closed.
var errStopped = fmt.Errorf("job stopped")

// cleanupKeys removes the files a failed job wrote (best effort).
func cleanupKeys(st objectStore, keys []string) {
	for _, k := range keys {
		_ = st.Delete(context.Background(), k)
	}
}
