package planner_test

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/srplan/srplan/planner"
	"github.com/srplan/srplan/planner/plantest"
)

// BenchmarkCompute plans tables x partitions against a fully populated
// state (every partition recorded done), catalog reads excluded. Figures
// and the command are in BENCHMARKS.md.
func BenchmarkCompute(b *testing.B) {
	for _, size := range []struct{ tables, partitions int }{{100, 1000}, {1000, 1000}} {
		b.Run(fmt.Sprintf("%dx%d", size.tables, size.partitions), func(b *testing.B) {
			cfg, src, dst, snap := plantest.Large(size.tables, size.partitions)
			// One partition per table moved, so the plan is not empty.
			for _, t := range src.Tables {
				t.Partitions[0].VisibleVersion++
			}
			in := planner.Input{Config: cfg, Prior: snap,
				Sources: map[string]*planner.Catalog{"old": src}, Targets: map[string]*planner.Catalog{"new": dst},
				Now: plantest.Now}
			runtime.GC()
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				p, diags := planner.Compute(in)
				if diags.HasErrors() || p.Summary.Recopy != size.tables {
					b.Fatalf("unexpected plan: %v %+v", diags, p.Summary)
				}
			}
			b.StopTimer()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "heap-MiB")
			b.ReportMetric(float64(size.tables*size.partitions), "partitions")
		})
	}
}
