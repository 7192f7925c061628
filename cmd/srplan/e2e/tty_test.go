package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
	"github.com/google/go-cmp/cmp"

	simsr "github.com/srplan/srplan/sim/starrocks"
)

// ptySize is the window of the pseudo-terminal srplan runs under.
var ptySize = &pty.Winsize{Cols: 120, Rows: 40}

var (
	// plainProgress is a line only the timestamped progress view prints:
	// "<time> <db.table/partition>: exporting".
	plainProgress = regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ (\S+/\S+): exporting\r?\n`)
	// redraw is how the bars move the cursor back up over their previous
	// frame before drawing the next one: cursor up N lines, then erase to
	// the end of the screen.
	redraw = regexp.MustCompile(`\x1b\[\d+A\x1b\[J`)
)

// TestApplyOnATerminal runs apply with its output on a pseudo-terminal
// (progress bars, even with colour off), then with its output in a file or
// on a terminal whose TERM is "dumb" (timestamped lines, no escape
// sequences), each followed by the checks that the migration is complete.
func TestApplyOnATerminal(t *testing.T) {
	t.Parallel()
	t.Run("bars on a terminal without colour", func(t *testing.T) {
		t.Parallel()
		w, src, dst := ttyWorkspace(t)
		n := totalPartitions(t, src)
		out, code := w.runOnPty(t, "xterm", nil, "apply", "-auto-approve")
		defer logOnFailure(t, "the terminal", out)
		if code != 0 {
			t.Fatalf("apply on a terminal: exit %d", code)
		}
		for _, name := range []string{"export", "load", "verify"} {
			// The final frame: "export   6/6 [=====...] 100 %".
			row := regexp.MustCompile(fmt.Sprintf(`(?m)^(\x1b\[\d+A\x1b\[J)?%s +%d/%d \[=+\] +100 %%\r?$`, name, n, n))
			if !row.MatchString(out) {
				t.Errorf("no completed %q bar (%d/%d, 100 %%) on the terminal", name, n, n)
			}
		}
		// The data bar: full, its ETA column replaced by "done".
		if !regexp.MustCompile(`(?m)^data +[^\r\n]* \[=+\] [^\r\n]* done\r?$`).MatchString(out) {
			t.Errorf("no completed data bar (\"done\") on the terminal")
		}
		if !redraw.MatchString(out) {
			t.Errorf("the bars never redrew (no cursor-up and erase sequence)")
		}
		if m := plainProgress.FindString(out); m != "" {
			t.Errorf("timestamped progress line %q on a terminal", m)
		}
		if want := fmt.Sprintf("Apply complete: %d partitions copied and verified, 0 failed, 0 not started.", n); !strings.Contains(out, want) {
			t.Errorf("no %q on the terminal", want)
		}
		assertMigrated(t, w, src, dst)
	})
	for _, tc := range []struct {
		name   string
		term   string
		toFile bool // standard output in a file, the rest on the terminal
	}{
		{name: "lines when stdout is a file", term: "xterm", toFile: true},
		{name: "lines on a dumb terminal", term: "dumb"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w, src, dst := ttyWorkspace(t)
			want := map[string]bool{}
			for addr := range w.plan(t) {
				want[addr] = true
			}
			var f *os.File
			if tc.toFile {
				var err error
				if f, err = os.Create(filepath.Join(t.TempDir(), "stdout")); err != nil {
					t.Fatal(err)
				}
				defer f.Close()
			}
			term, code := w.runOnPty(t, tc.term, f, "apply", "-auto-approve")
			defer logOnFailure(t, "the terminal", term)
			out := term
			if f != nil {
				b, err := os.ReadFile(f.Name())
				if err != nil {
					t.Fatal(err)
				}
				out = string(b)
				defer logOnFailure(t, "standard output", out)
			}
			if code != 0 {
				t.Fatalf("apply: exit %d", code)
			}
			got := map[string]bool{}
			for _, m := range plainProgress.FindAllStringSubmatch(out, -1) {
				got[m[1]] = true
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("partitions with an exporting line (-planned +printed):\n%s", diff)
			}
			if i := strings.IndexByte(out, '\x1b'); i >= 0 {
				t.Errorf("escape sequence at byte %d of standard output", i)
			}
			if i := strings.IndexByte(term, '\x1b'); f != nil && i >= 0 {
				t.Errorf("escape sequence at byte %d on the terminal", i)
			}
			if want := fmt.Sprintf("Apply complete: %d partitions copied and verified", len(want)); !strings.Contains(out, want) {
				t.Errorf("no %q on standard output", want)
			}
			assertMigrated(t, w, src, dst)
		})
	}
}

// ttyWorkspace starts a source and a target with the sample schema on the
// source and writes a spec with a local stage.
func ttyWorkspace(t *testing.T) (*workspace, *cluster, *cluster) {
	t.Helper()
	src := startSim(t, hostOptions{Version: "3.3.8", Mode: simsr.SharedNothing, RootPassword: rootPassword})
	dst := startSim(t, hostOptions{Version: "3.5.2", Mode: simsr.SharedData, RootPassword: rootPassword + "-dst"})
	seedShop(t, src, seedRows)
	return newWorkspace(t, specOptions{src: src, dst: dst}), src, dst
}

// logOnFailure logs what srplan wrote to where if t failed, with escape
// characters made visible.
func logOnFailure(t *testing.T, where, out string) {
	t.Helper()
	if t.Failed() {
		t.Logf("--- %s:\n%s", where, strings.NewReplacer("\x1b", `\x1b`, "\r\n", "\n").Replace(out))
	}
}

// totalPartitions is how many partitions the sample tables have on c.
func totalPartitions(t *testing.T, c *cluster) int {
	t.Helper()
	n := 0
	for _, k := range partitionsPerTable(t, c) {
		n += k
	}
	return n
}

// assertMigrated fails t unless a plan lists nothing and the target holds
// the source's data.
func assertMigrated(t *testing.T, w *workspace, src, dst *cluster) {
	t.Helper()
	if plan := w.plan(t); len(plan) != 0 {
		addrs := make([]string, 0, len(plan))
		for a := range plan {
			addrs = append(addrs, a)
		}
		sort.Strings(addrs)
		t.Errorf("plan after the apply lists %v, want nothing", addrs)
	}
	assertSameData(t, src, dst, allTables...)
}

// runOnPty runs one srplan command with a new pseudo-terminal as its
// controlling terminal, standard input and error, and as standard output
// unless stdout is given; with TERM=term and NO_COLOR=1. It returns what was
// written to the terminal until the command ended and the exit code.
func (w *workspace) runOnPty(t *testing.T, term string, stdout *os.File, args ...string) (string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	cmd := w.command(ctx, args...)
	cmd.Env = append(cmd.Env, "TERM="+term, "NO_COLOR=1")
	if stdout != nil {
		cmd.Stdout = stdout
	}
	master, err := pty.StartWithSize(cmd, ptySize)
	if err != nil {
		t.Fatalf("start srplan on a pseudo-terminal: %v", err)
	}
	defer master.Close()
	// The command is killed at the timeout, which ends the reads; the
	// deadline only guards against a terminal held open by something else.
	_ = master.SetReadDeadline(time.Now().Add(commandTimeout + 30*time.Second))
	var out bytes.Buffer
	_, err = io.Copy(&out, master)
	// Once every process holding the terminal's other end has ended, a
	// read of the master side fails with EIO on Linux: the end of output.
	if err != nil && !errors.Is(err, syscall.EIO) {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		t.Fatalf("read the terminal of srplan %s: %v\n%q", strings.Join(args, " "), err, out.String())
	}
	err = cmd.Wait()
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee) && ee.Exited():
		return out.String(), ee.ExitCode()
	default:
		t.Fatalf("srplan %s on a terminal: %v\n%q", strings.Join(args, " "), err, out.String())
	}
	return out.String(), 0
}
