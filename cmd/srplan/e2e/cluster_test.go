package e2e

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	simsr "github.com/srplan/srplan/sim/starrocks"
)

// cluster is one simulated StarRocks cluster, running in its own process:
// where it answers, the root password, and its test controls. The SQL the
// suite runs against it goes through db; the controls are the simulator's
// HTTP control endpoint (fault injection, node load, job durations,
// counters).
type cluster struct {
	addr     string
	password string
	ctl      httpControl
	db       *sql.DB
}

func newCluster(t testing.TB, addr, password string, ctl httpControl) *cluster {
	t.Helper()
	db, err := sql.Open("mysql", dsn(addr, "root", password))
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(4)
	t.Cleanup(func() { db.Close() })
	return &cluster{addr: addr, password: password, ctl: ctl, db: db}
}

// dsn is a go-sql-driver DSN for addr; no database is selected.
func dsn(addr, user, password string) string {
	cfg := mysql.NewConfig()
	cfg.User, cfg.Passwd, cfg.Net, cfg.Addr = user, password, "tcp", addr
	cfg.InterpolateParams = true
	cfg.Timeout = 5 * time.Second
	cfg.ReadTimeout = 30 * time.Second
	return cfg.FormatDSN()
}

// exec runs statements in order, failing t on the first error.
func (c *cluster) exec(t testing.TB, stmts ...string) {
	t.Helper()
	for _, s := range stmts {
		if _, err := c.db.Exec(s); err != nil {
			t.Fatalf("%s: %v", abbrev(s), err)
		}
	}
}

// jobs returns the simulator's count of submitted jobs of kind.
func (c *cluster) jobs(t testing.TB, kind string) int64 {
	t.Helper()
	return c.ctl.counters(t).Jobs[kind]
}

func abbrev(s string) string {
	if len(s) > 120 {
		return s[:120] + "..."
	}
	return s
}

// startSrsim starts the srsim binary, a simulator in its own process that
// outlives any srplan process of the test. It is stopped (SIGKILL, by its
// pid) when t ends.
func startSrsim(t testing.TB, version string, mode simsr.Mode) *cluster {
	t.Helper()
	return startSimProcess(t, exec.Command(srsimBin, "-version", version, "-mode", string(mode), "-quiet"), "")
}

// startSim starts a simulated cluster with opts in a child process (this
// test binary in simulator-host mode, see simHost), so that the
// simulator's goroutines and process-wide state stay out of the test
// process. It is stopped when t ends.
func startSim(t testing.TB, opts hostOptions) *cluster {
	t.Helper()
	b, err := json.Marshal(opts)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(simHostBin)
	cmd.Env = append(os.Environ(), simHostEnv+"="+string(b))
	return startSimProcess(t, cmd, opts.RootPassword)
}

// startSimProcess starts cmd, which prints "dsn: ..." (or "addr: ...")
// and "control: URL" lines, and returns the cluster it serves.
func startSimProcess(t testing.TB, cmd *exec.Cmd, password string) *cluster {
	t.Helper()
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	// A simulator host stops when its standard input closes: when the
	// test ends, or when the test process dies.
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr lockedBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("start simulator: %v", err)
	}
	done := make(chan struct{})
	t.Cleanup(func() {
		stdin.Close()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	})
	lines := make(chan string)
	go func() {
		defer close(done)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			case <-time.After(time.Second):
			}
		}
		_, _ = io.Copy(io.Discard, out)
		_ = cmd.Wait()
	}()
	var addr, ctl string
	timeout := time.After(30 * time.Second)
	for addr == "" || ctl == "" {
		select {
		case line := <-lines:
			switch {
			case strings.HasPrefix(line, "dsn: "):
				cfg, err := mysql.ParseDSN(strings.TrimPrefix(line, "dsn: "))
				if err != nil {
					t.Fatalf("the simulator printed an unusable DSN %q: %v", line, err)
				}
				addr = cfg.Addr
			case strings.HasPrefix(line, "addr: "):
				addr = strings.TrimPrefix(line, "addr: ")
			case strings.HasPrefix(line, "control: "):
				ctl = strings.TrimPrefix(line, "control: ")
			}
		case <-timeout:
			_ = cmd.Process.Kill()
			t.Fatalf("the simulator printed no address within 30s; stderr:\n%s", stderr.String())
		}
	}
	return newCluster(t, addr, password, httpControl{base: ctl})
}

// httpControl drives a simulator's HTTP control endpoint
// (sim/starrocks ServeControl).
type httpControl struct{ base string }

var httpClient = &http.Client{Timeout: 10 * time.Second}

func (h httpControl) counters(t testing.TB) simsr.Counters {
	t.Helper()
	resp, err := httpClient.Get(h.base + "/counters")
	if err != nil {
		t.Fatalf("GET /counters: %v", err)
	}
	defer resp.Body.Close()
	var c simsr.Counters
	if err := json.NewDecoder(resp.Body).Decode(&c); err != nil {
		t.Fatalf("GET /counters: %v", err)
	}
	return c
}

func (h httpControl) post(t testing.TB, path string, body any) {
	t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.base+path, bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := httpClient.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(resp.Body)
		t.Fatalf("POST %s: status %d: %s", path, resp.StatusCode, msg)
	}
}

func (h httpControl) failNext(t testing.TB, kind string, n int, text string) {
	h.post(t, "/fail", map[string]any{"kind": kind, "count": n, "error": text})
}

func (h httpControl) setNodeLoad(t testing.TB, cpu, mem float64) {
	h.post(t, "/backends", map[string]any{"cpu": cpu, "mem": mem})
}

func (h httpControl) setJobModel(t testing.TB, m simsr.JobModel) {
	h.post(t, "/job-model", map[string]any{"throughput_bytes_per_sec": m.ThroughputBytesPerSec, "time_scale": m.TimeScale})
}

// counterDelta is after minus before, per job kind, keeping non-zero ones.
func counterDelta(before, after simsr.Counters) map[string]int64 {
	d := map[string]int64{}
	for k, v := range after.Jobs {
		if n := v - before.Jobs[k]; n != 0 {
			d[k] = n
		}
	}
	for k, v := range before.Jobs {
		if _, ok := after.Jobs[k]; !ok && v != 0 {
			d[k] = -v
		}
	}
	return d
}

func familyDelta(before, after simsr.Counters, family string) int64 {
	return after.ByFamily[family] - before.ByFamily[family]
}
