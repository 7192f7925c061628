package e2e

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/srplan/srplan/providers/s3/s3test"
	simsr "github.com/srplan/srplan/sim/starrocks"
	srdynamo "github.com/srplan/srplan/state/dynamodb"
)

// e2eStateTable is the DynamoDB table the shared-state tests use; each
// test keeps to its own workspace.
const e2eStateTable = "srplan-e2e-state"

// testLease is the lock lease the shared-state tests run srplan with
// (SRPLAN_LEASE): short, so that a killed holder's lock lapses soon.
const testLease = "3s"

var (
	stateTableOnce sync.Once
	stateTableErr  error
)

// useDynamoDB switches w to the shared state: the DynamoDB table
// e2eStateTable at endpoint (the test server unless overridden), in
// workspace ws, with the local file .srplan/state.db as its copy.
func useDynamoDB(t *testing.T, w *workspace, endpoint, ws string) {
	t.Helper()
	server := s3test.DynamoDBEndpoint(t)
	stateTableOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		stateTableErr = srdynamo.CreateTable(ctx, s3test.DynamoDBClient(server), e2eStateTable)
	})
	if stateTableErr != nil {
		t.Fatalf("CreateTable: %v", stateTableErr)
	}
	if endpoint == "" {
		endpoint = server
	}
	spec, err := os.ReadFile(w.spec)
	if err != nil {
		t.Fatal(err)
	}
	const local = "state {\n  path = \".srplan/state.db\"\n}\n"
	shared := fmt.Sprintf("state {\n  path = \".srplan/state.db\"\n  dynamodb {\n    table     = %q\n    region    = %q\n    endpoint  = %q\n    workspace = %q\n  }\n}\n",
		e2eStateTable, s3test.Region, endpoint, ws)
	if !strings.Contains(string(spec), local) {
		t.Fatalf("the workspace spec has no state block to replace:\n%s", spec)
	}
	if err := os.WriteFile(w.spec, []byte(strings.Replace(string(spec), local, shared, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	w.env = append(w.env,
		"AWS_ACCESS_KEY_ID=srplan-test", "AWS_SECRET_ACCESS_KEY=srplan-test", "AWS_EC2_METADATA_DISABLED=true",
		"SRPLAN_LEASE="+testLease)
}

// stateWorkspace returns a DynamoDB workspace name unique to t and this run.
func stateWorkspace(t *testing.T) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return strings.ReplaceAll(t.Name(), "/", "_") + "-" + hex.EncodeToString(b[:])
}

// TestDynamoDBLockedApplyFailsFastThenResumes is acceptance 2 of the
// shared state: while one apply holds the DynamoDB lock a second fails at
// once naming the holder; once the holder is killed (SIGKILL) and its
// lease has lapsed, the next apply takes the lock and finishes the work.
func TestDynamoDBLockedApplyFailsFastThenResumes(t *testing.T) {
	t.Parallel()
	k := newKillRig(t)
	useDynamoDB(t, k.w, "", stateWorkspace(t))
	// The holder's partition claims lapse (-claim-lease) before its lock
	// lease (SRPLAN_LEASE), so the apply that takes the lock over finds
	// every partition free.
	a := k.w.start(t, "apply", "-auto-approve", "-json", "-claim-lease", "1s")
	started := false
	for line := range a.lines {
		if e, ok := parseEvent(line); ok && e.Type == "stage_started" {
			started = true
			break
		}
	}
	if !started {
		t.Fatalf("the first apply started no work:\n%s", a.output())
	}
	host, err := os.Hostname()
	if err != nil {
		t.Fatal(err)
	}
	b := k.w.run(t, "apply", "-auto-approve")
	for _, want := range []string{
		"Error: State is locked",
		fmt.Sprintf("(pid %d on %s)", a.cmd.Process.Pid, host),
		`for "apply"`,
		"srplan force-unlock ",
	} {
		if b.code != 1 || !strings.Contains(b.stderr, want) {
			t.Errorf("second apply while the first runs: stderr lacks %q\n%s", want, b)
		}
	}
	a.kill()
	// The killed holder's lock stays until its lease lapses; waiting for
	// the lock is what a second worker started with -lock-timeout does.
	r := k.w.run(t, "apply", "-auto-approve", "-lock-timeout", "1m")
	if r.code != 0 || strings.Contains(r.stdout, "skipped: claimed by") {
		t.Fatalf("apply after the holder was killed: %s", r)
	}
	if strings.Contains(r.stderr, "SDK ") {
		t.Errorf("the apply printed the AWS SDK's own log lines:\n%s", r.stderr)
	}
	k.w.assertAllDone(t, partitionsPerTable(t, k.src))
	assertSameData(t, k.src, k.dst, allTables...)
	if p := k.w.plan(t); len(p) != 0 {
		t.Errorf("plan after the apply that finished the work lists %v", p)
	}
}

// TestDynamoDBTwoAppliesWithTwoLocalFiles: two applies on one DynamoDB
// state, each with its own local file (two hosts), never both hold the
// lock: of two started together, one runs and the other is refused.
func TestDynamoDBTwoAppliesWithTwoLocalFiles(t *testing.T) {
	t.Parallel()
	src := startSrsim(t, "3.3.8", simsr.SharedNothing)
	dst := startSrsim(t, "3.5.2", simsr.SharedData)
	seedShop(t, src, seedRows)
	src.ctl.setJobModel(t, killModel)
	dst.ctl.setJobModel(t, killModel)
	ws := stateWorkspace(t)
	var ws2 [2]*workspace
	for i := range ws2 {
		ws2[i] = newWorkspace(t, specOptions{src: src, dst: dst})
		useDynamoDB(t, ws2[i], "", ws)
	}
	if ws2[0].dir == ws2[1].dir {
		t.Fatal("the two workspaces share a directory")
	}
	var procs [2]*proc
	for i, w := range ws2 {
		procs[i] = w.start(t, "apply", "-auto-approve", "-json")
	}
	var codes [2]int
	for i, p := range procs {
		codes[i] = p.wait()
	}
	winner := slices.Index(codes[:], 0)
	if winner < 0 || codes[1-winner] != 1 {
		t.Fatalf("exit codes %v, want one 0 and one 1:\n%s\n%s", codes, procs[0].output(), procs[1].output())
	}
	if out := procs[1-winner].output(); !strings.Contains(out, "State is locked") {
		t.Errorf("the refused apply does not say the state is locked:\n%s", out)
	}
	ws2[1-winner].assertAllDone(t, partitionsPerTable(t, src))
	assertSameData(t, src, dst, allTables...)
}

// callCounter is a reverse proxy in front of the DynamoDB server that
// counts requests by operation (the X-Amz-Target header).
type callCounter struct {
	mu    sync.Mutex
	calls map[string]int
}

func (c *callCounter) counts() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.calls)
}

func countingProxy(t *testing.T, target string) (*callCounter, string) {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	c := &callCounter{calls: map[string]int{}}
	rp := httputil.NewSingleHostReverseProxy(u)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		op := r.Header.Get("X-Amz-Target")
		if i := strings.LastIndexByte(op, '.'); i >= 0 {
			op = op[i+1:]
		}
		c.mu.Lock()
		c.calls[op]++
		c.mu.Unlock()
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return c, srv.URL
}

// TestDynamoDBCallsPerPartition measures the DynamoDB calls of an apply
// that migrates every partition of the seed data once, by operation,
// through a counting proxy (the BENCHMARKS.md figure). It checks that
// the calls stay proportional to the work: no more than a bound per
// partition.
func TestDynamoDBCallsPerPartition(t *testing.T) {
	t.Parallel()
	src := startSrsim(t, "3.3.8", simsr.SharedNothing)
	dst := startSrsim(t, "3.5.2", simsr.SharedData)
	seedShop(t, src, seedRows)
	w := newWorkspace(t, specOptions{src: src, dst: dst})
	counter, proxy := countingProxy(t, s3test.DynamoDBEndpoint(t))
	useDynamoDB(t, w, proxy, stateWorkspace(t))
	w.mustRun(t, "apply", "-auto-approve", "-json")
	calls := counter.counts()
	parts := 0
	for _, n := range partitionsPerTable(t, src) {
		parts += n
	}
	total := 0
	for _, n := range calls {
		total += n
	}
	perPartition := map[string]float64{}
	for op, n := range calls {
		perPartition[op] = float64(n) / float64(parts)
	}
	recordFigures(t, map[string]any{
		"partitions": parts, "dynamodb_calls": total, "calls_per_partition": float64(total) / float64(parts),
		"by_operation": calls, "by_operation_per_partition": perPartition,
	})
	// Each stage change of a partition is one Write (a log entry, and now
	// and then a compaction) and the lease is renewed in the background;
	// far more than this would mean the state is read or rewritten per
	// record.
	const bound = 60
	if parts == 0 || total > bound*parts {
		t.Errorf("%d DynamoDB calls for %d partitions (%v), want at most %d per partition", total, parts, calls, bound)
	}
	w.assertAllDone(t, partitionsPerTable(t, src))
}
