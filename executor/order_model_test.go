package executor

import (
	"cmp"
	"container/heap"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// The export order in a pure pipeline model: export and load durations
// proportional to size, no poll lag, no job overhead. It measures what
// exportOrder alone costs against the lower bound over many workloads,
// which the scheduler benchmark (one workload, real jobs on the
// simulator, a minute each) cannot. The workloads are those of the
// scheduler benchmark: 200 partitions, log-normal sizes (median 2 GiB,
// sigma 1.5), exports at 100 MiB/s and loads at 60 MiB/s, 4 slots each.

// modelSizes draws the partition sizes of workload seed as the scheduler
// benchmark does (bench_workload_test.go, newSchedWorkload).
func modelSizes(seed uint64) []int64 {
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	out := make([]int64, 200)
	for i := range out {
		out[i] = int64(float64(2<<30) * math.Exp(1.5*r.NormFloat64()))
	}
	return out
}

// pipelineRatio runs the model: exports start in order on slots slots,
// each taking bytes/exportBPS; a load slot that frees takes the largest
// exported partition (as the executor's load priority does), taking
// bytes/loadBPS. It returns the makespan over the lower bound
// max(export work / slots, load work / slots, longest export + load).
func pipelineRatio(bytes []int64, order []int, slots int, exportBPS, loadBPS float64) float64 {
	exp := func(i int) float64 { return float64(bytes[i]) / exportBPS }
	load := func(i int) float64 { return float64(bytes[i]) / loadBPS }
	free := make([]float64, slots)
	exported := make([]float64, len(bytes))
	for _, i := range order {
		k := 0
		for j := range free {
			if free[j] < free[k] {
				k = j
			}
		}
		free[k] += exp(i)
		exported[i] = free[k]
	}
	byDone := make([]int, len(bytes))
	for i := range byDone {
		byDone[i] = i
	}
	slices.SortStableFunc(byDone, func(a, b int) int { return cmpFloat(exported[a], exported[b]) })
	ready := &indexHeap{less: func(a, b int) bool { return bytes[a] > bytes[b] }}
	loadFree := make([]float64, slots)
	next, makespan := 0, 0.0
	for loaded := 0; loaded < len(bytes); {
		k := 0
		for j := range loadFree {
			if loadFree[j] < loadFree[k] {
				k = j
			}
		}
		t := loadFree[k]
		for next < len(byDone) && exported[byDone[next]] <= t {
			heap.Push(ready, byDone[next])
			next++
		}
		if ready.Len() == 0 {
			// Nothing exported yet: the slot idles until the next export
			// ends (one is pending, since not everything was loaded).
			loadFree[k] = exported[byDone[next]]
			continue
		}
		i := heap.Pop(ready).(int)
		loadFree[k] = t + load(i)
		makespan = max(makespan, loadFree[k])
		loaded++
	}
	var sumE, sumL, chain float64
	for i := range bytes {
		sumE += exp(i)
		sumL += load(i)
		chain = max(chain, exp(i)+load(i))
	}
	return makespan / max(sumE/float64(slots), sumL/float64(slots), chain)
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func TestPipelineRatio(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		bytes []int64
		order []int
		slots int
		want  float64
	}{
		// Loads as fast as exports. Two rounds of export; the second
		// round's loads end at 3 against 2 units of load work per slot.
		"four equal on two slots": {[]int64{1, 1, 1, 1}, []int{0, 1, 2, 3}, 2, 1.5},
		// The giant's chain (10 + 10) is the bound: exported after a small
		// one it ends at 21, exported first at 20.
		"giant second": {[]int64{1, 1, 10}, []int{0, 1, 2}, 2, 21.0 / 20},
		"giant first":  {[]int64{1, 1, 10}, []int{2, 0, 1}, 2, 1},
		// One slot: everything in series, 12 units of each stage.
		"one slot, giant last": {[]int64{1, 1, 10}, []int{0, 1, 2}, 1, 22.0 / 20},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if got := pipelineRatio(tc.bytes, tc.order, tc.slots, 1, 1); math.Abs(got-tc.want) > 1e-12 {
				t.Errorf("pipelineRatio = %v, want %v", got, tc.want)
			}
		})
	}
}

// BenchmarkExportOrderModel reports, for exportOrder, plan order and
// largest first, the makespan over the bound in the pipeline model across
// 300 workloads: mean, 90th and 99th percentile, worst, and the scheduler
// benchmark's own workload (seed 4). Exports run at 100 MiB/s; loads at
// 60 MiB/s (the scheduler benchmark's speeds), 100 MiB/s and 167 MiB/s.
func BenchmarkExportOrderModel(b *testing.B) {
	orders := []struct {
		name  string
		order func([]int64) []int
	}{
		{"export", func(sizes []int64) []int { return exportOrder(sizes, 4) }},
		{"plan", func(sizes []int64) []int {
			o := make([]int, len(sizes))
			for i := range o {
				o[i] = i
			}
			return o
		}},
		{"largest-first", func(sizes []int64) []int {
			o := make([]int, len(sizes))
			for i := range o {
				o[i] = i
			}
			slices.SortStableFunc(o, func(a, b int) int { return cmp.Compare(sizes[b], sizes[a]) })
			return o
		}},
	}
	for _, loadMiBps := range []float64{60, 100, 167} {
		for _, o := range orders {
			b.Run(fmt.Sprintf("load=%gMiBps/order=%s", loadMiBps, o.name), func(b *testing.B) {
				const seeds = 300
				var ratios []float64
				for b.Loop() {
					ratios = ratios[:0]
					for seed := uint64(1); seed <= seeds; seed++ {
						sizes := modelSizes(seed)
						ratios = append(ratios, pipelineRatio(sizes, o.order(sizes), 4, 100<<20, loadMiBps*(1<<20)))
					}
				}
				own := ratios[3]
				slices.Sort(ratios)
				var sum float64
				for _, r := range ratios {
					sum += r
				}
				b.ReportMetric(sum/seeds, "mean/bound")
				b.ReportMetric(ratios[seeds*90/100-1], "p90/bound")
				b.ReportMetric(ratios[seeds*99/100-1], "p99/bound")
				b.ReportMetric(ratios[seeds-1], "worst/bound")
				b.ReportMetric(own, "seed4/bound")
			})
		}
	}
}
