package starrocks

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/srplan/srplan/executor"
	"github.com/srplan/srplan/lang"
	"github.com/srplan/srplan/planner"
)

// maxLabelLen is StarRocks' label length limit.
const maxLabelLen = 128

// Export implements executor.Source. It writes one partition to
// req.DirURL and blocks until the job ended.
//
// Method "export" (CSV, every release): running EXPORT jobs an earlier
// process left for the same directory (SHOW EXPORT, Path column) are
// cancelled and waited for; a cancelled EXPORT removes what it wrote (it
// writes under a temporary sub-directory and renames at the end), except
// that a rename under way when the cancel came still lands a file (the
// FE's moveTmpFiles loop does not look at the job state). Then
// req.Prepare runs, then EXPORT is submitted on a dedicated session whose
// LAST_QUERY_ID() is the job id. If the connection breaks during the
// submission, a running job at the directory is adopted, else the
// statement is sent again. The result's FilePrefix (ExportFilePrefix)
// tells this job's files from such a late file.
//
// Method "files" (Parquet, 3.2+): INSERT INTO FILES ... WITH LABEL; with a
// split, one statement per part, each into its own sub-directory
// split-<i>-of-<n>/ with label <label>_s<i>. Labels settle earlier runs: a
// running job is waited for; a FINISHED one already wrote its files, so it
// is not run again (when every part finished, Export returns at once
// without calling Prepare). Prepare is called only when no part finished,
// because it clears the whole directory; parts re-run after a partial
// failure write next to the finished ones, and a part's leftovers from a
// cancelled attempt would show up as a verification mismatch.
//
// The job id returned (and given to OnSubmitted) is the EXPORT query id or
// the label. An INSERT runs synchronously, so its label is given to
// OnSubmitted before the statement is sent: the label is deterministic,
// and a record of it lets a rerun find the job.
func (j *Jobs) Export(ctx context.Context, req executor.ExportRequest) (executor.ExportResult, error) {
	if err := validateExport(req); err != nil {
		return executor.ExportResult{}, &retryError{err: fmt.Errorf("export %s: %w", req.Table, err)}
	}
	var res executor.ExportResult
	var err error
	if req.Method == lang.MethodExport {
		res.Job, err = j.exportCSV(ctx, req)
		res.FilePrefix = ExportFilePrefix(res.Job)
	} else {
		res.Job, err = j.unload(ctx, req)
	}
	if err != nil {
		return executor.ExportResult{}, markf(err, "export %s%s", req.Table, partitionSuffix(req.Partition))
	}
	return res, nil
}

func partitionSuffix(p string) string {
	if p == "" {
		return ""
	}
	return " partition " + p
}

func validateExport(req executor.ExportRequest) error {
	switch {
	case req.Method != lang.MethodExport && req.Method != lang.MethodFiles:
		return fmt.Errorf("method %q: want %q or %q", req.Method, lang.MethodExport, lang.MethodFiles)
	case !strings.HasSuffix(req.DirURL, "/"):
		return fmt.Errorf("directory %q must end in '/'", req.DirURL)
	case len(req.Columns) == 0:
		return errors.New("no columns given")
	case req.Method == lang.MethodExport && (strings.TrimSpace(req.Where) != "" || req.Split != nil && req.Split.Parts > 1):
		return errors.New("EXPORT cannot filter or split rows: use method \"files\" (StarRocks 3.2+)")
	case req.Method == lang.MethodFiles && req.Label == "":
		return errors.New("INSERT INTO FILES needs a label")
	case req.Split != nil && req.Split.Parts > 1 && req.Split.Column == "":
		return errors.New("split without a column")
	}
	return nil
}

// exportCSV runs the EXPORT flow described at Export.
func (j *Jobs) exportCSV(ctx context.Context, req executor.ExportRequest) (string, error) {
	db := req.Table.DB
	known, err := j.settleExports(ctx, db, req.DirURL)
	if err != nil {
		return "", err
	}
	if req.Prepare != nil {
		if err := req.Prepare(ctx); err != nil {
			return "", fmt.Errorf("prepare %s: %w", req.DirURL, err)
		}
	}
	stmt := ExportSQL(ExportSpec{
		Table: req.Table, Partition: req.Partition, Columns: columnNames(req.Columns),
		Dir: req.DirURL, Timeout: j.jobTimeout, Broker: req.Properties,
	})
	secrets := secretValues(req.Properties)
	var lastErr error
	for attempt := 1; attempt <= j.submitAttempts; attempt++ {
		id, err := j.submitExport(ctx, stmt, secrets)
		if err != nil {
			if !isAmbiguous(err) {
				return "", err
			}
			lastErr = err
			// The job may have been accepted before the connection broke:
			// a job at this directory that was not there before is ours.
			jobs, ferr := j.exportJobsAt(ctx, db, req.DirURL)
			if ferr != nil {
				continue
			}
			if id = newestUnknown(jobs, known); id == "" {
				continue
			}
		}
		if req.OnSubmitted != nil {
			req.OnSubmitted(id)
		}
		_, err = j.watch.waitTerminal(ctx, JobKey{Kind: ExportJob, DB: db, ID: id}, j.notFoundGrace)
		return id, err
	}
	return "", lastErr
}

// submitExport sends EXPORT and reads its query id on the same session.
func (j *Jobs) submitExport(ctx context.Context, stmt string, secrets []string) (string, error) {
	var id string
	err := j.withConn(ctx, func(conn *sql.Conn) error {
		if err := execSecret(ctx, conn, stmt, secrets); err != nil {
			return err
		}
		if err := conn.QueryRowContext(ctx, LastQueryIDSQL).Scan(&id); err != nil {
			return fmt.Errorf("%s: %w", LastQueryIDSQL, err)
		}
		return nil
	})
	if err == nil && id == "" {
		err = fmt.Errorf("%s returned no query id", LastQueryIDSQL)
	}
	return id, err
}

// exportJobsAt returns the EXPORT jobs of database db whose directory is
// dir, by query id.
func (j *Jobs) exportJobsAt(ctx context.Context, db, dir string) (map[string]JobStatus, error) {
	res, err := queryAll(ctx, j.db, ShowExportSQL(db, ""))
	if err != nil {
		return nil, err
	}
	return exportsAtPath(res, dir), nil
}

// newestUnknown returns the query id of the newest job of jobs that is
// not in known, or "".
func newestUnknown(jobs map[string]JobStatus, known map[string]bool) string {
	best, bestJob := "", ""
	for id, st := range jobs {
		if known[id] {
			continue
		}
		if best == "" || newerJob(st.JobID, bestJob) {
			best, bestJob = id, st.JobID
		}
	}
	return best
}

// settleExports cancels the running EXPORT jobs of directory dir and waits
// until each has ended, so that none renames files into it afterwards. It
// returns the query ids of every job seen at dir.
func (j *Jobs) settleExports(ctx context.Context, db, dir string) (map[string]bool, error) {
	jobs, err := j.exportJobsAt(ctx, db, dir)
	if err != nil {
		return nil, fmt.Errorf("look for earlier exports to %s: %w", dir, err)
	}
	known := make(map[string]bool, len(jobs))
	var running []string
	for id, st := range jobs {
		known[id] = true
		if !st.Terminal() {
			running = append(running, id)
		}
	}
	for _, id := range running {
		// A job that ended meanwhile refuses the cancel; the wait below
		// sees its end either way.
		_ = j.exec(ctx, CancelExportSQL(db, id))
	}
	for _, id := range running {
		_, err := j.watch.waitTerminal(ctx, JobKey{Kind: ExportJob, DB: db, ID: id}, j.notFoundGrace)
		var je *JobError
		if err != nil && !errors.As(err, &je) && !errors.Is(err, ErrJobNotFound) {
			return nil, fmt.Errorf("wait for the cancelled export %s: %w", id, err)
		}
	}
	return known, nil
}

// unload runs the INSERT INTO FILES flow described at Export.
func (j *Jobs) unload(ctx context.Context, req executor.ExportRequest) (string, error) {
	db := req.Table.DB
	parts := 1
	if req.Split != nil && req.Split.Parts > 1 {
		parts = req.Split.Parts
	}
	labels := partLabels(req.Label, parts)
	done := make([]bool, parts)
	anyDone, allDone := false, true
	states, err := j.watch.Statuses(ctx, LoadJob, db, labels)
	if err != nil {
		return "", fmt.Errorf("look up labels of earlier runs: %w", err)
	}
	for i, l := range labels {
		st := states[l]
		if st.Found && !st.Terminal() {
			// An earlier run's job: let it end, then judge by its end.
			st, err = j.watch.Wait(ctx, JobKey{Kind: LoadJob, DB: db, ID: l}, WaitOptions{})
			if err != nil {
				return "", err
			}
		}
		done[i] = st.Finished()
		anyDone = anyDone || done[i]
		allDone = allDone && done[i]
	}
	if req.OnSubmitted != nil {
		req.OnSubmitted(req.Label)
	}
	if allDone {
		return req.Label, nil
	}
	if !anyDone && req.Prepare != nil {
		if err := req.Prepare(ctx); err != nil {
			return "", fmt.Errorf("prepare %s: %w", req.DirURL, err)
		}
	}
	secrets := secretValues(req.Properties)
	for i, l := range labels {
		if done[i] {
			continue
		}
		spec := UnloadSpec{
			Table: req.Table, Partition: req.Partition, Columns: columnNames(req.Columns),
			Dir: req.DirURL, Compression: j.compression, Properties: req.Properties,
			Label: l, Where: req.Where,
		}
		if parts > 1 {
			spec.Dir = splitDir(req.DirURL, i, parts)
			spec.SplitColumn, spec.SplitParts, spec.SplitIndex = req.Split.Column, parts, i
		}
		// The label of INSERT INTO FILES belongs to the session's database:
		// the source table's, so that it is looked up there.
		if err := j.runInsert(ctx, JobKey{Kind: LoadJob, DB: db, ID: l}, InsertIntoFilesSQL(spec), secrets, db); err != nil {
			if parts > 1 {
				return "", fmt.Errorf("part %d of %d: %w", i+1, parts, err)
			}
			return "", err
		}
	}
	return req.Label, nil
}

// partLabels returns the labels of the parts of a split job: the label
// itself for one part, else label_s<i>, the label shortened so that every
// part label fits StarRocks' 128 characters.
func partLabels(label string, parts int) []string {
	if parts <= 1 {
		return []string{label}
	}
	suffixLen := len("_s") + len(strconv.Itoa(parts-1))
	base := label
	if len(base)+suffixLen > maxLabelLen {
		base = base[:maxLabelLen-suffixLen]
	}
	out := make([]string, parts)
	for i := range out {
		out[i] = base + "_s" + strconv.Itoa(i)
	}
	return out
}

// runInsert runs a labelled INSERT (INSERT INTO FILES, INSERT from
// FILES(), INSERT OVERWRITE) exactly once. The statement is synchronous
// but may outlast the connection's read timeout; its label makes any
// doubt harmless:
//
//   - "Label [x] has already been used": the job exists (running, or
//     finished before an interruption). It is waited for, never run
//     twice; if it ended CANCELLED the label is free and the statement is
//     sent again.
//   - the connection broke or timed out: the statement is sent again
//     under the same label, which either runs it or reports the label used.
//
// At most submitAttempts statements are sent. useDB, when set, becomes the
// session's database first (USE), which owns the label of a statement
// that names no target table.
func (j *Jobs) runInsert(ctx context.Context, key JobKey, stmt string, secrets []string, useDB string) error {
	var err error
	for attempt := 1; attempt <= j.submitAttempts; attempt++ {
		err = j.withConn(ctx, func(conn *sql.Conn) error {
			if useDB != "" {
				if _, err := conn.ExecContext(ctx, UseSQL(useDB)); err != nil {
					return fmt.Errorf("%s: %w", UseSQL(useDB), err)
				}
			}
			if err := j.setInsertTimeout(ctx, conn); err != nil {
				return err
			}
			return execSecret(ctx, conn, stmt, secrets)
		})
		switch {
		case err == nil:
			return nil
		case isLabelUsed(err):
			// SHOW LOAD may list an INSERT only once it ended: wait up to
			// the job timeout for it to appear.
			_, werr := j.watch.waitTerminal(ctx, key, j.jobTimeout+j.notFoundGrace)
			var je *JobError
			if werr == nil || !errors.As(werr, &je) {
				return werr
			}
			err = werr
		case !isAmbiguous(err):
			return err
		}
	}
	return err
}

// PartitionVersion implements executor.Source: the VisibleVersion of
// partition p of t, from SHOW PARTITIONS ... WHERE PartitionName = 'p'.
func (j *Jobs) PartitionVersion(ctx context.Context, t planner.TableAddr, p string) (int64, error) {
	parts, err := j.partition(ctx, t, p, false)
	if err != nil {
		return 0, markf(err, "version of %s partition %s", t, p)
	}
	if len(parts) == 0 {
		return 0, markf(ErrPartitionNotFound, "version of %s partition %s", t, p)
	}
	return parts[0].VisibleVersion, nil
}

// partition returns the row of partition p (none when it does not exist).
func (j *Jobs) partition(ctx context.Context, t planner.TableAddr, p string, temp bool) ([]planner.Partition, error) {
	res, err := queryAll(ctx, j.db, ShowPartitionSQL(t, p, temp))
	if err != nil {
		return nil, err
	}
	list, err := parsePartitions(res, t)
	if err != nil {
		return nil, err
	}
	var out []planner.Partition
	for _, x := range list.parts {
		if x.Name == p {
			out = append(out, x)
		}
	}
	return out, nil
}
