package starrocks

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/srplan/srplan/lang"
)

// DefaultPort is the FE query port (query_port) used when a host has none.
const DefaultPort = "9030"

// Timeouts used when the cluster block leaves them zero (lang documents
// the same defaults).
const (
	DefaultConnectTimeout = 10 * time.Second
	DefaultReadTimeout    = 60 * time.Second
)

// Client is a connection pool to one StarRocks cluster. Every new
// connection goes to the FE that answered last and, if that FE does not
// answer, to the next host of the cluster block in order, so a client
// survives the loss of an FE. It is safe for concurrent use.
type Client struct {
	db   *sql.DB
	conn *hostConnector
}

var _ Querier = (*Client)(nil)

// Option configures Open.
type Option func(*options) error

type options struct {
	maxOpenConns int
	timeZone     string
	logger       mysql.Logger
}

// WithMaxOpenConns caps the open connections of the pool; 0 (the default)
// means no cap. Negative values are rejected.
func WithMaxOpenConns(n int) Option {
	return func(o *options) error {
		if n < 0 {
			return fmt.Errorf("max open connections %d: must be >= 0", n)
		}
		o.maxOpenConns = n
		return nil
	}
}

// WithTimeZone sets the session time_zone of every connection. The
// default is "+00:00": the FE then prints VisibleVersionTime in UTC, which
// is how srplan reads it, and fingerprints do not change when an FE's own
// time zone does. "" keeps the FE default. Only letters, digits and
// "+-:/_" are accepted.
func WithTimeZone(tz string) Option {
	return func(o *options) error {
		for _, r := range tz {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("+-:/_", r)) {
				return fmt.Errorf("time zone %q: unexpected character %q", tz, r)
			}
		}
		o.timeZone = tz
		return nil
	}
}

// WithDriverLogger receives the MySQL driver's own log lines (for example
// about a connection closed by the server). By default they are dropped:
// what matters reaches the caller as an error.
func WithDriverLogger(l mysql.Logger) Option {
	return func(o *options) error {
		if l == nil {
			return errors.New("driver logger is nil")
		}
		o.logger = l
		return nil
	}
}

// Open connects to the cluster c describes and checks that one of its FEs
// answers a ping, trying the hosts in order within c.ConnectTimeout each.
// Statements go over the text protocol with client-side interpolation
// (interpolateParams), never as prepared statements (STARROCKS.md 11).
// Reads time out after c.ReadTimeout.
//
// When no FE answers, the error is a *ConnectError that names every host
// tried, what went wrong and what to check. No error ever contains the
// password.
func Open(ctx context.Context, c *lang.Cluster, opts ...Option) (*Client, error) {
	if c == nil {
		return nil, errors.New("connect: no cluster given")
	}
	o := options{timeZone: "+00:00", logger: &mysql.NopLogger{}}
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return nil, fmt.Errorf("connect to %s: %w", clusterLabel(c), err)
		}
	}
	hc, err := newHostConnector(c, o)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", clusterLabel(c), err)
	}
	db := sql.OpenDB(hc)
	db.SetMaxOpenConns(o.maxOpenConns)
	db.SetConnMaxIdleTime(5 * time.Minute)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		var ce *ConnectError
		if errors.As(err, &ce) {
			return nil, ce
		}
		return nil, hc.connectError([]HostError{hc.hostError(hc.Addr(), err, false)})
	}
	return &Client{db: db, conn: hc}, nil
}

// DB returns the pool, for callers that need *sql.DB itself. Do not call
// Prepare on it.
func (c *Client) DB() *sql.DB { return c.db }

// Addr returns the host:port of the FE that answered most recently.
func (c *Client) Addr() string { return c.conn.Addr() }

// Close closes the pool.
func (c *Client) Close() error { return c.db.Close() }

// QueryContext runs a query on the pool.
func (c *Client) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return c.db.QueryContext(ctx, query, args...)
}

// ExecContext runs a statement on the pool.
func (c *Client) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return c.db.ExecContext(ctx, query, args...)
}

// clusterLabel names a cluster block in errors: `source "old"`.
func clusterLabel(c *lang.Cluster) string {
	kind := string(c.Kind)
	if kind == "" {
		kind = "cluster"
	}
	return fmt.Sprintf("%s %q", kind, c.Name)
}

// hostConnector is a driver.Connector over the FEs of one cluster.
type hostConnector struct {
	label          string
	user           string
	password       string // only to redact error texts; never printed
	connectTimeout time.Duration
	hosts          []string
	conns          []driver.Connector
	// preferred is the index of the host that answered last.
	preferred atomic.Int64
}

func newHostConnector(c *lang.Cluster, o options) (*hostConnector, error) {
	if len(c.Hosts) == 0 {
		return nil, errors.New("no hosts configured")
	}
	if c.User == "" {
		return nil, errors.New("no user configured")
	}
	hc := &hostConnector{
		label:          clusterLabel(c),
		user:           c.User,
		password:       c.Password.Reveal(),
		connectTimeout: c.ConnectTimeout,
	}
	if hc.connectTimeout <= 0 {
		hc.connectTimeout = DefaultConnectTimeout
	}
	readTimeout := c.ReadTimeout
	if readTimeout <= 0 {
		readTimeout = DefaultReadTimeout
	}
	var baseTLS *tls.Config
	if c.TLS != nil && c.TLS.Enabled {
		var err error
		if baseTLS, err = tlsConfig(c.TLS); err != nil {
			return nil, err
		}
	}
	for _, h := range c.Hosts {
		addr, err := hostWithPort(h)
		if err != nil {
			return nil, err
		}
		cfg := mysql.NewConfig()
		cfg.User = c.User
		cfg.Passwd = c.Password.Reveal()
		cfg.Net = "tcp"
		cfg.Addr = addr
		cfg.Timeout = hc.connectTimeout
		cfg.ReadTimeout = readTimeout
		cfg.WriteTimeout = readTimeout
		cfg.InterpolateParams = true
		cfg.Loc = time.UTC
		cfg.Logger = o.logger
		if o.timeZone != "" {
			cfg.Params = map[string]string{"time_zone": "'" + o.timeZone + "'"}
		}
		if baseTLS != nil {
			cfg.TLS = baseTLS.Clone()
			if cfg.TLS.ServerName == "" {
				cfg.TLS.ServerName, _, _ = net.SplitHostPort(addr)
			}
		}
		conn, err := mysql.NewConnector(cfg)
		if err != nil {
			return nil, fmt.Errorf("host %s: %w", addr, err)
		}
		hc.hosts = append(hc.hosts, addr)
		hc.conns = append(hc.conns, conn)
	}
	return hc, nil
}

// hostWithPort returns h as host:port, adding DefaultPort when h has none.
func hostWithPort(h string) (string, error) {
	h = strings.TrimSpace(h)
	if h == "" {
		return "", errors.New("empty host")
	}
	if host, port, err := net.SplitHostPort(h); err == nil {
		if host == "" || port == "" {
			return "", fmt.Errorf("host %q: want host:port", h)
		}
		return h, nil
	}
	return net.JoinHostPort(strings.TrimSuffix(strings.TrimPrefix(h, "["), "]"), DefaultPort), nil
}

// tlsConfig builds the client TLS settings of a tls block. Each host gets
// a clone whose ServerName is its own host name unless the block sets one.
func tlsConfig(t *lang.TLS) (*tls.Config, error) {
	cfg := &tls.Config{
		MinVersion:         tls.VersionTLS12,
		ServerName:         t.ServerName,
		InsecureSkipVerify: t.SkipVerify, // the spec asked for it; lang warns at validate
	}
	if t.CAFile != "" {
		pem, err := os.ReadFile(t.CAFile)
		if err != nil {
			return nil, fmt.Errorf("tls ca_file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("tls ca_file %s: no PEM certificate found", t.CAFile)
		}
		cfg.RootCAs = pool
	}
	return cfg, nil
}

// handshakeRetryPauses are the pauses before Connect tries every host
// again after an FE accepted the connection and dropped it during the
// login (reset, closed): an FE or a proxy restarting, a momentary network
// fault. Refused connections, unknown hosts, silence, TLS and login
// errors are reported at once, since waiting does not cure them.
var handshakeRetryPauses = []time.Duration{200 * time.Millisecond, time.Second}

// Connect implements driver.Connector: it tries the hosts starting with
// the one that answered last, each within the connect timeout, and again
// after handshakeRetryPauses while the only trouble is a dropped login.
func (hc *hostConnector) Connect(ctx context.Context) (driver.Conn, error) {
	for round := 0; ; round++ {
		conn, failed := hc.connectOnce(ctx)
		if conn != nil {
			return conn, nil
		}
		if round == len(handshakeRetryPauses) || ctx.Err() != nil || !onlyDroppedLogins(failed) {
			return nil, hc.connectError(failed)
		}
		t := time.NewTimer(handshakeRetryPauses[round])
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, hc.connectError(failed)
		case <-t.C:
		}
	}
}

// connectOnce tries each host once.
func (hc *hostConnector) connectOnce(ctx context.Context) (driver.Conn, []HostError) {
	start := int(hc.preferred.Load())
	var failed []HostError
	for i := range hc.hosts {
		idx := (start + i) % len(hc.hosts)
		hctx, cancel := context.WithTimeout(ctx, hc.connectTimeout)
		conn, err := hc.conns[idx].Connect(hctx)
		timedOut := errors.Is(hctx.Err(), context.DeadlineExceeded) && ctx.Err() == nil
		cancel()
		if err == nil {
			hc.preferred.Store(int64(idx))
			return conn, nil
		}
		failed = append(failed, hc.hostError(hc.hosts[idx], err, timedOut))
		if ctx.Err() != nil {
			break
		}
	}
	return nil, failed
}

// Driver implements driver.Connector.
func (hc *hostConnector) Driver() driver.Driver { return hc.conns[0].Driver() }

// Addr returns the host that answered last (the first host before any did).
func (hc *hostConnector) Addr() string { return hc.hosts[hc.preferred.Load()] }

func (hc *hostConnector) connectError(hosts []HostError) *ConnectError {
	return &ConnectError{Cluster: hc.label, Hosts: hosts}
}

func (hc *hostConnector) hostError(addr string, err error, timedOut bool) HostError {
	problem := describeConnectError(err, hc.user, hc.connectTimeout, timedOut)
	return HostError{Addr: addr, Problem: redact(problem, hc.password), Err: err, kind: classifyConnect(err, timedOut)}
}
