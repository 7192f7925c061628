package e2e

import (
	"strings"
	"testing"
	"time"

	simsr "github.com/srplan/srplan/sim/starrocks"
)

// TestHealthRuleHoldsLoads: while a target node is hotter than
// target_max_cpu_pct, the apply starts no load and says why in its
// progress lines; once the node cools down, the apply completes. The
// executor re-evaluates health rules every 15 s, so this test waits up to
// that long after the load drops.
func TestHealthRuleHoldsLoads(t *testing.T) {
	t.Parallel()
	src := startSim(t, hostOptions{Version: "3.3.8", Mode: simsr.SharedNothing})
	dst := startSim(t, hostOptions{Version: "3.5.2", Mode: simsr.SharedData})
	seedShop(t, src, 50)
	w := newWorkspace(t, specOptions{src: src, dst: dst, throttle: "  target_max_cpu_pct = 70\n"})
	dst.ctl.setNodeLoad(t, 95, 10)
	loadsBefore := dst.jobs(t, simsr.KindInsert) + dst.jobs(t, simsr.KindLoad)

	p := w.start(t, "apply", "-auto-approve")
	const hold = "holding new work: target node "
	const why = "CPU 95.0% > target_max_cpu_pct 70"
	var holdLine string
	for line := range p.lines {
		if strings.Contains(line, hold) {
			holdLine = line
			break
		}
	}
	if !strings.Contains(holdLine, why) {
		p.kill()
		t.Fatalf("apply did not report the hold (%q, %q):\n%s", hold, why, p.output())
	}
	// Exports go on; no load starts while the target is hot. Wait until
	// every export is done, then check that no load was submitted.
	exports := 0
	for exports < 6 {
		line, ok := <-p.lines
		if !ok {
			t.Fatalf("apply ended while held:\n%s", p.output())
		}
		if strings.Contains(line, ": export done in ") {
			exports++
		}
		if strings.Contains(line, ": loading") {
			p.kill()
			t.Fatalf("a load started while the target was hot: %q\n%s", line, p.output())
		}
	}
	if n := dst.jobs(t, simsr.KindInsert) + dst.jobs(t, simsr.KindLoad) - loadsBefore; n != 0 {
		p.kill()
		t.Fatalf("%d load jobs submitted while the target was hot:\n%s", n, p.output())
	}
	dst.ctl.setNodeLoad(t, 10, 10)
	done := make(chan int, 1)
	go func() { done <- p.wait() }()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("apply exit %d after the target cooled down:\n%s", code, p.output())
		}
	case <-time.After(90 * time.Second):
		p.kill()
		t.Fatalf("apply did not finish within 90s of the target cooling down:\n%s", p.output())
	}
	out := p.output()
	rest := out[strings.Index(out, holdLine)+len(holdLine):]
	if !strings.Contains(rest, "throttle default: exports 4, loads 4 (defaults)\n") {
		t.Errorf("apply did not report the end of the hold:\n%s", out)
	}
	assertSameData(t, src, dst, allTables...)
}
