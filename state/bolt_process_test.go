package state_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/srplan/srplan/state"
)

// The process tests re-execute the test binary as a child srplan process:
// TestHelperProcess runs the mode named by helperModeEnv on the state file
// named by helperPathEnv, prints "ready" and then works until killed.
const (
	helperModeEnv = "SRPLAN_STATE_HELPER_MODE"
	helperPathEnv = "SRPLAN_STATE_HELPER_PATH"
	// killSeedEnv replays TestProcessKilledMidWrite with the seed it logged.
	killSeedEnv = "SRPLAN_STATE_KILL_SEED"
	batchSize   = 200
)

// TestHelperProcess is the child's body; it does nothing in a normal run.
func TestHelperProcess(t *testing.T) {
	mode := os.Getenv(helperModeEnv)
	if mode == "" {
		return
	}
	path := os.Getenv(helperPathEnv)
	var err error
	switch mode {
	case "hold-lock":
		err = helperHoldLock(path)
	case "write-loop":
		err = helperWriteLoop(path)
	default:
		err = fmt.Errorf("unknown helper mode %q", mode)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		os.Exit(2)
	}
	os.Exit(0)
}

// helperHoldLock opens the state, locks it for "apply" and keeps both
// until killed (or 30s pass, so that a lost child ends by itself).
func helperHoldLock(path string) error {
	b, err := state.OpenBolt(path, state.BoltOptions{SrplanVersion: "0.1.0-child", Create: true})
	if err != nil {
		return err
	}
	if _, err := b.Lock(context.Background(), state.NewLockInfo("apply", "0.1.0-child")); err != nil {
		return err
	}
	fmt.Println("ready")
	time.Sleep(30 * time.Second)
	return nil
}

// helperWriteLoop writes batches of batchSize new partitions until killed;
// batch i holds partitions "b<i>_<j>". It stops by itself after 30s.
func helperWriteLoop(path string) error {
	b, err := state.OpenBolt(path, state.BoltOptions{SrplanVersion: "0.1.0-child", Create: true})
	if err != nil {
		return err
	}
	fmt.Println("ready")
	stop := time.Now().Add(30 * time.Second)
	for i := 0; time.Now().Before(stop); i++ {
		batch := &state.Batch{}
		for j := range batchSize {
			batch.PutPartitions = append(batch.PutPartitions, &state.PartitionRecord{
				Table: "db.t", Partition: fmt.Sprintf("b%06d_%03d", i, j),
				Stage: state.StageDone, Status: state.StatusOK, Rows: int64(i),
				LastError: strings.Repeat("x", 100), // enough bytes to span pages
			})
		}
		if err := b.Write(context.Background(), batch); err != nil {
			return err
		}
	}
	return nil
}

// startHelper starts a child in mode on path and waits for it to be ready.
// The child is killed at the end of the test if it still runs.
func startHelper(t *testing.T, mode, path string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
	cmd.Env = append(os.Environ(), helperModeEnv+"="+mode, helperPathEnv+"="+path)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := false
	t.Cleanup(func() {
		if !exited {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	ready := make(chan bool, 1)
	go func() {
		line, err := bufio.NewReader(out).ReadString('\n')
		ready <- err == nil && line == "ready\n"
	}()
	select {
	case ok := <-ready:
		if !ok {
			exited = true
			_ = cmd.Wait()
			t.Fatalf("helper %s did not get ready: %s", mode, stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("helper %s not ready after 30s: %s", mode, stderr.String())
	}
	return cmd
}

// kill ends the child with SIGKILL and reaps it, so its PID is gone.
func kill(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	var exitErr *exec.ExitError
	if err := cmd.Wait(); !errors.As(err, &exitErr) {
		t.Fatalf("child ended with %v, want it killed", err)
	}
}

// openAndLock is what a srplan command does before apply.
func openAndLock(t *testing.T, path string, timeout time.Duration) (*state.Bolt, string, error) {
	t.Helper()
	b, err := state.OpenBolt(path, state.BoltOptions{SrplanVersion: testVersion, Timeout: timeout})
	if err != nil {
		return nil, "", err
	}
	id, err := state.LockWithContext(t.Context(), b, state.NewLockInfo("apply", testVersion), timeout)
	if err != nil {
		_ = b.Close()
		return nil, "", err
	}
	t.Cleanup(func() { _ = b.Close() })
	return b, id, nil
}

func TestProcessLockHeld(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "state.db")
	child := startHelper(t, "hold-lock", path)

	_, _, err := openAndLock(t, path, 500*time.Millisecond)
	le, ok := errors.AsType[*state.LockError](err)
	if !ok || le.Holder == nil {
		t.Fatalf("open and lock next to a holder = %v, want a *LockError naming it", err)
	}
	if h := le.Holder; h.PID != child.Process.Pid || h.Host != hostname(t) || h.Operation != "apply" || h.ID == "" {
		t.Errorf("holder = %+v, want the child (pid %d) on this host for apply", h, child.Process.Pid)
	}
	if !strings.Contains(err.Error(), "pid "+strconv.Itoa(child.Process.Pid)) {
		t.Errorf("error %q does not name the child's pid", err)
	}

	kill(t, child)
	b, id, err := openAndLock(t, path, 500*time.Millisecond)
	if err != nil {
		t.Fatalf("open and lock after the holder died: %v", err)
	}
	h, err := b.Holder(t.Context())
	if err != nil || h.ID != id || h.PID != os.Getpid() {
		t.Fatalf("holder after takeover = %+v, %v; want this process with ID %s", h, err, id)
	}
	if err := b.Unlock(t.Context(), id); err != nil {
		t.Fatal(err)
	}
}

func TestProcessKilledMidWrite(t *testing.T) {
	t.Parallel()
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv(killSeedEnv); s != "" {
		var err error
		if seed, err = strconv.ParseUint(s, 10, 64); err != nil {
			t.Fatalf("%s: %v", killSeedEnv, err)
		}
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("replay with %s=%d", killSeedEnv, seed)
		}
	})
	rng := rand.New(rand.NewPCG(seed, seed))
	for run := range 5 {
		delay := time.Duration(20+rng.IntN(400)) * time.Millisecond
		t.Run(fmt.Sprintf("run%d", run), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "state.db")
			child := startHelper(t, "write-loop", path)
			time.Sleep(delay)
			kill(t, child)

			b := openBolt(t, path, state.BoltOptions{})
			s, err := b.Read(t.Context())
			if err != nil {
				t.Fatalf("Read after kill -9 (delay %s): %v", delay, err)
			}
			n := len(s.Partitions)
			if n%batchSize != 0 || uint64(n/batchSize) != s.Meta.Serial {
				t.Fatalf("%d partitions at serial %d after kill -9 (delay %s); want %d per serial",
					n, s.Meta.Serial, delay, batchSize)
			}
			perBatch := map[int64]int{}
			for _, p := range s.Partitions {
				perBatch[p.Rows]++
			}
			for i := range int64(s.Meta.Serial) {
				if perBatch[i] != batchSize {
					t.Errorf("batch %d has %d partitions, want %d", i, perBatch[i], batchSize)
				}
			}
		})
	}
}
