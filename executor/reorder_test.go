package executor

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/srplan/srplan/lang"
	"github.com/srplan/srplan/planner"
)

// rankItems makes items of the given sizes, each in throttle thr[i].
func rankItems(sizes []int64, thr []string) []item {
	items := make([]item, len(sizes))
	for i, b := range sizes {
		items[i] = item{tc: &planner.TableChange{Throttle: thr[i]}, pc: &planner.PartitionChange{Bytes: b}}
	}
	return items
}

func ranks(x *exportRanks) []int64 {
	out := make([]int64, len(x.rank))
	for i := range out {
		out[i] = x.rankOf(i)
	}
	return out
}

func TestExportRanksSwitchOnlyWhenLoadsAreFaster(t *testing.T) {
	t.Parallel()
	four := func() (int, int) { return 4, 4 }
	sizes := []int64{10, 50, 20, 40, 30, 60}
	thr := []string{"a", "a", "b", "a", "a", "a"}

	for name, tc := range map[string]struct {
		bytes int64
		load  time.Duration // of a load of bytes; an export takes 1 s
	}{
		"loads slower: the order stays": {bytes: 100, load: 2 * time.Second},
		// Throttle a's median is 40: jobs of 30 bytes, however fast
		// their loads, decide nothing.
		"jobs under the median size are not measured": {bytes: 30, load: time.Millisecond},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			x := newExportRanks(rankItems(sizes, thr))
			for range 5 {
				x.observe("a", true, tc.bytes, time.Second, four)
				if _, ok := x.observe("a", false, tc.bytes, tc.load, four); ok {
					t.Fatal("re-ranked")
				}
			}
			if diff := cmp.Diff([]int64{0, 1, 2, 3, 4, 5}, ranks(x)); diff != "" {
				t.Errorf("ranks (-want +got):\n%s", diff)
			}
		})
	}

	t.Run("loads faster: waiting exports of the throttle go largest first", func(t *testing.T) {
		t.Parallel()
		x := newExportRanks(rankItems(sizes, thr))
		x.start(0) // started: keeps its rank
		x.observe("a", true, 100, time.Second, four)
		x.observe("a", false, 300, time.Second, four)
		if _, ok := x.observe("a", false, 300, time.Second, four); ok {
			t.Fatal("re-ranked after one export")
		}
		m, ok := x.observe("a", true, 100, time.Second, four)
		if !ok || m.exportBPS != 100 || m.loadBPS != 300 || m.exportSlots != 4 || m.loadSlots != 4 {
			t.Fatalf("observe = %+v, %v; want a switch measured at 100 and 300 B/s on 4 slots", m, ok)
		}
		// Items 1, 3, 4, 5 of throttle a held ranks 1, 3, 4, 5; largest
		// first (60, 50, 40, 30) they get them in that order. Item 0
		// started, item 2 is another throttle's.
		if diff := cmp.Diff([]int64{0, 3, 2, 4, 5, 1}, ranks(x)); diff != "" {
			t.Errorf("ranks (-want +got):\n%s", diff)
		}
		if x.version.Load() != 1 {
			t.Errorf("version %d, want 1", x.version.Load())
		}
		if _, ok := x.observe("a", false, 900, time.Second, four); ok {
			t.Error("switched twice")
		}
	})

	t.Run("more load slots than export slots", func(t *testing.T) {
		t.Parallel()
		x := newExportRanks(rankItems(sizes, thr))
		slots := func() (int, int) { return 2, 8 }
		var switched bool
		for range 2 {
			x.observe("a", true, 100, time.Second, slots)
			_, switched = x.observe("a", false, 100, time.Second, slots)
		}
		if !switched {
			t.Error("loads of equal speed on 8 slots against exports on 2: want largest first")
		}
	})
}

func TestRankQueueFollowsRevisions(t *testing.T) {
	t.Parallel()
	x := newExportRanks(rankItems([]int64{1, 2, 3, 4}, []string{"", "", "", ""}))
	q := newRankQueue(x)
	got := []int{q.next()}
	x.largestFirst("")
	for q.Len() > 0 {
		got = append(got, q.next())
	}
	// Item 0 was handed out; the rest re-ranked largest first.
	if diff := cmp.Diff([]int{0, 3, 2, 1}, got); diff != "" {
		t.Errorf("queue order (-want +got):\n%s", diff)
	}
}

func TestGateReadsRanksWhenASlotFrees(t *testing.T) {
	t.Parallel()
	g, ctx := heldGate(t)
	var mu sync.Mutex
	rank := map[int]int64{0: 0, 1: 1, 2: 2}
	var order []int
	var wg sync.WaitGroup
	for i := range 3 {
		wg.Go(func() {
			err := g.acquireRanked(ctx, func() int64 { mu.Lock(); defer mu.Unlock(); return rank[i] })
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			order = append(order, i)
			mu.Unlock()
			g.release()
		})
	}
	waitFor(t, func() bool { _, _, w := g.stats(); return w == 3 })
	mu.Lock()
	rank[2] = -1 // re-ranked while waiting
	mu.Unlock()
	g.release()
	wg.Wait()
	if !slices.Equal(order, []int{2, 0, 1}) {
		t.Errorf("grant order %v, want [2 0 1]", order)
	}
}

// TestRunStartsExportsLargestFirstOnceLoadsProveFaster: on a target that
// loads ten times faster than the source exports, after the first
// measured exports and loads the remaining exports start largest first,
// and the run says so.
func TestRunStartsExportsLargestFirstOnceLoadsProveFaster(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 24, planner.RangePartitioned, &lang.Throttle{Exports: 2, Loads: 2})
	f.src.delay, f.dst.delay = 20*time.Millisecond, 2*time.Millisecond
	for _, pc := range f.plan.Tables[0].Partitions {
		pc.Bytes = pc.Rows * 100
	}
	res, err := Run(context.Background(), f.config())
	if err != nil || res.Done != 24 {
		t.Fatalf("result %+v, %v", res, err)
	}
	f.assertCopied(t)
	var started []int64
	changedAt := -1
	f.rec.mu.Lock()
	for _, e := range f.rec.events {
		switch e := e.(type) {
		case OrderChanged:
			changedAt = len(started)
			if e.Throttle != "th" || e.LoadBytesPerSec <= e.ExportBytesPerSec {
				t.Errorf("OrderChanged %+v: want throttle th with loads faster than exports", e)
			}
		case StageStarted:
			if e.Stage == "exporting" {
				for _, pc := range f.plan.Tables[0].Partitions {
					if pc.Addr == e.Addr {
						started = append(started, pc.Bytes)
					}
				}
			}
		}
	}
	f.rec.mu.Unlock()
	if changedAt < 0 {
		t.Fatal("no OrderChanged event")
	}
	// The exports granted the two slots around the change may be of the
	// old order; from then on, largest first. A partition whose pipeline
	// reaches the export gate a little late (its state read, its table
	// check) may start after a smaller one, so a few inversions are
	// allowed: the old order (one big lane, one taking the smallest: 24000,
	// 1000, 2000, 23000, 3000, ...) has about a quarter of all pairs
	// inverted.
	rest := started[min(changedAt+2, len(started)):]
	inversions := 0
	for i := range rest {
		for j := i + 1; j < len(rest); j++ {
			if rest[i] < rest[j] {
				inversions++
			}
		}
	}
	if len(rest) < 8 || inversions > len(rest)/2 {
		t.Errorf("export sizes after the change %v (of %v): %d inversions; want at least 8 sizes, largest first", rest, started, inversions)
	}
}
