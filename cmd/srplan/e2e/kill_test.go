package e2e

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	simsr "github.com/srplan/srplan/sim/starrocks"
)

// killModel makes the simulators' jobs take about a second for a seeded
// partition (a few KiB), long enough for a kill to land while a job runs.
var killModel = simsr.JobModel{ThroughputBytesPerSec: 8 << 10, TimeScale: 1}

// killRig is a migration between two srsim processes, which outlive the
// srplan processes the test kills. shop.orders and shop.customers use
// EXPORT and Broker Load (asynchronous jobs that run on after srplan dies);
// shop.events uses INSERT INTO FILES and INSERT from FILES(). The
// unpartitioned shop.customers is loaded through a shadow table.
type killRig struct {
	src, dst *cluster
	w        *workspace
	mu       sync.Mutex
	kills    []string // what each kill interrupted, for failure messages
}

func newKillRig(t *testing.T) *killRig {
	t.Helper()
	return newKillRigWith(t, nil)
}

// newKillRigWith is newKillRig with the stage in storage (nil: a local
// directory).
func newKillRigWith(t *testing.T, storage *storageBlock) *killRig {
	t.Helper()
	k := &killRig{
		src: startSrsim(t, "3.3.8", simsr.SharedNothing),
		dst: startSrsim(t, "3.5.2", simsr.SharedData),
	}
	seedShop(t, k.src, seedRows)
	k.w = newWorkspace(t, specOptions{src: k.src, dst: k.dst, storage: storage, methods: map[string]string{"shop.orders": "export", "shop.customers": "export"}})
	k.src.ctl.setJobModel(t, killModel)
	k.dst.ctl.setJobModel(t, killModel)
	t.Cleanup(func() {
		if t.Failed() {
			k.mu.Lock()
			defer k.mu.Unlock()
			t.Logf("srplan was killed (SIGKILL) at:\n  %s", strings.Join(k.kills, "\n  "))
		}
	})
	return k
}

func (k *killRig) record(format string, args ...any) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.kills = append(k.kills, fmt.Sprintf(format, args...))
}

// changeEverything writes to every source partition, so that the next
// apply recopies all of them.
func (k *killRig) changeEverything(t *testing.T, round int) {
	t.Helper()
	next := nextOrderID(t, k.src)
	for i, d := range orderDays {
		addOrders(t, k.src, d, next+int64(i*10), 10)
	}
	upsertCustomers(t, k.src, 1, seedRows+round, fmt.Sprintf(" r%d", round))
	for _, d := range eventDays {
		addEvents(t, k.src, d, 5)
	}
}

// finish runs apply to completion and checks the result against the
// source: every partition done, same counts and checksums, no duplicated
// order, no temporary partition or shadow table left.
func (k *killRig) finish(t *testing.T) {
	t.Helper()
	r := k.w.run(t, "apply", "-auto-approve")
	if r.code != 0 {
		t.Fatalf("apply after the kill: %s", r)
	}
	k.w.assertAllDone(t, partitionsPerTable(t, k.src))
	assertSameData(t, k.src, k.dst, allTables...)
	if p := k.w.plan(t); len(p) != 0 {
		t.Errorf("plan after the apply that finished the work lists %v", p)
	}
}

// killPoint chooses when to kill: after delay, once an event of type typ
// at stage stage for a partition of table table appeared.
type killPoint struct {
	name        string
	typ, stage  string
	table       string
	delay       time.Duration
	changeFirst bool // write to every source partition first (recopy)
	changeAfter bool // and again after the kill, before the next apply
}

// The kill tests kill `srplan apply -json` with SIGKILL in each stage of
// the pipeline (while an export or load job runs, while verifying, right
// after a load was recorded), then run apply again and check that the
// work is finished without a duplicated row. Each test runs its points in
// order on one pair of simulators (a point after the first recopies every
// partition).

// TestKillWhileExporting kills apply while EXPORT jobs run.
func TestKillWhileExporting(t *testing.T) {
	t.Parallel()
	killAt(t, []killPoint{
		{name: "first copy, EXPORT running", typ: "stage_started", stage: "exporting", table: "shop.orders", delay: 300 * time.Millisecond},
		{name: "recopy, EXPORT running", typ: "stage_started", stage: "exporting", table: "shop.orders", delay: 300 * time.Millisecond, changeFirst: true},
	})
}

// TestKillWhileLoading kills apply while Broker Loads into a temporary
// partition or a shadow table run, with and without the source moving
// before the next apply (which then abandons the interrupted attempt).
func TestKillWhileLoading(t *testing.T) {
	t.Parallel()
	killAt(t, []killPoint{
		{name: "first copy, Broker Load running", typ: "stage_started", stage: "loading", table: "shop.orders", delay: 300 * time.Millisecond},
		{name: "recopy, Broker Load into a temporary partition running", typ: "stage_started", stage: "loading", table: "shop.orders", delay: 300 * time.Millisecond, changeFirst: true},
		{name: "recopy, Broker Load into a temporary partition running, then the source moves", typ: "stage_started", stage: "loading", table: "shop.orders", delay: 300 * time.Millisecond, changeFirst: true, changeAfter: true},
		{name: "recopy, Broker Load into the shadow table running", typ: "stage_started", stage: "loading", table: "shop.customers", delay: 300 * time.Millisecond, changeFirst: true},
		{name: "recopy, Broker Load into the shadow table running, then the source moves", typ: "stage_started", stage: "loading", table: "shop.customers", delay: 300 * time.Millisecond, changeFirst: true, changeAfter: true},
	})
}

// TestKillWhileVerifyingOrAfterLoading kills apply when verification
// starts and right after a load (REPLACE PARTITION, shadow overwrite) was
// recorded.
func TestKillWhileVerifyingOrAfterLoading(t *testing.T) {
	t.Parallel()
	killAt(t, []killPoint{
		{name: "first copy, verifying", typ: "stage_started", stage: "verifying", table: "shop.events"},
		{name: "recopy, verifying", typ: "stage_started", stage: "verifying", table: "shop.orders", changeFirst: true},
		{name: "recopy, right after REPLACE was recorded", typ: "stage_done", stage: "loading", table: "shop.orders", changeFirst: true},
		{name: "recopy, right after the shadow overwrite was recorded", typ: "stage_done", stage: "loading", table: "shop.customers", changeFirst: true},
	})
}

// killAt runs the kill points in order on one rig.
func killAt(t *testing.T, points []killPoint) {
	k := newKillRig(t)
	for i, kp := range points {
		ok := t.Run(kp.name, func(t *testing.T) {
			if kp.changeFirst {
				k.changeEverything(t, i)
			}
			p := k.w.start(t, "apply", "-auto-approve", "-json")
			var hit *event
			for line := range p.lines {
				if e, ok := parseEvent(line); ok && e.Type == kp.typ && e.Stage == kp.stage && strings.HasPrefix(e.Addr, kp.table+"/") {
					hit = &e
					break
				}
			}
			if hit == nil {
				t.Fatalf("apply ended before %s %s of %s:\n%s", kp.typ, kp.stage, kp.table, p.output())
			}
			time.Sleep(kp.delay)
			p.kill()
			k.record("%s: %s %s of %s, +%s", kp.name, kp.typ, kp.stage, hit.Addr, kp.delay)
			if kp.changeAfter {
				k.changeEverything(t, 100+i)
			}
			k.finish(t)
		})
		if !ok {
			break // the next points build on this one's state
		}
	}
}

// TestKillAtRandomMoments kills apply at random moments, five times, with
// the source changing between the runs, then lets it finish. The seed is
// printed when the test fails.
func TestKillAtRandomMoments(t *testing.T) {
	t.Parallel()
	seed := uint64(time.Now().UnixNano())
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("random seed %d", seed)
		}
	})
	rng := rand.New(rand.NewPCG(seed, seed>>1))
	k := newKillRig(t)
	for round := range 5 {
		if round > 0 && rng.IntN(2) == 0 {
			k.changeEverything(t, round)
		}
		p := k.w.start(t, "apply", "-auto-approve", "-json")
		after := time.Duration(rng.Int64N(int64(4 * time.Second)))
		var last string
		timer := time.NewTimer(after)
	wait:
		for {
			select {
			case line, ok := <-p.lines:
				if !ok {
					break wait
				}
				if e, ok := parseEvent(line); ok {
					last = fmt.Sprintf("%s %s %s", e.Type, e.Stage, e.Addr)
				}
			case <-timer.C:
				break wait
			}
		}
		timer.Stop()
		p.kill()
		code := p.cmd.ProcessState.ExitCode()
		if code >= 0 {
			k.record("round %d: apply ended by itself (exit %d) before %s", round, code, after)
		} else {
			k.record("round %d: killed after %s, last event: %s", round, after, last)
		}
	}
	k.finish(t)
}
