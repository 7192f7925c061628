package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// commandTimeout bounds one srplan command of a test.
const commandTimeout = 2 * time.Minute

// workspace is a migration on disk: a spec, its stage and state, and the
// environment srplan runs with (the sensitive variables).
type workspace struct {
	dir  string
	spec string
	env  []string
}

// specOptions shape the spec a workspace is written with.
type specOptions struct {
	src, dst *cluster
	// storage is an s3 stage; nil means a local stage ./stage.
	storage *storageBlock
	// methods sets method per table block ("shop.orders" -> "export");
	// the pattern block "shop.*" takes method "auto" unless set here.
	methods map[string]string
	// throttle is extra attributes of throttle "default".
	throttle string
	// user is the source and target user; "" is root.
	user, userPassword string
}

// storageBlock is an s3 storage: the spec reads its keys from the
// sensitive variables stage_access_key and stage_secret_key.
type storageBlock struct {
	url, endpoint, region string
	accessKey, secretKey  string
}

// newWorkspace writes the spec for o into a new temporary directory.
func newWorkspace(t testing.TB, o specOptions) *workspace {
	t.Helper()
	dir := t.TempDir()
	w := &workspace{dir: dir, spec: filepath.Join(dir, "migration.hcl")}
	var b strings.Builder
	user, srcPW, dstPW := "root", o.src.password, o.dst.password
	if o.user != "" {
		user, srcPW, dstPW = o.user, o.userPassword, o.userPassword
	}
	for _, v := range []struct{ name, value string }{{"src_password", srcPW}, {"dst_password", dstPW}} {
		fmt.Fprintf(&b, "variable %q {\n  type      = string\n  default   = \"\"\n  sensitive = true\n}\n", v.name)
		if v.value != "" {
			w.env = append(w.env, "SRPLAN_VAR_"+v.name+"="+v.value)
		}
	}
	fmt.Fprintf(&b, `source "starrocks" "old" {
  hosts    = [%q]
  user     = %q
  password = var.src_password
}
target "starrocks" "new" {
  hosts    = [%q]
  user     = %q
  password = var.dst_password
}
state {
  path = ".srplan/state.db"
}
throttle "default" {
  exports = 4
  loads   = 4
%s}
`, o.src.addr, user, o.dst.addr, user, o.throttle)
	if s := o.storage; s != nil {
		fmt.Fprintf(&b, `variable "stage_access_key" {
  type      = string
  sensitive = true
}
variable "stage_secret_key" {
  type      = string
  sensitive = true
}
storage "s3" "stage" {
  url        = %q
  endpoint   = %q
  region     = %q
  path_style = true
  access_key = var.stage_access_key
  secret_key = var.stage_secret_key
}
`, s.url, s.endpoint, s.region)
		w.env = append(w.env, "SRPLAN_VAR_stage_access_key="+s.accessKey, "SRPLAN_VAR_stage_secret_key="+s.secretKey)
	} else {
		if err := os.Mkdir(filepath.Join(dir, "stage"), 0o755); err != nil {
			t.Fatal(err)
		}
		b.WriteString("storage \"local\" \"stage\" {\n  path = \"./stage\"\n}\n")
	}
	tables := []string{"shop.*"}
	for name := range o.methods {
		if name != "shop.*" {
			tables = append(tables, name)
		}
	}
	sort.Strings(tables)
	for _, name := range tables {
		method := o.methods[name]
		if method == "" {
			method = "auto"
		}
		fmt.Fprintf(&b, "table %q {\n  method   = %q\n  throttle = throttle.default\n  verify {\n    mode = \"checksum\"\n  }\n}\n", name, method)
	}
	if err := os.WriteFile(w.spec, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return w
}

// result is the outcome of one srplan command.
type result struct {
	args           []string
	code           int
	stdout, stderr string
}

func (r result) String() string {
	return fmt.Sprintf("srplan %s: exit %d\n--- stdout\n%s--- stderr\n%s", strings.Join(r.args, " "), r.code, r.stdout, r.stderr)
}

// command builds srplan args with the -f spec flag added after the
// subcommand.
func (w *workspace) command(ctx context.Context, args ...string) *exec.Cmd {
	full := append([]string{args[0], "-f", w.spec}, args[1:]...)
	cmd := exec.CommandContext(ctx, srplanBin, full...)
	cmd.Dir = w.dir
	cmd.Env = append(os.Environ(), w.env...)
	cmd.Env = append(cmd.Env, "NO_COLOR=1")
	cmd.WaitDelay = 5 * time.Second
	return cmd
}

// run runs one srplan command to its end.
func (w *workspace) run(t testing.TB, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	cmd := w.command(ctx, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := result{args: args, stdout: stdout.String(), stderr: stderr.String()}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee) && ee.Exited():
		r.code = ee.ExitCode()
	default:
		t.Fatalf("srplan %s: %v\n%s", strings.Join(args, " "), err, r)
	}
	return r
}

// mustRun runs a command that must exit 0.
func (w *workspace) mustRun(t testing.TB, args ...string) result {
	t.Helper()
	r := w.run(t, args...)
	if r.code != 0 {
		t.Fatalf("%s", r)
	}
	return r
}

// proc is a running srplan command whose stdout is read line by line.
type proc struct {
	cmd    *exec.Cmd
	cancel context.CancelFunc
	lines  chan string // stdout lines; closed at EOF
	mu     sync.Mutex
	out    strings.Builder
	stderr bytes.Buffer
	done   chan struct{}
	err    error
}

// start starts one srplan command; its stdout lines arrive on p.lines.
// The process is killed when t ends if it is still running.
func (w *workspace) start(t testing.TB, args ...string) *proc {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	p := &proc{cmd: w.command(ctx, args...), cancel: cancel, lines: make(chan string, 1024), done: make(chan struct{})}
	p.cmd.Stderr = &lockedWriter{mu: &p.mu, w: &p.stderr}
	stdout, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		cancel()
		t.Fatalf("start srplan: %v", err)
	}
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 64<<10), 4<<20)
		for sc.Scan() {
			line := sc.Text()
			p.mu.Lock()
			p.out.WriteString(line + "\n")
			p.mu.Unlock()
			select {
			case p.lines <- line:
			default: // nobody is reading: the text is kept in p.out
			}
		}
		close(p.lines)
		p.err = p.cmd.Wait()
		cancel()
		close(p.done)
	}()
	t.Cleanup(func() {
		_ = p.cmd.Process.Kill()
		<-p.done
	})
	return p
}

// kill sends SIGKILL to the srplan process (by its pid) and waits for it.
func (p *proc) kill() {
	_ = p.cmd.Process.Kill()
	p.wait()
}

// wait waits for the process to end and returns its exit code (-1 when it
// was killed by a signal).
func (p *proc) wait() int {
	for range p.lines {
	}
	<-p.done
	return p.cmd.ProcessState.ExitCode()
}

// output returns everything the process wrote so far.
func (p *proc) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.String() + "--- stderr\n" + p.stderr.String()
}

type lockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

// event is one JSON progress line of apply -json.
type event struct {
	Type   string `json:"type"`
	Addr   string `json:"addr"`
	Stage  string `json:"stage"`
	Reason string `json:"reason"`
	Err    string `json:"err"`
	Done   int    `json:"done"`
	Failed int    `json:"failed"`
}

// parseEvent decodes a JSON progress line; ok is false for other lines
// (the plan printed before the progress).
func parseEvent(line string) (event, bool) {
	var e event
	if !strings.HasPrefix(line, "{") || json.Unmarshal([]byte(line), &e) != nil || e.Type == "" {
		return event{}, false
	}
	return e, true
}

// planDoc is the part of `plan -json` the tests read.
type planDoc struct {
	Tables []struct {
		Source     string `json:"source"`
		Partitions []struct {
			Addr   string `json:"addr"`
			Action string `json:"action"`
			Reason string `json:"reason"`
		} `json:"partitions"`
	} `json:"tables"`
	Summary struct {
		Copy   int `json:"copy"`
		Recopy int `json:"recopy"`
	} `json:"summary"`
}

// plan runs `plan -json` and returns each listed partition's action and
// reason by address.
func (w *workspace) plan(t testing.TB) map[string][2]string {
	t.Helper()
	r := w.run(t, "plan", "-json")
	if r.code != 0 {
		t.Fatalf("%s", r)
	}
	var doc planDoc
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("plan -json: %v\n%s", err, r)
	}
	out := map[string][2]string{}
	for _, tc := range doc.Tables {
		for _, pc := range tc.Partitions {
			if pc.Action != "no-op" && pc.Action != "noop" {
				out[pc.Addr] = [2]string{pc.Action, pc.Reason}
			}
		}
	}
	return out
}

// statusDoc is `srplan status -json`.
type statusDoc struct {
	Tables []struct {
		Table    string         `json:"table"`
		Done     int            `json:"done"`
		Running  int            `json:"in_progress"`
		Failed   int            `json:"failed"`
		ByStage  map[string]int `json:"by_stage"`
		Failures []struct {
			Partition string `json:"partition"`
			Stage     string `json:"stage"`
			Error     string `json:"error"`
		} `json:"failures"`
	} `json:"tables"`
}

// status runs `status -json`.
func (w *workspace) status(t testing.TB) statusDoc {
	t.Helper()
	r := w.mustRun(t, "status", "-json")
	var doc statusDoc
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("status -json: %v\n%s", err, r)
	}
	return doc
}

// assertAllDone fails t unless status lists want partitions per table,
// every one done.
func (w *workspace) assertAllDone(t testing.TB, want map[string]int) {
	t.Helper()
	got := map[string]int{}
	for _, ts := range w.status(t).Tables {
		if ts.Failed != 0 || ts.Running != 0 {
			t.Errorf("status of %s: %d done, %d in progress, %d failed %v", ts.Table, ts.Done, ts.Running, ts.Failed, ts.Failures)
		}
		got[ts.Table] = ts.Done
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("partitions done by table = %v, want %v", got, want)
	}
}
