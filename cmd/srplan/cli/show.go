package cli

import (
	"fmt"

	"github.com/srplan/srplan/planner"
)

func init() {
	register(command{name: "show", synopsis: "Show a saved plan", run: runShow})
}

func runShow(e *env, args []string) int {
	fs := newFlagSet("show [options] PLANFILE", e.stderr, "Prints a plan saved with 'srplan plan -out', as people or JSON readers want it.")
	var a planArgs
	fs.BoolVar(&a.json, flagJSON, false, "print the plan as JSON")
	fs.BoolVar(&a.spec.noColor, flagNoColor, false, "disable colour (also NO_COLOR)")
	fs.BoolVar(&a.verbose, flagVerbose, false, "also list partitions that are up to date")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	if fs.NArg() != 1 {
		return e.fail("Missing plan file", fmt.Errorf("usage: srplan show PLANFILE"))
	}
	p, err := planner.ReadPlanFile(fs.Arg(0))
	if err != nil {
		return e.fail("Cannot read the saved plan", err)
	}
	if err := e.renderPlan(p, &a); err != nil {
		return e.fail("Cannot print the plan", err)
	}
	return ExitOK
}
