package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/srplan/srplan/planner"
	"github.com/srplan/srplan/state"
)

func init() {
	register(command{name: "state", synopsis: "Inspect or edit recorded state: list, show, rm", run: runState})
	register(command{name: "force-unlock", synopsis: "Release a state lock left by a dead process", run: runForceUnlock})
}

func runState(e *env, args []string) int {
	if len(args) == 0 {
		return e.fail("Missing subcommand", errors.New("usage: srplan state list|show|rm [options]"))
	}
	switch args[0] {
	case "list":
		return runStateList(e, args[1:])
	case "show":
		return runStateShow(e, args[1:])
	case "rm":
		return runStateRm(e, args[1:])
	}
	return e.fail("Unknown subcommand", fmt.Errorf("srplan state %s: want list, show or rm", args[0]))
}

// stateArgs are the flags of the state commands.
type stateArgs struct {
	spec  specArgs
	lock  lockArgs
	state string
	json  bool
}

func (e *env) stateFlags(name, synopsis string, a *stateArgs, args []string) ([]string, int, bool) {
	fs := newFlagSet(name, e.stderr, synopsis)
	addSpecFlags(fs, &a.spec)
	addLockFlags(fs, &a.lock)
	fs.StringVar(&a.state, flagState, "", "state `file` (default: the spec's state block)")
	fs.BoolVar(&a.json, flagJSON, false, "print JSON")
	code, ok := parse(fs, args)
	return fs.Args(), code, ok
}

// openStateFor opens the state named by -state or by the spec.
func (e *env) openStateFor(a *stateArgs, op string) (*stateHandle, int) {
	if a.state != "" {
		h, err := e.openState(nil, a.state, op, a.lock.timeout)
		if err != nil {
			return nil, e.failState(err)
		}
		return h, ExitOK
	}
	cfg := e.loadSpec(&a.spec)
	if cfg == nil {
		return nil, ExitError
	}
	h, err := e.openState(cfg, "", op, a.lock.timeout)
	if err != nil {
		return nil, e.failState(err)
	}
	return h, ExitOK
}

// stateCommand parses a state subcommand's flags and addresses, opens and
// locks the state, reads it and calls fn; it returns fn's exit code.
func (e *env) stateCommand(name, synopsis string, args []string, needAddr bool,
	fn func(a *stateArgs, h *stateHandle, snap *state.Snapshot, filters []planner.Addr, rest []string) int) int {
	var a stateArgs
	rest, code, ok := e.stateFlags(name, synopsis, &a, args)
	if !ok {
		return code
	}
	if needAddr && len(rest) == 0 {
		return e.fail("Missing address", fmt.Errorf("usage: srplan %s", name))
	}
	op := strings.Join(strings.Fields(name)[:2], " ") // "state list"
	filters, err := parseAddrs(op, rest)
	if err != nil {
		return e.fail("Invalid address", err)
	}
	h, code := e.openStateFor(&a, op)
	if h == nil {
		return code
	}
	defer h.release()
	if h.missing {
		return e.fail("No state", errNoState(h.path))
	}
	snap, err := h.store.Read(e.ctx)
	if err != nil {
		return e.failState(err)
	}
	return fn(&a, h, snap, filters, rest)
}

func runStateList(e *env, args []string) int {
	return e.stateCommand("state list [options] [ADDR ...]", "Lists recorded partitions: address, stage, status.", args, false,
		func(_ *stateArgs, _ *stateHandle, snap *state.Snapshot, filters []planner.Addr, _ []string) int {
			_, parts := snap.Sorted()
			for _, r := range parts {
				if matchRecord(filters, r) {
					fmt.Fprintf(e.stdout, "%s/%s\t%s\t%s\tv%d\n", r.Table, r.Partition, r.Stage, r.Status, r.Fingerprint.VisibleVersion)
				}
			}
			return ExitOK
		})
}

func matchRecord(filters []planner.Addr, r *state.PartitionRecord) bool {
	if len(filters) == 0 {
		return true
	}
	for _, f := range filters {
		if f.Table.String() == r.Table && (f.Partition == "" || f.Partition == r.Partition) {
			return true
		}
	}
	return false
}

func runStateShow(e *env, args []string) int {
	return e.stateCommand("state show [options] [ADDR ...]", "Shows the state's meta and the records of the given addresses (all without one).", args, false,
		func(a *stateArgs, _ *stateHandle, snap *state.Snapshot, filters []planner.Addr, rest []string) int {
			return e.showState(a, snap, filters, rest)
		})
}

func (e *env) showState(a *stateArgs, snap *state.Snapshot, filters []planner.Addr, rest []string) int {
	tables, parts := snap.Sorted()
	doc := struct {
		Meta       state.Meta               `json:"meta"`
		Tables     []*state.TableRecord     `json:"tables"`
		Partitions []*state.PartitionRecord `json:"partitions"`
	}{Meta: snap.Meta}
	for _, t := range tables {
		if len(filters) == 0 || matchTable(filters, t.Table) {
			doc.Tables = append(doc.Tables, t)
		}
	}
	for _, r := range parts {
		if matchRecord(filters, r) {
			doc.Partitions = append(doc.Partitions, r)
		}
	}
	if len(filters) > 0 && len(doc.Tables)+len(doc.Partitions) == 0 {
		return e.fail("No such record", fmt.Errorf("nothing recorded for %s", strings.Join(rest, ", ")))
	}
	if a.json {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(doc); err != nil {
			return e.fail("Cannot print", err)
		}
		return ExitOK
	}
	m := snap.Meta
	fmt.Fprintf(e.stdout, "state format %d, lineage %s, serial %d, written by srplan %s\n", m.FormatVersion, m.Lineage, m.Serial, m.SrplanVersion)
	for _, r := range doc.Partitions {
		fmt.Fprintf(e.stdout, "\n%s/%s\n", r.Table, r.Partition)
		fmt.Fprintf(e.stdout, "  stage        %s (%s)\n", r.Stage, r.Status)
		fmt.Fprintf(e.stdout, "  fingerprint  version %d", r.Fingerprint.VisibleVersion)
		if !r.Fingerprint.VisibleVersionTime.IsZero() {
			fmt.Fprintf(e.stdout, " at %s", r.Fingerprint.VisibleVersionTime.UTC().Format("2006-01-02 15:04:05"))
		}
		fmt.Fprintln(e.stdout)
		if r.Method != "" {
			fmt.Fprintf(e.stdout, "  method       %s\n", r.Method)
		}
		if r.Attempts > 0 || r.LastError != "" {
			fmt.Fprintf(e.stdout, "  attempts     %d, last error: %s\n", r.Attempts, r.LastError)
		}
		if r.ExportPath != "" {
			fmt.Fprintf(e.stdout, "  export path  %s\n", r.ExportPath)
		}
		if len(r.Labels) > 0 {
			fmt.Fprintf(e.stdout, "  labels       %s\n", strings.Join(r.Labels, ", "))
		}
		if r.Snapshot != nil {
			fmt.Fprintf(e.stdout, "  snapshot     %s\n", describeSnapshot(r.Snapshot))
		}
		if r.VerifySource != nil && r.VerifyTarget != nil {
			fmt.Fprintf(e.stdout, "  verified     source %d rows %s, target %d rows %s\n",
				r.VerifySource.RowCount, r.VerifySource.Checksum, r.VerifyTarget.RowCount, r.VerifyTarget.Checksum)
		}
		fmt.Fprintf(e.stdout, "  updated      %s\n", r.UpdatedAt.UTC().Format("2006-01-02 15:04:05 MST"))
	}
	return ExitOK
}

func matchTable(filters []planner.Addr, table string) bool {
	for _, f := range filters {
		if f.Partition == "" && f.Table.String() == table {
			return true
		}
	}
	return false
}

func runStateRm(e *env, args []string) int {
	return e.stateCommand("state rm [options] db.table[/partition] ...",
		"Forgets recorded tables or partitions, so the next plan copies them again.\nNothing on any cluster is changed.", args, true,
		func(_ *stateArgs, h *stateHandle, snap *state.Snapshot, filters []planner.Addr, rest []string) int {
			return e.removeState(h, snap, filters, rest)
		})
}

func (e *env) removeState(h *stateHandle, snap *state.Snapshot, filters []planner.Addr, rest []string) int {
	var b state.Batch
	tables, parts := snap.Sorted()
	for _, r := range parts {
		if matchRecord(filters, r) {
			b.DeletePartitions = append(b.DeletePartitions, r.Key())
		}
	}
	for _, t := range tables {
		if matchTable(filters, t.Table) {
			b.DeleteTables = append(b.DeleteTables, t.Table)
		}
	}
	if b.Empty() {
		return e.fail("No such record", fmt.Errorf("nothing recorded for %s", strings.Join(rest, ", ")))
	}
	if err := h.store.Write(e.ctx, &b); err != nil {
		return e.failState(err)
	}
	fmt.Fprintf(e.stdout, "Removed %d partition record(s) and %d table record(s) from state.\n", len(b.DeletePartitions), len(b.DeleteTables))
	return ExitOK
}

func runForceUnlock(e *env, args []string) int {
	fs := newFlagSet("force-unlock [options] LOCK_ID", e.stderr,
		"Releases the state lock held under LOCK_ID. Use it only when the holder is gone for\ngood: two applies at once can record conflicting progress.")
	var a stateArgs
	addSpecFlags(fs, &a.spec)
	fs.StringVar(&a.state, flagState, "", "state `file` (default: the spec's state block; its DynamoDB lock when it has one)")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	if fs.NArg() != 1 {
		return e.fail("Missing lock ID", errors.New("usage: srplan force-unlock LOCK_ID (the ID is in the 'State is locked' message)"))
	}
	path := a.state
	var locker state.Locker
	if path == "" {
		cfg := e.loadSpec(&a.spec)
		if cfg == nil {
			return ExitError
		}
		if sharedState(cfg) != nil {
			s, _, err := e.openDynamo(cfg)
			if err != nil {
				return e.failState(err)
			}
			defer s.Close()
			locker = s
		}
		path = cfg.State.Path
	}
	if locker == nil {
		b, err := state.OpenBolt(path, state.BoltOptions{SrplanVersion: Version})
		if err != nil {
			return e.failState(err)
		}
		defer b.Close()
		locker = b
	}
	if err := locker.Unlock(e.ctx, fs.Arg(0)); err != nil {
		return e.fail("Cannot release the lock", err)
	}
	fmt.Fprintf(e.stdout, "The state lock %s was released.\n", fs.Arg(0))
	return ExitOK
}
