package starrocks

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/go-sql-driver/mysql"

	"github.com/srplan/srplan/executor"
	"github.com/srplan/srplan/planner"
)

// loadSim is a scripted target: Broker Load jobs by label, progressing
// to final after `polls` status queries.
type loadSim struct {
	mu     sync.Mutex
	states map[string]string
	errMsg string
	final  string // FINISHED or CANCELLED
	polls  int
	seen   int
	// submit answers LOAD LABEL / INSERT (nil accepts); first decides per call.
	submit func(n int, q string) jobReply
	n      int
	stmts  []string
}

func (l *loadSim) handle(q string) jobReply {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case strings.HasPrefix(q, "SELECT * FROM information_schema.loads WHERE LABEL IN ("):
		var rows [][]string
		for label, st := range l.states {
			if !strings.Contains(q, "'"+label+"'") {
				continue
			}
			if st == "LOADING" {
				if l.seen++; l.seen >= l.polls {
					st = l.final
					l.states[label] = st
				}
			}
			msg := ""
			if st == "CANCELLED" {
				msg = l.errMsg
			}
			rows = append(rows, []string{"3", label, "sales", st, "", "BROKER", "NORMAL", msg})
		}
		return reply(loadsCols31, rows...)
	case strings.HasPrefix(q, "SET "):
		l.stmts = append(l.stmts, q)
		return okReply
	case strings.HasPrefix(q, "LOAD LABEL "), strings.HasPrefix(q, "INSERT INTO `sales`"), strings.HasPrefix(q, "INSERT OVERWRITE"):
		l.stmts = append(l.stmts, q)
		l.n++
		if l.submit != nil {
			if r := l.submit(l.n, q); r.err != nil {
				return r
			}
		}
		if strings.HasPrefix(q, "LOAD LABEL ") {
			l.states["lbl"] = "LOADING"
		}
		return okReply
	}
	return jobReply{err: fmt.Errorf("unexpected statement: %s", q)}
}

func loadReq(format string) executor.LoadRequest {
	return executor.LoadRequest{
		Table: orders, Partition: "p1", TempPartition: "tp1", FileURLs: []string{"s3://b/x/1.csv"}, Format: format,
		Columns: orderCols, Properties: map[string]string{"aws.s3.secret_key": "TopSecret99"}, Label: "lbl",
	}
}

func TestLoadBrokerLoad(t *testing.T) {
	t.Parallel()
	labelUsed := sqlErr(1064, "Label [lbl] has already been used.")
	tests := map[string]struct {
		states     map[string]string
		final      string
		errMsg     string
		submit     func(n int, q string) jobReply
		wantLoads  int
		wantErr    string
		wantRetry  bool
		wantSubmit bool
	}{
		"accepted then finished": {states: map[string]string{}, final: "FINISHED", wantLoads: 1, wantSubmit: true},
		"label used by a finished job": {
			states: map[string]string{"lbl": "FINISHED"}, wantLoads: 1, wantSubmit: true,
			submit: func(int, string) jobReply { return labelUsed },
		},
		"label used by a running job": {
			states: map[string]string{"lbl": "LOADING"}, final: "FINISHED", wantLoads: 1, wantSubmit: true,
			submit: func(int, string) jobReply { return labelUsed },
		},
		"bad data": {
			states: map[string]string{}, final: "CANCELLED", errMsg: "type:ETL_QUALITY_UNSATISFIED; msg:quality not good enough",
			wantLoads: 1, wantErr: "quality not good enough", wantSubmit: true,
		},
		"timeout": {
			states: map[string]string{}, final: "CANCELLED", errMsg: "type:TIMEOUT; msg:load timeout",
			wantLoads: 1, wantErr: "load timeout", wantRetry: true, wantSubmit: true,
		},
		"connection broke after the job was accepted": {
			states: map[string]string{}, final: "FINISHED", wantLoads: 2, wantSubmit: true,
			submit: func(n int, _ string) jobReply {
				if n == 1 {
					return jobReply{err: mysql.ErrInvalidConn}
				}
				return labelUsed
			},
		},
		"refused": {
			states: map[string]string{}, wantLoads: 1, wantErr: "***",
			submit: func(int, string) jobReply {
				return sqlErr(1064, "Getting syntax error near 'aws.s3.secret_key' = 'TopSecret99'")
			},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			sim := &loadSim{states: tc.states, final: tc.final, errMsg: tc.errMsg, polls: 2, submit: tc.submit}
			if name == "connection broke after the job was accepted" {
				sim.states["lbl"] = "LOADING"
			}
			db, _ := newJobDB(t, sim.handle)
			j := testJobs(t, db, v33)
			req := loadReq("csv")
			var submitted []string
			req.OnSubmitted = func(id string) { submitted = append(submitted, id) }
			err := j.Load(context.Background(), req)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("Load: %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("Load error = %v, want it to contain %q", err, tc.wantErr)
			case err != nil && IsRetryable(err) != tc.wantRetry:
				t.Errorf("IsRetryable(%v) = %v, want %v", err, IsRetryable(err), tc.wantRetry)
			}
			if err != nil && strings.Contains(err.Error(), "TopSecret99") {
				t.Errorf("secret in error: %v", err)
			}
			if sim.n != tc.wantLoads {
				t.Errorf("LOAD LABEL sent %d times, want %d", sim.n, tc.wantLoads)
			}
			if tc.wantSubmit != (len(submitted) > 0) {
				t.Errorf("OnSubmitted calls %v", submitted)
			}
			if !strings.HasPrefix(sim.stmts[0], "LOAD LABEL `sales`.`lbl` (DATA INFILE ('s3://b/x/1.csv') INTO TABLE `orders` TEMPORARY PARTITION (`tp1`)") {
				t.Errorf("statement %s", sim.stmts[0])
			}
		})
	}
}

func TestLoadParquet(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		info   planner.ClusterInfo
		submit func(n int, q string) jobReply
		states map[string]string
		want   []string // statement prefixes in order
	}{
		"3.3": {info: v33, states: map[string]string{}, want: []string{"SET query_timeout = 14400", "INSERT INTO `sales`.`orders` TEMPORARY PARTITION (`tp1`) WITH LABEL `lbl` (`id`, `amount`) SELECT `id`, `amount` FROM FILES('path' = 's3://b/x/1.csv'"}},
		"3.4 also sets insert_timeout": {
			info: planner.ClusterInfo{Name: "dst", Version: planner.Version{Major: 3, Minor: 4}}, states: map[string]string{},
			want: []string{"SET query_timeout = 14400", "SET insert_timeout = 14400", "INSERT INTO `sales`.`orders`"},
		},
		"read timeout, then the label is found finished": {
			info: v33, states: map[string]string{"lbl": "FINISHED"},
			submit: func(n int, _ string) jobReply {
				if n == 1 {
					return jobReply{err: mysql.ErrInvalidConn}
				}
				return sqlErr(1064, "Label [lbl] has already been used.")
			},
			want: []string{"SET query_timeout", "INSERT INTO", "SET query_timeout", "INSERT INTO"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			sim := &loadSim{states: tc.states, submit: tc.submit}
			db, _ := newJobDB(t, sim.handle)
			j := testJobs(t, db, tc.info)
			req := loadReq("parquet")
			if err := j.Load(context.Background(), req); err != nil {
				t.Fatal(err)
			}
			if len(sim.stmts) != len(tc.want) {
				t.Fatalf("statements %q, want prefixes %q", sim.stmts, tc.want)
			}
			for i, p := range tc.want {
				if !strings.HasPrefix(sim.stmts[i], p) {
					t.Errorf("statement %d = %s, want prefix %s", i, sim.stmts[i], p)
				}
			}
		})
	}
}

func TestLoadInvalid(t *testing.T) {
	t.Parallel()
	j := testJobs(t, nil, v33)
	for name, mut := range map[string]func(*executor.LoadRequest){
		"no label":   func(r *executor.LoadRequest) { r.Label = "" },
		"no files":   func(r *executor.LoadRequest) { r.FileURLs = nil },
		"no columns": func(r *executor.LoadRequest) { r.Columns = nil },
		"orc":        func(r *executor.LoadRequest) { r.Format = "orc" },
	} {
		req := loadReq("csv")
		mut(&req)
		if err := j.Load(context.Background(), req); err == nil || IsRetryable(err) {
			t.Errorf("%s: Load error = %v, want a permanent error", name, err)
		}
	}
}

func TestLabelState(t *testing.T) {
	t.Parallel()
	sim := &loadSim{states: map[string]string{"f": "FINISHED", "c": "CANCELLED", "r": "QUEUEING"}, errMsg: "type:TIMEOUT; msg:m"}
	db, _ := newJobDB(t, sim.handle)
	j := testJobs(t, db, v33)
	tests := map[string]struct {
		label  string
		want   executor.LabelState
		detail string
	}{
		"finished":  {"f", executor.LabelFinished, "FINISHED"},
		"cancelled": {"c", executor.LabelCancelled, "CANCELLED: type:TIMEOUT; msg:m"},
		"running":   {"r", executor.LabelRunning, "QUEUEING"},
		"unknown":   {"u", executor.LabelUnknown, ""},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			st, detail, err := j.LabelState(context.Background(), "sales", tc.label)
			if err != nil || st != tc.want || detail != tc.detail {
				t.Errorf("LabelState(%s) = %s, %q, %v; want %s, %q", tc.label, st, detail, err, tc.want, tc.detail)
			}
		})
	}
	bad, _ := newJobDB(t, func(string) jobReply { return jobReply{err: mysql.ErrInvalidConn} })
	if _, _, err := testJobs(t, bad, v33).LabelState(context.Background(), "sales", "x"); !IsRetryable(err) {
		t.Errorf("LabelState over a broken connection = %v, want a retryable error", err)
	}
}

func TestOverwriteFromShadow(t *testing.T) {
	t.Parallel()
	sim := &loadSim{states: map[string]string{}}
	db, _ := newJobDB(t, sim.handle)
	j := testJobs(t, db, v33)
	if err := j.OverwriteFromShadow(context.Background(), orders, "sh", "l_ow"); err != nil {
		t.Fatal(err)
	}
	want := []string{"SET query_timeout = 14400", "INSERT OVERWRITE `sales`.`orders` WITH LABEL `l_ow` SELECT * FROM `sales`.`sh`"}
	if !slices.Equal(sim.stmts, want) {
		t.Errorf("statements %q, want %q", sim.stmts, want)
	}
}
