package executor

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/srplan/srplan/state"
)

// errClaimed reports a partition another worker holds a claim on.
type errClaimed struct{ holder *state.ClaimInfo }

func (e *errClaimed) Error() string {
	if e.holder == nil {
		return "claimed by another worker"
	}
	return "claimed by " + e.holder.String()
}

// claim takes key's claim for this worker (a no-op without a Claimer)
// and keeps renewing it until release is called. The returned context
// ends when ctx does or when the claim is lost (taken over after it
// lapsed): work on the partition must stop then. A claim held by another
// worker gives an *errClaimed.
func (r *run) claim(ctx context.Context, key state.PartitionKey) (context.Context, func(), error) {
	if r.cfg.Claims == nil {
		return ctx, func() {}, nil
	}
	ok, cur, err := r.cfg.Claims.Claim(ctx, key, r.workerInfo())
	if err != nil {
		return nil, nil, &fatalError{fmt.Errorf("claim %s/%s: %w", key.Table, key.Partition, err)}
	}
	if !ok {
		return nil, nil, &errClaimed{holder: cur}
	}
	cctx, cancel := context.WithCancelCause(ctx)
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(max(r.cfg.ClaimLease/3, time.Millisecond))
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-cctx.Done():
				return
			case <-t.C:
			}
			ok, cur, err := r.cfg.Claims.Claim(cctx, key, r.workerInfo())
			switch {
			case err != nil && cctx.Err() == nil:
				// A failed renewal is retried at the next tick; the lease
				// is three ticks long.
				continue
			case err == nil && !ok:
				cancel(&errClaimed{holder: cur})
				return
			}
		}
	})
	release := func() {
		close(done)
		wg.Wait()
		cancel(nil)
		rctx, stop := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer stop()
		_ = r.cfg.Claims.Release(rctx, key, r.cfg.Worker.Holder)
	}
	return cctx, release, nil
}

// claimLost returns the *errClaimed that ended ctx, or nil.
func claimLost(ctx context.Context) error {
	var ec *errClaimed
	if errors.As(context.Cause(ctx), &ec) {
		return ec
	}
	return nil
}

// claimOrWait is claim, except that a claim held by another worker is
// waited out (at most three leases): when its holder does not renew it before it expires
// (a killed worker, say the apply whose lock this one took over), it is
// taken over; when the holder renews it, the partition is left to that
// live worker (*errClaimed).
func (r *run) claimOrWait(ctx context.Context, key state.PartitionKey) (context.Context, func(), error) {
	var seen time.Time
	for waits := 0; ; waits++ {
		cctx, release, err := r.claim(ctx, key)
		ec, ok := errors.AsType[*errClaimed](err)
		if !ok || ec.holder == nil || waits == 3 || (!seen.IsZero() && ec.holder.Expires.After(seen)) {
			return cctx, release, err
		}
		seen = ec.holder.Expires
		wait := min(time.Until(seen), r.cfg.ClaimLease) + claimExpiryMargin
		if err := sleep(ctx, max(wait, claimExpiryMargin)); err != nil {
			return nil, nil, err
		}
	}
}

// claimExpiryMargin is how long after a claim's expiry claimOrWait tries
// again (clocks of hosts differ a little).
var claimExpiryMargin = time.Second
