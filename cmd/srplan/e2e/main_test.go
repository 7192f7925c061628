package e2e

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/srplan/srplan/providers/s3/s3test"
)

// Paths of the binaries TestMain builds for the whole test binary: srplan,
// srsim, and this test package compiled without the race detector, which
// serves as the simulator host (see simHost) so that the simulators run at
// full speed whatever flags the tests run with.
var (
	srplanBin  string
	srsimBin   string
	simHostBin string
)

// parallelTests is how many tests run at once unless -parallel is given:
// the tests mostly wait for simulated jobs, not for the CPU.
const parallelTests = 6

func TestMain(m *testing.M) {
	if spec := os.Getenv(simHostEnv); spec != "" {
		os.Exit(simHost(spec))
	}
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	dir, err := os.MkdirTemp("", "srplan-e2e-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	srplanBin = filepath.Join(dir, "srplan")
	srsimBin = filepath.Join(dir, "srsim")
	simHostBin = filepath.Join(dir, "simhost")
	for _, b := range [][]string{
		{"build", "-o", srplanBin, "github.com/srplan/srplan/cmd/srplan"},
		{"build", "-o", srsimBin, "github.com/srplan/srplan/sim/starrocks/cmd/srsim"},
		{"test", "-c", "-o", simHostBin, "github.com/srplan/srplan/cmd/srplan/e2e"},
	} {
		if err := goCommand(b...); err != nil {
			fmt.Fprintln(os.Stderr, "e2e:", err)
			return 1
		}
	}
	flag.Parse()
	parallelSet := false
	flag.Visit(func(f *flag.Flag) { parallelSet = parallelSet || f.Name == "test.parallel" })
	if !parallelSet {
		_ = flag.Set("test.parallel", strconv.Itoa(parallelTests))
	}
	return s3test.Main(m)
}

// goCommand runs the go command on PATH with args.
func goCommand(args ...string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", args...)
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go %s: %w\n%s", strings.Join(args, " "), err, b)
	}
	return nil
}
