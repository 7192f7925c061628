package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/srplan/srplan/executor"
)

// Flag names, shared by the commands that take them.
const (
	flagFile             = "f"
	flagOut              = "out"
	flagJSON             = "json"
	flagDetailedExitcode = "detailed-exitcode"
	flagTarget           = "target"
	flagReplace          = "replace"
	flagVar              = "var"
	flagVarFile          = "var-file"
	flagNoColor          = "no-color"
	flagParallelism      = "parallelism"
	flagLockTimeout      = "lock-timeout"
	flagAutoApprove      = "auto-approve"
	flagVerbose          = "verbose"
	flagState            = "state"
	flagCheck            = "check"
	flagRole             = "role"
	flagClaimLease       = "claim-lease"
	flagReconcile        = "reconcile-interval"
)

// roleArgs are apply's worker-role flags.
type roleArgs struct {
	role       string
	claimLease time.Duration
	reconcile  time.Duration
	// parsed is role, checked.
	parsed executor.Role
}

func addRoleFlags(fs *flag.FlagSet, a *roleArgs) {
	fs.StringVar(&a.role, flagRole, "all", "what this worker does: all, exporter (export and copy, then hand over) or loader (load and verify what exporters recorded; needs a dynamodb state)")
	fs.DurationVar(&a.claimLease, flagClaimLease, executor.DefaultClaimLease, "how long a partition claim lasts unless renewed; a stopped worker's partitions are taken over after it")
	fs.DurationVar(&a.reconcile, flagReconcile, executor.DefaultReconcileInterval, "how often a loader re-reads state for partitions no notification announced")
}

// multiFlag collects a repeatable string flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(s string) error { *m = append(*m, s); return nil }

// specArgs are the flags every spec-reading command takes.
type specArgs struct {
	path     string
	vars     multiFlag
	varFiles multiFlag
	noColor  bool
}

func addSpecFlags(fs *flag.FlagSet, a *specArgs) {
	fs.StringVar(&a.path, flagFile, ".", "spec `file` or directory of *.hcl files")
	fs.Var(&a.vars, flagVar, "set a variable: -var 'name=value' (repeatable)")
	fs.Var(&a.varFiles, flagVarFile, "read variables from a `file` (repeatable)")
	fs.BoolVar(&a.noColor, flagNoColor, false, "disable colour (also NO_COLOR)")
}

// varMap turns -var name=value flags into a map, or explains the error.
func (a *specArgs) varMap() (map[string]string, error) {
	out := make(map[string]string, len(a.vars))
	for _, kv := range a.vars {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return nil, fmt.Errorf("invalid -var %q: want -var 'name=value'", kv)
		}
		out[strings.TrimSpace(k)] = v
	}
	return out, nil
}

type lockArgs struct {
	timeout time.Duration
}

func addLockFlags(fs *flag.FlagSet, a *lockArgs) {
	fs.DurationVar(&a.timeout, flagLockTimeout, 0, "how long to wait for the state lock (e.g. 30s)")
}

// newFlagSet returns a flag set that reports errors to stderr and never
// exits the process.
func newFlagSet(name string, stderr io.Writer, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: srplan %s\n\n%s\n\nOptions:\n", name, synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses args; it returns (exitCode, false) when the command must stop.
func parse(fs *flag.FlagSet, args []string) (int, bool) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return ExitOK, false
		}
		return ExitError, false
	}
	if err := checkFlagRanges(fs); err != nil {
		fmt.Fprintf(fs.Output(), "%v\nRun 'srplan %s -help' for the options.\n", err, strings.Fields(fs.Name())[0])
		return ExitError, false
	}
	return 0, true
}

// checkFlagRanges refuses values the flag package accepts but srplan
// cannot use: a negative -lock-timeout, a -parallelism below 1.
func checkFlagRanges(fs *flag.FlagSet) error {
	get := func(name string) any {
		if f := fs.Lookup(name); f != nil {
			if g, ok := f.Value.(flag.Getter); ok {
				return g.Get()
			}
		}
		return nil
	}
	if d, ok := get(flagLockTimeout).(time.Duration); ok && d < 0 {
		return fmt.Errorf("invalid value %v for flag -%s: must not be negative", d, flagLockTimeout)
	}
	if n, ok := get(flagParallelism).(int); ok && n < 1 {
		return fmt.Errorf("invalid value %d for flag -%s: must be at least 1", n, flagParallelism)
	}
	return nil
}
