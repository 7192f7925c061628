package cli

import (
	"fmt"
	"os"

	simsr "github.com/srplan/srplan/sim/starrocks"
)

func init() {
	register(command{name: "sandbox", synopsis: "Start two simulated StarRocks clusters and a ready spec", run: runSandbox})
}

func runSandbox(e *env, args []string) int {
	fs := newFlagSet("sandbox [options]", e.stderr,
		"Starts two StarRocks SIMULATORS on loopback (a source with sample tables and an empty\n"+
			"target), writes a spec that migrates between them, and waits for Ctrl-C. The\n"+
			"simulators are srplan's test stand-ins, not StarRocks.")
	var o sandboxOptions
	var dir, srcMode, dstMode string
	fs.StringVar(&dir, "dir", "srplan-sandbox", "`directory` for the spec, the stage and the state")
	fs.StringVar(&o.sourceVersion, "source-version", "3.3.8", "StarRocks `version` the source imitates")
	fs.StringVar(&o.targetVersion, "target-version", "3.5.2", "StarRocks `version` the target imitates")
	fs.StringVar(&srcMode, "source-mode", string(simsr.SharedNothing), "source architecture: shared-nothing or shared-data")
	fs.StringVar(&dstMode, "target-mode", string(simsr.SharedData), "target architecture: shared-nothing or shared-data")
	fs.StringVar(&o.sourceAddr, "source-addr", "127.0.0.1:0", "source listen `address` (loopback only)")
	fs.StringVar(&o.targetAddr, "target-addr", "127.0.0.1:0", "target listen `address` (loopback only)")
	fs.IntVar(&o.rows, "rows", 1000, "orders per daily partition")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	o.sourceMode, o.targetMode = simsr.Mode(srcMode), simsr.Mode(dstMode)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return e.fail("Cannot create the sandbox directory", err)
	}
	sb, err := startSandbox(e.ctx, dir, o)
	if err != nil {
		return e.fail("Cannot start the sandbox", err)
	}
	defer sb.close()
	fmt.Fprintf(e.stdout, `srplan sandbox: two StarRocks SIMULATORS are running (srplan's test stand-ins, not StarRocks).

  source  StarRocks %s %s simulator  %s  (user root, no password)
          tables demo.orders (range partitions, DUPLICATE KEY), demo.customers (PRIMARY KEY),
                 demo.events (expression partitions)
  target  StarRocks %s %s simulator  %s  (empty)

  spec    %s

Try:
  srplan plan  -f %s
  srplan apply -f %s
  mysql -h 127.0.0.1 -P <port> -u root     (any MySQL client works)

Press Ctrl-C to stop the simulators.
`, o.sourceVersion, o.sourceMode, sb.src.Addr(), o.targetVersion, o.targetMode, sb.dst.Addr(), sb.spec, sb.spec, sb.spec)
	<-e.ctx.Done()
	fmt.Fprintln(e.stdout, "\nStopping the simulators.")
	return ExitOK
}
