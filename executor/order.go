package executor

import (
	"cmp"
	"slices"
)

// exportOrder returns the order in which partitions of estimated sizes
// bytes should start their exports on a throttle with slots concurrent
// exports: the positions of bytes, first to start first.
//
// Loads are usually the slower stage, so the makespan is set by keeping
// every load slot busy to the end and by the giants: a partition many
// times the median that starts its export late ends its load long after
// the others (plan order leaves the tail to chance; with heavy-tailed
// sizes that cost 2-12% over the lower bound in the scheduler benchmark).
// Exporting largest-first on every slot does not help either: the load
// slots then idle while the first giants export. So the order is that of
// a simulated export stage in which one slot (the "big lane") always
// takes the largest remaining partition and the other slots take the
// smallest, which keeps the loads fed from the first minute while the
// giants go early, one after another. (Two big lanes starved the loads
// more than they saved: 1.05-1.08 of the bound against 1.01-1.03 with
// one; BENCHMARKS.md.) Export time is taken as proportional to size;
// only the order is used, never a duration, so the real export and load
// speeds need not be known.
//
// The order assumes loads are the slower stage; exportRanks switches the
// exports not started yet to largest first when the measured speeds show
// the opposite. Equal sizes keep their plan order. The result is
// deterministic.
func exportOrder(bytes []int64, slots int) []int {
	n := len(bytes)
	bySize := make([]int, n)
	for i := range bySize {
		bySize[i] = i
	}
	slices.SortStableFunc(bySize, func(a, b int) int { return cmp.Compare(bytes[a], bytes[b]) })
	slots = max(slots, 1)
	// free[l] is the simulated time lane l is free again.
	free := make([]float64, slots)
	order := make([]int, 0, n)
	lo, hi := 0, n-1
	for lo <= hi {
		l := 0
		for k := range free {
			if free[k] < free[l] {
				l = k
			}
		}
		var i int
		if l == 0 {
			// The largest remaining; among equal sizes the first in plan
			// order.
			j := hi
			for j > lo && bytes[bySize[j-1]] == bytes[bySize[hi]] {
				j--
			}
			i = bySize[j]
			copy(bySize[j:hi], bySize[j+1:hi+1])
			hi--
		} else {
			i = bySize[lo]
			lo++
		}
		order = append(order, i)
		// A zero-size estimate still takes time to export.
		free[l] += float64(max(bytes[i], 1))
	}
	return order
}

// exportSlots is the export concurrency the order is computed for: the
// throttle's current limit (the gate's size), at least one.
func (tg *throttleGates) exportSlots() int {
	_, limit, _ := tg.exports.stats()
	return max(limit, 1)
}

// byExportOrder returns items in the order their exports should start:
// within each throttle (key's first result) the exportOrder of their
// sizes (key's second result), the throttles interleaved rank by rank.
// slots gives a throttle's export concurrency.
func byExportOrder[T any](items []T, key func(T) (string, int64), slots func(string) int) []T {
	groups := map[string][]int{}
	var names []string
	for i, it := range items {
		name, _ := key(it)
		if _, ok := groups[name]; !ok {
			names = append(names, name)
		}
		groups[name] = append(groups[name], i)
	}
	rank := make([]int, len(items))
	for _, name := range names {
		idx := groups[name]
		sizes := make([]int64, len(idx))
		for k, i := range idx {
			_, sizes[k] = key(items[i])
		}
		for r, k := range exportOrder(sizes, slots(name)) {
			rank[idx[k]] = r
		}
	}
	pos := make([]int, len(items))
	for i := range pos {
		pos[i] = i
	}
	slices.SortStableFunc(pos, func(a, b int) int { return cmp.Compare(rank[a], rank[b]) })
	out := make([]T, len(items))
	for k, i := range pos {
		out[k] = items[i]
	}
	return out
}
