package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/srplan/srplan/planner"
	"github.com/srplan/srplan/planner/plantest"
	"github.com/srplan/srplan/state"
)

// result is one srplan invocation's outcome.
type result struct {
	code           int
	stdout, stderr string
}

// srplan runs the CLI in-process with a clean environment plus env.
func srplan(t *testing.T, stdin string, env []string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	code := run(ctx, args, strings.NewReader(stdin), &out, &errb, append([]string{"NO_COLOR=1"}, env...))
	return result{code, out.String(), errb.String()}
}

func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs("../../..")
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestExamplesValidate(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join(repoRoot(t), "examples", "*"))
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no examples: %v", err)
	}
	for _, d := range dirs {
		t.Run(filepath.Base(d), func(t *testing.T) {
			r := srplan(t, "", nil, "validate", "-f", d)
			if r.code != ExitOK || !strings.Contains(r.stdout, "Success!") {
				t.Fatalf("validate %s: code %d\n%s%s", d, r.code, r.stdout, r.stderr)
			}
			r = srplan(t, "", nil, "fmt", "-check", d)
			if r.code != ExitOK {
				t.Errorf("example %s is not formatted: %s%s", d, r.stdout, r.stderr)
			}
		})
	}
}

func TestValidateReportsLocation(t *testing.T) {
	dir := t.TempDir()
	spec := filepath.Join(dir, "m.hcl")
	if err := os.WriteFile(spec, []byte("storage \"local\" \"s\" {\n  path = \"./x\"\n}\nbogus \"x\" {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := srplan(t, "", nil, "validate", "-f", spec)
	if r.code != ExitError {
		t.Fatalf("code %d", r.code)
	}
	if !strings.Contains(r.stderr, spec+":4:1: Error: Unsupported block type") || !strings.Contains(r.stderr, `4: bogus "x" {}`) {
		t.Errorf("diagnostic lacks location or snippet:\n%s", r.stderr)
	}
}

func TestFmt(t *testing.T) {
	dir := t.TempDir()
	spec := filepath.Join(dir, "m.hcl")
	if err := os.WriteFile(spec, []byte("storage \"local\" \"s\" {\npath=\"./x\"\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := srplan(t, "", nil, "fmt", "-check", dir)
	if r.code != ExitError || !strings.Contains(r.stdout, spec) {
		t.Fatalf("fmt -check on an unformatted file: code %d out %q", r.code, r.stdout)
	}
	if b, _ := os.ReadFile(spec); !strings.Contains(string(b), "path=") {
		t.Fatal("fmt -check changed the file")
	}
	if r = srplan(t, "", nil, "fmt", dir); r.code != ExitOK {
		t.Fatalf("fmt: %d %s", r.code, r.stderr)
	}
	if b, _ := os.ReadFile(spec); !strings.Contains(string(b), `  path = "./x"`) {
		t.Fatalf("fmt did not format:\n%s", b)
	}
	if r = srplan(t, "", nil, "fmt", "-check", dir); r.code != ExitOK {
		t.Fatalf("formatted file still reported: %s", r.stdout)
	}
	bad := filepath.Join(dir, "bad.hcl")
	if err := os.WriteFile(bad, []byte("table \"a.b\" {\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if r = srplan(t, "", nil, "fmt", bad); r.code != ExitError || !strings.Contains(r.stderr, bad+":") {
		t.Errorf("fmt of a broken file: code %d stderr %q", r.code, r.stderr)
	}
}

func TestVersionAndUsage(t *testing.T) {
	r := srplan(t, "", nil, "version")
	if r.code != ExitOK || !strings.HasPrefix(r.stdout, "srplan "+Version) {
		t.Errorf("version: %d %q", r.code, r.stdout)
	}
	r = srplan(t, "", nil, "nope")
	if r.code != ExitError || !strings.Contains(r.stderr, `unknown command "nope"`) {
		t.Errorf("unknown command: %d %q", r.code, r.stderr)
	}
	r = srplan(t, "", nil, "plan", "-bogus")
	if r.code != ExitError || !strings.Contains(r.stderr, "flag provided but not defined: -bogus") {
		t.Errorf("bad flag: %d %q", r.code, r.stderr)
	}
	r = srplan(t, "", nil, "plan", "-help")
	if r.code != ExitOK || !strings.Contains(r.stderr, "-detailed-exitcode") {
		t.Errorf("plan -help: %d %q", r.code, r.stderr)
	}
}

func TestShowSavedPlan(t *testing.T) {
	src := plantest.Source()
	p, diags := planner.Compute(plantest.Input(plantest.Config(), nil, src, plantest.EmptyTarget()))
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	path := filepath.Join(t.TempDir(), "plan.json")
	if err := planner.WritePlanFile(path, p); err != nil {
		t.Fatal(err)
	}
	r := srplan(t, "", nil, "show", path)
	if r.code != ExitOK || !strings.Contains(r.stdout, "Plan: 6 partitions to copy") {
		t.Errorf("show: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = srplan(t, "", nil, "show", "-json", path)
	if r.code != ExitOK || !strings.Contains(r.stdout, `"format_version": "1.0"`) {
		t.Errorf("show -json: %d\n%s", r.code, r.stdout)
	}
	r = srplan(t, "", nil, "show", filepath.Join(t.TempDir(), "missing"))
	if r.code != ExitError || !strings.Contains(r.stderr, "does not exist") {
		t.Errorf("show missing: %d %q", r.code, r.stderr)
	}
}

// seedState writes records for sales.orders p1 and p2 into a new state file.
func seedState(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "state.db")
	b, err := state.OpenBolt(path, state.BoltOptions{SrplanVersion: Version, Create: true})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	batch := &state.Batch{PutTables: []*state.TableRecord{{Table: "sales.orders", Target: "sales.orders", UpdatedAt: now}}}
	for i, p := range []string{"p1", "p2"} {
		fp := state.Fingerprint{VisibleVersion: int64(3 + i)}
		batch.PutPartitions = append(batch.PutPartitions, &state.PartitionRecord{
			Table: "sales.orders", Partition: p, Fingerprint: fp, LastDone: &fp, Stage: state.StageDone, Status: state.StatusOK,
			Labels: []string{"srplan_x_" + p}, CreatedAt: now, UpdatedAt: now,
		})
	}
	if err := b.Write(context.Background(), batch); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestStateCommands(t *testing.T) {
	path := seedState(t)
	r := srplan(t, "", nil, "state", "list", "-state", path)
	if r.code != ExitOK || r.stdout != "sales.orders/p1\tdone\tok\tv3\nsales.orders/p2\tdone\tok\tv4\n" {
		t.Errorf("state list: %d %q %q", r.code, r.stdout, r.stderr)
	}
	r = srplan(t, "", nil, "state", "show", "-state", path, "sales.orders/p2")
	if r.code != ExitOK || !strings.Contains(r.stdout, "sales.orders/p2\n  stage        done (ok)\n  fingerprint  version 4") || strings.Contains(r.stdout, "/p1") {
		t.Errorf("state show: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = srplan(t, "", nil, "state", "show", "-json", "-state", path)
	if r.code != ExitOK || !strings.Contains(r.stdout, `"serial": 1`) {
		t.Errorf("state show -json: %d\n%s", r.code, r.stdout)
	}
	r = srplan(t, "", nil, "state", "rm", "-state", path, "sales.orders/p1")
	if r.code != ExitOK || !strings.Contains(r.stdout, "Removed 1 partition record(s)") {
		t.Errorf("state rm: %d %q %q", r.code, r.stdout, r.stderr)
	}
	r = srplan(t, "", nil, "state", "list", "-state", path)
	if r.stdout != "sales.orders/p2\tdone\tok\tv4\n" {
		t.Errorf("after rm: %q", r.stdout)
	}
	r = srplan(t, "", nil, "state", "rm", "-state", path, "sales.orders/nope")
	if r.code != ExitError || !strings.Contains(r.stderr, "nothing recorded for sales.orders/nope") {
		t.Errorf("rm of a missing record: %d %q", r.code, r.stderr)
	}
	r = srplan(t, "", nil, "state", "frob")
	if r.code != ExitError || !strings.Contains(r.stderr, "want list, show or rm") {
		t.Errorf("unknown subcommand: %q", r.stderr)
	}
}

func TestLockedStateNamesHolderAndForceUnlock(t *testing.T) {
	path := seedState(t)
	b, err := state.OpenBolt(path, state.BoltOptions{SrplanVersion: Version})
	if err != nil {
		t.Fatal(err)
	}
	info := state.NewLockInfo("apply", Version)
	id, err := b.Lock(context.Background(), info)
	if err != nil {
		t.Fatal(err)
	}
	r := srplan(t, "", nil, "state", "list", "-state", path, "-lock-timeout", "300ms")
	if r.code != ExitError || !strings.Contains(r.stderr, "Error: State is locked") ||
		!strings.Contains(r.stderr, `for "apply"`) || !strings.Contains(r.stderr, "srplan force-unlock "+id) {
		t.Errorf("locked state: %d\n%s", r.code, r.stderr)
	}
	b.Close() // the holder process went away without unlocking
	r = srplan(t, "", nil, "force-unlock", "-state", path, "wrong-id")
	if r.code != ExitError || !strings.Contains(r.stderr, "lock ID mismatch") {
		t.Errorf("force-unlock with a wrong id: %d %q", r.code, r.stderr)
	}
	r = srplan(t, "", nil, "force-unlock", "-state", path, id)
	if r.code != ExitOK {
		t.Fatalf("force-unlock: %d %q", r.code, r.stderr)
	}
	if r = srplan(t, "", nil, "state", "list", "-state", path); r.code != ExitOK {
		t.Errorf("after force-unlock: %d %q", r.code, r.stderr)
	}
}
