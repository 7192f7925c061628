package cli

import (
	"flag"
	"fmt"
	"time"

	"github.com/srplan/srplan/cmd/srplan/views"
	"github.com/srplan/srplan/lang"
	"github.com/srplan/srplan/planner"
)

func init() {
	register(command{name: "plan", synopsis: "Show which partitions will move and why", run: runPlan})
}

// planArgs are the flags of plan (and of apply, which plans first).
type planArgs struct {
	spec             specArgs
	lock             lockArgs
	out              string
	json             bool
	detailedExitcode bool
	targets          multiFlag
	replaces         multiFlag
	parallelism      int
	verbose          bool
	// state is plan's -state: a bbolt file to plan from instead of the
	// spec's state (with a dynamodb block, the local file alone).
	state string
}

func addPlanFlags(fs *flag.FlagSet, a *planArgs) {
	addSpecFlags(fs, &a.spec)
	addLockFlags(fs, &a.lock)
	fs.BoolVar(&a.json, flagJSON, false, "print the plan as a versioned JSON document")
	fs.Var(&a.targets, flagTarget, "restrict to `db.table` or db.table/partition (repeatable)")
	fs.Var(&a.replaces, flagReplace, "force a recopy of `db.table` or db.table/partition (repeatable)")
	fs.IntVar(&a.parallelism, flagParallelism, 10, "apply keeps at most 8 x N partitions in progress (bounds staging space)")
	fs.BoolVar(&a.verbose, flagVerbose, false, "also list partitions that are up to date")
}

func parseAddrs(flagName string, in []string) ([]planner.Addr, error) {
	out := make([]planner.Addr, 0, len(in))
	for _, s := range in {
		a, err := planner.ParseAddr(s)
		if err != nil {
			return nil, fmt.Errorf("-%s: %w", flagName, err)
		}
		out = append(out, a)
	}
	return out, nil
}

func runPlan(e *env, args []string) int {
	fs := newFlagSet("plan [options]", e.stderr,
		"Reads the spec, the recorded state and the clusters' catalogs, and shows which\npartitions will be copied, recopied, blocked or are orphaned, each with a reason.")
	var a planArgs
	addPlanFlags(fs, &a)
	fs.StringVar(&a.out, flagOut, "", "save the plan to `file` for 'srplan apply FILE'")
	fs.BoolVar(&a.detailedExitcode, flagDetailedExitcode, false, "exit 0 with no changes, 1 on error, 2 with changes")
	fs.StringVar(&a.state, flagState, "", "plan from this state `file` alone (default: the spec's state block, DynamoDB when it has one)")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		return e.fail("Unexpected argument", fmt.Errorf("plan takes no positional arguments (got %q); pass the spec with -f", fs.Arg(0)))
	}
	cfg := e.loadSpec(&a.spec)
	if cfg == nil {
		return ExitError
	}
	st, err := e.openState(cfg, a.state, "plan", a.lock.timeout)
	if err != nil {
		return e.failState(err)
	}
	defer st.release()
	p, obs, code := e.makePlan(cfg, &a, st)
	if p == nil {
		return code
	}
	obs.close()
	if a.out != "" {
		if err := planner.WritePlanFile(a.out, p); err != nil {
			return e.fail("Cannot save the plan", err)
		}
	}
	if err := e.renderPlan(p, &a); err != nil {
		return e.fail("Cannot print the plan", err)
	}
	if a.out != "" && !a.json {
		fmt.Fprintf(e.stdout, "\nSaved the plan to %s. Apply exactly this plan with: srplan apply %s\n", a.out, a.out)
	}
	if a.detailedExitcode && p.Summary.HasChanges() {
		return ExitChanges
	}
	return ExitOK
}

func (e *env) renderPlan(p *planner.Plan, a *planArgs) error {
	if a.json {
		return views.PlanJSON{}.Render(e.stdout, p)
	}
	return views.PlanHuman{Color: e.colorEnabled(e.stdout, a.spec.noColor), Verbose: a.verbose}.Render(e.stdout, p)
}

// makePlan reads the recorded state from st and the clusters' catalogs
// and computes the plan. It returns the open cluster connections (the
// caller closes them), or nil and an exit code with the error printed.
func (e *env) makePlan(cfg *lang.Config, a *planArgs, st *stateHandle) (*planner.Plan, *observed, int) {
	only, err := parseAddrs(flagTarget, a.targets)
	if err != nil {
		return nil, nil, e.fail("Invalid address", err)
	}
	replace, err := parseAddrs(flagReplace, a.replaces)
	if err != nil {
		return nil, nil, e.fail("Invalid address", err)
	}
	snap, err := st.store.Read(e.ctx)
	if err != nil {
		return nil, nil, e.failState(err)
	}
	obs, err := observe(e.ctx, cfg)
	if err != nil {
		return nil, nil, e.fail("Cannot read the clusters", err)
	}
	p, diags := planner.Compute(planner.Input{
		Config: cfg, Prior: snap, Sources: obs.sources, Targets: obs.targets,
		Only: only, Replace: replace, Verbose: a.verbose, Now: time.Now(), SrplanVersion: Version,
	})
	e.printDiags(diags, a.spec.noColor)
	if diags.HasErrors() {
		obs.close()
		return nil, nil, ExitError
	}
	return p, obs, ExitOK
}
