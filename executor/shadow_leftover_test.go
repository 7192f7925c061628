package executor

import (
	"context"
	"strings"
	"testing"

	"github.com/srplan/srplan/planner"
)

// An unpartitioned table's load attempt abandoned at an older source
// version leaves its shadow table; the attempt that finishes the copy
// drops it with its own.
func TestLeftoverShadowTableOfAnEarlierAttemptIsDropped(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 1, planner.Unpartitioned, nil)
	pc := f.plan.Tables[0].Partitions[0]
	f.dst.failLoads = 1
	cfg := f.config()
	cfg.Retry.MaxAttempts = 1
	if res, _ := Run(context.Background(), cfg); res.Failed != 1 {
		t.Fatalf("first run %+v, want a failed load", res)
	}
	if got := f.dst.shadowTables(); len(got) != 1 {
		t.Fatalf("the failed attempt should leave its shadow table: %v", got)
	}
	// The source moved: a new generation with a new label and shadow name.
	pc.Fingerprint.VisibleVersion = 4
	f.src.versions[key(pc.Addr.Table, pc.Addr.Partition)] = 4
	res, err := Run(context.Background(), f.config())
	if err != nil || res.Done != 1 {
		t.Fatalf("second run %+v %v", res, err)
	}
	if got := f.dst.shadowTables(); len(got) != 0 {
		t.Errorf("shadow tables left: %v", got)
	}
}

// shadowTables lists the shadow tables that exist on f.
func (f *fakeCluster) shadowTables() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for k := range f.rows {
		if strings.Contains(k, ".srplan_shadow_") {
			out = append(out, k)
		}
	}
	return out
}
