package executor

import (
	"testing"
	"time"

	"github.com/srplan/srplan/lang"
)

func TestWindowActive(t *testing.T) {
	t.Parallel()
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	night := &lang.Window{Name: "night", Hours: &lang.HourRange{Start: 20 * 60, End: 8 * 60}, Location: berlin}
	friNight := &lang.Window{Name: "fri", Hours: &lang.HourRange{Start: 20 * 60, End: 8 * 60}, Days: []time.Weekday{time.Friday}, Location: time.UTC}
	day := &lang.Window{Name: "day", Hours: &lang.HourRange{Start: 9 * 60, End: 17 * 60}, Location: time.UTC}
	weekend := &lang.Window{Name: "weekend", Days: []time.Weekday{time.Saturday, time.Sunday}, Location: time.UTC}
	// 2026-11-20 is a Friday.
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		w    *lang.Window
		at   string
		want bool
	}{
		{night, "2026-11-20T19:30:00Z", true},  // 20:30 in Berlin (UTC+1)
		{night, "2026-11-20T18:59:00Z", false}, // 19:59 Berlin
		{night, "2026-11-21T06:59:00Z", true},  // 07:59 Berlin
		{night, "2026-11-21T07:00:00Z", false}, // 08:00 Berlin: end is exclusive
		{friNight, "2026-11-20T21:00:00Z", true},
		{friNight, "2026-11-21T02:00:00Z", true},  // Saturday morning belongs to Friday night
		{friNight, "2026-11-20T02:00:00Z", false}, // Friday morning belongs to Thursday night
		{day, "2026-11-20T09:00:00Z", true},
		{day, "2026-11-20T17:00:00Z", false},
		{weekend, "2026-11-21T12:00:00Z", true},
		{weekend, "2026-11-20T23:59:00Z", false},
	}
	for _, tt := range tests {
		if got := WindowActive(tt.w, at(tt.at)); got != tt.want {
			t.Errorf("%s at %s: %v, want %v", tt.w.Name, tt.at, got, tt.want)
		}
	}
}

func TestLimitsAtFirstActiveWindowWins(t *testing.T) {
	t.Parallel()
	th := &lang.Throttle{Exports: 4, Loads: 3, Windows: []*lang.Window{
		{Name: "weekend", Days: []time.Weekday{time.Saturday, time.Sunday}, Exports: 24, Loads: 20, Location: time.UTC},
		{Name: "night", Hours: &lang.HourRange{Start: 20 * 60, End: 8 * 60}, Exports: 12, Loads: 10, Location: time.UTC},
	}}
	sat := time.Date(2026, 11, 21, 22, 0, 0, 0, time.UTC)
	if got := LimitsAt(th, sat); got != (Limits{24, 20, "weekend"}) {
		t.Errorf("saturday night: %+v", got)
	}
	fri := time.Date(2026, 11, 20, 22, 0, 0, 0, time.UTC)
	if got := LimitsAt(th, fri); got != (Limits{12, 10, "night"}) {
		t.Errorf("friday night: %+v", got)
	}
	noon := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	if got := LimitsAt(th, noon); got != (Limits{4, 3, ""}) {
		t.Errorf("friday noon: %+v", got)
	}
	if got := LimitsAt(nil, noon); got != (Limits{lang.DefaultExports, lang.DefaultLoads, ""}) {
		t.Errorf("no throttle: %+v", got)
	}
}

func TestHoldReason(t *testing.T) {
	t.Parallel()
	th := &lang.Throttle{SourceMaxCPUPct: 70, TargetMaxMemPct: 85}
	nodes := []NodeLoad{{Node: "10.0.0.1", CPUPct: 40, MemPct: 90}, {Node: "10.0.0.2", CPUPct: 75.5, MemPct: 10}}
	if got, want := HoldReason(th, SourceSide, nodes), "source node 10.0.0.2 CPU 75.5% > source_max_cpu_pct 70"; got != want {
		t.Errorf("source: %q, want %q", got, want)
	}
	if got, want := HoldReason(th, TargetSide, nodes), "target node 10.0.0.1 memory 90.0% > target_max_mem_pct 85"; got != want {
		t.Errorf("target: %q, want %q", got, want)
	}
	if got := HoldReason(th, TargetSide, []NodeLoad{{Node: "x", CPUPct: 99, MemPct: 50}}); got != "" {
		t.Errorf("no target CPU rule, got %q", got)
	}
}
