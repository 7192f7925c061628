package e2e

import (
	"bytes"
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestDemo runs `srplan demo` as a user would on a fresh machine.
func TestDemo(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, srplanBin, "demo")
	cmd.Dir = t.TempDir()
	cmd.Env = append(cmd.Environ(), "NO_COLOR=1", "TMPDIR="+cmd.Dir)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("srplan demo: %v\n--- stdout\n%s--- stderr\n%s", err, stdout.String(), stderr.String())
	}
	for _, want := range []string{"SIMULATORS", "Apply complete: 11 partitions copied and verified", "~ p20240103", "No changes. 11 partitions are up to date.", "Demo complete"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("demo output lacks %q:\n%s", want, stdout.String())
		}
	}
}
