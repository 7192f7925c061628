package cli

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"time"

	simsr "github.com/srplan/srplan/sim/starrocks"
)

func init() {
	register(command{name: "demo", synopsis: "Plan, apply and verify a migration between two simulated clusters", run: runDemo})
}

// runDemo is the README's first command: on embedded defaults it shows a
// whole migration, then an incremental rerun that moves one partition.
func runDemo(e *env, args []string) int {
	fs := newFlagSet("demo [options]", e.stderr,
		"Starts two StarRocks SIMULATORS (a 3.3 shared-nothing source with sample tables and a\n"+
			"3.5 shared-data target), then plans, applies and verifies the migration, changes one\n"+
			"source partition and shows that the next plan moves only that partition.")
	dir := fs.String("dir", "", "keep the demo's spec, stage and state in this `directory` (default: a temporary one, removed)")
	rows := fs.Int("rows", 1000, "orders per daily partition")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	workDir := *dir
	if workDir == "" {
		tmp, err := os.MkdirTemp("", "srplan-demo-")
		if err != nil {
			return e.fail("Cannot create a temporary directory", err)
		}
		defer os.RemoveAll(tmp)
		workDir = tmp
	} else if err := os.MkdirAll(workDir, 0o755); err != nil {
		return e.fail("Cannot create the demo directory", err)
	}
	start := time.Now()
	e.say("srplan demo: starting two StarRocks SIMULATORS (srplan's test stand-ins, not StarRocks)")
	sb, err := startSandbox(e.ctx, workDir, sandboxOptions{
		sourceVersion: "3.3.8", sourceMode: simsr.SharedNothing, sourceAddr: "127.0.0.1:0",
		targetVersion: "3.5.2", targetMode: simsr.SharedData, targetAddr: "127.0.0.1:0", rows: *rows,
	})
	if err != nil {
		return e.fail("Cannot start the demo clusters", err)
	}
	defer sb.close()
	fmt.Fprintf(e.stdout, "  source %s (3.3.8 shared-nothing): demo.orders, demo.customers, demo.events\n  target %s (3.5.2 shared-data): empty\n  spec   %s\n", sb.src.Addr(), sb.dst.Addr(), sb.spec)

	steps := []struct {
		title string
		args  []string
	}{
		{"1. Plan: everything is new", []string{"plan", "-f", sb.spec}},
		{"2. Apply: export to the stage, load, verify, record", []string{"apply", "-auto-approve", "-f", sb.spec}},
		{"3. Verify again, without copying", []string{"verify", "-f", sb.spec}},
	}
	for _, s := range steps {
		if code := e.demoStep(s.title, s.args); code != ExitOK {
			return code
		}
	}
	e.say("4. The source keeps taking writes: 25 new orders land in demo.orders/p20240103")
	if err := addOrders(e.ctx, sb.src.DSN("root", "", "demo"), "2024-01-03", 25); err != nil {
		return e.fail("Cannot write to the source simulator", err)
	}
	more := []struct {
		title string
		args  []string
	}{
		{"5. Plan again: only the changed partition moves", []string{"plan", "-f", sb.spec}},
		{"6. Apply the incremental run (atomic swap through a temporary partition)", []string{"apply", "-auto-approve", "-f", sb.spec}},
		{"7. Plan once more: nothing left to do", []string{"plan", "-detailed-exitcode", "-f", sb.spec}},
	}
	for _, s := range more {
		if code := e.demoStep(s.title, s.args); code != ExitOK {
			return code
		}
	}
	e.say(fmt.Sprintf("Demo complete in %s. Try it yourself with 'srplan sandbox'.", time.Since(start).Round(100*time.Millisecond)))
	return ExitOK
}

func (e *env) say(s string) { fmt.Fprintf(e.stdout, "\n=== %s\n", s) }

// demoStep runs one srplan command in-process with the demo's streams.
func (e *env) demoStep(title string, args []string) int {
	e.say(title)
	fmt.Fprintf(e.stdout, "$ srplan %s\n\n", joinArgs(args))
	code := run(e.ctx, args, e.stdin, e.stdout, e.stderr, e.environ)
	if code != ExitOK {
		fmt.Fprintf(e.stderr, "\nsrplan demo: step %q exited with %d\n", title, code)
	}
	return code
}

func joinArgs(args []string) string {
	s := ""
	for i, a := range args {
		if i > 0 {
			s += " "
		}
		s += a
	}
	return s
}

// addOrders appends n orders on day to demo.orders (one load transaction).
func addOrders(ctx context.Context, dsn, day string, n int) error {
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	var vals []string
	for i := range n {
		vals = append(vals, fmt.Sprintf("('%s', %d, %d, %d.50, 'late order')", day, 9_000_000+i, i%500+1, 10+i))
	}
	return execValues(ctx, db, "INSERT INTO demo.orders VALUES ", vals)
}
