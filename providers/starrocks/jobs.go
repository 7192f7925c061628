package starrocks

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-sql-driver/mysql"

	"github.com/srplan/srplan/executor"
	"github.com/srplan/srplan/planner"
)

// Jobs runs srplan's jobs on one cluster: it is the executor's Source
// (EXPORT or INSERT INTO FILES, verification, health) and Target (DDL,
// Broker Load or INSERT from FILES(), labels, verification, health). Every
// method is safe for concurrent use. Errors implement Retryable() bool
// (see IsRetryable) and never contain storage credentials.
type Jobs struct {
	db    pool
	info  planner.ClusterInfo
	watch *Watcher

	checksumFunc string
	jobTimeout   time.Duration
	compression  string
	// notFoundGrace is how long a Broker Load or EXPORT the cluster accepted
	// may be missing from its job list before srplan gives up on it.
	notFoundGrace time.Duration
	// submitAttempts bounds submissions of one job after ambiguous errors.
	submitAttempts int
}

var (
	_ executor.Source = (*Jobs)(nil)
	_ executor.Target = (*Jobs)(nil)
)

// pool is what Jobs needs of a connection pool: *sql.DB. Conn gives the
// dedicated session that EXPORT + LAST_QUERY_ID() and SET + INSERT need.
type pool interface {
	Querier
	Conn(ctx context.Context) (*sql.Conn, error)
}

// Defaults of the job options.
const (
	DefaultJobTimeout         = 4 * time.Hour
	DefaultParquetCompression = "zstd"
	DefaultChecksumFunc       = "murmur_hash3_32"
)

// JobOption configures NewJobs.
type JobOption func(*Jobs) error

// WithChecksumFunc selects the row hash of verify mode "checksum":
// "xx_hash3_64" (StarRocks 3.2+) or "murmur_hash3_32" (every release, the
// default). Source and target must use the same function, or their
// checksums never match: configure both clients with
// ChecksumFuncFor(source version, target version).
func WithChecksumFunc(name string) JobOption {
	return func(j *Jobs) error {
		switch name {
		case "xx_hash3_64", "murmur_hash3_32":
			j.checksumFunc = name
			return nil
		}
		return fmt.Errorf("checksum function %q: want xx_hash3_64 or murmur_hash3_32", name)
	}
}

// ChecksumFuncFor returns the best row hash every given release has:
// xx_hash3_64 when all are 3.2 or later, else murmur_hash3_32
// (STARROCKS.md 8.1).
func ChecksumFuncFor(versions ...planner.Version) string {
	for _, v := range versions {
		if !v.AtLeast(3, 2, 0) {
			return "murmur_hash3_32"
		}
	}
	return "xx_hash3_64"
}

// WithJobTimeout sets the timeout of each EXPORT, Broker Load and INSERT
// job (default 4h; at least one minute).
func WithJobTimeout(d time.Duration) JobOption {
	return func(j *Jobs) error {
		if d < time.Minute {
			return fmt.Errorf("job timeout %s: must be at least 1m", d)
		}
		j.jobTimeout = d
		return nil
	}
}

// WithParquetCompression sets the compression of INSERT INTO FILES
// (default zstd).
func WithParquetCompression(c string) JobOption {
	return func(j *Jobs) error {
		switch c {
		case "uncompressed", "gzip", "snappy", "zstd", "lz4":
			j.compression = c
			return nil
		}
		return fmt.Errorf("parquet compression %q: want uncompressed, gzip, snappy, zstd or lz4", c)
	}
}

// WithPollInterval sets the job status polling bounds (defaults
// MinPollInterval and MaxPollInterval); lo must be positive and hi >= lo.
func WithPollInterval(lo, hi time.Duration) JobOption {
	return func(j *Jobs) error {
		if lo <= 0 || hi < lo {
			return fmt.Errorf("poll interval %s..%s: want 0 < min <= max", lo, hi)
		}
		j.watch = NewWatcher(j.db, lo, hi)
		return nil
	}
}

// NewJobs returns the job runner of the cluster c is connected to; info is
// what DetectCluster found (the release selects version-dependent SQL).
func NewJobs(c *Client, info planner.ClusterInfo, opts ...JobOption) (*Jobs, error) {
	if c == nil {
		return nil, errors.New("jobs: no client")
	}
	return newJobs(c.DB(), info, opts...)
}

func newJobs(db pool, info planner.ClusterInfo, opts ...JobOption) (*Jobs, error) {
	j := &Jobs{
		db: db, info: info,
		watch:          NewWatcher(db, MinPollInterval, MaxPollInterval),
		checksumFunc:   DefaultChecksumFunc,
		jobTimeout:     DefaultJobTimeout,
		compression:    DefaultParquetCompression,
		notFoundGrace:  2 * time.Minute,
		submitAttempts: 3,
	}
	for _, o := range opts {
		if err := o(j); err != nil {
			return nil, fmt.Errorf("jobs for cluster %q: %w", info.Name, err)
		}
	}
	return j, nil
}

// Watcher returns the job watcher, e.g. to read its query count.
func (j *Jobs) Watcher() *Watcher { return j.watch }

// exec runs a statement that carries no secrets on the pool.
func (j *Jobs) exec(ctx context.Context, query string) error {
	if _, err := j.db.ExecContext(ctx, query); err != nil {
		return fmt.Errorf("%s: %w", stmtText(query), err)
	}
	return nil
}

// execSecret runs a statement that carries storage credentials on conn.
// The error names the statement only redacted and has the credentials
// removed from the server's message.
func execSecret(ctx context.Context, conn Querier, query string, secrets []string) error {
	if _, err := conn.ExecContext(ctx, query); err != nil {
		return fmt.Errorf("%s: %w", stmtText(query), redactError(err, secrets))
	}
	return nil
}

// maxStmtText bounds the statement text quoted in an error: a load of
// many files is a long statement.
const maxStmtText = 300

// stmtText returns query redacted (RedactSQL) and cut to maxStmtText
// bytes, for error messages.
func stmtText(query string) string {
	s := RedactSQL(query)
	if len(s) > maxStmtText {
		cut := maxStmtText
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "..."
	}
	return s
}

// withConn runs f on a dedicated session, closed afterwards.
func (j *Jobs) withConn(ctx context.Context, f func(conn *sql.Conn) error) error {
	conn, err := j.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return f(conn)
}

// setInsertTimeout bounds INSERT statements of the session conn by the
// job timeout: query_timeout governs INSERT before 3.4, insert_timeout
// from 3.4 on (a release without it answers "unknown variable", which is
// ignored).
func (j *Jobs) setInsertTimeout(ctx context.Context, conn *sql.Conn) error {
	if _, err := conn.ExecContext(ctx, SessionTimeoutSQL(j.jobTimeout)); err != nil {
		return fmt.Errorf("%s: %w", SessionTimeoutSQL(j.jobTimeout), err)
	}
	if j.info.Version.AtLeast(3, 4, 0) {
		if _, err := conn.ExecContext(ctx, InsertTimeoutSQL(j.jobTimeout)); err != nil && !isUnknownVariable(err) {
			return fmt.Errorf("%s: %w", InsertTimeoutSQL(j.jobTimeout), err)
		}
	}
	return nil
}

// isUnknownVariable reports MySQL's ER_UNKNOWN_SYSTEM_VARIABLE (1193) or
// a message saying so.
func isUnknownVariable(err error) bool {
	var me *mysql.MySQLError
	return errors.As(err, &me) && (me.Number == 1193 || strings.Contains(strings.ToLower(me.Message), "unknown system variable"))
}
