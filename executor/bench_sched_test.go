package executor_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/srplan/srplan/executor"
	"github.com/srplan/srplan/lang"
	"github.com/srplan/srplan/providers/s3"
	"github.com/srplan/srplan/state"
)

// BenchmarkScheduler copies the heavy-tailed 200-partition workload
// (bench_workload_test.go) with exports = loads = 4 and reports, per
// scheduler:
//
//   - makespan/bound: makespan over max(sum(export)/4, sum(load)/4,
//     longest export + load), from the job model's durations;
//   - makespan/bound-run: the same over the bound of the job times as they
//     ran (timer slack and poll lag included), i.e. what idle slots cost;
//   - makespan-sim-min: the makespan in simulated minutes;
//   - where jobs are waited for through the Watcher, status-queries/min/job
//     (FE status queries per simulated minute per running job) and
//     poll-lag-sim-s (mean simulated seconds from a job's end to the
//     Watcher reporting it).
//
// The schedulers:
//
//   - srplan: executor.Run, jobs waited for through providers/starrocks'
//     Watcher at the provider's default poll intervals (time-scaled);
//   - srplan-exact: executor.Run, jobs end exactly on time (the scheduler
//     alone);
//   - batch-pipelined: batch-and-wait with N = 4: export a batch while the
//     previous batch loads, wait for all eight jobs, repeat;
//   - batch-strict: batch-and-wait that overlaps nothing: export N, wait,
//     load those N, wait, repeat.
//
// Both batch schedulers wait for their jobs through the Watcher too.
//
// Run: go test -run '^$' -bench Scheduler -benchtime 1x -count 3 ./executor
// (-bench 'Scheduler/srplan' for srplan alone; -args -sched.seed=N,
// -sched.inflight=N, -sched.maxpoll=D, -sched.scale=F to vary the run).
// The benchmark reports; it asserts only that every partition was copied
// within the limits.
func BenchmarkScheduler(b *testing.B) {
	w := newSchedWorkload(schedPartitions, *schedSeed, *schedScale)
	bound := w.bound(schedSlots)
	schedulers := []struct {
		name    string
		watched bool
		run     func(context.Context, *schedEnv) error
	}{
		{"srplan", true, runSrplan},
		{"srplan-exact", false, runSrplan},
		{"batch-pipelined", true, func(ctx context.Context, e *schedEnv) error { return runBatches(ctx, e, true) }},
		{"batch-strict", true, func(ctx context.Context, e *schedEnv) error { return runBatches(ctx, e, false) }},
	}
	for _, s := range schedulers {
		b.Run(s.name, func(b *testing.B) {
			var n, ratio, ratioRun, simMin, qpm, lag float64
			for b.Loop() {
				e := newSchedEnv(b, w, s.watched)
				ctx, cancel := context.WithTimeout(context.Background(), 100*bound)
				start := time.Now()
				err := s.run(ctx, e)
				makespan := time.Since(start)
				cancel()
				e.close()
				if err != nil {
					b.Fatalf("%s: %v", s.name, err)
				}
				if err := e.check(); err != nil {
					b.Fatalf("%s: %v", s.name, err)
				}
				n++
				ratio += float64(makespan) / float64(bound)
				ratioRun += float64(makespan) / float64(e.boundRun())
				simMin += w.simMinutes(makespan)
				qpm += e.queriesPerJobMinute()
				lag += e.pollLag()
			}
			b.ReportMetric(ratio/n, "makespan/bound")
			b.ReportMetric(ratioRun/n, "makespan/bound-run")
			b.ReportMetric(simMin/n, "makespan-sim-min")
			if s.watched {
				b.ReportMetric(qpm/n, "status-queries/min/job")
				b.ReportMetric(lag/n, "poll-lag-sim-s")
			}
		})
	}
}

// schedEnv is one iteration's clusters and staging storage.
type schedEnv struct {
	w        *schedWorkload
	src, dst *benchCluster
	storage  *s3.Local
}

func newSchedEnv(b testing.TB, w *schedWorkload, watched bool) *schedEnv {
	st, err := s3.NewLocal(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	return &schedEnv{w: w, src: newBenchCluster(w, watched), dst: newBenchCluster(w, watched), storage: st}
}

func (e *schedEnv) close() {
	e.src.close()
	e.dst.close()
}

// check verifies that every partition was exported and loaded once and
// that no stage ran more than schedSlots jobs at a time.
func (e *schedEnv) check() error {
	n := int64(len(e.w.names))
	if got := e.src.jobs.Load(); got != n {
		return fmt.Errorf("%d exports ran, want %d", got, n)
	}
	if got := e.dst.jobs.Load(); got != n {
		return fmt.Errorf("%d loads ran, want %d", got, n)
	}
	if e.src.peak > schedSlots || e.dst.peak > schedSlots {
		return fmt.Errorf("peak concurrency exports %d, loads %d; limit %d", e.src.peak, e.dst.peak, schedSlots)
	}
	return nil
}

// boundRun is the lower bound of the job times as they ran: it charges
// timer slack and poll lag to the jobs, so that makespan / boundRun is
// what the scheduler lost by leaving slots idle.
func (e *schedEnv) boundRun() time.Duration {
	return lowerBound(e.src.walls(), e.dst.walls(), schedSlots)
}

// queriesPerJobMinute is the Watchers' status queries divided by the
// simulated minutes jobs spent running (0 when exact).
func (e *schedEnv) queriesPerJobMinute() float64 {
	var sum time.Duration
	for _, d := range append(e.src.walls(), e.dst.walls()...) {
		sum += d
	}
	if sum == 0 {
		return 0
	}
	return float64(e.src.queries()+e.dst.queries()) / e.w.simMinutes(sum)
}

// pollLag is the mean time, in simulated seconds, from a job's end to
// the Watcher reporting it (0 when exact).
func (e *schedEnv) pollLag() float64 {
	jobs := e.src.jobs.Load() + e.dst.jobs.Load()
	if jobs == 0 {
		return 0
	}
	lag := time.Duration((e.src.lagNS.Load() + e.dst.lagNS.Load()) / jobs)
	return lag.Seconds() / e.w.scale
}

// runSrplan copies the workload with executor.Run as `srplan apply` would
// (MaxInFlight 80 as srplan apply, unless -sched.inflight, the control loop's 15 s at the
// workload's scale).
func runSrplan(ctx context.Context, e *schedEnv) error {
	plan, spec := e.w.plan()
	res, err := executor.Run(ctx, executor.Config{
		Plan: plan, Spec: spec, State: state.NewMem("bench"), Job: "bench",
		Sources: map[string]executor.Source{"old": e.src}, Targets: map[string]executor.Target{"new": e.dst},
		Storages:        map[string]s3.Storage{"stage": e.storage},
		MaxInFlight:     *schedInFlight,
		ControlInterval: time.Duration(float64(15*time.Second) * e.w.scale),
	})
	if err != nil {
		return err
	}
	if res.Done != len(e.w.names) {
		return fmt.Errorf("run result %+v, want %d done", res, len(e.w.names))
	}
	return nil
}

// runBatches is batch-and-wait with N = schedSlots partitions per batch.
// Strict, a batch's loads start once all its exports ended and the next
// batch's exports once all its loads ended. Pipelined, batch k exports
// while batch k-1 loads, and the next step starts once all of them ended.
func runBatches(ctx context.Context, e *schedEnv, pipelined bool) error {
	var batches [][]string
	for i := 0; i < len(e.w.names); i += schedSlots {
		batches = append(batches, e.w.names[i:min(i+schedSlots, len(e.w.names))])
	}
	var steps [][]func(context.Context) error
	for k := range len(batches) + 1 {
		var exports, loads []func(context.Context) error
		if k < len(batches) {
			for _, p := range batches[k] {
				exports = append(exports, func(ctx context.Context) error { return e.export(ctx, p) })
			}
		}
		if k > 0 {
			for _, p := range batches[k-1] {
				loads = append(loads, func(ctx context.Context) error { return e.load(ctx, p) })
			}
		}
		if pipelined {
			steps = append(steps, append(exports, loads...))
		} else {
			steps = append(steps, loads, exports)
		}
	}
	for _, step := range steps {
		if err := all(ctx, step); err != nil {
			return err
		}
	}
	return nil
}

// all runs fns concurrently and returns the first error once all ended.
func all(ctx context.Context, fns []func(context.Context) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg    sync.WaitGroup
		once  sync.Once
		first error
	)
	for _, fn := range fns {
		wg.Go(func() {
			if err := fn(ctx); err != nil {
				once.Do(func() { first = err; cancel() })
			}
		})
	}
	wg.Wait()
	return first
}

func batchDir(p string) string { return "batch/" + p + "/" }

// export runs partition p's export into its staging directory.
func (e *schedEnv) export(ctx context.Context, p string) error {
	_, err := e.src.Export(ctx, executor.ExportRequest{
		Table: schedTable, Partition: p, Columns: schedColumns, Method: lang.MethodExport,
		DirURL: e.storage.URL(batchDir(p)), Label: "batch_export_" + p,
	})
	return err
}

// load loads partition p's staged file and verifies both sides.
func (e *schedEnv) load(ctx context.Context, p string) error {
	err := e.dst.Load(ctx, executor.LoadRequest{
		Table: schedTable, Partition: p, TempPartition: "tp_" + p, Format: "csv", Columns: schedColumns,
		FileURLs: []string{e.storage.URL(batchDir(p) + "data_0.csv")}, Label: "batch_" + p,
	})
	if err != nil {
		return err
	}
	req := executor.VerifyRequest{Table: schedTable, Partition: p, Columns: schedColumns, Rule: lang.VerifyRule{Mode: lang.VerifyCount}}
	s, err := e.src.Verify(ctx, req)
	if err != nil {
		return err
	}
	d, err := e.dst.Verify(ctx, req)
	if err != nil {
		return err
	}
	if s.RowCount != d.RowCount {
		return fmt.Errorf("%s: %d rows on the source, %d on the target", p, s.RowCount, d.RowCount)
	}
	return nil
}
