package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/srplan/srplan/state"
)

func init() {
	register(command{name: "status", synopsis: "Show migration progress from state (live while an apply runs)", run: runStatus})
}

// tableStatus counts one table's recorded partitions.
type tableStatus struct {
	Table    string         `json:"table"`
	Done     int            `json:"done"`
	Running  int            `json:"in_progress"`
	Failed   int            `json:"failed"`
	ByStage  map[string]int `json:"by_stage"`
	Failures []failure      `json:"failures,omitempty"`
	// Snapshots are the BACKUP snapshots of method "backup" partitions.
	Snapshots []*snapshotStatus `json:"snapshots,omitempty"`
}

// snapshotStatus is one recorded snapshot state (name, repository,
// timestamp, job ids, outcome) and the partitions recorded with it.
type snapshotStatus struct {
	state.SnapshotRecord
	Partitions []string `json:"partitions"`
}

type failure struct {
	Partition string `json:"partition"`
	Stage     string `json:"stage"`
	Attempts  int    `json:"attempts"`
	Error     string `json:"error"`
}

func runStatus(e *env, args []string) int {
	var a stateArgs
	rest, code, ok := e.stateFlags("status [options]", "Shows per table how many partitions are done, in progress and failed (with why),\nfrom the state; while an apply runs, shows its live progress instead.", &a, args)
	if !ok {
		return code
	}
	if len(rest) > 0 {
		return e.fail("Unexpected argument", fmt.Errorf("status takes no arguments (got %q)", rest[0]))
	}
	path := a.state
	if path == "" {
		cfg := e.loadSpec(&a.spec)
		if cfg == nil {
			return ExitError
		}
		if sharedState(cfg) != nil {
			// DynamoDB records progress as it is made, by every worker.
			snap, err := e.readShared(cfg)
			if err != nil {
				return e.failState(err)
			}
			return e.printStatus(snap, a.json)
		}
		path = cfg.State.Path
	}
	b, err := state.OpenBolt(path, state.BoltOptions{SrplanVersion: Version, ReadOnly: true, Timeout: max(a.lock.timeout, 500*time.Millisecond)})
	if err != nil {
		if _, held := errors.AsType[*state.LockError](err); held {
			return e.showLive(path, a.json)
		}
		if errors.Is(err, state.ErrNoState) {
			fmt.Fprintln(e.stdout, "Nothing recorded yet: run 'srplan plan' and 'srplan apply'.")
			return ExitOK
		}
		return e.failState(err)
	}
	defer b.Close()
	snap, err := b.Read(e.ctx)
	if err != nil {
		return e.failState(err)
	}
	return e.printStatus(snap, a.json)
}

// printStatus prints the per-table progress recorded in snap.
func (e *env) printStatus(snap *state.Snapshot, asJSON bool) int {
	tables := map[string]*tableStatus{}
	_, parts := snap.Sorted()
	for _, r := range parts {
		ts := tables[r.Table]
		if ts == nil {
			ts = &tableStatus{Table: r.Table, ByStage: map[string]int{}}
			tables[r.Table] = ts
		}
		switch {
		case r.Done():
			ts.Done++
		case r.Status == state.StatusFailed:
			ts.Failed++
			ts.Failures = append(ts.Failures, failure{Partition: r.Partition, Stage: string(r.Stage), Attempts: r.Attempts, Error: r.LastError})
		default:
			ts.Running++
		}
		ts.ByStage[string(r.Stage)]++
		if r.Snapshot != nil {
			ts.addSnapshot(r.Partition, *r.Snapshot)
		}
	}
	names := make([]string, 0, len(tables))
	for n := range tables {
		names = append(names, n)
	}
	sort.Strings(names)
	if asJSON {
		out := make([]*tableStatus, 0, len(names))
		for _, n := range names {
			out = append(out, tables[n])
		}
		return e.printJSON(map[string]any{"serial": snap.Meta.Serial, "tables": out})
	}
	if len(names) == 0 {
		fmt.Fprintln(e.stdout, "Nothing recorded yet: run 'srplan plan' and 'srplan apply'.")
		return ExitOK
	}
	for _, n := range names {
		ts := tables[n]
		fmt.Fprintf(e.stdout, "%s: %d done, %d in progress, %d failed\n", n, ts.Done, ts.Running, ts.Failed)
		for _, f := range ts.Failures {
			fmt.Fprintf(e.stdout, "  ! %s failed at %s after %d attempt(s): %s\n", f.Partition, f.Stage, f.Attempts, f.Error)
		}
		for _, sn := range ts.Snapshots {
			fmt.Fprintf(e.stdout, "  snapshot %s: %s\n", describeSnapshot(&sn.SnapshotRecord), strings.Join(sn.Partitions, ", "))
		}
	}
	return ExitOK
}

// addSnapshot counts partition under its snapshot record; partitions
// whose records agree in every field share one entry.
func (ts *tableStatus) addSnapshot(partition string, s state.SnapshotRecord) {
	for _, sn := range ts.Snapshots {
		if sn.SnapshotRecord == s {
			sn.Partitions = append(sn.Partitions, partition)
			return
		}
	}
	ts.Snapshots = append(ts.Snapshots, &snapshotStatus{SnapshotRecord: s, Partitions: []string{partition}})
}

// describeSnapshot is the one-line text of a snapshot record: "NAME in
// repository R (timestamp T, backup job B, restore job J into TABLE):
// OUTCOME", leaving out what is not recorded.
func describeSnapshot(s *state.SnapshotRecord) string {
	var b strings.Builder
	b.WriteString(s.Name + " in repository " + s.Repository)
	var details []string
	if s.Timestamp != "" {
		details = append(details, "timestamp "+s.Timestamp)
	}
	if s.BackupJobID != "" {
		details = append(details, "backup job "+s.BackupJobID)
	}
	if s.RestoreJobID != "" {
		details = append(details, "restore job "+s.RestoreJobID)
	}
	if s.RestoreInto != "" {
		details = append(details, "restored into "+s.RestoreInto)
	}
	if len(details) > 0 {
		b.WriteString(" (" + strings.Join(details, ", ") + ")")
	}
	outcome := s.Outcome
	if outcome == "" {
		outcome = "no outcome yet"
	}
	b.WriteString(": " + outcome)
	return b.String()
}

// showLive prints the progress file of a running apply.
func (e *env) showLive(statePath string, asJSON bool) int {
	lf, err := readLive(statePath)
	if err != nil {
		return e.fail("State is in use", fmt.Errorf("another srplan process holds %s and has published no progress yet; try again in a moment", statePath))
	}
	if asJSON {
		return e.printJSON(lf)
	}
	fmt.Fprintf(e.stdout, "apply running (pid %d on %s) since %s, updated %s\n", lf.PID, lf.Host,
		lf.Started.Format(time.RFC3339), lf.Updated.Format(time.RFC3339))
	fmt.Fprintf(e.stdout, "%d of %d partitions done, %d failed, %d in progress\n", lf.Done, lf.Total, lf.Failed, len(lf.Running))
	if lf.Limits != "" {
		fmt.Fprintln(e.stdout, lf.Limits)
	}
	for _, r := range lf.Running {
		fmt.Fprintf(e.stdout, "  %s: %s for %s\n", r.Addr, r.Stage, time.Since(r.Since).Round(time.Second))
	}
	for _, f := range lf.Failures {
		fmt.Fprintf(e.stdout, "  ! %s failed at %s: %s\n", f.Addr, f.Stage, f.Error)
	}
	return ExitOK
}

func (e *env) printJSON(v any) int {
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return e.fail("Cannot print", err)
	}
	return ExitOK
}
