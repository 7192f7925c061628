package cli

import (
	"bufio"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/srplan/srplan/executor"
	"github.com/srplan/srplan/lang"
	"github.com/srplan/srplan/planner"
)

func init() {
	register(command{name: "apply", synopsis: "Run a plan: export, load, verify, record", run: runApply})
}

func runApply(e *env, args []string) int {
	fs := newFlagSet("apply [options] [PLANFILE]", e.stderr,
		"Plans (or reads a plan saved with 'srplan plan -out'), shows it, asks for 'yes'\nunless -auto-approve, then exports, loads, verifies and records every partition.")
	var a planArgs
	addPlanFlags(fs, &a)
	autoApprove := fs.Bool(flagAutoApprove, false, "apply without asking for confirmation")
	var ra roleArgs
	addRoleFlags(fs, &ra)
	if code, ok := parse(fs, args); !ok {
		return code
	}
	role, rerr := executor.ParseRole(ra.role)
	if rerr != nil {
		return e.fail("Invalid role", rerr)
	}
	ra.parsed = role
	if fs.NArg() > 1 {
		return e.fail("Too many arguments", fmt.Errorf("apply takes at most one saved plan file, got %d arguments", fs.NArg()))
	}
	cfg := e.loadSpec(&a.spec)
	if cfg == nil {
		return ExitError
	}
	st, err := e.openStateForRole(cfg, "", string(role), a.lock.timeout)
	if err != nil {
		return e.failState(err)
	}
	// A closure: materialize replaces st.release once it created the file.
	defer func() { st.release() }()
	var p *planner.Plan
	var obs *observed
	if fs.NArg() == 1 {
		if len(a.targets)+len(a.replaces) > 0 {
			return e.fail("Conflicting options", errors.New("-target and -replace belong to 'srplan plan -out'; a saved plan is applied as it is"))
		}
		saved, err := planner.ReadPlanFile(fs.Arg(0))
		if err != nil {
			return e.fail("Cannot read the saved plan", err)
		}
		var code int
		if obs, code = e.checkSaved(cfg, saved, st); obs == nil {
			return code
		}
		p = saved
		*autoApprove = true // a saved plan was reviewed when it was made
	} else {
		var code int
		if p, obs, code = e.makePlan(cfg, &a, st); p == nil {
			return code
		}
	}
	defer obs.close()
	if err := e.renderPlan(p, &a); err != nil {
		return e.fail("Cannot print the plan", err)
	}
	if !p.Summary.HasChanges() {
		return e.blockedCode(p, ExitOK)
	}
	if !*autoApprove && !e.confirm() {
		fmt.Fprintln(e.stderr, "\nApply cancelled: nothing was changed.")
		return ExitError
	}
	// The state file is created only now, when the clusters answered and
	// the plan was approved: an apply that stops earlier leaves none.
	if err := e.materialize(st); err != nil {
		return e.failState(err)
	}
	return e.blockedCode(p, e.execute(cfg, p, &a, st, obs, &ra))
}

// blockedCode turns a successful apply's exit code into a failure when
// the plan has blocked partitions: they were not copied, and a script or
// CI job running apply must notice.
func (e *env) blockedCode(p *planner.Plan, code int) int {
	if code != ExitOK || p.Summary.Blocked == 0 {
		return code
	}
	return e.fail(fmt.Sprintf("%d partition(s) blocked", p.Summary.Blocked),
		errors.New("they were not copied; the plan above says why and how to fix each; run 'srplan apply' again after the fix"))
}

// confirm asks for "yes" on stdin.
func (e *env) confirm() bool {
	fmt.Fprint(e.stdout, "\nDo you want to perform these actions?\n  Only 'yes' will be accepted to approve.\n\n  Enter a value: ")
	line, err := bufio.NewReader(e.stdin).ReadString('\n')
	if err != nil && line == "" {
		fmt.Fprintln(e.stdout)
		return false
	}
	return strings.TrimSpace(line) == "yes"
}

// checkSaved refuses a saved plan when anything it was computed from
// moved. It returns the open cluster connections when the plan holds.
func (e *env) checkSaved(cfg *lang.Config, saved *planner.Plan, st *stateHandle) (*observed, int) {
	snap, err := st.store.Read(e.ctx)
	if err != nil {
		return nil, e.failState(err)
	}
	obs, err := observe(e.ctx, cfg)
	if err != nil {
		return nil, e.fail("Cannot read the clusters", err)
	}
	moved := planner.Stale(saved, planner.Input{Config: cfg, Prior: snap, Sources: obs.sources, Targets: obs.targets, Now: time.Now()})
	if len(moved) == 0 {
		return obs, ExitOK
	}
	obs.close()
	return nil, e.fail("Saved plan is stale", fmt.Errorf("the plan no longer matches what is true now:\n- %s\nRun 'srplan plan -out FILE' again and review the new plan", strings.Join(moved, "\n- ")))
}
