package cli

import (
	"bufio"
	"errors"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// signalChildEnv makes the test binary act as a command that ignores the
// first interrupt's cancellation (a shutdown that does not end by itself).
const signalChildEnv = "SRPLAN_TEST_SIGNAL_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(signalChildEnv) == "1" {
		signalChild()
		return
	}
	os.Exit(m.Run())
}

func signalChild() {
	ctx, stop := interruptContext(os.Stdout, interruptMessage("apply"))
	defer stop()
	os.Stdout.WriteString("ready\n")
	<-ctx.Done()
	os.Stdout.WriteString("cancelled\n")
	// A stuck shutdown: only a second signal ends the process.
	time.Sleep(time.Minute)
	os.Exit(3)
}

func TestSecondInterruptExitsAtOnce(t *testing.T) {
	t.Parallel()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), signalChildEnv+"=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	lines := make(chan string, 16)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	var seen []string
	expect := func(want string) {
		t.Helper()
		timeout := time.After(10 * time.Second)
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					t.Fatalf("child ended before %q; output: %q", want, seen)
				}
				seen = append(seen, l)
				if strings.Contains(l, want) {
					return
				}
			case <-timeout:
				t.Fatalf("no %q from the child within 10s; output: %q", want, seen)
			}
		}
	}
	expect("ready")
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	expect("Press Ctrl-C again to exit at once")
	expect("cancelled")
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		for range lines {
		}
		done <- cmd.Wait()
	}()
	select {
	case err := <-done:
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			t.Fatalf("child exit: %v, want death by SIGINT", err)
		}
		ws, ok := ee.Sys().(syscall.WaitStatus)
		if !ok || !ws.Signaled() || ws.Signal() != syscall.SIGINT {
			t.Fatalf("child ended with %v, want death by SIGINT (the second Ctrl-C)", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the second Ctrl-C did not end the process")
	}
}

func TestInterruptMessageFitsTheCommand(t *testing.T) {
	t.Parallel()
	if m := interruptMessage("sandbox"); strings.Contains(m, "apply") || !strings.Contains(m, "stopping the simulators") {
		t.Errorf("sandbox interrupt message %q: want it to speak of the simulators, not of apply", m)
	}
	if m := interruptMessage("apply"); !strings.Contains(m, "the next apply resumes") {
		t.Errorf("apply interrupt message %q: want it to say the next apply resumes", m)
	}
}
