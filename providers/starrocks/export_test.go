package starrocks

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/go-sql-driver/mysql"

	"github.com/srplan/srplan/executor"
	"github.com/srplan/srplan/lang"
	"github.com/srplan/srplan/planner"
)

var orderCols = []planner.Column{{Name: "id", Type: "bigint(20)"}, {Name: "amount", Type: "decimal(18, 2)"}}

// exportSim is a scripted source for EXPORT: jobs by query id, a new job
// finishing after `polls` status queries, or ending CANCELLED with failMsg.
type exportSim struct {
	mu      sync.Mutex
	jobs    map[string]*[3]string // query id -> job id, state, path
	order   []string
	polls   int
	failMsg string
	seen    map[string]int
	submit  func(q string) jobReply // answer to EXPORT; nil accepts
}

func newExportSim() *exportSim {
	return &exportSim{jobs: map[string]*[3]string{}, seen: map[string]int{}, polls: 2}
}

func (e *exportSim) add(id, jobID, state, path string) {
	e.jobs[id] = &[3]string{jobID, state, path}
	e.order = append(e.order, id)
}

func (e *exportSim) rows(only string) jobReply {
	var rows [][]string
	for _, id := range e.order {
		j := e.jobs[id]
		if only != "" && id != only {
			continue
		}
		msg := "N/A"
		if j[1] == "CANCELLED" {
			msg = e.failMsg
		}
		rows = append(rows, exportRow(j[0], id, j[1], j[2], msg))
	}
	return reply(exportCols, rows...)
}

func (e *exportSim) handle(q string) jobReply {
	e.mu.Lock()
	defer e.mu.Unlock()
	switch {
	case q == "SHOW EXPORT FROM `sales`":
		return e.rows("")
	case strings.HasPrefix(q, "SHOW EXPORT FROM `sales` WHERE QUERYID = '"):
		id := strings.TrimSuffix(strings.TrimPrefix(q, "SHOW EXPORT FROM `sales` WHERE QUERYID = '"), "'")
		if j := e.jobs[id]; j != nil && j[1] == "EXPORTING" {
			if e.seen[id]++; e.seen[id] >= e.polls {
				j[1] = "FINISHED"
				if e.failMsg != "" {
					j[1] = "CANCELLED"
				}
			}
		}
		return e.rows(id)
	case strings.HasPrefix(q, "CANCEL EXPORT FROM `sales` WHERE QUERYID = '"):
		id := strings.TrimSuffix(strings.TrimPrefix(q, "CANCEL EXPORT FROM `sales` WHERE QUERYID = '"), "'")
		e.jobs[id][1] = "CANCELLED"
		return okReply
	case strings.HasPrefix(q, "EXPORT TABLE "):
		if e.submit != nil {
			if r := e.submit(q); r.err != nil {
				return r
			}
		}
		e.add("q-new", "100", "EXPORTING", "s3://b/x/")
		return okReply
	case strings.HasPrefix(q, LastQueryIDSQL+" -- after: EXPORT TABLE "):
		return reply([]string{"last_query_id()"}, []string{"q-new"})
	}
	return jobReply{err: fmt.Errorf("unexpected statement: %s", q)}
}

func exportReq(prepared *int, f *jobDB, at *int) executor.ExportRequest {
	return executor.ExportRequest{
		Table: orders, Partition: "p1", Columns: orderCols, Method: lang.MethodExport, DirURL: "s3://b/x/",
		Properties: map[string]string{"aws.s3.secret_key": "TopSecret99", "aws.s3.region": "r"},
		Prepare: func(context.Context) error {
			*prepared++
			*at = len(f.statements())
			return nil
		},
	}
}

func TestExportCSV(t *testing.T) {
	t.Parallel()
	sim := newExportSim()
	sim.add("q-old", "7", "EXPORTING", "s3://b/x")    // same directory, left running
	sim.add("q-other", "8", "EXPORTING", "s3://b/y/") // another directory: untouched
	db, f := newJobDB(t, sim.handle)
	j := testJobs(t, db, v33)
	var prepared, at int
	req := exportReq(&prepared, f, &at)
	var submitted []string
	req.OnSubmitted = func(id string) { submitted = append(submitted, id) }

	id, err := j.Export(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if id != (executor.ExportResult{Job: "q-new", FilePrefix: "data_q-new_"}) || !slices.Equal(submitted, []string{"q-new"}) {
		t.Errorf("Export = %+v, OnSubmitted got %v; want job q-new, file prefix data_q-new_", id, submitted)
	}
	log := f.statements()
	if prepared != 1 {
		t.Fatalf("Prepare called %d times, want once", prepared)
	}
	before, after := log[:at], log[at:]
	if !slices.Contains(before, CancelExportSQL("sales", "q-old")) || slices.Contains(log, CancelExportSQL("sales", "q-other")) {
		t.Errorf("statements before Prepare: %q; want the old job at the directory cancelled, no other", before)
	}
	if !slices.Contains(before, ShowExportSQL("sales", "q-old")) {
		t.Errorf("the cancelled job was not waited for before Prepare: %q", before)
	}
	if len(after) < 2 || !strings.HasPrefix(after[0], "EXPORT TABLE `sales`.`orders` PARTITION (`p1`) (`id`, `amount`) TO 's3://b/x/'") || after[1] != LastQueryIDSQL {
		t.Errorf("statements after Prepare: %q; want EXPORT then LAST_QUERY_ID", after)
	}
	if sim.jobs["q-other"][1] != "EXPORTING" {
		t.Error("a job of another directory was touched")
	}
}

func TestExportCSVFailures(t *testing.T) {
	t.Parallel()
	t.Run("cancelled job", func(t *testing.T) {
		t.Parallel()
		sim := newExportSim()
		sim.failMsg = "type:RUN_FAIL; msg:Too many tasks, try later"
		db, f := newJobDB(t, sim.handle)
		j := testJobs(t, db, v33)
		var prepared, at int
		_, err := j.Export(context.Background(), exportReq(&prepared, f, &at))
		var je *JobError
		if !errors.As(err, &je) || je.ID != "q-new" || !strings.Contains(err.Error(), "Too many tasks") {
			t.Fatalf("Export error = %v, want a *JobError for q-new with the message", err)
		}
		if !IsRetryable(err) {
			t.Error("a busy cluster's cancel is not retryable")
		}
	})
	t.Run("statement error keeps secrets out", func(t *testing.T) {
		t.Parallel()
		sim := newExportSim()
		sim.submit = func(q string) jobReply {
			return sqlErr(1064, "Getting syntax error near 'aws.s3.secret_key' = 'TopSecret99'")
		}
		db, f := newJobDB(t, sim.handle)
		j := testJobs(t, db, v33)
		var prepared, at int
		_, err := j.Export(context.Background(), exportReq(&prepared, f, &at))
		if err == nil || strings.Contains(err.Error(), "TopSecret99") || !strings.Contains(err.Error(), "'***'") {
			t.Fatalf("Export error = %v, want the statement and message redacted", err)
		}
		if IsRetryable(err) {
			t.Error("a syntax error is retryable")
		}
		var me *mysql.MySQLError
		if !errors.As(err, &me) || me.Number != 1064 {
			t.Errorf("error lost its server error: %#v", err)
		}
	})
	t.Run("broken connection adopts the accepted job", func(t *testing.T) {
		t.Parallel()
		sim := newExportSim()
		sim.submit = func(q string) jobReply {
			sim.add("q-new", "100", "EXPORTING", "s3://b/x/") // accepted, then the connection broke
			return jobReply{err: mysql.ErrInvalidConn}
		}
		db, f := newJobDB(t, sim.handle)
		j := testJobs(t, db, v33)
		var prepared, at int
		id, err := j.Export(context.Background(), exportReq(&prepared, f, &at))
		if err != nil || id.Job != "q-new" || id.FilePrefix != "data_q-new_" {
			t.Fatalf("Export = %+v, %v; want the adopted job q-new", id, err)
		}
		if n := f.count("EXPORT TABLE"); n != 1 {
			t.Errorf("EXPORT sent %d times, want once", n)
		}
	})
	t.Run("invalid requests", func(t *testing.T) {
		t.Parallel()
		j := testJobs(t, nil, v33)
		bad := map[string]executor.ExportRequest{
			"no slash":     {Method: lang.MethodExport, DirURL: "s3://b/x", Columns: orderCols},
			"where":        {Method: lang.MethodExport, DirURL: "s3://b/x/", Columns: orderCols, Where: "a > 1"},
			"no label":     {Method: lang.MethodFiles, DirURL: "s3://b/x/", Columns: orderCols},
			"no columns":   {Method: lang.MethodFiles, DirURL: "s3://b/x/", Label: "l"},
			"backup":       {Method: lang.MethodBackup, DirURL: "s3://b/x/", Columns: orderCols},
			"split no col": {Method: lang.MethodFiles, DirURL: "s3://b/x/", Columns: orderCols, Label: "l", Split: &lang.Split{Parts: 2}},
		}
		for name, req := range bad {
			if _, err := j.Export(context.Background(), req); err == nil || IsRetryable(err) {
				t.Errorf("%s: Export error = %v, want a permanent error", name, err)
			}
		}
	})
}

// unloadSim is a scripted source for INSERT INTO FILES: label states
// and the INSERT statements received.
type unloadSim struct {
	mu      sync.Mutex
	labels  map[string]string
	inserts []string
	used    bool // the next INSERT answers "label already used" and finishes
}

func (u *unloadSim) handle(q string) jobReply {
	u.mu.Lock()
	defer u.mu.Unlock()
	switch {
	case strings.HasPrefix(q, "SELECT * FROM information_schema.loads WHERE LABEL IN ("):
		var rows [][]string
		for l, st := range u.labels {
			if strings.Contains(q, "'"+l+"'") {
				rows = append(rows, []string{"1", l, "sales", st, "", "INSERT", "NORMAL", ""})
			}
		}
		return reply(loadsCols31, rows...)
	case strings.HasPrefix(q, "SET query_timeout = "), q == "USE `sales`":
		return okReply
	case strings.HasPrefix(q, "INSERT INTO FILES("):
		u.inserts = append(u.inserts, q)
		if u.used {
			u.used = false
			label := strings.Split(strings.Split(q, "WITH LABEL `")[1], "`")[0]
			u.labels[label] = "FINISHED"
			return sqlErr(1064, "Label ["+label+"] has already been used.")
		}
		return okReply
	}
	return jobReply{err: fmt.Errorf("unexpected statement: %s", q)}
}

func TestExportFiles(t *testing.T) {
	t.Parallel()
	base := executor.ExportRequest{
		Table: orders, Partition: "p1", Columns: orderCols, Method: lang.MethodFiles, DirURL: "s3://b/x/",
		Properties: map[string]string{"aws.s3.region": "r"}, Label: "lbl",
	}
	split := base
	split.Split = &lang.Split{Column: "id", Parts: 2}
	tests := map[string]struct {
		req          executor.ExportRequest
		labels       map[string]string
		used         bool
		wantInserts  []string // the label of each INSERT sent
		wantPrepared int
		wantDirs     []string
	}{
		"fresh":                        {req: base, labels: map[string]string{}, wantInserts: []string{"lbl"}, wantPrepared: 1, wantDirs: []string{"'s3://b/x/'"}},
		"cancelled earlier run":        {req: base, labels: map[string]string{"lbl": "CANCELLED"}, wantInserts: []string{"lbl"}, wantPrepared: 1},
		"finished earlier run":         {req: base, labels: map[string]string{"lbl": "FINISHED"}},
		"label used meanwhile":         {req: base, labels: map[string]string{}, used: true, wantInserts: []string{"lbl"}, wantPrepared: 1},
		"split, fresh":                 {req: split, labels: map[string]string{}, wantInserts: []string{"lbl_s0", "lbl_s1"}, wantPrepared: 1, wantDirs: []string{"'s3://b/x/split-0-of-2/'", "'s3://b/x/split-1-of-2/'"}},
		"split, one part done earlier": {req: split, labels: map[string]string{"lbl_s0": "FINISHED"}, wantInserts: []string{"lbl_s1"}, wantDirs: []string{"'s3://b/x/split-1-of-2/'"}},
		"split, all parts done":        {req: split, labels: map[string]string{"lbl_s0": "FINISHED", "lbl_s1": "FINISHED"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			sim := &unloadSim{labels: tc.labels, used: tc.used}
			db, _ := newJobDB(t, sim.handle)
			j := testJobs(t, db, v33)
			prepared := 0
			req := tc.req
			req.Prepare = func(context.Context) error { prepared++; return nil }
			var submitted []string
			req.OnSubmitted = func(id string) { submitted = append(submitted, id) }
			id, err := j.Export(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			if id != (executor.ExportResult{Job: "lbl"}) || !slices.Equal(submitted, []string{"lbl"}) {
				t.Errorf("Export = %+v, OnSubmitted %v; want job lbl and no file prefix", id, submitted)
			}
			if prepared != tc.wantPrepared {
				t.Errorf("Prepare called %d times, want %d", prepared, tc.wantPrepared)
			}
			var got []string
			for i, q := range sim.inserts {
				got = append(got, strings.Split(strings.Split(q, "WITH LABEL `")[1], "`")[0])
				if i < len(tc.wantDirs) && !strings.Contains(q, "'path' = "+tc.wantDirs[i]) {
					t.Errorf("INSERT %d writes elsewhere: %s", i, q)
				}
			}
			if !slices.Equal(got, tc.wantInserts) {
				t.Errorf("INSERTs for labels %v, want %v", got, tc.wantInserts)
			}
		})
	}
}

func TestPartitionVersion(t *testing.T) {
	t.Parallel()
	db, _ := newJobDB(t, func(q string) jobReply {
		switch q {
		case ShowPartitionSQL(orders, "p1", false):
			return reply([]string{"PartitionId", "PartitionName", "VisibleVersion", "Range"}, []string{"1", "p1", "42", "[types: [INT]; keys: [1]; ..types: [INT]; keys: [2]; )"})
		case ShowPartitionSQL(orders, "nope", false):
			return reply([]string{"PartitionId", "PartitionName", "VisibleVersion"})
		}
		return jobReply{err: fmt.Errorf("unexpected statement: %s", q)}
	})
	j := testJobs(t, db, v33)
	if v, err := j.PartitionVersion(context.Background(), orders, "p1"); err != nil || v != 42 {
		t.Errorf("PartitionVersion = %d, %v; want 42", v, err)
	}
	_, err := j.PartitionVersion(context.Background(), orders, "nope")
	if !errors.Is(err, ErrPartitionNotFound) || IsRetryable(err) {
		t.Errorf("PartitionVersion of a missing partition = %v, want permanent ErrPartitionNotFound", err)
	}
}
