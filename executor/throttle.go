package executor

import (
	"fmt"
	"time"

	"github.com/srplan/srplan/lang"
)

// Limits is the effective concurrency of new work at one moment.
type Limits struct {
	Exports int
	Loads   int
	// Window names the active window, "" for the throttle's defaults.
	Window string
}

// LimitsAt returns throttle t's concurrencies at now: those of the first
// active window in declaration order, else the throttle's own. A nil
// throttle gives the defaults (lang.DefaultExports, lang.DefaultLoads).
func LimitsAt(t *lang.Throttle, now time.Time) Limits {
	if t == nil {
		return Limits{Exports: lang.DefaultExports, Loads: lang.DefaultLoads}
	}
	for _, w := range t.Windows {
		if WindowActive(w, now) {
			return Limits{Exports: w.Exports, Loads: w.Loads, Window: w.Name}
		}
	}
	return Limits{Exports: t.Exports, Loads: t.Loads}
}

// WindowActive reports whether w covers now, read in w's time zone. A
// window whose hours wrap midnight ("20:00-08:00") belongs to the day it
// starts on: with days = ["fri"], Saturday 02:00 is inside it and Friday
// 02:00 is not. End is exclusive.
func WindowActive(w *lang.Window, now time.Time) bool {
	loc := w.Location
	if loc == nil {
		loc = time.UTC
	}
	t := now.In(loc)
	minute := t.Hour()*60 + t.Minute()
	day := t.Weekday()
	if w.Hours != nil {
		s, e := w.Hours.Start, w.Hours.End
		switch {
		case s < e:
			if minute < s || minute >= e {
				return false
			}
		default: // wraps midnight
			switch {
			case minute >= s:
				// evening part: started today
			case minute < e:
				day = (day + 6) % 7 // morning part: started yesterday
			default:
				return false
			}
		}
	}
	if len(w.Days) == 0 {
		return true
	}
	for _, d := range w.Days {
		if d == day {
			return true
		}
	}
	return false
}

// Side is the cluster a health rule watches.
type Side string

// Sides.
const (
	SourceSide Side = "source"
	TargetSide Side = "target"
)

// NodeLoad is one node's load as SHOW BACKENDS / SHOW COMPUTE NODES report it.
type NodeLoad struct {
	Node   string
	CPUPct float64
	MemPct float64
}

// HoldReason returns why new work on side must wait under throttle t, or
// "" when no health rule is violated. The reason names the node, the
// measured value and the rule.
func HoldReason(t *lang.Throttle, side Side, nodes []NodeLoad) string {
	if t == nil {
		return ""
	}
	maxCPU, maxMem := t.SourceMaxCPUPct, t.SourceMaxMemPct
	if side == TargetSide {
		maxCPU, maxMem = t.TargetMaxCPUPct, t.TargetMaxMemPct
	}
	for _, n := range nodes {
		if maxCPU > 0 && n.CPUPct > maxCPU {
			return fmt.Sprintf("%s node %s CPU %.1f%% > %s_max_cpu_pct %g", side, n.Node, n.CPUPct, side, maxCPU)
		}
		if maxMem > 0 && n.MemPct > maxMem {
			return fmt.Sprintf("%s node %s memory %.1f%% > %s_max_mem_pct %g", side, n.Node, n.MemPct, side, maxMem)
		}
	}
	return ""
}
