package e2e

import (
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/srplan/srplan/providers/s3/s3test"
	simsr "github.com/srplan/srplan/sim/starrocks"
)

// The fault campaign runs `srplan apply` with faults injected between
// srplan and every server it talks to: toxiproxy in front of the two
// simulators and MinIO (latency, connections reset mid-statement,
// half-open connections, connections cut after a few bytes), an HTTP
// proxy in front of MinIO answering S3 503 SlowDown and 500
// InternalError, and the simulators' own job failures and cancellations.
// Each scenario must end converged (exit 0) or stopped with a clear error
// and a consistent state that the next apply, without faults, completes.
// Either way the data is then checked in full.

// faultRig is a migration whose every connection goes through a fault
// injector. The suite's own SQL and the simulator controls go direct.
type faultRig struct {
	src, dst     *cluster // direct
	srcX, dstX   *toxiProxy
	s3X          *toxiProxy  // nil with a local stage
	s3F          *faultProxy // nil with a local stage
	ddbF         *faultProxy // nil without DynamoDB state
	w            *workspace
	rng          *rand.Rand
	mu           sync.Mutex
	simFaults    map[string]int64 // simulator faults injected, by kind
	log          []string         // what was injected when, for failures
	storageBlock *storageBlock
}

// faultFigures are one scenario's results, for RELIABILITY.md.
type faultFigures struct {
	Campaign string           `json:"campaign"`
	Scenario string           `json:"scenario"`
	Seed     uint64           `json:"seed"`
	Faults   map[string]int64 `json:"faults"`
	// Outcome is "converged" (the apply under faults exited 0) or
	// "stopped" (it exited 1 with an error; the next apply completed).
	Outcome string `json:"outcome"`
	Failed  bool   `json:"failed"`
	comparison
}

// newFaultRig starts the simulators and proxies; s3 selects a MinIO stage
// (through both proxies) instead of a local one.
func newFaultRig(t *testing.T, seed uint64, s3, dynamo bool) *faultRig {
	t.Helper()
	r := &faultRig{
		src:       startSim(t, hostOptions{Version: "3.3.8", Mode: simsr.SharedNothing}),
		dst:       startSim(t, hostOptions{Version: "3.5.2", Mode: simsr.SharedData}),
		rng:       rand.New(rand.NewPCG(seed, seed^0xfa17)),
		simFaults: map[string]int64{},
	}
	seedShop(t, r.src, 100)
	r.srcX = newToxiProxy(t, "source", r.src.addr)
	r.dstX = newToxiProxy(t, "target", r.dst.addr)
	src, dst := *r.src, *r.dst
	src.addr, dst.addr = r.srcX.addr, r.dstX.addr
	if s3 {
		env := s3test.Endpoint(t)
		bucket := s3test.NewBucket(t, env)
		r.s3X = newToxiProxy(t, "minio", hostPort(t, env.Endpoint))
		r.s3F = newFaultProxy(t, "http://"+r.s3X.addr, seed)
		r.storageBlock = &storageBlock{url: "s3://" + bucket + "/stage", endpoint: r.s3F.url, region: env.Region,
			accessKey: env.AccessKey, secretKey: env.SecretKey}
	}
	r.w = newWorkspace(t, specOptions{src: &src, dst: &dst, storage: r.storageBlock,
		methods: map[string]string{"shop.orders": "export", "shop.customers": "export"}})
	// Short timeouts, so that a half-open connection costs seconds.
	setClusterTimeouts(t, r.w, "2s", "4s")
	if dynamo {
		r.ddbF = newFaultProxy(t, s3test.DynamoDBEndpoint(t), seed)
		useDynamoState(t, r.w, r.ddbF.url)
	}
	t.Cleanup(func() {
		if t.Failed() {
			r.mu.Lock()
			defer r.mu.Unlock()
			t.Logf("faults injected (seed %d):\n  %s", seed, strings.Join(r.log, "\n  "))
		}
	})
	return r
}

// setClusterTimeouts adds connect_timeout and read_timeout to the source
// and target blocks of w's spec.
func setClusterTimeouts(t *testing.T, w *workspace, connect, read string) {
	t.Helper()
	b, err := os.ReadFile(w.spec)
	if err != nil {
		t.Fatal(err)
	}
	spec := string(b)
	for _, block := range []string{`source "starrocks" "old" {`, `target "starrocks" "new" {`} {
		if !strings.Contains(spec, block) {
			t.Fatalf("the spec has no %s block:\n%s", block, spec)
		}
		spec = strings.Replace(spec, block, fmt.Sprintf("%s\n  connect_timeout = %q\n  read_timeout    = %q", block, connect, read), 1)
	}
	if err := os.WriteFile(w.spec, []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
}

func (r *faultRig) note(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.log = append(r.log, time.Now().Format("15:04:05.000 ")+fmt.Sprintf(format, args...))
}

// faults sums the faults injected through every injector.
func (r *faultRig) faults() map[string]int64 {
	out := map[string]int64{}
	xs := []*toxiProxy{r.srcX, r.dstX}
	if r.s3X != nil {
		xs = append(xs, r.s3X)
	}
	for _, x := range xs {
		for k, v := range x.faults() {
			out[k] += v
		}
	}
	for _, f := range []*faultProxy{r.s3F, r.ddbF} {
		if f == nil {
			continue
		}
		n, _ := f.injected()
		for k, v := range n {
			out[k] += v
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for k, v := range r.simFaults {
		out[k] += v
	}
	return out
}

// proxies are the TCP proxies a fault may hit.
func (r *faultRig) proxies() []*toxiProxy {
	if r.s3X != nil {
		return []*toxiProxy{r.srcX, r.dstX, r.s3X}
	}
	return []*toxiProxy{r.srcX, r.dstX}
}

// episodes runs inject n times, a drawn gap apart (the first at once),
// until stop closes.
func (r *faultRig) episodes(stop <-chan struct{}, n int, gap time.Duration, inject func()) {
	for i := range n {
		if i > 0 {
			select {
			case <-stop:
				return
			case <-time.After(gap/2 + time.Duration(r.rng.Int64N(int64(gap)))):
			}
		}
		select {
		case <-stop:
			return
		default:
		}
		inject()
	}
}

// untilActed waits until x's counter of kind has grown past before, stop
// closes or limit passes, and reports whether the fault acted. A toxic is
// held in place this way until it hit a connection, so that whether it is
// injected does not depend on when srplan happens to talk.
func untilActed(stop <-chan struct{}, x *toxiProxy, kind string, before int64, limit time.Duration) bool {
	c := faultCounter(x.counter(kind))
	deadline := time.After(limit)
	for c.Load() == before {
		select {
		case <-stop:
			return c.Load() != before
		case <-deadline:
			return false
		case <-time.After(5 * time.Millisecond):
		}
	}
	return true
}

// holdUntilActed adds a toxic to x, keeps it until it acted once (or stop,
// or limit), then for extra more, and removes it.
func (r *faultRig) holdUntilActed(t *testing.T, stop <-chan struct{}, x *toxiProxy, kind, typ string, attrs map[string]any, extra, limit time.Duration) {
	before := faultCounter(x.counter(kind)).Load()
	name := x.add(t, kind, typ, "downstream", attrs)
	acted := untilActed(stop, x, kind, before, limit)
	if acted && extra > 0 {
		select {
		case <-stop:
		case <-time.After(extra):
		}
	}
	x.remove(t, name)
	r.note("%s on %s: acted %v (%v), held %s more", typ, x.name, acted, attrs, extra)
}

// faultScenario is one kind of fault, injected while apply runs.
type faultScenario struct {
	name string
	// s3 stages through MinIO; dynamo keeps the state in DynamoDB.
	s3, dynamo bool
	// before runs once before the apply; during runs alongside it until
	// stop closes (both may be nil).
	before func(t *testing.T, r *faultRig)
	during func(t *testing.T, r *faultRig, stop <-chan struct{})
	// early starts during with the process, while it plans; otherwise
	// during starts once the apply starts its work.
	early bool
	// want lists the fault kinds that must have been injected.
	want []string
}

// faultScenarios are the scenarios of TestFaults.
var faultScenarios = []faultScenario{
	{
		name: "latency on every connection", s3: true, want: []string{faultLatency},
		before: func(t *testing.T, r *faultRig) {
			for _, x := range r.proxies() {
				x.add(t, faultLatency, "srplan_latency", "downstream", map[string]any{"latency": 25, "jitter": 20})
				x.add(t, faultLatency, "srplan_latency", "upstream", map[string]any{"latency": 10, "jitter": 5})
			}
		},
	},
	{
		name: "connections reset mid-statement", want: []string{faultReset},
		during: func(t *testing.T, r *faultRig, stop <-chan struct{}) {
			// Downstream: the statement reached the server, its answer is
			// lost. Each reset is held until it hit a connection; the
			// first is added as soon as the work starts.
			xs := r.proxies()
			r.episodes(stop, 6, 500*time.Millisecond, func() {
				r.holdUntilActed(t, stop, xs[r.rng.IntN(len(xs))], faultReset, "srplan_reset", nil, 0, 10*time.Second)
			})
		},
	},
	{
		name: "connections reset while planning", early: true, want: []string{faultReset},
		during: func(t *testing.T, r *faultRig, stop <-chan struct{}) {
			// In place from the start: the first connection to the
			// source, then to the target, is reset once.
			for _, x := range []*toxiProxy{r.srcX, r.dstX} {
				r.holdUntilActed(t, stop, x, faultReset, "srplan_reset", nil, 0, 5*time.Second)
			}
		},
	},
	{
		name: "half-open connections", want: []string{faultHalfOpen},
		during: func(t *testing.T, r *faultRig, stop <-chan struct{}) {
			// Each episode holds a connection half-open from its first
			// chunk for 1-4 s; the first is added as soon as the work
			// starts.
			xs := r.proxies()
			r.episodes(stop, 3, 1500*time.Millisecond, func() {
				hold := time.Duration(1000+r.rng.IntN(3000)) * time.Millisecond
				r.holdUntilActed(t, stop, xs[r.rng.IntN(len(xs))], faultHalfOpen, "srplan_timeout", map[string]any{"timeout": 0}, hold, 10*time.Second)
			})
		},
	},
	{
		name: "connections cut after a few bytes", s3: true, early: true, want: []string{faultLimit},
		during: func(t *testing.T, r *faultRig, stop <-chan struct{}) {
			// In place before apply starts, on the source first (the
			// catalog reads come first), then on a drawn proxy each
			// episode; each cut is held until it hit a connection. At
			// least 512 B pass, so that the cut falls after the handshake.
			xs := r.proxies()
			for i := range 6 {
				x := r.srcX
				if i > 0 {
					x = xs[r.rng.IntN(len(xs))]
					select {
					case <-stop:
						return
					case <-time.After(250*time.Millisecond + time.Duration(r.rng.IntN(500))*time.Millisecond):
					}
				}
				n := 512 + r.rng.IntN(3584)
				r.holdUntilActed(t, stop, x, faultLimit, "srplan_limit", map[string]any{"bytes": n}, 0, 10*time.Second)
			}
		},
	},
	{
		name: "S3 503 SlowDown and 500 InternalError", s3: true, want: []string{s3SlowDown.kind, s3InternalError.kind},
		before: func(t *testing.T, r *faultRig) {
			r.s3F.set(0.2, 60, nil, s3SlowDown, s3InternalError)
		},
	},
	{
		name: "DynamoDB throttling", s3: true, dynamo: true, want: []string{dynamoThroughput.kind, dynamoThrottling.kind},
		before: func(t *testing.T, r *faultRig) {
			r.ddbF.set(0.25, 60, nil, dynamoThroughput, dynamoThrottling)
		},
	},
	{
		name: "simulator job failures and cancellations", want: []string{"sim_job_failure", "sim_job_cancelled", "sim_connections_closed"},
		before: func(t *testing.T, r *faultRig) {
			r.src.ctl.failNext(t, simsr.KindExport, 2, transientJob)
			r.dst.ctl.failNext(t, simsr.KindLoad, 2, transientJob)
			r.dst.ctl.failNext(t, simsr.KindInsert, 1, transientText)
			r.simFault("sim_job_failure", 5)
			r.src.ctl.post(t, "/cancel-rate", map[string]any{"rate": 0.3, "seed": r.rng.Int64()})
			r.dst.ctl.post(t, "/cancel-rate", map[string]any{"rate": 0.3, "seed": r.rng.Int64()})
		},
		during: func(t *testing.T, r *faultRig, stop <-chan struct{}) {
			// The first close comes as soon as the work starts.
			r.episodes(stop, 4, time.Second, func() {
				c := []*cluster{r.src, r.dst}[r.rng.IntN(2)]
				c.ctl.post(t, "/close-connections", struct{}{})
				r.note("closed every connection of %s", c.addr)
				r.simFault("sim_connections_closed", 1)
			})
		},
	},
}

// missingFault reports whether a kind of want has not been injected yet.
func (r *faultRig) missingFault(want []string) bool {
	got := r.faults()
	for _, k := range want {
		if got[k] == 0 {
			return true
		}
	}
	return false
}

func (r *faultRig) simFault(kind string, n int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.simFaults[kind] += n
}

// TestFaults runs every fault scenario on its own pair of simulators.
func TestFaults(t *testing.T) {
	t.Parallel()
	seed := campaignSeed(t)
	for i, sc := range faultScenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			runFaultScenario(t, sc, seed+uint64(i))
		})
	}
}

func init() {
	// The simulators' close-connections fault also closes the suite's own
	// idle connections; the driver would log each one it discards.
	_ = mysql.SetLogger(log.New(io.Discard, "", 0))
}

// faultJobModel makes a job take about a second for a seeded partition,
// so that faults land while jobs run.
var faultJobModel = simsr.JobModel{ThroughputBytesPerSec: 4 << 10, TimeScale: 1}

// runFaultScenario runs one apply under the scenario's faults, then (if it
// stopped) one without, and checks the result.
func runFaultScenario(t *testing.T, sc faultScenario, seed uint64) {
	r := newFaultRig(t, seed, sc.s3, sc.dynamo)
	fig := faultFigures{Campaign: "fault", Scenario: sc.name, Seed: seed}
	t.Cleanup(func() {
		fig.Faults = r.faults()
		fig.Failed = t.Failed()
		recordFigures(t, fig)
	})
	r.src.ctl.setJobModel(t, faultJobModel)
	r.dst.ctl.setJobModel(t, faultJobModel)
	if sc.before != nil {
		sc.before(t, r)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var once sync.Once
	during := func() {
		once.Do(func() {
			if sc.during != nil {
				wg.Go(func() { sc.during(t, r, stop) })
			}
		})
	}
	if sc.early {
		during()
	}
	// An apply that the faults stop before every wanted kind struck (the
	// faults are drawn at random) runs again under the same faults, at
	// most three times in all.
	var p *proc
	var code int
	retries := 0
	for attempt := 1; ; attempt++ {
		p = r.w.start(t, "apply", "-auto-approve", "-json")
		for line := range p.lines {
			e, ok := parseEvent(line)
			switch {
			case !ok:
			case e.Type == "started" && !sc.early:
				during()
			case e.Type == "retrying":
				retries++
				for text, kind := range simFaultTexts {
					if strings.Contains(e.Err, text) {
						r.simFault(kind, 1)
					}
				}
			}
		}
		code = p.wait()
		if code == 0 || attempt == 3 || !r.missingFault(sc.want) {
			break
		}
	}
	close(stop)
	wg.Wait()
	r.clearFaults(t)
	res := result{args: []string{"apply", "-auto-approve", "-json"}, code: code, stdout: p.output()}
	p.mu.Lock()
	res.stderr = p.stderr.String()
	p.mu.Unlock()
	fig.Outcome = "converged"
	if code != 0 {
		fig.Outcome = "stopped"
		r.assertStoppedCleanly(t, res)
		r.w.mustRun(t, "apply", "-auto-approve")
	}
	r.w.assertAllDone(t, partitionsPerTable(t, r.src))
	assertSameData(t, r.src, r.dst, allTables...)
	if p := r.w.plan(t); len(p) != 0 {
		t.Errorf("plan after the work was finished lists %v", p)
	}
	fig.comparison = compareData(t, r.src, r.dst)
	got := r.faults()
	for _, k := range sc.want {
		if got[k] == 0 {
			t.Errorf("no %s fault was injected (injected: %v); the scenario proves nothing", k, got)
		}
	}
	if t.Failed() {
		t.Logf("the apply under faults (%d retries):\n%s", retries, res)
	}
}

// simFaultTexts are the error texts of the simulator's job faults, as
// srplan reports them when it retries, and their fault kinds.
var simFaultTexts = map[string]string{
	"Backend node not found": "sim_job_cancelled",
	"the cluster is busy":    "sim_job_failure_seen",
}

// clearFaults removes every fault: toxics, HTTP faults, queued simulator
// failures and the cancel rate.
func (r *faultRig) clearFaults(t *testing.T) {
	t.Helper()
	for _, x := range r.proxies() {
		x.p.Toxics.ResetToxics(t.Context())
	}
	for _, f := range []*faultProxy{r.s3F, r.ddbF} {
		if f != nil {
			f.set(0, 0, nil)
		}
	}
	for _, c := range []*cluster{r.src, r.dst} {
		for _, kind := range []string{simsr.KindExport, simsr.KindLoad, simsr.KindInsert, simsr.KindQuery} {
			c.ctl.failNext(t, kind, 0, "")
		}
		c.ctl.post(t, "/cancel-rate", map[string]any{"rate": 0, "seed": 0})
	}
}

// assertStoppedCleanly checks an apply that stopped under faults: exit 1
// and a short error that says what failed (no stack trace, no secret).
func (r *faultRig) assertStoppedCleanly(t *testing.T, res result) {
	t.Helper()
	if res.code != 1 {
		t.Errorf("the apply under faults exited %d, want 0 or 1:\n%s", res.code, res)
	}
	for _, bad := range []string{"panic:", "goroutine ", "runtime error"} {
		if strings.Contains(res.stderr, bad) {
			t.Errorf("the apply under faults printed %q:\n%s", bad, res)
		}
	}
	if !strings.Contains(res.stderr, "Error: ") {
		t.Errorf("the apply under faults stopped without an error message:\n%s", res)
	}
	secrets := []string{}
	if r.storageBlock != nil {
		secrets = append(secrets, r.storageBlock.secretKey)
	}
	assertNoSecrets(t, res, secrets...)
	// Partitions other than the one that stopped the apply may be left
	// in progress, as after a kill: the next apply (run by the caller)
	// must finish them.
}
