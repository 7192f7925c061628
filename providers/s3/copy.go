package s3

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"path"
	"slices"

	"golang.org/x/sync/errgroup"
	"golang.org/x/time/rate"
)

// DefaultCopyParallel is the number of objects Copy transfers at once when
// CopyOptions.Parallel is not set.
const DefaultCopyParallel = 4

// maxLimiterBurst caps the burst of the limiter NewBandwidthLimiter makes,
// so a fast limit is still spread over the second.
const maxLimiterBurst = 1 << 20

// CopyOptions tunes Copy.
type CopyOptions struct {
	// Parallel is how many objects are transferred at once; <= 0 means
	// DefaultCopyParallel.
	Parallel int
	// BytesPerSecond caps the bandwidth of all transfers of this Copy call
	// together (a token bucket); 0 means unlimited. Ignored when Limiter
	// is set.
	BytesPerSecond int64
	// Limiter, when set, is consulted for every byte read from the source
	// instead of a limiter made from BytesPerSecond. Share one (see
	// NewBandwidthLimiter) between Copy calls to cap their total.
	Limiter Limiter
	// Progress, when set, is called once per key after it was copied
	// (copied true) or skipped because the destination already held it
	// (copied false). It may be called from several goroutines at once.
	Progress func(o Object, copied bool)
}

// Limiter is a bandwidth budget in bytes; *rate.Limiter implements it.
type Limiter interface {
	// WaitN blocks until n bytes may pass or ctx is done.
	WaitN(ctx context.Context, n int) error
	// Burst is the most bytes one WaitN may ask for; <= 0 means any.
	Burst() int
}

var _ Limiter = (*rate.Limiter)(nil)

// NewBandwidthLimiter returns a token bucket passing bytesPerSecond bytes a
// second (> 0) with a burst of at most 1 MiB.
func NewBandwidthLimiter(bytesPerSecond int64) *rate.Limiter {
	burst := min(max(bytesPerSecond, 1), maxLimiterBurst)
	return rate.NewLimiter(rate.Limit(bytesPerSecond), int(burst))
}

// Copy copies the objects at keys from one storage to the same keys in
// another, opts.Parallel at a time, streaming each object (multipart
// uploads for big objects to S3) without holding it in memory.
//
// An object the destination already holds with the same size (and, when
// both sides know it, the same MD5) is skipped, so a Copy interrupted at
// any point can simply be run again. Each transfer is verified: the bytes
// read must match the source's size and, when the source knows it, its
// MD5; the written object must have the source's size and, when the
// destination knows it, the same MD5. A transfer that fails verification
// is removed from the destination and reported with a retryable error.
//
// Keys named ManifestName are copied only after every other key was
// copied, so that a loader watching the destination never sees a manifest
// before its files. Copy stops at the first failure and returns it.
func Copy(ctx context.Context, from, to Storage, keys []string, opts CopyOptions) error {
	var data, manifests []string
	for _, k := range keys {
		if err := checkKey(k); err != nil {
			return fmt.Errorf("copy %s: %w", from.URL(k), err)
		}
		if path.Base(k) == ManifestName {
			manifests = append(manifests, k)
		} else {
			data = append(data, k)
		}
	}
	lim := opts.Limiter
	if lim == nil && opts.BytesPerSecond > 0 {
		lim = NewBandwidthLimiter(opts.BytesPerSecond)
	}
	parallel := opts.Parallel
	if parallel <= 0 {
		parallel = DefaultCopyParallel
	}
	c := copier{from: from, to: to, lim: lim, progress: opts.Progress}
	for _, batch := range [][]string{data, manifests} {
		slices.Sort(batch)
		batch = slices.Compact(batch)
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(parallel)
		for _, k := range batch {
			g.Go(func() error { return c.copy(gctx, k) })
		}
		if err := g.Wait(); err != nil {
			return err
		}
	}
	return nil
}

// copier copies single objects for Copy.
type copier struct {
	from, to Storage
	lim      Limiter
	progress func(Object, bool)
}

// copy copies key unless the destination already holds it.
func (c copier) copy(ctx context.Context, key string) error {
	src, err := c.from.Stat(ctx, key)
	if err != nil {
		return fmt.Errorf("copy: %w", err)
	}
	dst, err := c.to.Stat(ctx, key)
	switch {
	case err == nil && sameObject(src, dst):
		if c.progress != nil {
			c.progress(src, false)
		}
		return nil
	case err != nil && !errors.Is(err, ErrNotFound):
		return fmt.Errorf("copy: %w", err)
	}
	obj, err := c.transfer(ctx, key)
	if err != nil {
		return err
	}
	if c.progress != nil {
		c.progress(obj, true)
	}
	return nil
}

// sameObject reports whether dst can stand for src: equal sizes, and equal
// MD5s when both are known.
func sameObject(src, dst Object) bool {
	if src.Size != dst.Size {
		return false
	}
	return src.MD5 == "" || dst.MD5 == "" || src.MD5 == dst.MD5
}

// transfer streams key from c.from to c.to and verifies the result. It
// returns the source object as read.
func (c copier) transfer(ctx context.Context, key string) (Object, error) {
	rc, src, err := c.from.Open(ctx, key)
	if err != nil {
		return Object{}, fmt.Errorf("copy: %w", err)
	}
	defer rc.Close()
	r := &copyReader{ctx: ctx, r: rc, hash: md5.New(), lim: c.lim}
	if err := c.to.PutReader(ctx, key, r); err != nil {
		return Object{}, fmt.Errorf("copy %s to %s: %w", c.from.URL(key), c.to.URL(key), err)
	}
	sum := hex.EncodeToString(r.hash.Sum(nil))
	var verr error
	switch {
	case r.n != src.Size:
		verr = &VerifyError{Key: key, What: "bytes read", Want: fmt.Sprint(src.Size), Got: fmt.Sprint(r.n)}
	case src.MD5 != "" && src.MD5 != sum:
		verr = &VerifyError{Key: key, What: "MD5 of the bytes read", Want: src.MD5, Got: sum}
	default:
		dst, err := c.to.Stat(ctx, key)
		switch {
		case err != nil:
			return Object{}, fmt.Errorf("copy %s: verify: %w", c.to.URL(key), err)
		case dst.Size != src.Size:
			verr = &VerifyError{Key: key, What: "size written", Want: fmt.Sprint(src.Size), Got: fmt.Sprint(dst.Size)}
		case dst.MD5 != "" && dst.MD5 != sum:
			verr = &VerifyError{Key: key, What: "MD5 written", Want: sum, Got: dst.MD5}
		}
	}
	if verr != nil {
		// Remove the bad copy so that a later run does not take it for
		// done; the verification error is the one worth reporting.
		_ = c.to.Delete(context.WithoutCancel(ctx), key)
		return Object{}, fmt.Errorf("copy %s to %s: %w", c.from.URL(key), c.to.URL(key), verr)
	}
	return src, nil
}

// VerifyError is a copied object that does not match its source. It is
// retryable: the source may have changed, or the transfer been corrupted.
type VerifyError struct {
	Key  string
	What string // what was compared, e.g. "size written"
	Want string
	Got  string
}

// Error describes the mismatch.
func (e *VerifyError) Error() string {
	return fmt.Sprintf("verify %s: %s is %s, want %s", e.Key, e.What, e.Got, e.Want)
}

// Retryable reports true.
func (e *VerifyError) Retryable() bool { return true }

// copyReader counts and hashes what it reads, waiting on a Limiter for
// every byte.
type copyReader struct {
	ctx  context.Context
	r    io.Reader
	hash hash.Hash
	lim  Limiter
	n    int64
}

func (r *copyReader) Read(p []byte) (int, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, err
	}
	if r.lim != nil {
		if b := r.lim.Burst(); b > 0 && len(p) > b {
			p = p[:b]
		}
	}
	n, err := r.r.Read(p)
	if n > 0 {
		r.n += int64(n)
		r.hash.Write(p[:n])
		if r.lim != nil {
			if werr := r.lim.WaitN(r.ctx, n); werr != nil {
				return n, werr
			}
		}
	}
	return n, err
}
