package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for one writer and concurrent readers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func TestSandboxStartsPlansAndStops(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errb syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"sandbox", "-dir", dir, "-rows", "50"}, strings.NewReader(""), &out, &errb, []string{"NO_COLOR=1"})
	}()
	deadline := time.Now().Add(time.Minute)
	for !strings.Contains(out.String(), "Press Ctrl-C") {
		if time.Now().After(deadline) {
			t.Fatalf("sandbox did not come up:\n%s%s", out.String(), errb.String())
		}
		select {
		case code := <-done:
			t.Fatalf("sandbox exited early with %d:\n%s%s", code, out.String(), errb.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	if !strings.Contains(out.String(), "SIMULATORS") || !strings.Contains(out.String(), "not StarRocks") {
		t.Errorf("the sandbox does not say it runs simulators:\n%s", out.String())
	}
	spec := filepath.Join(dir, "migration.hcl")
	if _, err := os.Stat(spec); err != nil {
		t.Fatal(err)
	}
	r := srplan(t, "", nil, "plan", "-detailed-exitcode", "-f", spec)
	if r.code != ExitChanges || !strings.Contains(r.stdout, "demo.orders") || !strings.Contains(r.stdout, "demo.events") || !strings.Contains(r.stdout, "demo.customers") {
		t.Fatalf("plan against the sandbox: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	cancel() // what Ctrl-C does
	select {
	case code := <-done:
		if code != ExitOK || !strings.Contains(out.String(), "Stopping the simulators.") {
			t.Errorf("sandbox stopped with %d:\n%s", code, out.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("sandbox did not stop")
	}
}
