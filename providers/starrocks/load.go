package starrocks

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/srplan/srplan/executor"
	"github.com/srplan/srplan/planner"
)

// Load implements executor.Target. CSV files (from EXPORT) are loaded
// with Broker Load, Parquet files (from INSERT INTO FILES) with INSERT
// ... WITH LABEL ... SELECT FROM FILES(); either way all files in one
// transaction under req.Label, into req.TempPartition, req.Partition or
// the table.
//
// A label is never loaded twice. "Label [x] has already been used" means
// the job exists: it is looked up and waited for. After a broken
// connection the statement is sent again under the same label, which
// either starts the job or reports it used. A FINISHED job ends Load
// without error; a CANCELLED one is a *JobError, retryable when the
// cluster's message says timeout or busy, not when the data was bad.
// OnSubmitted gets the label: for a Broker Load once the cluster accepted
// or reported the job, for an INSERT before the synchronous statement is
// sent.
func (j *Jobs) Load(ctx context.Context, req executor.LoadRequest) error {
	if err := validateLoad(req); err != nil {
		return &retryError{err: fmt.Errorf("load %s: %w", req.Table, err)}
	}
	spec := LoadSpec{
		Table: req.Table, Partition: req.Partition, TempPartition: req.TempPartition,
		Files: req.FileURLs, Columns: columnNames(req.Columns), Properties: req.Properties,
		Label: req.Label, Timeout: j.jobTimeout,
	}
	key := JobKey{Kind: LoadJob, DB: req.Table.DB, ID: req.Label}
	secrets := secretValues(req.Properties)
	var err error
	if strings.EqualFold(req.Format, "csv") {
		err = j.brokerLoad(ctx, key, BrokerLoadSQL(spec), secrets, req.OnSubmitted)
	} else {
		if req.OnSubmitted != nil {
			req.OnSubmitted(req.Label)
		}
		err = j.runInsert(ctx, key, InsertFromFilesSQL(spec), secrets, "")
	}
	return markf(err, "load %s into %s%s", req.Label, req.Table, loadTargetSuffix(req))
}

func loadTargetSuffix(req executor.LoadRequest) string {
	switch {
	case req.TempPartition != "":
		return " temporary partition " + req.TempPartition
	case req.Partition != "":
		return " partition " + req.Partition
	}
	return ""
}

func validateLoad(req executor.LoadRequest) error {
	switch {
	case req.Label == "":
		return errors.New("no label given")
	case len(req.FileURLs) == 0:
		return errors.New("no files given")
	case len(req.Columns) == 0:
		return errors.New("no columns given")
	case !strings.EqualFold(req.Format, "csv") && !strings.EqualFold(req.Format, "parquet"):
		return fmt.Errorf("format %q: want csv or parquet", req.Format)
	}
	return nil
}

// brokerLoad submits a Broker Load and waits for it (see Load).
func (j *Jobs) brokerLoad(ctx context.Context, key JobKey, stmt string, secrets []string, onSubmitted func(string)) error {
	var err error
	for attempt := 1; attempt <= j.submitAttempts; attempt++ {
		err = execSecret(ctx, j.db, stmt, secrets)
		switch {
		case err == nil || isLabelUsed(err):
			accepted := err == nil
			if onSubmitted != nil {
				onSubmitted(key.ID)
			}
			// A Broker Load is listed as soon as it is accepted; a used
			// label may belong to an INSERT, listed only once it ended.
			grace := j.notFoundGrace
			if !accepted {
				grace = j.jobTimeout + j.notFoundGrace
			}
			_, err = j.watch.waitTerminal(ctx, key, grace)
			if accepted && errors.Is(err, ErrJobNotFound) {
				continue // vanished: submit again, the label keeps it single
			}
			return err
		case !isAmbiguous(err):
			return err
		}
	}
	return err
}

// LabelState implements executor.Target: what the cluster lists for a
// label of database db (information_schema.loads, or SHOW LOAD where that
// view is missing). The string is the job's state as printed (LOADING,
// ...) and, for a cancelled job, its error message after a ": ". A label
// that is not listed is LabelUnknown: never used, purged (after about three
// days, STARROCKS.md 5.5), or an INSERT still running.
func (j *Jobs) LabelState(ctx context.Context, db, label string) (executor.LabelState, string, error) {
	st, err := j.watch.Status(ctx, JobKey{Kind: LoadJob, DB: db, ID: label})
	if err != nil {
		return executor.LabelUnknown, "", markf(err, "look up label %s in database %s", label, db)
	}
	return labelState(st)
}

// labelState maps a job status to the executor's label states.
func labelState(st JobStatus) (executor.LabelState, string, error) {
	switch {
	case !st.Found:
		return executor.LabelUnknown, "", nil
	case st.Finished():
		return executor.LabelFinished, st.State, nil
	case st.Cancelled():
		detail := st.State
		if st.ErrorMsg != "" {
			detail += ": " + st.ErrorMsg
		}
		return executor.LabelCancelled, detail, nil
	}
	return executor.LabelRunning, st.State, nil
}

// OverwriteFromShadow implements executor.Target: INSERT OVERWRITE t WITH
// LABEL label SELECT * FROM shadow (shadow in t's database), run exactly
// once under its label like a load.
func (j *Jobs) OverwriteFromShadow(ctx context.Context, t planner.TableAddr, shadow, label string) error {
	src := planner.TableAddr{DB: t.DB, Table: shadow}
	err := j.runInsert(ctx, JobKey{Kind: LoadJob, DB: t.DB, ID: label}, InsertOverwriteSQL(t, src, label), nil, "")
	return markf(err, "overwrite %s from %s", t, shadow)
}
