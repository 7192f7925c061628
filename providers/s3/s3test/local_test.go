package s3test

import (
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// starters start each kind of local server directly, as the helpers do when scripts/test.sh has
// not exported one.
var starters = []struct {
	name   string
	start  func() (*process, string, error)
	health string
}{
	{
		name: "minio",
		start: func() (*process, string, error) {
			p, env, err := startMinIOProcess()
			return p, env.Endpoint, err
		},
		health: "/minio/health/ready",
	},
	{name: "dynalite", start: startDynaliteProcess, health: "/"},
	{name: "fauxqs", start: startFauxqsProcess, health: "/health"},
}

func TestStartAndStopLocalServers(t *testing.T) {
	for _, s := range starters {
		t.Run(s.name, func(t *testing.T) {
			p, endpoint, err := s.start()
			if err != nil {
				t.Fatalf("start: %v", err)
			}
			t.Cleanup(p.stop)
			u, err := url.Parse(endpoint)
			if err != nil {
				t.Fatalf("endpoint %q: %v", endpoint, err)
			}
			if u.Hostname() != "127.0.0.1" {
				t.Errorf("endpoint %s is not on 127.0.0.1", endpoint)
			}
			if !httpOK(endpoint + s.health) {
				t.Fatalf("GET %s%s did not answer 200", endpoint, s.health)
			}

			p.stop()
			select {
			case <-p.exited:
			default:
				t.Fatal("process still running after stop")
			}
			if conn, err := net.Dial("tcp", u.Host); err == nil {
				_ = conn.Close()
				t.Errorf("%s still accepts connections after stop", u.Host)
			}
			if _, err := os.Stat(p.dir); !os.IsNotExist(err) {
				t.Errorf("directory %s still there after stop (stat: %v)", p.dir, err)
			}
		})
	}
}

func TestStartWithoutInstallSaysHowToInstall(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.test\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	for _, s := range starters {
		t.Run(s.name, func(t *testing.T) {
			p, _, err := s.start()
			if err == nil {
				p.stop()
				t.Fatal("started without an installed server")
			}
			if !strings.Contains(err.Error(), "./scripts/test.sh") || !strings.Contains(err.Error(), dir) {
				t.Errorf("error %q does not name the missing path and ./scripts/test.sh", err)
			}
		})
	}
}
