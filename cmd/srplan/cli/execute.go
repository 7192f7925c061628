package cli

import (
	"errors"
	"fmt"
	"os"

	"github.com/srplan/srplan/cmd/srplan/views"
	"github.com/srplan/srplan/executor"
	"github.com/srplan/srplan/lang"
	"github.com/srplan/srplan/planner"
	"github.com/srplan/srplan/providers/s3"
	"github.com/srplan/srplan/providers/starrocks"
)

// execute runs an approved plan with the open state and connections and
// prints progress. The first Ctrl-C stops starting work; stages in
// progress reach a recorded point (jobs already submitted keep running on
// the cluster and are found again by the next apply).
func (e *env) execute(cfg *lang.Config, p *planner.Plan, a *planArgs, st *stateHandle, obs *observed, ra *roleArgs) int {
	xc, code := e.executorConfig(cfg, p, a, st, obs)
	if xc == nil {
		return code
	}
	queues, err := e.configureRole(xc, cfg, p, st, ra)
	if err != nil {
		e.finishView()
		return e.fail("Cannot start the apply role", err)
	}
	res, err := executor.Run(e.ctx, *xc)
	queues.report(xc.Observer)
	e.finishView()
	if err != nil {
		return e.fail("Apply stopped", err)
	}
	if !a.json {
		what := "copied and verified"
		if xc.Role == executor.RoleExporter {
			what = "exported for the loaders"
		}
		fmt.Fprintf(e.stdout, "\nApply complete: %s %s, %d failed, %d not started.\n", views.Plural(res.Done, "partition", "partitions"), what, res.Failed, res.Skipped)
	}
	if code := e.resultCode(res); code != ExitOK || xc.Role != executor.RoleAll || res.Skipped == 0 {
		return code
	}
	// An apply of every stage that left partitions to other workers has
	// not finished the migration: a script running it must not take the
	// exit status for "all copied".
	return e.fail(fmt.Sprintf("%d partition(s) left to other workers", res.Skipped),
		errors.New("other srplan workers held them (progress lists each); run 'srplan apply' again once they stopped to pick up what they leave"))
}

func (e *env) resultCode(res *executor.Result) int {
	switch {
	case res.Interrupted:
		return e.fail("Interrupted", errors.New("work in progress was recorded; run the command again to resume"))
	case res.Failed > 0:
		return e.fail(fmt.Sprintf("%d partition(s) failed", res.Failed), errors.New("'srplan status' shows why; fix the cause and run 'srplan apply' again (the next plan lists them)"))
	}
	return ExitOK
}

// executorConfig connects the providers for plan p: StarRocks jobs on the
// open connections, the storages, state, and the progress views. It
// returns nil and an exit code (error printed) on failure.
func (e *env) executorConfig(cfg *lang.Config, p *planner.Plan, a *planArgs, st *stateHandle, obs *observed) (*executor.Config, int) {
	snap, err := st.store.Read(e.ctx)
	if err != nil {
		return nil, e.failState(err)
	}
	// Both sides of every verification must use the same hash function:
	// the newest one the oldest cluster has.
	var versions []planner.Version
	for _, c := range obs.sources {
		versions = append(versions, c.Cluster.Version)
	}
	for _, c := range obs.targets {
		versions = append(versions, c.Cluster.Version)
	}
	hash := starrocks.ChecksumFuncFor(versions...)
	sources, targets := map[string]executor.Source{}, map[string]executor.Target{}
	for _, name := range sortedKeys(obs.sources) {
		j, err := starrocks.NewJobs(obs.clients["source."+name], obs.sources[name].Cluster, starrocks.WithChecksumFunc(hash))
		if err != nil {
			return nil, e.fail(fmt.Sprintf("Cannot use source %q", name), err)
		}
		sources[name] = j
	}
	for _, name := range sortedKeys(obs.targets) {
		j, err := starrocks.NewJobs(obs.clients["target."+name], obs.targets[name].Cluster, starrocks.WithChecksumFunc(hash))
		if err != nil {
			return nil, e.fail(fmt.Sprintf("Cannot use target %q", name), err)
		}
		targets[name] = j
	}
	storages := map[string]s3.Storage{}
	for _, t := range p.Tables {
		for _, name := range append([]string{t.Storage, t.LoadFrom()}, repositoryStorage(cfg, t)...) {
			if _, ok := storages[name]; ok {
				continue
			}
			sc := cfg.Storages[name]
			if sc == nil {
				return nil, e.fail("Unknown storage", fmt.Errorf("the plan uses storage %q, which the spec does not declare", name))
			}
			s, err := s3.New(e.ctx, sc)
			if err != nil {
				return nil, e.fail(fmt.Sprintf("Cannot open storage %q", name), err)
			}
			// One listing before anything is created on the target: a
			// missing bucket or refused credentials stop the apply here,
			// not once per partition after the tables were created.
			if _, err := s.List(e.ctx, snap.Meta.Lineage+"/_probe/"); err != nil {
				return nil, e.fail(fmt.Sprintf("Cannot use storage %q", name),
					fmt.Errorf("listing %s failed: %w\ncheck that the bucket or directory exists and that the credentials may list, read and write it (url, endpoint, region, keys)", sc.URL, err))
			}
			storages[name] = s
		}
	}
	view, done := e.progressView(a)
	e.finishView = done
	return &executor.Config{
		Plan: p, Spec: cfg, State: st.store, Sources: sources, Targets: targets, Storages: storages,
		Observer: multiObserver{view, newLiveWriter(cfg.State.Path)}, Job: snap.Meta.Lineage,
		// Exports may run ahead of loads: with more partitions exported and
		// waiting, the load slots (usually the bottleneck) can take the
		// biggest first. The cost is staging space for up to 8 x -parallelism
		// partitions at once (BENCHMARKS.md, "Scheduler").
		MaxInFlight: max(a.parallelism, 1) * 8,
	}, ExitOK
}

// progressView picks the progress output: JSON lines with -json, bars
// when stdout is a terminal and TERM is not "dumb" (whether colour is on
// or not: -no-color and NO_COLOR only turn colour off), timestamped lines
// otherwise. done stops it.
func (e *env) progressView(a *planArgs) (executor.Observer, func()) {
	if a.json {
		return &views.ProgressJSON{W: e.stdout}, func() {}
	}
	if f, ok := e.stdout.(*os.File); ok && isTerminal(f) && e.getenv("TERM") != "dumb" {
		bars := views.NewProgressBars(f)
		return bars, bars.Close
	}
	return &views.ProgressLines{W: e.stdout}, func() {}
}

// repositoryStorage returns the storage of t's backup repository (method
// backup), which the executor needs for the repository's location and
// properties, or nothing.
func repositoryStorage(cfg *lang.Config, t *planner.TableChange) []string {
	if r := cfg.Repositories[t.Repository]; r != nil && t.Method == lang.MethodBackup {
		return []string{r.Storage}
	}
	return nil
}
