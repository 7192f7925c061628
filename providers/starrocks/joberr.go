package starrocks

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/go-sql-driver/mysql"
)

// Errors of the job methods. Every error they return implements
//
//	interface{ Retryable() bool }
//
// (the executor's marker), decided by IsRetryable.
var (
	// ErrPartitionNotFound: the named partition does not exist.
	ErrPartitionNotFound = errors.New("partition not found")
	// ErrJobNotFound: a job the cluster accepted cannot be found again
	// (retryable: its label or directory makes a new submission safe).
	ErrJobNotFound = errors.New("job not found")
)

// JobError is a job that ended CANCELLED (or could not be followed).
type JobError struct {
	// Kind is "export" or "load".
	Kind string
	// DB and ID name the job: its label, or an EXPORT's query id.
	DB, ID string
	// State is the last state seen, e.g. CANCELLED.
	State string
	// Message is the cluster's ErrorMsg, e.g. "type:ETL_RUN_FAIL; msg:...".
	Message string
	retry   bool
}

// Error returns e.g. `load job "lbl" in database sales CANCELLED: type:...`.
func (e *JobError) Error() string {
	msg := e.Message
	if msg == "" {
		msg = "no error message"
	}
	return fmt.Sprintf("%s job %q in database %s %s: %s", e.Kind, e.ID, e.DB, e.State, msg)
}

// Retryable reports whether running the job again may succeed: a timeout,
// a lost node or a busy cluster, not bad data or a missing file.
func (e *JobError) Retryable() bool { return e.retry }

// newJobError builds the error of a cancelled job, classifying its message.
func newJobError(kind, db, id string, st JobStatus) *JobError {
	return &JobError{Kind: kind, DB: db, ID: id, State: st.State, Message: st.ErrorMsg, retry: retryableJobMessage(st.ErrorMsg)}
}

// retryableJobMessage classifies the ErrorMsg of a CANCELLED job
// (STARROCKS.md 5.2: "type:<TYPE>; msg:<text>"). A timeout or an unknown
// transaction state is retryable; a user cancel and bad data are not;
// otherwise the text decides as for a statement error.
func retryableJobMessage(msg string) bool {
	up := strings.ToUpper(msg)
	switch {
	case strings.Contains(up, "USER_CANCEL"), strings.Contains(up, "USER-CANCEL"),
		strings.Contains(up, "QUALITY_UNSATISFIED"), strings.Contains(up, "QUALITY-UNSATISFIED"):
		return false
	case strings.Contains(up, "TIMEOUT"), strings.Contains(up, "TXN_UNKNOWN"), strings.Contains(up, "TXN-UNKNOWN"):
		return true
	}
	return retryableMessage(msg)
}

// retryError marks an error with the retry decision made for it.
type retryError struct {
	err   error
	retry bool
}

func (e *retryError) Error() string   { return e.err.Error() }
func (e *retryError) Unwrap() error   { return e.err }
func (e *retryError) Retryable() bool { return e.retry }

// mark returns err marked retryable or not per IsRetryable, unless it is
// already marked; nil stays nil.
func mark(err error) error {
	if err == nil {
		return nil
	}
	var r interface{ Retryable() bool }
	if errors.As(err, &r) {
		return err
	}
	return &retryError{err: err, retry: IsRetryable(err)}
}

// markf wraps err with context (fmt.Errorf(format+": %w")) and marks it.
func markf(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	return mark(fmt.Errorf(format+": %w", append(args, err)...))
}

// IsRetryable reports whether an error from a StarRocks statement or job
// is worth retrying later:
//
//   - yes: lost or refused connections, network timeouts, an FE that no
//     FE host answered for (except a refused login), an accepted job the
//     cluster no longer lists (ErrJobNotFound), and server messages
//     about timeouts, busy or full queues ("too many tasks"), missing
//     leaders or backends, RPC failures and other transient 5xx-like
//     conditions;
//   - no: context cancellation, syntax and analysis errors, missing
//     privileges, unknown databases, tables, partitions or columns, a
//     label used by another job, and any message not recognised.
//
// An error that already says (Retryable() bool) is taken at its word.
func IsRetryable(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var r interface{ Retryable() bool }
	if errors.As(err, &r) {
		return r.Retryable()
	}
	if errors.Is(err, ErrJobNotFound) {
		return true // the cluster lost an accepted job: submitting again is safe
	}
	var ce *ConnectError
	if errors.As(err, &ce) {
		for _, h := range ce.Hosts {
			var me *mysql.MySQLError
			if !errors.As(h.Err, &me) {
				return true // a network failure on at least one host
			}
		}
		return false // every FE refused the login or answered with an error
	}
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		switch me.Number {
		case erAccessDenied, erDBAccessDenied, erTableAccessDenied, erSpecificAccessDeny, 5203, 1049, 1051, 1146, 1054:
			return false
		}
		return retryableMessage(me.Message)
	}
	if errors.Is(err, driver.ErrBadConn) || errors.Is(err, mysql.ErrInvalidConn) || errors.Is(err, io.EOF) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, mysql.ErrPktSync) || errors.Is(err, mysql.ErrPktSyncMul) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	return false
}

// nonRetryableWords mark messages that retrying cannot fix; they win over
// the retryable words ("Unknown table ... timeout" stays permanent).
var nonRetryableWords = []string{
	"access denied", "syntax error", "getting syntax", "unknown table", "unknown database", "unknown column",
	"does not exist", "doesn't exist", "not exist", "no matching function", "has already been used",
	"not supported", "unsupported", "invalid", "privilege", "permission", "duplicate", "already exists",
	"no such file", "file not found", "filtered data", "quality",
}

// retryableWords mark transient conditions.
var retryableWords = []string{
	"timeout", "timed out", "time out", "too many", "queue is full", "queue full", "is full", "busy",
	"try again", "retry", "not ready", "no alive", "alive backend", "backend not found", "no backend",
	"leader", "master", "rpc", "connection refused", "connection reset", "broken pipe", "unavailable",
	// "Backend node not found. Check if any backend node is down.": a
	// node left while the statement or job ran.
	"backend node not found", "node is down",
	"temporarily", "503", "502", "504", "internal error", "memory exceed", "exceed limit", "mem limit",
	"too many versions", "restart", "shutdown", "not enough", "overloaded", "throttl", "rate exceeded",
}

// retryableMessage classifies a server error text (see IsRetryable).
func retryableMessage(msg string) bool {
	m := strings.ToLower(msg)
	for _, w := range nonRetryableWords {
		if strings.Contains(m, w) {
			return false
		}
	}
	for _, w := range retryableWords {
		if strings.Contains(m, w) {
			return true
		}
	}
	return false
}

// isLabelUsed reports the "Label [x] has already been used." error.
func isLabelUsed(err error) bool {
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		return strings.Contains(me.Message, "has already been used")
	}
	return false
}

// isAmbiguous reports an error after which the statement may or may not
// have run: the connection broke or timed out while waiting for the
// answer. The job is then looked up, or submitted again under its label.
func isAmbiguous(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		return false
	}
	var ce *ConnectError
	if errors.As(err, &ce) {
		return false // never reached a server: nothing was sent
	}
	return IsRetryable(err)
}
