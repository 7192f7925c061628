package executor

import (
	"cmp"
	"container/heap"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// exportRanks holds the export priority (rank, lower first) of every item
// of a run and revises it from the speeds the run measures.
//
// exportOrder assumes that loads are the slower stage, as they usually
// are: one export slot takes the largest partitions, the others the
// smallest, so that the loads are fed from the start. When the target
// loads faster than the source exports, the export stage sets the
// makespan, and that order leaves the larger partitions' exports for the
// end: largest first is then the better order (in the pipeline model of
// order_model_test.go, 1.151 of the bound against 1.000 with loads 1.67
// times faster than exports; BENCHMARKS.md). Once a throttle has measured
// minMeasured exports and loads of at least its median partition size, and
// its loads can take more than fasterLoads times what its exports deliver
// (bytes per second per job, times the slots), the exports of its items
// that have not started yet are re-ranked largest first, once; the ranks
// they held are reused, so the order between throttles is kept. Smaller
// jobs are not measured: their durations are mostly the cluster's
// scheduling and srplan's status polling, the same for both stages, which
// would make every load look as fast as an export.
type exportRanks struct {
	rank    []atomic.Int64
	started []atomic.Bool
	bytes   []int64
	thr     []string
	// version counts the revisions (pipelines re-sorts its queue).
	version atomic.Int64

	mu       sync.Mutex
	speeds   map[string]*stageSpeeds
	switched map[string]bool
	// measureFrom is the smallest job a throttle measures: its median
	// partition size.
	measureFrom map[string]int64
}

// stageSpeeds sums what one throttle's finished jobs moved and took.
type stageSpeeds struct {
	exports, loads         int
	exportBytes, loadBytes int64
	exportTime, loadTime   time.Duration
}

// Decision thresholds of exportRanks.observe.
const (
	minMeasured = 2
	fasterLoads = 1.2
)

// newExportRanks ranks items in their order (the export order).
func newExportRanks(items []item) *exportRanks {
	x := &exportRanks{
		rank: make([]atomic.Int64, len(items)), started: make([]atomic.Bool, len(items)),
		bytes: make([]int64, len(items)), thr: make([]string, len(items)),
		speeds: map[string]*stageSpeeds{}, switched: map[string]bool{}, measureFrom: map[string]int64{},
	}
	sizes := map[string][]int64{}
	for i, it := range items {
		x.rank[i].Store(int64(i))
		x.bytes[i], x.thr[i] = it.pc.Bytes, it.tc.Throttle
		sizes[it.tc.Throttle] = append(sizes[it.tc.Throttle], it.pc.Bytes)
	}
	for thr, s := range sizes {
		slices.Sort(s)
		x.measureFrom[thr] = max(s[len(s)/2], 1)
	}
	return x
}

// rankOf returns item i's current rank (i when out of range).
func (x *exportRanks) rankOf(i int) int64 {
	if x == nil || i < 0 || i >= len(x.rank) {
		return int64(i)
	}
	return x.rank[i].Load()
}

// start marks item i's export as started: it is no longer re-ranked.
func (x *exportRanks) start(i int) {
	if x != nil && i >= 0 && i < len(x.started) {
		x.started[i].Store(true)
	}
}

// loadsFaster is the measurement that made a throttle's exports start
// largest first.
type loadsFaster struct {
	exportBPS, loadBPS     float64
	exportSlots, loadSlots int
}

// observe adds a finished export or load of throttle thr and reports
// whether this measurement re-ranked the throttle's waiting exports.
// slots returns the throttle's current export and load slots.
func (x *exportRanks) observe(thr string, export bool, bytes int64, d time.Duration, slots func() (int, int)) (*loadsFaster, bool) {
	if x == nil || bytes <= 0 || d <= 0 {
		return nil, false
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.switched[thr] || bytes < x.measureFrom[thr] {
		return nil, false
	}
	s := x.speeds[thr]
	if s == nil {
		s = &stageSpeeds{}
		x.speeds[thr] = s
	}
	if export {
		s.exports, s.exportBytes, s.exportTime = s.exports+1, s.exportBytes+bytes, s.exportTime+d
	} else {
		s.loads, s.loadBytes, s.loadTime = s.loads+1, s.loadBytes+bytes, s.loadTime+d
	}
	if s.exports < minMeasured || s.loads < minMeasured {
		return nil, false
	}
	es, ls := slots()
	m := &loadsFaster{
		exportBPS: float64(s.exportBytes) / s.exportTime.Seconds(), loadBPS: float64(s.loadBytes) / s.loadTime.Seconds(),
		exportSlots: es, loadSlots: ls,
	}
	if m.loadBPS*float64(ls) <= fasterLoads*m.exportBPS*float64(es) {
		return nil, false
	}
	x.switched[thr] = true
	x.largestFirst(thr)
	return m, true
}

// largestFirst re-ranks the items of throttle thr whose export has not
// started: the ranks they hold, in order, go to them largest first.
func (x *exportRanks) largestFirst(thr string) {
	var idx []int
	var ranks []int64
	for i := range x.rank {
		if x.thr[i] == thr && !x.started[i].Load() {
			idx = append(idx, i)
			ranks = append(ranks, x.rank[i].Load())
		}
	}
	slices.Sort(ranks)
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(x.bytes[b], x.bytes[a]) })
	for k, i := range idx {
		x.rank[i].Store(ranks[k])
	}
	x.version.Add(1)
}

// indexHeap is a heap (container/heap) of item indexes ordered by less,
// which compares two indexes.
type indexHeap struct {
	idx  []int
	less func(a, b int) bool
}

func (h *indexHeap) Len() int           { return len(h.idx) }
func (h *indexHeap) Less(a, b int) bool { return h.less(h.idx[a], h.idx[b]) }
func (h *indexHeap) Swap(a, b int)      { h.idx[a], h.idx[b] = h.idx[b], h.idx[a] }
func (h *indexHeap) Push(v any)         { h.idx = append(h.idx, v.(int)) }
func (h *indexHeap) Pop() any {
	v := h.idx[len(h.idx)-1]
	h.idx = h.idx[:len(h.idx)-1]
	return v
}

// rankQueue hands out the items of a run lowest rank first; it re-sorts
// when the ranks were revised.
type rankQueue struct {
	x       *exportRanks
	h       indexHeap
	version int64
}

func newRankQueue(x *exportRanks) *rankQueue {
	q := &rankQueue{x: x, h: indexHeap{idx: make([]int, len(x.rank)), less: func(a, b int) bool { return x.rankOf(a) < x.rankOf(b) }}}
	for i := range q.h.idx {
		q.h.idx[i] = i
	}
	heap.Init(&q.h)
	return q
}

// Len is the number of items not handed out yet.
func (q *rankQueue) Len() int { return q.h.Len() }

// next removes and returns the item of lowest rank.
func (q *rankQueue) next() int {
	if v := q.x.version.Load(); v != q.version {
		q.version = v
		heap.Init(&q.h)
	}
	return heap.Pop(&q.h).(int)
}

// measured feeds a finished export or load to the ranks and reports a
// revision of the export order.
func (r *run) measured(thr string, export bool, bytes int64, took time.Duration) {
	tg := r.throttle[thr]
	if tg == nil {
		return
	}
	m, ok := r.ranks.observe(thr, export, bytes, took, func() (int, int) {
		_, es, _ := tg.exports.stats()
		_, ls, _ := tg.loads.stats()
		return max(es, 1), max(ls, 1)
	})
	if ok {
		r.emit(OrderChanged{At: At{r.now()}, Throttle: thr, ExportBytesPerSec: m.exportBPS, LoadBytesPerSec: m.loadBPS,
			ExportSlots: m.exportSlots, LoadSlots: m.loadSlots})
	}
}
