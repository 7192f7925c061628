package e2e

import (
	"os"
	"strings"
	"testing"
)

// TestInterruptStopsAndTheNextApplyResumes sends Ctrl-C (SIGINT) to a
// running apply: it stops starting work, records nothing as failed, exits
// non-zero saying how to resume, and the next apply finishes the
// migration with the source changed in between.
func TestInterruptStopsAndTheNextApplyResumes(t *testing.T) {
	k := newKillRig(t)
	waitFor := func(p *proc, typ, stage string) {
		t.Helper()
		for line := range p.lines {
			if e, ok := parseEvent(line); ok && e.Type == typ && e.Stage == stage {
				return
			}
		}
		t.Fatalf("apply ended before %s %s:\n%s", typ, stage, p.output())
	}

	p := k.w.start(t, "apply", "-auto-approve", "-json")
	waitFor(p, "stage_started", "loading")
	if err := p.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	code := p.wait()
	if out := p.output(); code != 1 || !strings.Contains(out, "run the command again to resume") ||
		!strings.Contains(out, "Press Ctrl-C again to exit at once") {
		t.Fatalf("after one Ctrl-C: exit %d\n%s", code, p.output())
	}
	for _, tb := range k.w.status(t).Tables {
		if tb.Failed != 0 {
			t.Errorf("%s: %d partitions recorded as failed by an interrupt", tb.Table, tb.Failed)
		}
	}

	k.changeEverything(t, 1)
	k.finish(t)
}
