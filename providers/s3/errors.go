package s3

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"strings"
	"syscall"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
)

// RetryableError is implemented by errors that know whether repeating the
// failed operation may succeed. The executor retries a failed stage only
// when IsRetryable says so.
type RetryableError interface {
	error
	// Retryable reports whether the same operation may succeed later
	// (throttling, a server error, a timeout, a dropped connection).
	Retryable() bool
}

// IsRetryable reports whether err, or an error it wraps, is worth
// retrying. The first RetryableError in err's chain decides; other errors
// are classified like the S3 SDK does (throttling codes such as SlowDown,
// HTTP 500/502/503/504, RequestTimeout, connection resets and refusals,
// network timeouts, any other failure to send a request), plus an
// unexpected EOF in a response body. A cancelled or expired context and a
// TLS certificate failure are never retryable.
func IsRetryable(err error) bool {
	if err == nil {
		return false
	}
	var r RetryableError
	if errors.As(err, &r) {
		return r.Retryable()
	}
	return retryableCause(err)
}

// retryableCause classifies an error that carries no Retryable method.
func retryableCause(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	if isCertificateError(err) {
		return false // the SDK retries every failed send; a bad certificate stays bad
	}
	if errors.As(err, new(ratelimit.QuotaExceededError)) {
		return true // the SDK's own retry budget ran out; the service may be fine later
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNREFUSED) {
		return true
	}
	if retry.IsErrorRetryables(retry.DefaultRetryables).IsErrorRetryable(err) == aws.TrueTernary {
		return true
	}
	var timeout interface{ Timeout() bool }
	return errors.As(err, &timeout) && timeout.Timeout()
}

// isCertificateError reports whether err is a TLS certificate failure.
func isCertificateError(err error) bool {
	return errors.As(err, new(*tls.CertificateVerificationError)) ||
		errors.As(err, new(x509.UnknownAuthorityError)) ||
		errors.As(err, new(x509.HostnameError)) ||
		errors.As(err, new(x509.CertificateInvalidError))
}

// Error is a failed storage operation. Its message names the operation and
// the object's URL, says what to check when the cause is known, and never
// contains the storage's credentials: the cause's text is scrubbed of them
// when the error is made.
type Error struct {
	// Op is the operation: "get", "put", "list", "delete", ...
	Op string
	// URL is the object or prefix the operation was about.
	URL string
	// Hint says what to check, or is empty.
	Hint string

	cause     error
	causeText string // cause's message with credentials replaced
	notFound  bool
	retryable bool
}

// Error returns "<op> <url>: <hint>: <cause>".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Op)
	b.WriteString(" ")
	b.WriteString(e.URL)
	if e.Hint != "" {
		b.WriteString(": ")
		b.WriteString(e.Hint)
	}
	if e.causeText != "" {
		b.WriteString(": ")
		b.WriteString(e.causeText)
	}
	return b.String()
}

// Unwrap returns the cause, and ErrNotFound for a missing object.
func (e *Error) Unwrap() []error {
	var errs []error
	if e.notFound {
		errs = append(errs, ErrNotFound)
	}
	if e.cause != nil {
		errs = append(errs, e.cause)
	}
	return errs
}

// Retryable reports whether the operation may succeed if repeated.
func (e *Error) Retryable() bool { return e.retryable }

// newError makes an *Error whose cause text has every non-empty string in
// secrets replaced by Redacted. Retryability is taken from the cause.
func newError(op, url, hint string, cause error, secrets ...string) *Error {
	e := &Error{Op: op, URL: url, Hint: hint, cause: cause}
	if cause != nil {
		e.causeText = scrub(cause.Error(), secrets...)
		e.retryable = IsRetryable(cause)
	}
	return e
}

// notFoundError makes the *Error for a missing object.
func notFoundError(op, url string) *Error {
	return &Error{Op: op, URL: url, Hint: ErrNotFound.Error(), notFound: true}
}

// scrub replaces every non-empty secret in s by Redacted.
func scrub(s string, secrets ...string) string {
	for _, secret := range secrets {
		if secret != "" {
			s = strings.ReplaceAll(s, secret, Redacted)
		}
	}
	return s
}
