package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// interruptMessage returns what the first Ctrl-C prints for command
// name: sandbox only stops its simulators; every other command stops
// starting work.
func interruptMessage(name string) string {
	if name == "sandbox" {
		return "Interrupted: stopping the simulators. Press Ctrl-C again to exit at once."
	}
	return "Interrupted: starting no new work; running steps finish and are recorded. " +
		"Press Ctrl-C again to exit at once (the next apply resumes)."
}

// interruptContext returns a context that the first Ctrl-C (SIGINT) or
// SIGTERM cancels, after printing message on stderr: commands then stop starting
// work and leave state consistent. The signals' default handling is
// restored at that moment, so a second one ends the process at once; state
// is still consistent then, because every step is recorded before the
// next starts, and the next apply resumes. stop releases the handler.
func interruptContext(stderr io.Writer, message string) (ctx context.Context, stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		select {
		case <-sigs:
			signal.Reset(os.Interrupt, syscall.SIGTERM)
			fmt.Fprintln(stderr, "\n"+message)
			cancel()
		case <-ctx.Done():
		}
	}()
	return ctx, func() {
		signal.Stop(sigs)
		cancel()
	}
}
