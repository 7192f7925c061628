package starrocks

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
)

func TestDescribeConnectError(t *testing.T) {
	t.Parallel()
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	tests := map[string]struct {
		err      error
		timedOut bool
		want     string
	}{
		"access denied": {
			err:  &mysql.MySQLError{Number: 1045, Message: "Access denied for user 'migrator'@'10.0.0.9' (using password: YES)"},
			want: `access denied for user "migrator": check user and password`,
		},
		"privilege": {
			err:  &mysql.MySQLError{Number: 1227, Message: "Access denied; you need the OPERATE privilege"},
			want: `Access denied; you need the OPERATE privilege: check the privileges of user "migrator"`,
		},
		"other server error": {
			err:  &mysql.MySQLError{Number: 1064, Message: "Unsupported command"},
			want: "server error 1064: Unsupported command: check that the address is a StarRocks FE query port",
		},
		"refused": {
			err:  fmt.Errorf("wrapped: %w", refused),
			want: "connection refused: check that the FE query port is right and reachable",
		},
		"unresolvable": {
			err:  &net.OpError{Op: "dial", Err: &net.DNSError{Err: "no such host", Name: "sr-old.invalid"}},
			want: `cannot resolve host "sr-old.invalid": check the host name`,
		},
		"unreachable": {
			err:  &net.OpError{Op: "dial", Err: os.NewSyscallError("connect", syscall.EHOSTUNREACH)},
			want: "host unreachable: check the address and the network route to the FE",
		},
		"timeout flag": {
			err:      mysql.ErrInvalidConn,
			timedOut: true,
			want:     "no answer within 10s: check the host, the FE query port and firewalls",
		},
		"deadline": {
			err:  fmt.Errorf("dial: %w", context.DeadlineExceeded),
			want: "no answer within 10s: check the host, the FE query port and firewalls",
		},
		"canceled": {
			err:  context.Canceled,
			want: "canceled",
		},
		"no tls": {
			err:  mysql.ErrNoTLS,
			want: "the FE does not offer TLS: enable TLS on the FE or remove the tls block",
		},
		"unknown ca": {
			err:  &net.OpError{Op: "remote error", Err: x509.UnknownAuthorityError{}},
			want: "TLS handshake failed: remote error: x509: certificate signed by unknown authority: check ca_file and server_name in the tls block",
		},
		"closed": {
			err:  io.EOF,
			want: "the server closed the connection during the login (EOF): check that the address is a StarRocks FE query port (default 9030), not an HTTP port",
		},
		"other": {
			err:  errors.New("something odd"),
			want: "something odd: check that the FE is running and reachable",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got := describeConnectError(tc.err, "migrator", 10*time.Second, tc.timedOut)
			if got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

func TestConnectErrorText(t *testing.T) {
	t.Parallel()
	one := &ConnectError{Cluster: `source "old"`, Hosts: []HostError{
		{Addr: "10.0.0.1:9030", Problem: `access denied for user "migrator": check user and password`, Err: io.EOF},
	}}
	if got, want := one.Error(), `connect to source "old" at 10.0.0.1:9030: access denied for user "migrator": check user and password`; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	two := &ConnectError{Cluster: `target "new"`, Hosts: []HostError{
		{Addr: "a:9030", Problem: "p1", Err: context.Canceled},
		{Addr: "b:9030", Problem: "p2"},
	}}
	if got, want := two.Error(), `connect to target "new": no FE answered: a:9030: p1; b:9030: p2`; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if !errors.Is(two, context.Canceled) || !errors.Is(one, io.EOF) {
		t.Error("ConnectError does not unwrap to the driver errors")
	}
}

func TestHostErrorRedactsPassword(t *testing.T) {
	t.Parallel()
	hc := &hostConnector{user: "migrator", password: "s3cr3t-Pw", connectTimeout: time.Second}
	he := hc.hostError("h:9030", errors.New("driver said s3cr3t-Pw twice: s3cr3t-Pw"), false)
	if strings.Contains(he.Problem, "s3cr3t-Pw") {
		t.Errorf("problem %q contains the password", he.Problem)
	}
	if !strings.Contains(he.Problem, "driver said (sensitive) twice") {
		t.Errorf("problem %q lost its text", he.Problem)
	}
	if got := redact("a b a", "a"); got != "a b a" {
		t.Errorf("a one-letter secret was redacted: %q", got)
	}
}

func TestHostWithPort(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		in, want string
		wantErr  bool
	}{
		"with port":      {in: "10.0.0.1:9031", want: "10.0.0.1:9031"},
		"without port":   {in: "sr-old", want: "sr-old:9030"},
		"spaces":         {in: " sr-old ", want: "sr-old:9030"},
		"ipv6 with port": {in: "[::1]:9030", want: "[::1]:9030"},
		"ipv6 bracketed": {in: "[fe80::1]", want: "[fe80::1]:9030"},
		"ipv6 bare":      {in: "fe80::1", want: "[fe80::1]:9030"},
		"empty":          {in: "", wantErr: true},
		"empty port":     {in: "sr-old:", wantErr: true},
		"empty host":     {in: ":9030", wantErr: true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, err := hostWithPort(tc.in)
			if tc.wantErr {
				if err == nil {
					t.Fatalf("hostWithPort(%q) = %q, want an error", tc.in, got)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("hostWithPort(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			}
		})
	}
}
