package e2e

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.etcd.io/bbolt"

	"github.com/srplan/srplan/providers/s3/s3test"
	simsr "github.com/srplan/srplan/sim/starrocks"
	"github.com/srplan/srplan/state"
)

// The bad input corpus: every case runs the built srplan binary on one bad
// input (a broken spec, a misused command line, a damaged plan or state
// file, a wrong password, an unreachable host, a missing bucket or
// privilege) and asserts the exit code, the message (a summary and what
// to check; file:line:col for spec errors), that no secret is printed, and
// that nothing was written or lost: the workspace's files (stage, plan
// files, progress file) are byte-identical, the state is absent if it was
// absent and has the same serial and records if it existed, and the
// clusters saw no write and no job.

// badInputsTried counts the cases run, for RELIABILITY.md (go test -v
// shows "bad inputs tried: N").
var badInputsTried atomic.Int64

// Secrets of the corpus's clusters: none may appear in any output.
const (
	badSrcPassword = "Src-B4d-input-secret"
	badDstPassword = "Dst-B4d-input-secret"
	badUser        = "reader"
	badUserPW      = "Re4der-B4d-secret"
	wrongPassword  = "Wr0ng-Passw0rd-secret"
)

// badCase is one bad input.
type badCase struct {
	category string
	name     string
	// edit rewrites the workspace's spec text; nil keeps the valid spec.
	edit func(r *badRig, spec string) string
	// env is added to srplan's environment (later entries win).
	env []string
	// setup prepares the workspace after the spec is written.
	setup func(t *testing.T, r *badRig, w *workspace)
	// args of srplan; "-f SPEC" is added after the first one unless noSpec.
	args   []string
	noSpec bool
	// code is the exit code; 0 means 1 (every bad input is an error).
	code int
	// want are texts the output (stdout and stderr) must contain: the
	// summary and what to check.
	want []string
	// wantRe are regular expressions the output must match.
	wantRe []string
	// blockedOnly marks a plan that lists blocked work: it succeeds (exit
	// 0) and says why and what to do instead.
	blockedOnly bool
}

// badRig is the pair of clusters the cluster cases share. No case may
// write to them; the shop schema is seeded on the source.
type badRig struct {
	src, dst *cluster
	old31    *cluster // a 3.1 shared-data source, where only EXPORT works
	s3       s3test.Env
	bucket   string // an existing, empty bucket
}

// TestBadInput runs the corpus of bad inputs that need clusters, state
// or plan files, against one pair of simulated clusters.
func TestBadInput(t *testing.T) {
	t.Parallel()
	r := &badRig{
		src: startSim(t, hostOptions{Version: "3.3.8", Mode: simsr.SharedNothing, RootPassword: badSrcPassword,
			Users: []simsr.User{{Name: badUser, Password: badUserPW, Denied: []string{"SELECT"}}}}),
		dst: startSim(t, hostOptions{Version: "3.5.2", Mode: simsr.SharedData, RootPassword: badDstPassword}),
		s3:  s3test.Endpoint(t),
	}
	r.bucket = s3test.NewBucket(t, r.s3)
	r.old31 = startSim(t, hostOptions{Version: "3.1.11", Mode: simsr.SharedData, RootPassword: badSrcPassword})
	seedShop(t, r.old31, 5)
	seedShop(t, r.src, 20)
	cases := badCases()
	counts := map[string]int{}
	for _, c := range cases {
		counts[c.category]++
		t.Run(c.category+"/"+c.name, func(t *testing.T) { r.runCase(t, c) })
	}
	names := make([]string, 0, len(counts))
	for k := range counts {
		names = append(names, fmt.Sprintf("%s %d", k, counts[k]))
	}
	sort.Strings(names)
	t.Logf("bad input cases by category: %s", strings.Join(names, ", "))
}

// TestBadInputCount reports the size of the corpus; it runs last in the
// package's order of declaration only by name, so it counts what the
// other bad input tests declare rather than what already ran.
func TestBadInputCount(t *testing.T) {
	paths, _ := filepath.Glob(filepath.Join("..", "..", "..", "lang", "testdata", "invalid", "*.hcl"))
	n := 2*(len(paths)-1) + len(badCases()) + len(identifierCases)
	if n < 60 {
		t.Errorf("the corpus has %d bad inputs, want at least 60", n)
	}
	t.Logf("bad inputs tried: %d (spec fixtures %d x 2 commands, other cases %d, identifier cases %d)",
		n, len(paths)-1, len(badCases()), len(identifierCases))
}

// runCase runs one case in a new workspace and checks it.
func (r *badRig) runCase(t *testing.T, c badCase) {
	t.Helper()
	badInputsTried.Add(1)
	w := newWorkspace(t, specOptions{src: r.src, dst: r.dst})
	if c.edit != nil {
		b, err := os.ReadFile(w.spec)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(w.spec, []byte(c.edit(r, string(b))), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	w.env = append(w.env, c.env...)
	if c.setup != nil {
		c.setup(t, r, w)
	}
	statePath := filepath.Join(w.dir, ".srplan", "state.db")
	stateBefore := stateSummary(t, statePath)
	filesBefore := snapshotWorkspace(t, w.dir)
	srcBefore, dstBefore, old31Before := r.src.ctl.counters(t), r.dst.ctl.counters(t), r.old31.ctl.counters(t)

	res := r.exec(t, w, c)

	want := c.code
	if want == 0 && !c.blockedOnly {
		want = 1
	}
	if res.code != want {
		t.Errorf("exit %d, want %d", res.code, want)
	}
	out := res.stdout + res.stderr
	for _, s := range c.want {
		if !strings.Contains(out, s) {
			t.Errorf("the output does not say %q", s)
		}
	}
	for _, re := range c.wantRe {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("the output does not match %q", re)
		}
	}
	for _, s := range []string{badSrcPassword, badDstPassword, badUserPW, wrongPassword, r.s3.SecretKey} {
		if s != "" && strings.Contains(out, s) {
			t.Errorf("the output shows a secret")
		}
	}
	if strings.Contains(out, "goroutine ") || strings.Contains(out, "panic:") {
		t.Errorf("srplan crashed")
	}
	filesAfter := snapshotWorkspace(t, w.dir)
	if got := stateSummary(t, statePath); got != stateBefore {
		t.Errorf("the state changed: before %s, after %s", stateBefore, got)
	}
	if diff := cmp.Diff(filesBefore, filesAfter); diff != "" {
		t.Errorf("files of the workspace changed (-before +after):\n%s", diff)
	}
	assertNoWrites(t, "source", srcBefore, r.src.ctl.counters(t))
	assertNoWrites(t, "3.1 source", old31Before, r.old31.ctl.counters(t))
	assertNoWrites(t, "target", dstBefore, r.dst.ctl.counters(t))
	if t.Failed() {
		t.Logf("%s", res)
	}
}

// exec runs the case's command in w.
func (r *badRig) exec(t *testing.T, w *workspace, c badCase) result {
	t.Helper()
	if c.noSpec {
		saved := w.spec
		defer func() { w.spec = saved }()
		return w.runRaw(t, c.args...)
	}
	return w.run(t, c.args...)
}

// runRaw runs srplan with exactly args (no -f added) in w.
func (w *workspace) runRaw(t *testing.T, args ...string) result {
	t.Helper()
	cmd := w.command(t.Context(), "version")
	cmd.Args = append([]string{srplanBin}, args...)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	res := result{args: args, stdout: stdout.String(), stderr: stderr.String()}
	if err != nil {
		if cmd.ProcessState == nil || !cmd.ProcessState.Exited() {
			t.Fatalf("srplan %s: %v\n%s", strings.Join(args, " "), err, res)
		}
		res.code = cmd.ProcessState.ExitCode()
	}
	return res
}

// assertNoWrites fails t when a cluster saw a job or a statement that
// writes between two counter readings.
func assertNoWrites(t *testing.T, side string, before, after simsr.Counters) {
	t.Helper()
	if d := counterDelta(before, after); len(d) != 0 {
		t.Errorf("jobs were submitted on the %s: %v", side, d)
	}
	for _, f := range []string{"EXPORT", "LOAD", "INSERT", "ALTER TABLE", "CREATE TABLE", "CREATE DATABASE", "DROP TABLE", "TRUNCATE", "BACKUP", "RESTORE"} {
		if n := familyDelta(before, after, f); n != 0 {
			t.Errorf("%d %s statements were sent to the %s", n, f, side)
		}
	}
}

// snapshotWorkspace maps every file under dir (but the state file, which
// stateSummary compares) to a digest of its content and mode.
func snapshotWorkspace(t testing.TB, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if rel == filepath.Join(".srplan", "state.db") {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if d.IsDir() {
			out[rel+"/"] = info.Mode().String()
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		out[rel] = info.Mode().String() + " " + hex.EncodeToString(sum[:8])
		return nil
	})
	if err != nil {
		t.Fatalf("snapshot %s: %v", dir, err)
	}
	return out
}

// stateSummary describes the state file at path: "absent", its serial,
// lineage and records when srplan can read it, else a digest of its bytes.
// The lock bucket is left out: a command takes and releases the lock.
func stateSummary(t testing.TB, path string) string {
	t.Helper()
	raw, err := os.ReadFile(path)
	switch {
	case errorsIsNotExist(err):
		return "absent"
	case err != nil:
		info, serr := os.Stat(path)
		if serr == nil && info.IsDir() {
			return "a directory"
		}
		t.Fatalf("read %s: %v", path, err)
	}
	sum := sha256.Sum256(raw)
	bytesDigest := "bytes " + hex.EncodeToString(sum[:8])
	b, err := state.OpenBolt(path, state.BoltOptions{SrplanVersion: "0.0.0-e2e", ReadOnly: true})
	if err != nil {
		return bytesDigest
	}
	defer b.Close()
	snap, err := b.Read(t.Context())
	if err != nil {
		return bytesDigest
	}
	tables, parts := snap.Sorted()
	recs, err := json.Marshal([]any{tables, parts})
	if err != nil {
		t.Fatal(err)
	}
	rs := sha256.Sum256(recs)
	return fmt.Sprintf("serial %d lineage %s records %s", snap.Meta.Serial, snap.Meta.Lineage, hex.EncodeToString(rs[:8]))
}

func errorsIsNotExist(err error) bool { return err != nil && os.IsNotExist(err) }

// writeFile writes content to a path under w's directory.
func (w *workspace) writeFile(t *testing.T, rel string, content []byte) string {
	t.Helper()
	p := filepath.Join(w.dir, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, content, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// makeState creates w's state with one recorded partition, written by
// srplan's own bbolt backend, so that the cases can check it is kept.
func makeState(t *testing.T, w *workspace) string {
	t.Helper()
	p := filepath.Join(w.dir, ".srplan", "state.db")
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		t.Fatal(err)
	}
	b, err := state.OpenBolt(p, state.BoltOptions{SrplanVersion: "0.1.0", Create: true})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	rec := &state.PartitionRecord{Table: "shop.orders", Partition: "p20240101", Stage: state.StageDone, Status: state.StatusOK}
	if err := b.Write(t.Context(), &state.Batch{PutPartitions: []*state.PartitionRecord{rec}}); err != nil {
		t.Fatal(err)
	}
	return p
}

// editStateMeta sets a meta key of the state file at path to raw JSON.
func editStateMeta(t *testing.T, path, key, raw string) {
	t.Helper()
	db, err := bbolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Update(func(tx *bbolt.Tx) error { return tx.Bucket([]byte("meta")).Put([]byte(key), []byte(raw)) }); err != nil {
		t.Fatal(err)
	}
}

// replace returns an edit that replaces old by new in the spec.
func replace(old, new string) func(*badRig, string) string {
	return func(_ *badRig, spec string) string { return strings.Replace(spec, old, new, 1) }
}

// s3Stage returns an edit that swaps the local stage for an s3 stage in
// bucket with the given keys (read from sensitive variables).
func s3Stage(bucket string, env *s3test.Env) func(*badRig, string) string {
	return func(r *badRig, spec string) string {
		e := r.s3
		if env != nil {
			e = *env
		}
		if bucket == "" {
			bucket = r.bucket
		}
		block := fmt.Sprintf(`variable "stage_access_key" {
  type      = string
  sensitive = true
  default   = %q
}
variable "stage_secret_key" {
  type      = string
  sensitive = true
}
storage "s3" "stage" {
  url        = "s3://%s/stage"
  endpoint   = %q
  region     = %q
  path_style = true
  access_key = var.stage_access_key
  secret_key = var.stage_secret_key
}
`, e.AccessKey, bucket, e.Endpoint, e.Region)
		return strings.Replace(spec, "storage \"local\" \"stage\" {\n  path = \"./stage\"\n}\n", block, 1)
	}
}

// savePlan runs plan -out NAME in w.
func savePlan(name string) func(*testing.T, *badRig, *workspace) {
	return func(t *testing.T, _ *badRig, w *workspace) { w.mustRun(t, "plan", "-out", name) }
}

// writeJunk writes content to rel in the workspace.
func writeJunk(rel, content string) func(*testing.T, *badRig, *workspace) {
	return func(t *testing.T, _ *badRig, w *workspace) { w.writeFile(t, rel, []byte(content)) }
}

// badCases is the corpus of TestBadInput.
func badCases() []badCase {
	return []badCase{
		// Command line misuse.
		{category: "cli", name: "no command", noSpec: true, args: nil, want: []string{"Usage: srplan <command>", "Commands:"}},
		{category: "cli", name: "unknown command", noSpec: true, args: []string{"frobnicate"}, want: []string{`unknown command "frobnicate"`, "Usage: srplan"}},
		{category: "cli", name: "unknown flag", args: []string{"plan", "-nope"}, want: []string{"flag provided but not defined: -nope", "Usage: srplan plan"}},
		{category: "cli", name: "plan with an argument", args: []string{"plan", "extra"}, want: []string{"Error: Unexpected argument", "pass the spec with -f"}},
		{category: "cli", name: "apply with two plans", args: []string{"apply", "a.plan", "b.plan"}, want: []string{"Error: Too many arguments", "at most one saved plan file"}},
		{category: "cli", name: "show without a file", noSpec: true, args: []string{"show"}, want: []string{"Error: Missing plan file", "usage: srplan show PLANFILE"}},
		{category: "cli", name: "state without a subcommand", noSpec: true, args: []string{"state"}, want: []string{"Error: Missing subcommand", "list|show|rm"}},
		{category: "cli", name: "state with an unknown subcommand", noSpec: true, args: []string{"state", "frob"}, want: []string{"Error: Unknown subcommand", "want list, show or rm"}},
		{category: "cli", name: "state rm without an address", noSpec: true, args: []string{"state", "rm", "-f", "migration.hcl"}, want: []string{"Error: Missing address", "db.table[/partition]"}},
		{category: "cli", name: "force-unlock without an ID", args: []string{"force-unlock"}, want: []string{"Error: Missing lock ID", "'State is locked' message"}},
		{category: "cli", name: "var without a value", args: []string{"plan", "-var", "novalue"}, want: []string{"Error: Invalid -var option", "want -var 'name=value'"}},
		{category: "cli", name: "undeclared var", args: []string{"validate", "-var", "nosuch=1"}, wantRe: []string{`Error: .*(undeclared|Undeclared|not declared)`}},
		{category: "cli", name: "target without a dot", args: []string{"plan", "-target", "nodot"}, want: []string{"Error: Invalid address", "want db.table or db.table/partition"}},
		{category: "cli", name: "empty replace address", args: []string{"plan", "-replace", ""}, want: []string{"Error: Invalid address", "-replace"}},
		{category: "cli", name: "bad lock timeout", args: []string{"plan", "-lock-timeout", "soon"}, want: []string{`invalid value "soon" for flag -lock-timeout`}},
		{category: "cli", name: "bad parallelism", args: []string{"apply", "-parallelism", "many"}, want: []string{`invalid value "many" for flag -parallelism`}},
		{category: "cli", name: "missing spec file", noSpec: true, args: []string{"plan", "-f", "nosuch.hcl"}, want: []string{"Error: Failed to read spec", "nosuch.hcl", "no such file"}},
		{category: "cli", name: "directory without specs", noSpec: true, args: []string{"validate", "-f", "stage"}, want: []string{"Error: No spec files", "holds no *.hcl files"}},
		{category: "cli", name: "missing var file", args: []string{"plan", "-var-file", "nosuch.vars"}, want: []string{"nosuch.vars", "could not be read"}},
		{category: "cli", name: "target with a saved plan", setup: savePlan("saved.plan"), args: []string{"apply", "-target", "shop.orders", "saved.plan"},
			want: []string{"Error: Conflicting options", "applied as it is"}},

		// Saved plans that are damaged, from another version, or stale.
		{category: "plan file", name: "missing", args: []string{"apply", "nosuch.plan"}, setup: func(t *testing.T, _ *badRig, w *workspace) { makeState(t, w) },
			want: []string{"Error: Cannot read the saved plan", "nosuch.plan: file does not exist"}},
		{category: "plan file", name: "not JSON", setup: writeJunk("junk.plan", "this is not a plan\n"), noSpec: true, args: []string{"show", "junk.plan"},
			want: []string{"Error: Cannot read the saved plan", "not a saved srplan plan"}},
		{category: "plan file", name: "truncated", setup: func(t *testing.T, r *badRig, w *workspace) {
			savePlan("saved.plan")(t, r, w)
			b, _ := os.ReadFile(filepath.Join(w.dir, "saved.plan"))
			w.writeFile(t, "saved.plan", b[:len(b)/2])
		}, args: []string{"apply", "saved.plan"}, want: []string{"Error: Cannot read the saved plan", "not a saved srplan plan", "unexpected end of JSON input"}},
		{category: "plan file", name: "empty object", setup: writeJunk("empty.plan", "{}"), noSpec: true, args: []string{"show", "-json", "empty.plan"},
			want: []string{"Error: Cannot read the saved plan", "no format_version"}},
		{category: "plan file", name: "newer format", setup: func(t *testing.T, r *badRig, w *workspace) {
			savePlan("saved.plan")(t, r, w)
			b, _ := os.ReadFile(filepath.Join(w.dir, "saved.plan"))
			w.writeFile(t, "saved.plan", regexp.MustCompile(`"format_version": "[^"]*"`).ReplaceAll(b, []byte(`"format_version": "7.0"`)))
		}, args: []string{"apply", "saved.plan"}, want: []string{"Error: Cannot read the saved plan", "plan format 7.0", "make the plan again with this srplan"}},
		{category: "plan file", name: "a directory", setup: func(t *testing.T, _ *badRig, w *workspace) { makeState(t, w) }, args: []string{"apply", "stage"},
			want: []string{"Error: Cannot read the saved plan", "is a directory"}},
		{category: "plan file", name: "spec changed since", setup: func(t *testing.T, r *badRig, w *workspace) {
			savePlan("saved.plan")(t, r, w)
			b, _ := os.ReadFile(w.spec)
			w.writeFile(t, "migration.hcl", []byte(strings.Replace(string(b), "exports = 4", "exports = 3", 1)))
		}, args: []string{"apply", "saved.plan"}, want: []string{"Error: Saved plan is stale", "Run 'srplan plan -out FILE' again"}},
		{category: "plan file", name: "source changed since", setup: func(t *testing.T, r *badRig, w *workspace) {
			savePlan("saved.plan")(t, r, w)
			addOrders(t, r.src, "2024-01-03", nextOrderID(t, r.src), 3)
		}, args: []string{"apply", "saved.plan"}, want: []string{"Error: Saved plan is stale", "shop.orders/p20240103", "Run 'srplan plan -out FILE' again"}},

		// State files that are damaged or from a newer srplan.
		{category: "state", name: "random bytes, plan", setup: writeJunk(".srplan/state.db", strings.Repeat("\x00garbage\xff", 2000)), args: []string{"plan"},
			want: []string{"Error: State cannot be used", "not a srplan state file"}},
		{category: "state", name: "random bytes, status", setup: writeJunk(".srplan/state.db", strings.Repeat("\x00garbage\xff", 2000)), args: []string{"status"},
			want: []string{"Error: State cannot be used", "not a srplan state file"}},
		{category: "state", name: "random bytes, state list", setup: writeJunk(".srplan/state.db", strings.Repeat("\x00garbage\xff", 2000)), noSpec: true, args: []string{"state", "list", "-f", "migration.hcl"},
			want: []string{"Error: State cannot be used", "not a srplan state file"}},
		{category: "state", name: "text file, apply", setup: writeJunk(".srplan/state.db", strings.Repeat("serial = 3\n", 1000)), args: []string{"apply", "-auto-approve"},
			want: []string{"Error: State cannot be used", "not a srplan state file"}},
		{category: "state", name: "truncated, plan", setup: func(t *testing.T, _ *badRig, w *workspace) {
			p := makeState(t, w)
			if err := os.Truncate(p, int64(os.Getpagesize()*3)); err != nil {
				t.Fatal(err)
			}
		}, args: []string{"plan"}, want: []string{"Error: State cannot be used", "truncated", "restore it"}},
		{category: "state", name: "newer format, apply", setup: func(t *testing.T, _ *badRig, w *workspace) {
			p := makeState(t, w)
			editStateMeta(t, p, "format_version", "9")
			editStateMeta(t, p, "srplan_version", `"9.1.0"`)
		}, args: []string{"apply", "-auto-approve"}, want: []string{"Error: State cannot be used", "written by srplan 9.1.0 (format 9)", "upgrade srplan"}},
		{category: "state", name: "newer format, status", setup: func(t *testing.T, _ *badRig, w *workspace) {
			editStateMeta(t, makeState(t, w), "format_version", "9")
		}, args: []string{"status", "-json"}, want: []string{"Error: State cannot be used", "(format 9)", "upgrade srplan"}},
		{category: "state", name: "bad serial", setup: func(t *testing.T, _ *badRig, w *workspace) {
			editStateMeta(t, makeState(t, w), "serial", `"seven"`)
		}, noSpec: true, args: []string{"state", "show", "-f", "migration.hcl"}, want: []string{"Error: State cannot be used", "meta serial"}},
		{category: "state", name: "path is a directory", setup: func(t *testing.T, _ *badRig, w *workspace) {
			if err := os.MkdirAll(filepath.Join(w.dir, ".srplan", "state.db"), 0o700); err != nil {
				t.Fatal(err)
			}
		}, args: []string{"plan"}, want: []string{"Error: State", "state.db: is a directory"}},

		// Connections: passwords, users, hosts.
		{category: "connection", name: "wrong source password", env: []string{"SRPLAN_VAR_src_password=" + wrongPassword},
			setup: func(t *testing.T, _ *badRig, w *workspace) { makeState(t, w) }, args: []string{"plan"},
			wantRe: []string{`Error: Cannot read the clusters`, `source "old" at 127\.0\.0\.1:\d+: access denied for user "root": check user and password`}},
		{category: "connection", name: "wrong target password", env: []string{"SRPLAN_VAR_dst_password=" + wrongPassword},
			setup: func(t *testing.T, _ *badRig, w *workspace) { makeState(t, w) }, args: []string{"apply", "-auto-approve"},
			wantRe: []string{`target "new" at 127\.0\.0\.1:\d+: access denied for user "root": check user and password`}},
		{category: "connection", name: "no password", env: []string{"SRPLAN_VAR_src_password="},
			setup: func(t *testing.T, _ *badRig, w *workspace) { makeState(t, w) }, args: []string{"plan"},
			want: []string{`access denied for user "root"`, "check user and password"}},
		{category: "connection", name: "unknown user", edit: replace(`user     = "root"`, `user     = "nobody"`),
			setup: func(t *testing.T, _ *badRig, w *workspace) { makeState(t, w) }, args: []string{"plan"},
			want: []string{`access denied for user "nobody"`, "check user and password"}},
		{category: "connection", name: "unreachable source", edit: func(r *badRig, s string) string { return strings.Replace(s, r.src.addr, "127.0.0.1:1", 1) },
			setup: func(t *testing.T, _ *badRig, w *workspace) { makeState(t, w) }, args: []string{"plan"},
			want: []string{"Error: Cannot read the clusters", `source "old" at 127.0.0.1:1`, "check that the FE query port is right and reachable"}},
		{category: "connection", name: "unreachable target", edit: func(r *badRig, s string) string { return strings.Replace(s, r.dst.addr, "127.0.0.1:1", 1) },
			setup: func(t *testing.T, _ *badRig, w *workspace) { makeState(t, w) }, args: []string{"apply", "-auto-approve"},
			want: []string{`target "new" at 127.0.0.1:1`, "reachable"}},
		{category: "connection", name: "unresolvable host", edit: func(r *badRig, s string) string {
			return strings.Replace(s, r.src.addr, "no-such-host.invalid:9030", 1)
		}, setup: func(t *testing.T, _ *badRig, w *workspace) { makeState(t, w) }, args: []string{"plan"},
			want: []string{`source "old" at no-such-host.invalid:9030`}},
		{category: "connection", name: "no state yet, unreachable source", edit: func(r *badRig, s string) string { return strings.Replace(s, r.src.addr, "127.0.0.1:1", 1) },
			args: []string{"plan"}, want: []string{`source "old" at 127.0.0.1:1`, "reachable"}},
		{category: "connection", name: "no state yet, wrong password", env: []string{"SRPLAN_VAR_dst_password=" + wrongPassword},
			args: []string{"plan", "-out", "saved.plan"}, want: []string{`target "new"`, "check user and password"}},

		// Privileges, buckets.
		{category: "privilege", name: "source user without SELECT", edit: func(r *badRig, s string) string {
			s = strings.Replace(s, `user     = "root"`, `user     = "`+badUser+`"`, 1)
			return strings.Replace(s, "var.src_password", `"`+badUserPW+`"`, 1)
		}, setup: func(t *testing.T, _ *badRig, w *workspace) { makeState(t, w) }, args: []string{"plan"},
			wantRe: []string{`source "old"`, `(?i)denied`}},
		{category: "storage", name: "missing bucket", edit: s3Stage("srplan-no-such-bucket-e2e", nil),
			env:   []string{"SRPLAN_VAR_stage_secret_key=" + os.Getenv("SRPLAN_TEST_S3_SECRET_KEY")},
			setup: func(t *testing.T, _ *badRig, w *workspace) { makeState(t, w) }, args: []string{"apply", "-auto-approve"},
			want: []string{`Cannot use storage "stage"`, `bucket "srplan-no-such-bucket-e2e" does not exist: create it or fix url`}},
		{category: "storage", name: "wrong secret key", edit: s3Stage("", nil),
			env:   []string{"SRPLAN_VAR_stage_secret_key=" + wrongPassword},
			setup: func(t *testing.T, _ *badRig, w *workspace) { makeState(t, w) }, args: []string{"apply", "-auto-approve"},
			want: []string{`Cannot use storage "stage"`, "the request signature does not match: check secret_key"}},
		{category: "storage", name: "sensitive key missing", edit: s3Stage("", nil),
			args: []string{"plan"}, wantRe: []string{`migration\.hcl:\d+:\d+: Error: .*`, "stage_secret_key"}},

		// Methods the source's version cannot run.
		{category: "method", name: "files from 3.1 shared-data", edit: func(r *badRig, s string) string {
			s = strings.Replace(s, r.src.addr, r.old31.addr, 1)
			return strings.Replace(s, `method   = "auto"`, `method   = "files"`, 1)
		}, setup: func(t *testing.T, _ *badRig, w *workspace) { makeState(t, w) }, args: []string{"plan"}, blockedOnly: true,
			want: []string{`! table blocked: method "files" needs INSERT INTO FILES, available from StarRocks 3.2; source "old" runs 3.1.11: use method = "export" (CSV)`}},
		{category: "method", name: "backup without a repository", edit: replace(`method   = "auto"`, `method   = "backup"`),
			args: []string{"plan"}, wantRe: []string{`migration\.hcl:\d+:\d+: Error: Missing repository`, "declare a repository"}},
	}
}
