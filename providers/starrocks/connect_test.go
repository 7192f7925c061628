package starrocks

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/srplan/srplan/lang"
)

const testPassword = "Pw-d0-not-leak-7421"

// testCluster is a source block for the given hosts.
func testCluster(hosts ...string) *lang.Cluster {
	return &lang.Cluster{
		Kind: lang.SourceCluster, Type: "starrocks", Name: "old",
		Hosts: hosts, User: "migrator", Password: lang.NewSecret(testPassword),
		ConnectTimeout: 2 * time.Second, ReadTimeout: 5 * time.Second,
	}
}

// closedPort returns a loopback address on which nothing listens.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// fakeServer listens on loopback and hands every accepted connection to
// handle; it stops with t.
func fakeServer(t *testing.T, handle func(net.Conn)) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			wg.Go(func() { handle(c) })
		}
	})
	t.Cleanup(func() {
		l.Close()
		wg.Wait()
	})
	return l.Addr().String()
}

// assertConnectError checks that err is a *ConnectError whose text contains
// every string of want and never the password.
func assertConnectError(t *testing.T, err error, want ...string) {
	t.Helper()
	if err == nil {
		t.Fatal("Open succeeded, want an error")
	}
	var ce *ConnectError
	if !errors.As(err, &ce) {
		t.Errorf("error %T is not a *ConnectError: %v", err, err)
	}
	for _, s := range want {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not contain %q", err, s)
		}
	}
	if strings.Contains(err.Error(), testPassword) {
		t.Errorf("error %q contains the password", err)
	}
}

func TestOpenUnreachable(t *testing.T) {
	t.Parallel()
	dead := closedPort(t)
	dead2 := closedPort(t)
	closer := fakeServer(t, func(c net.Conn) { c.Close() })
	release := make(chan struct{})
	silent := fakeServer(t, func(c net.Conn) {
		<-release
		c.Close()
	})
	t.Cleanup(func() { close(release) })

	tests := map[string]struct {
		cluster *lang.Cluster
		want    []string
	}{
		"closed port": {
			cluster: testCluster(dead),
			want:    []string{`connect to source "old" at ` + dead + `: connection refused: check that the FE query port is right and reachable`},
		},
		"two closed ports": {
			cluster: testCluster(dead, dead2),
			want: []string{`connect to source "old": no FE answered: ` + dead + `: connection refused`,
				"; " + dead2 + ": connection refused"},
		},
		"server hangs up": {
			cluster: testCluster(closer),
			want:    []string{`connect to source "old" at ` + closer + `: the server closed the connection during the login`, "FE query port (default 9030)"},
		},
		"server says nothing": {
			cluster: func() *lang.Cluster {
				c := testCluster(silent)
				c.ConnectTimeout = 300 * time.Millisecond
				return c
			}(),
			want: []string{`connect to source "old" at ` + silent + `: no answer within 300ms: check the host, the FE query port and firewalls`},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, err := Open(context.Background(), tc.cluster)
			if err == nil {
				c.Close()
			}
			assertConnectError(t, err, tc.want...)
		})
	}
}

func TestOpenCanceled(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Open(ctx, testCluster(closedPort(t), closedPort(t)))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want one wrapping context.Canceled", err)
	}
	if strings.Contains(err.Error(), testPassword) {
		t.Errorf("error %q contains the password", err)
	}
}

func TestOpenInvalid(t *testing.T) {
	t.Parallel()
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	with := func(f func(c *lang.Cluster)) *lang.Cluster {
		c := testCluster("127.0.0.1:1")
		f(c)
		return c
	}
	tests := map[string]struct {
		cluster *lang.Cluster
		opts    []Option
		want    string
	}{
		"nil cluster": {want: "connect: no cluster given"},
		"no hosts": {
			cluster: with(func(c *lang.Cluster) { c.Hosts = nil }),
			want:    `connect to source "old": no hosts configured`,
		},
		"no user": {
			cluster: with(func(c *lang.Cluster) { c.User = "" }),
			want:    `connect to source "old": no user configured`,
		},
		"empty host": {
			cluster: with(func(c *lang.Cluster) { c.Hosts = []string{"a:9030", " "} }),
			want:    `connect to source "old": empty host`,
		},
		"negative pool": {
			cluster: testCluster("127.0.0.1:1"),
			opts:    []Option{WithMaxOpenConns(-1)},
			want:    `connect to source "old": max open connections -1: must be >= 0`,
		},
		"time zone injection": {
			cluster: testCluster("127.0.0.1:1"),
			opts:    []Option{WithTimeZone("+00:00'; DROP DATABASE x; --")},
			want:    `connect to source "old": time zone "+00:00'; DROP DATABASE x; --": unexpected character '\''`,
		},
		"nil logger": {
			cluster: testCluster("127.0.0.1:1"),
			opts:    []Option{WithDriverLogger(nil)},
			want:    `connect to source "old": driver logger is nil`,
		},
		"missing ca file": {
			cluster: with(func(c *lang.Cluster) {
				c.TLS = &lang.TLS{Enabled: true, CAFile: filepath.Join(t.TempDir(), "none.pem")}
			}),
			want: `connect to source "old": tls ca_file: open `,
		},
		"ca file without certificates": {
			cluster: with(func(c *lang.Cluster) { c.TLS = &lang.TLS{Enabled: true, CAFile: caFile} }),
			want:    `connect to source "old": tls ca_file ` + caFile + `: no PEM certificate found`,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := Open(context.Background(), tc.cluster, tc.opts...)
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("error %v, want it to start with %q", err, tc.want)
			}
		})
	}
}
