package cli

import (
	"fmt"

	"github.com/srplan/srplan/executor"
)

func init() {
	register(command{name: "verify", synopsis: "Verify copied partitions again without copying", run: runVerify})
}

func runVerify(e *env, args []string) int {
	fs := newFlagSet("verify [options]", e.stderr,
		"Compares row counts and checksums (or the configured sums) of every partition recorded\nas done with its source again. A mismatch is recorded; the next plan recopies it.")
	var a planArgs
	addPlanFlags(fs, &a)
	if code, ok := parse(fs, args); !ok {
		return code
	}
	cfg := e.loadSpec(&a.spec)
	if cfg == nil {
		return ExitError
	}
	st, err := e.openState(cfg, "", "verify", a.lock.timeout)
	if err != nil {
		return e.failState(err)
	}
	defer st.release()
	if st.missing {
		return e.fail("No state", errNoState(st.path))
	}
	a.verbose = true // up-to-date partitions are exactly the ones to verify
	p, obs, code := e.makePlan(cfg, &a, st)
	if p == nil {
		return code
	}
	defer obs.close()
	xc, code := e.executorConfig(cfg, p, &a, st, obs)
	if xc == nil {
		return code
	}
	res, err := executor.Verify(e.ctx, *xc)
	e.finishView()
	if err != nil {
		return e.fail("Verify stopped", err)
	}
	if !a.json {
		fmt.Fprintf(e.stdout, "\nVerify complete: %d partitions match, %d differ, %d not verified (not copied yet or changed on the source).\n", res.Done, res.Failed, res.Skipped)
	}
	return e.resultCode(res)
}
