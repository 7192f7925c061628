package executor

import (
	"context"
	"sort"
	"time"

	"github.com/srplan/srplan/lang"
)

// throttleGates are the export and load gates of one throttle block,
// shared by every table that names it.
type throttleGates struct {
	spec    *lang.Throttle
	exports *gate
	loads   *gate
	// last reported limits and reasons, to emit Throttled on change only.
	last       Limits
	lastReason string
}

func newThrottleGates(t *lang.Throttle) *throttleGates {
	l := LimitsAt(t, time.Now())
	return &throttleGates{spec: t, exports: newGate(l.Exports), loads: newGate(l.Loads), last: Limits{Exports: -1}}
}

// holdRecheck is how often a run re-evaluates while a health hold is
// active, so that work resumes soon after the cluster cools down.
const holdRecheck = 2 * time.Second

// control re-evaluates windows and health rules until ctx ends, in the
// manner of gh-ost's throttler: collectors read the clusters, the gates
// only see the result. While a hold is active it looks more often.
func (r *run) control(ctx context.Context) {
	for {
		wait := r.cfg.ControlInterval
		if r.holding() {
			wait = min(wait, holdRecheck)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		r.evaluate(ctx)
	}
}

// holding reports whether any throttle holds new work. Only the control
// goroutine (and Run, before starting it) touches lastReason.
func (r *run) holding() bool {
	for _, tg := range r.throttle {
		if tg.lastReason != "" {
			return true
		}
	}
	return false
}

// evaluate applies the current window and health holds to every gate pair.
func (r *run) evaluate(ctx context.Context) {
	names := make([]string, 0, len(r.throttle))
	for n := range r.throttle {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		tg := r.throttle[name]
		limits := LimitsAt(tg.spec, r.now())
		srcHold, dstHold := r.holds(ctx, name, tg.spec)
		tg.exports.set(limits.Exports, srcHold)
		tg.loads.set(limits.Loads, dstHold)
		reason := srcHold
		if dstHold != "" {
			if reason != "" {
				reason += "; "
			}
			reason += dstHold
		}
		if limits != tg.last || reason != tg.lastReason {
			tg.last, tg.lastReason = limits, reason
			r.emit(Throttled{At: At{r.now()}, Throttle: name, Limits: limits, Reason: reason})
		}
	}
}

// holds asks the clusters of throttle name's tables for their node load
// and returns the source and target hold reasons ("" = none). A cluster
// that cannot report its load does not hold work: a failing health query
// must not stop a migration; the failure is part of the reason text only
// when a rule exists for that side.
func (r *run) holds(ctx context.Context, name string, t *lang.Throttle) (src, dst string) {
	if t == nil {
		return "", ""
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	seenS, seenT := map[string]bool{}, map[string]bool{}
	for _, tc := range r.cfg.Plan.Tables {
		if tc.Throttle != name {
			continue
		}
		if src == "" && (t.SourceMaxCPUPct > 0 || t.SourceMaxMemPct > 0) && !seenS[tc.SourceCluster] {
			seenS[tc.SourceCluster] = true
			if nodes, err := r.cfg.Sources[tc.SourceCluster].Health(ctx); err == nil {
				src = HoldReason(t, SourceSide, nodes)
			}
		}
		if dst == "" && (t.TargetMaxCPUPct > 0 || t.TargetMaxMemPct > 0) && !seenT[tc.TargetCluster] {
			seenT[tc.TargetCluster] = true
			if nodes, err := r.cfg.Targets[tc.TargetCluster].Health(ctx); err == nil {
				dst = HoldReason(t, TargetSide, nodes)
			}
		}
	}
	return src, dst
}
