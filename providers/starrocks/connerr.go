package starrocks

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
	"time"

	"github.com/go-sql-driver/mysql"
)

// ConnectError reports that no FE of a cluster could be reached or logged
// into. Its text names the cluster block and every host tried, says what
// went wrong and what to check, and never contains the password.
type ConnectError struct {
	// Cluster names the block, e.g. `source "old"`.
	Cluster string
	// Hosts has one entry per FE tried, in the order tried.
	Hosts []HostError
}

// HostError is the failure of one FE.
type HostError struct {
	// Addr is the host:port tried.
	Addr string
	// Problem says what went wrong and what to check, e.g. "connection
	// refused: check that the FE query port is right and reachable".
	Problem string
	// Err is the driver's error, for errors.Is and errors.As.
	Err error
	// kind sorts Err (classifyConnect).
	kind connectFailure
}

// Error returns one line: `connect to source "old" at 10.0.0.1:9030:
// <problem>` for one host, or every host's problem separated by "; ".
func (e *ConnectError) Error() string {
	if len(e.Hosts) == 1 {
		return fmt.Sprintf("connect to %s at %s: %s", e.Cluster, e.Hosts[0].Addr, e.Hosts[0].Problem)
	}
	parts := make([]string, len(e.Hosts))
	for i, h := range e.Hosts {
		parts[i] = h.Addr + ": " + h.Problem
	}
	return fmt.Sprintf("connect to %s: no FE answered: %s", e.Cluster, strings.Join(parts, "; "))
}

// Unwrap returns the driver errors, so errors.Is(err, context.Canceled)
// and errors.As(err, **mysql.MySQLError) see through a ConnectError.
func (e *ConnectError) Unwrap() []error {
	out := make([]error, 0, len(e.Hosts))
	for _, h := range e.Hosts {
		if h.Err != nil {
			out = append(out, h.Err)
		}
	}
	return out
}

// MySQL error numbers a login can fail with.
const (
	erAccessDenied       = 1045 // ER_ACCESS_DENIED_ERROR
	erDBAccessDenied     = 1044 // ER_DBACCESS_DENIED_ERROR
	erTableAccessDenied  = 1142 // ER_TABLEACCESS_DENIED_ERROR
	erSpecificAccessDeny = 1227 // ER_SPECIFIC_ACCESS_DENIED_ERROR
)

// connectFailure is the kind of a failed connection attempt.
type connectFailure int

const (
	failOther       connectFailure = iota
	failLogin                      // access denied for the user
	failPrivilege                  // a privilege error at login
	failServer                     // another server error: probably not an FE query port
	failNoTLS                      // TLS asked for, not offered
	failTLS                        // TLS handshake failed
	failDNS                        // host name unknown
	failRefused                    // nothing listens
	failUnreachable                // no route
	failTimeout                    // no answer in time
	failCanceled                   // the caller gave up
	failDropped                    // accepted, then closed or reset during the login
)

// classifyConnect sorts a driver error from connecting. timedOut tells
// that the per-host connect timeout expired.
func classifyConnect(err error, timedOut bool) connectFailure {
	var me *mysql.MySQLError
	var dnsErr *net.DNSError
	var netErr net.Error
	switch {
	case errors.As(err, &me) && me.Number == erAccessDenied:
		return failLogin
	case me != nil && (me.Number == erDBAccessDenied || me.Number == erTableAccessDenied || me.Number == erSpecificAccessDeny):
		return failPrivilege
	case me != nil:
		return failServer
	case errors.Is(err, mysql.ErrNoTLS):
		return failNoTLS
	case isTLSError(err):
		return failTLS
	case errors.As(err, &dnsErr):
		return failDNS
	case errors.Is(err, syscall.ECONNREFUSED):
		return failRefused
	case errors.Is(err, syscall.EHOSTUNREACH) || errors.Is(err, syscall.ENETUNREACH):
		return failUnreachable
	case timedOut || errors.Is(err, context.DeadlineExceeded) || errors.As(err, &netErr) && netErr.Timeout():
		return failTimeout
	case errors.Is(err, context.Canceled):
		return failCanceled
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, mysql.ErrInvalidConn) ||
		errors.Is(err, mysql.ErrMalformPkt) || errors.Is(err, syscall.ECONNRESET):
		return failDropped
	}
	return failOther
}

// describeConnectError turns a driver error from connecting as user into
// a short problem statement with the thing to check. timedOut tells that
// the per-host connect timeout expired.
func describeConnectError(err error, user string, timeout time.Duration, timedOut bool) string {
	var me *mysql.MySQLError
	var dnsErr *net.DNSError
	errors.As(err, &me)
	errors.As(err, &dnsErr)
	switch classifyConnect(err, timedOut) {
	case failLogin:
		return fmt.Sprintf("access denied for user %q: check user and password", user)
	case failPrivilege:
		return fmt.Sprintf("%s: check the privileges of user %q", me.Message, user)
	case failServer:
		return fmt.Sprintf("server error %d: %s: check that the address is a StarRocks FE query port", me.Number, me.Message)
	case failNoTLS:
		return "the FE does not offer TLS: enable TLS on the FE or remove the tls block"
	case failTLS:
		return fmt.Sprintf("TLS handshake failed: %v: check ca_file and server_name in the tls block", err)
	case failDNS:
		return fmt.Sprintf("cannot resolve host %q: check the host name", dnsErr.Name)
	case failRefused:
		return "connection refused: check that the FE query port is right and reachable"
	case failUnreachable:
		return "host unreachable: check the address and the network route to the FE"
	case failTimeout:
		return fmt.Sprintf("no answer within %s: check the host, the FE query port and firewalls", timeout)
	case failCanceled:
		return "canceled"
	case failDropped:
		return fmt.Sprintf("the server closed the connection during the login (%v): check that the address is a StarRocks FE query port (default %s), not an HTTP port", err, DefaultPort)
	}
	return fmt.Sprintf("%v: check that the FE is running and reachable", err)
}

// onlyDroppedLogins reports whether every host failed the same way: the
// server took the connection and closed or reset it during the login.
func onlyDroppedLogins(hosts []HostError) bool {
	for _, h := range hosts {
		if h.kind != failDropped {
			return false
		}
	}
	return len(hosts) > 0
}

// isTLSError reports whether err comes from the TLS handshake.
func isTLSError(err error) bool {
	var (
		unknownCA x509.UnknownAuthorityError
		hostname  x509.HostnameError
		invalid   x509.CertificateInvalidError
		verify    *tls.CertificateVerificationError
		header    tls.RecordHeaderError
		alert     tls.AlertError
	)
	return errors.As(err, &unknownCA) || errors.As(err, &hostname) || errors.As(err, &invalid) ||
		errors.As(err, &verify) || errors.As(err, &header) || errors.As(err, &alert)
}

// minRedactLen is the shortest password redact replaces: replacing a
// one- or two-letter password everywhere would garble the message, and a
// message is built from fixed words and the driver's text, never from the
// password, so redaction is a second line of defence.
const minRedactLen = 3

// redact replaces every occurrence of secret in s.
func redact(s, secret string) string {
	if len(secret) < minRedactLen {
		return s
	}
	return strings.ReplaceAll(s, secret, "(sensitive)")
}
