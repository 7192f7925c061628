package s3test

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

const (
	readyTimeout = 60 * time.Second // how long a server may take to answer after it starts
	stopTimeout  = 10 * time.Second // how long a server may take to exit after SIGTERM
	startTries   = 3                // starts on fresh ports before giving up (a port can be taken meanwhile)
)

// process is one server this test binary started. Its output goes to a log file in dir, and dir
// is removed when the process is stopped.
type process struct {
	name    string
	dir     string
	logPath string
	cmd     *exec.Cmd
	exited  chan struct{} // closed once the process has exited and been reaped
	stopped sync.Once
}

var (
	runningMu sync.Mutex
	running   []*process
)

// Main runs the tests of m, then stops every server this package started for them (each by its
// own pid, SIGTERM then SIGKILL) and removes their temporary directories. It returns m.Run's
// exit code. Call it from TestMain: os.Exit(s3test.Main(m)).
func Main(m *testing.M) int {
	code := m.Run()
	stopAll()
	return code
}

func stopAll() {
	runningMu.Lock()
	procs := running
	running = nil
	runningMu.Unlock()
	for i := len(procs) - 1; i >= 0; i-- {
		procs[i].stop()
	}
}

// launch starts argv in dir with env added to this process's environment.
//
// The child is started from a goroutine locked to its OS thread, which stays alive until the
// child exits: on Linux the child gets SIGKILL when the thread that started it ends (see
// sysProcAttr), so it cannot outlive a test binary that dies without reaching Main's cleanup.
func launch(name, dir string, env, argv []string) (*process, error) {
	p := &process{name: name, dir: dir, logPath: filepath.Join(dir, name+".log"), exited: make(chan struct{})}
	logFile, err := os.Create(p.logPath)
	if err != nil {
		return nil, fmt.Errorf("create %s log: %w", name, err)
	}
	p.cmd = exec.Command(argv[0], argv[1:]...)
	p.cmd.Dir = dir
	p.cmd.Env = append(os.Environ(), env...)
	p.cmd.Stdout = logFile
	p.cmd.Stderr = logFile
	p.cmd.SysProcAttr = sysProcAttr()

	started := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		// The thread is never unlocked: it ends with this goroutine, after the child has exited.
		if err := p.cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		_ = p.cmd.Wait() // a server stopped by a signal exits with an error; that is expected
		_ = logFile.Close()
		close(p.exited)
	}()
	if err := <-started; err != nil {
		_ = logFile.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	runningMu.Lock()
	running = append(running, p)
	runningMu.Unlock()
	return p, nil
}

// stop ends the process by its pid (SIGTERM, then SIGKILL after stopTimeout), waits until it is
// reaped and removes its directory. It is safe to call more than once.
func (p *process) stop() {
	p.stopped.Do(func() {
		select {
		case <-p.exited:
		default:
			_ = p.cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-p.exited:
			case <-time.After(stopTimeout):
				_ = p.cmd.Process.Kill()
				<-p.exited
			}
		}
		_ = os.RemoveAll(p.dir)
	})
}

// waitReady polls ready every 100ms until it reports true, the process exits, or readyTimeout
// passes. Errors carry the end of the process's log.
func (p *process) waitReady(ready func() bool) error {
	deadline := time.Now().Add(readyTimeout)
	for {
		if ready() {
			return nil
		}
		select {
		case <-p.exited:
			return fmt.Errorf("%s exited before it was ready%s", p.name, p.logTail())
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not ready after %v%s", p.name, readyTimeout, p.logTail())
		}
	}
}

// logTail returns the last lines of the process's log, prefixed for an error message.
func (p *process) logTail() string {
	data, err := os.ReadFile(p.logPath)
	if err != nil || len(bytes.TrimSpace(data)) == 0 {
		return ""
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) > 15 {
		lines = lines[len(lines)-15:]
	}
	return "; end of its log:\n" + strings.Join(lines, "\n")
}

// server describes how to start one kind of local server.
type server struct {
	name  string
	ports int // how many free ports the command needs
	// command returns the argv and the extra environment for a server in dir on ports.
	command func(dir string, ports []int) (argv, env []string)
	// ready reports whether the server on ports answers.
	ready func(ports []int) bool
}

// start starts s on free loopback ports and waits until it answers, trying fresh ports a few
// times in case another process takes one first. It returns the process and its ports.
func (s server) start() (*process, []int, error) {
	var lastErr error
	for range startTries {
		ports, err := freePorts(s.ports)
		if err != nil {
			return nil, nil, err
		}
		dir, err := os.MkdirTemp("", "srplan-"+s.name+"-")
		if err != nil {
			return nil, nil, fmt.Errorf("create %s directory: %w", s.name, err)
		}
		argv, env := s.command(dir, ports)
		p, err := launch(s.name, dir, env, argv)
		if err != nil {
			_ = os.RemoveAll(dir)
			return nil, nil, err
		}
		if lastErr = p.waitReady(func() bool { return s.ready(ports) }); lastErr == nil {
			return p, ports, nil
		}
		p.stop()
	}
	return nil, nil, lastErr
}

// freePorts returns n distinct TCP ports that were free on 127.0.0.1 a moment ago.
func freePorts(n int) ([]int, error) {
	listeners := make([]net.Listener, 0, n)
	defer func() {
		for _, l := range listeners {
			_ = l.Close()
		}
	}()
	ports := make([]int, 0, n)
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("find a free loopback port: %w", err)
		}
		listeners = append(listeners, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

var probeClient = &http.Client{Timeout: 2 * time.Second}

// httpOK reports whether GET url answers 200.
func httpOK(url string) bool {
	resp, err := probeClient.Get(url)
	if err != nil {
		return false
	}
	_ = resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// errNotInstalled says that a server's files are missing and how to install them.
func errNotInstalled(what, path string, vars ...string) error {
	return errors.New(what + " is not installed (" + path + " is missing): run ./scripts/test.sh once to install the local test stack into .cache/, or set " + strings.Join(vars, ", ") + " to a running server")
}
