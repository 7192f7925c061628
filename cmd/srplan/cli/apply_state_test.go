package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// An apply on a workspace without state creates the state file only when
// it is about to record something, and releases the lock it took on it:
// the next command in the same process (as in the demo) is not locked out.
func TestApplyCreatesTheStateLateAndReleasesItsLock(t *testing.T) {
	_, _, spec := simPair(t)
	statePath := filepath.Join(filepath.Dir(spec), ".srplan", "state.db")

	r := srplan(t, "", pwEnv, "plan", "-f", spec)
	if r.code != ExitOK {
		t.Fatalf("plan: code %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if _, err := os.Stat(statePath); err == nil {
		t.Fatalf("plan created %s", statePath)
	}
	r = srplan(t, "", pwEnv, "apply", "-auto-approve", "-f", spec)
	if r.code != ExitOK {
		t.Fatalf("apply: code %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if _, err := os.Stat(statePath); err != nil {
		t.Fatalf("apply left no state: %v", err)
	}
	r = srplan(t, "", pwEnv, "verify", "-f", spec)
	if r.code != ExitOK || strings.Contains(r.stderr, "locked") {
		t.Fatalf("verify after apply: code %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}
