package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sync"

	simsr "github.com/srplan/srplan/sim/starrocks"
)

// simHostEnv, when set in the environment of this test binary, makes it a
// simulator host instead of running tests: the value is a JSON hostOptions.
const simHostEnv = "SRPLAN_E2E_SIMHOST"

// hostOptions are the simulator options a host accepts (Options without
// its function fields).
type hostOptions struct {
	Version      string
	Mode         simsr.Mode
	RootPassword string
	Users        []simsr.User
}

// simHost runs one simulated cluster with the options in spec and its HTTP
// control endpoint, prints "addr: HOST:PORT" and "control: URL", and
// serves until its standard input closes. It returns the exit code.
func simHost(spec string) int {
	var o hostOptions
	if err := json.Unmarshal([]byte(spec), &o); err != nil {
		fmt.Fprintln(os.Stderr, "simulator host:", err)
		return 2
	}
	c, err := simsr.Start(simsr.Options{Version: o.Version, Mode: o.Mode, RootPassword: o.RootPassword, Users: o.Users, Quiet: true})
	if err != nil {
		fmt.Fprintln(os.Stderr, "simulator host:", err)
		return 1
	}
	defer c.Close()
	ctl, err := c.ServeControl("127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "simulator host:", err)
		return 1
	}
	fmt.Printf("addr: %s\ncontrol: http://%s\n", c.Addr(), ctl)
	_, _ = io.Copy(io.Discard, os.Stdin)
	return 0
}

// lockedBuffer is a bytes.Buffer safe for one writer and one reader.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
