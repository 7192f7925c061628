package e2e

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	simsr "github.com/srplan/srplan/sim/starrocks"
)

// TestMethodAuto: method "auto" exports with EXPORT (CSV files) from a
// 3.1 shared-data source, where EXPORT is the only way out, and with
// INSERT INTO FILES (Parquet files) from a 3.3 source; the target loads
// CSV with Broker Load and Parquet with INSERT from FILES().
func TestMethodAuto(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		version string
		mode    simsr.Mode
		// jobs submitted on the source and the target, by kind
		srcJobs, dstJobs map[string]int64
		ext              string
	}{
		"3.1.11 shared-data: EXPORT, CSV": {
			version: "3.1.11", mode: simsr.SharedData,
			srcJobs: map[string]int64{simsr.KindExport: 6}, dstJobs: map[string]int64{simsr.KindLoad: 6},
			ext: ".csv",
		},
		"3.3.8 shared-nothing: INSERT INTO FILES, Parquet": {
			version: "3.3.8", mode: simsr.SharedNothing,
			srcJobs: map[string]int64{simsr.KindInsert: 6}, dstJobs: map[string]int64{simsr.KindInsert: 6},
			ext: ".parquet",
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			src := startSim(t, hostOptions{Version: tc.version, Mode: tc.mode})
			dst := startSim(t, hostOptions{Version: "3.5.2", Mode: simsr.SharedData})
			seedShop(t, src, 50)
			w := newWorkspace(t, specOptions{src: src, dst: dst})
			bs, bd := src.ctl.counters(t), dst.ctl.counters(t)
			r := w.mustRun(t, "apply", "-auto-approve")
			assertSameData(t, src, dst, allTables...)
			if diff := cmp.Diff(tc.srcJobs, counterDelta(bs, src.ctl.counters(t))); diff != "" {
				t.Errorf("jobs on the source (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.dstJobs, counterDelta(bd, dst.ctl.counters(t))); diff != "" {
				t.Errorf("jobs on the target (-want +got):\n%s", diff)
			}
			exts, manifests := stagedExtensions(w.stagedFiles(t, nil))
			if manifests != 6 || len(exts) != 1 || exts[tc.ext] == 0 {
				t.Errorf("staged files: %d manifests and data files by extension %v, want 6 manifests and only %s files", manifests, exts, tc.ext)
			}
			if t.Failed() {
				t.Logf("%s", r)
			}
		})
	}
}
