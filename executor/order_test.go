package executor

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestExportOrder(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		bytes []int64
		slots int
		want  []int
	}{
		"empty": {nil, 4, []int{}},
		// Equal sizes: no giant, the first lane takes the "largest" (the
		// first in plan order), the others the smallest: plan order.
		"equal sizes keep plan order": {[]int64{5, 5, 5, 5, 5}, 2, []int{0, 1, 2, 3, 4}},
		// One slot: lane 0 always takes the largest.
		"one slot": {[]int64{1, 9, 3}, 1, []int{1, 2, 0}},
		// Two slots: lane 0 takes the largest (9), lane 1 the smallest (1);
		// lane 1 is free first (at 1) and takes the next smallest (2), then
		// again (at 3: 3) ... until lane 0 frees at 9.
		"two slots": {[]int64{3, 9, 1, 2, 4, 8}, 2, []int{1, 2, 3, 0, 4, 5}},
		// Four slots, one big lane: the largest starts first; the other
		// lanes take the smallest, so the second giant comes last here
		// (the big lane is busy with the first until then).
		"one big lane":           {[]int64{1, 1, 1, 1, 1, 1, 40, 30}, 4, []int{6, 0, 1, 2, 3, 4, 5, 7}},
		"other lanes take small": {[]int64{4, 5, 6, 3, 2}, 4, []int{2, 4, 3, 0, 1}},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got := exportOrder(tt.bytes, tt.slots)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("exportOrder(%v, %d) (-want +got):\n%s", tt.bytes, tt.slots, diff)
			}
		})
	}
}

func TestExportOrderIsAPermutation(t *testing.T) {
	t.Parallel()
	bytes := []int64{7, 0, 3, 3, 100, 2, 2, 50, 1, 9, 0, 4}
	for slots := 0; slots <= 6; slots++ {
		got := exportOrder(bytes, slots)
		seen := map[int]bool{}
		for _, i := range got {
			if i < 0 || i >= len(bytes) || seen[i] {
				t.Fatalf("slots %d: %v is not a permutation of 0..%d", slots, got, len(bytes)-1)
			}
			seen[i] = true
		}
		if len(got) != len(bytes) || got[0] != 4 {
			t.Errorf("slots %d: %v: want every index once, the largest (4) first", slots, got)
		}
	}
}

func TestByExportOrderInterleavesThrottles(t *testing.T) {
	t.Parallel()
	type it struct {
		th   string
		size int64
	}
	items := []it{{"a", 1}, {"b", 1}, {"a", 10}, {"b", 20}, {"a", 2}}
	got := byExportOrder(items, func(x it) (string, int64) { return x.th, x.size }, func(string) int { return 1 })
	// One slot per throttle: largest first (lane 0 always takes the largest).
	want := []it{{"a", 10}, {"b", 20}, {"b", 1}, {"a", 2}, {"a", 1}} // ties by plan position
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(it{})); diff != "" {
		t.Errorf("byExportOrder (-want +got):\n%s", diff)
	}
}
