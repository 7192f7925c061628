package executor

import (
	"context"
	"errors"
	"time"

	"github.com/cenkalti/backoff/v5"
)

// RetryPolicy bounds retries of retryable errors: capped exponential
// backoff with jitter.
type RetryPolicy struct {
	// MaxAttempts per stage, including the first (default 5).
	MaxAttempts int
	// Initial and Max delay (defaults 2s and 2m).
	Initial time.Duration
	Max     time.Duration
}

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.MaxAttempts == 0 {
		p.MaxAttempts = 5
	}
	if p.Initial == 0 {
		p.Initial = 2 * time.Second
	}
	if p.Max == 0 {
		p.Max = 2 * time.Minute
	}
	return p
}

func (p RetryPolicy) backOff() *backoff.ExponentialBackOff {
	b := backoff.NewExponentialBackOff()
	b.InitialInterval = p.Initial
	b.MaxInterval = p.Max
	b.Reset()
	return b
}

// Retryable is implemented by errors that a provider marks as worth
// retrying (timeouts, lost connections, a busy cluster).
type Retryable interface {
	Retryable() bool
}

// IsRetryable reports whether err, or an error it wraps, is marked
// retryable. Context cancellation never is.
func IsRetryable(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var r Retryable
	return errors.As(err, &r) && r.Retryable()
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
