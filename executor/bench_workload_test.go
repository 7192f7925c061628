package executor_test

import (
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/srplan/srplan/lang"
	"github.com/srplan/srplan/planner"
	"github.com/srplan/srplan/providers/starrocks"
	sim "github.com/srplan/srplan/sim/starrocks"
	"github.com/srplan/srplan/state"
)

// The scheduler benchmark's workload: 200 partitions whose sizes are
// lognormal (median 2 GiB, sigma 1.5), so that a few partitions are 20-50
// times the median, copied with exports = 4 and loads = 4. Job durations
// come from the simulator's job model: exports move 100 MiB/s, loads
// 60 MiB/s (loads are the slower stage, as on real clusters), and the
// time scale 1/500 makes the bound of ~84 simulated minutes 10 s of wall
// time. (At 1/2000 one simulated second is 0.5 ms of wall time, and timer
// slack and goroutine scheduling on a 2-core machine moved single runs by
// up to 50%; at 1/500 repeated runs agree within 1%.) -sched.seed,
// -sched.scale, -sched.maxpoll and -sched.loadmibps (after -args) change
// the draw, the scale, the Watcher's longest poll interval and the load
// speed.
const (
	schedPartitions  = 200
	schedSlots       = 4
	schedMedianBytes = 2 << 30
	schedSigma       = 1.5
	schedExportBPS   = 100 << 20
)

var (
	schedSeed  = flag.Uint64("sched.seed", 4, "seed of the scheduler benchmark's partition sizes")
	schedScale = flag.Float64("sched.scale", 1.0/500, "time scale of the scheduler benchmark's job model")
	// schedLoadMiBps is the load speed; exports run at 100 MiB/s.
	schedLoadMiBps = flag.Float64("sched.loadmibps", 60, "load speed of the scheduler benchmark's job model, MiB/s (exports: 100)")
	// schedMaxPoll is the Watcher's longest poll interval in simulated
	// time; the provider's default is starrocks.MaxPollInterval.
	schedMaxPoll = flag.Duration("sched.maxpoll", starrocks.MaxPollInterval, "longest Watcher poll interval, simulated")
	// schedInFlight is executor.Config.MaxInFlight; the default is what
	// `srplan apply` uses (-parallelism 10, times 4).
	schedInFlight = flag.Int("sched.inflight", 80, "executor MaxInFlight of the scheduler benchmark (srplan apply uses 8 x -parallelism, 80 by default)")
)

// schedWorkload is one draw of the workload: partition names, sizes and
// the wall durations of their export and load jobs.
type schedWorkload struct {
	names  []string
	bytes  []int64
	export []time.Duration
	load   []time.Duration
	// byName indexes names.
	byName map[string]int
	// scale is the job model's time scale (wall seconds per simulated second).
	scale float64
}

// newSchedWorkload draws n partition sizes with the given seed and derives
// their job durations from the simulator's job model at time scale scale.
func newSchedWorkload(n int, seed uint64, scale float64) *schedWorkload {
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	exp := sim.JobModel{ThroughputBytesPerSec: schedExportBPS, TimeScale: scale}
	load := sim.JobModel{ThroughputBytesPerSec: *schedLoadMiBps * (1 << 20), TimeScale: scale}
	w := &schedWorkload{byName: make(map[string]int, n), scale: scale}
	for i := range n {
		b := int64(schedMedianBytes * math.Exp(schedSigma*r.NormFloat64()))
		name := fmt.Sprintf("p%03d", i)
		w.names = append(w.names, name)
		w.bytes = append(w.bytes, b)
		w.export = append(w.export, exp.Duration(b))
		w.load = append(w.load, load.Duration(b))
		w.byName[name] = i
	}
	return w
}

// bound is the makespan no scheduler can beat with slots jobs per stage:
// the larger of each stage's total work spread over its slots and the
// longest single export + load chain.
func (w *schedWorkload) bound(slots int) time.Duration {
	return lowerBound(w.export, w.load, slots)
}

// lowerBound is max(sum(export)/slots, sum(load)/slots, max_i(export_i + load_i)).
func lowerBound(export, load []time.Duration, slots int) time.Duration {
	var sumE, sumL, chain time.Duration
	for i := range export {
		sumE += export[i]
		sumL += load[i]
		chain = max(chain, export[i]+load[i])
	}
	return max(sumE/time.Duration(slots), sumL/time.Duration(slots), chain)
}

// simMinutes converts a wall duration to simulated minutes.
func (w *schedWorkload) simMinutes(d time.Duration) float64 {
	return d.Minutes() / w.scale
}

// schedTable is the benchmark's table, on both sides.
var schedTable = planner.TableAddr{DB: "bench", Table: "facts"}

// schedColumns are its columns.
var schedColumns = []planner.Column{{Name: "k", Type: "bigint(20)"}}

// plan returns the plan that copies every partition of schedTable in
// name order (the order the planner lists them in), throttled by
// exports = loads = schedSlots.
func (w *schedWorkload) plan() (*planner.Plan, *lang.Config) {
	tc := &planner.TableChange{
		Source: schedTable, Target: schedTable, Block: schedTable.String(),
		SourceCluster: "old", TargetCluster: "new", Storage: "stage",
		Method: lang.MethodExport, Format: "csv", Action: planner.NoOp,
		PartitionKind: planner.RangePartitioned, Columns: schedColumns,
		Recopy: planner.ViaTempPartition, Throttle: "bench",
	}
	for i, name := range w.names {
		tc.Partitions = append(tc.Partitions, &planner.PartitionChange{
			Addr:   planner.PartitionAddr{Table: schedTable, Partition: name},
			Action: planner.Copy, Rows: w.bytes[i] / 100, Bytes: w.bytes[i],
			Fingerprint: state.Fingerprint{VisibleVersion: 1},
		})
	}
	spec := &lang.Config{
		Throttles: map[string]*lang.Throttle{"bench": {Name: "bench", Exports: schedSlots, Loads: schedSlots}},
		Tables:    []*lang.Table{{Pattern: schedTable.String(), Verify: lang.VerifyRule{Mode: lang.VerifyCount}}},
	}
	return &planner.Plan{Tables: []*planner.TableChange{tc}}, spec
}

func TestSchedWorkloadIsHeavyTailed(t *testing.T) {
	t.Parallel()
	w := newSchedWorkload(schedPartitions, 4, 1.0/2000)
	sorted := slices.Clone(w.bytes)
	slices.Sort(sorted)
	median := float64(sorted[len(sorted)/2])
	tail := 0
	for _, b := range sorted {
		if float64(b) >= 20*median {
			tail++
		}
	}
	if tail < 3 || tail > 10 {
		t.Errorf("%d partitions are at least 20x the median, want a few (3-10)", tail)
	}
	if top := float64(sorted[len(sorted)-1]) / median; top < 30 || top > 60 {
		t.Errorf("the largest partition is %.1fx the median, want 30-60x", top)
	}
	for i := range w.names {
		if w.load[i] <= w.export[i] {
			t.Fatalf("%s: load %v is not slower than export %v", w.names[i], w.load[i], w.export[i])
		}
	}
	// Scaled so that an iteration takes seconds, not minutes.
	if b := w.bound(schedSlots); b < time.Second || b > 5*time.Second {
		t.Errorf("bound %v, want 1-5 s of wall time", b)
	}
	// The same seed draws the same workload.
	if diff := cmp.Diff(w.bytes, newSchedWorkload(schedPartitions, 4, 1.0/2000).bytes); diff != "" {
		t.Errorf("workload is not reproducible (-first +second):\n%s", diff)
	}
}

func TestLowerBound(t *testing.T) {
	t.Parallel()
	ms := func(v ...int) []time.Duration {
		out := make([]time.Duration, len(v))
		for i, x := range v {
			out[i] = time.Duration(x) * time.Millisecond
		}
		return out
	}
	tests := map[string]struct {
		export, load []time.Duration
		slots        int
		want         time.Duration
	}{
		"load work dominates":   {ms(1, 1, 1, 1), ms(4, 4, 4, 4), 2, 8 * time.Millisecond},
		"export work dominates": {ms(6, 6, 6, 6), ms(1, 1, 1, 1), 2, 12 * time.Millisecond},
		"one long chain":        {ms(1, 1, 10), ms(1, 1, 10), 4, 20 * time.Millisecond},
		"single slot":           {ms(3, 2), ms(1, 1), 1, 5 * time.Millisecond},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			if got := lowerBound(tt.export, tt.load, tt.slots); got != tt.want {
				t.Errorf("lowerBound = %v, want %v", got, tt.want)
			}
		})
	}
}
