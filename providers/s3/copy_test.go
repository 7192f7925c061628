package s3

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/time/rate"
)

// copyFixture is what the copy tests put into a source storage.
func copyFixture() map[string]string {
	dir := ExportDir("j", "db", "t x", "p1", 3)
	return map[string]string{
		dir + "data_0.csv":   strings.Repeat("1,a\n", 1000),
		dir + "data_1.csv":   "2,b\n",
		dir + "sub/deep.csv": "3,c\n",
		dir + "empty.csv":    "",
		ManifestKey(dir):     `{"format_version":1}`,
	}
}

func fill(t *testing.T, s Storage, objs map[string]string) []string {
	t.Helper()
	var keys []string
	for k, v := range objs {
		if err := s.Put(context.Background(), k, []byte(v)); err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// contents reads every object of s.
func contents(t *testing.T, s Storage) map[string]string {
	t.Helper()
	ctx := context.Background()
	objs, err := s.List(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, o := range objs {
		data, err := s.Get(ctx, o.Key)
		if err != nil {
			t.Fatal(err)
		}
		got[o.Key] = string(data)
	}
	return got
}

// progressLog records Copy's Progress calls.
type progressLog struct {
	mu      sync.Mutex
	copied  []string
	skipped []string
}

func (p *progressLog) record(o Object, copied bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if copied {
		p.copied = append(p.copied, o.Key)
	} else {
		p.skipped = append(p.skipped, o.Key)
	}
}

func (p *progressLog) sorted() (copied, skipped []string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Sorted(slices.Values(p.copied)), slices.Sorted(slices.Values(p.skipped))
}

func TestCopyBetweenBackends(t *testing.T) {
	open := map[string]func(t *testing.T, prefix string) Storage{
		"local": func(t *testing.T, _ string) Storage { return newTestLocal(t) },
		"s3": func(t *testing.T, prefix string) Storage {
			s, _ := newTestS3(t, prefix)
			return s
		},
	}
	for _, pair := range [][2]string{{"local", "s3"}, {"s3", "s3"}, {"s3", "local"}, {"local", "local"}} {
		t.Run(pair[0]+" to "+pair[1], func(t *testing.T) {
			ctx := context.Background()
			from, to := open[pair[0]](t, "src"), open[pair[1]](t, "dst/area")
			want := copyFixture()
			keys := fill(t, from, want)

			var first progressLog
			if err := Copy(ctx, from, to, keys, CopyOptions{Parallel: 2, Progress: first.record}); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, contents(t, to)); diff != "" {
				t.Errorf("destination (-want +got):\n%s", diff)
			}
			if copied, skipped := first.sorted(); !slices.Equal(copied, keys) || len(skipped) != 0 {
				t.Errorf("first copy: copied %v, skipped %v; want all copied", copied, skipped)
			}

			// A second run finds everything in place.
			var second progressLog
			if err := Copy(ctx, from, to, keys, CopyOptions{Progress: second.record}); err != nil {
				t.Fatal(err)
			}
			if copied, skipped := second.sorted(); len(copied) != 0 || !slices.Equal(skipped, keys) {
				t.Errorf("second copy: copied %v, skipped %v; want all skipped", copied, skipped)
			}
		})
	}
}

func TestCopyResumes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	from, to := newTestLocal(t), newTestLocal(t)
	objs := copyFixture()
	keys := fill(t, from, objs)

	// A killed run copied two objects and left a third half written (as a
	// different size); a run that was cancelled copied nothing more.
	if err := Copy(ctx, from, to, keys[:2], CopyOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := to.Put(ctx, keys[2], []byte("partial")); err != nil {
		t.Fatal(err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := Copy(cctx, from, to, keys, CopyOptions{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled Copy = %v; want context.Canceled", err)
	}

	var log progressLog
	if err := Copy(ctx, from, to, keys, CopyOptions{Progress: log.record}); err != nil {
		t.Fatal(err)
	}
	copied, skipped := log.sorted()
	if diff := cmp.Diff(keys[2:], copied); diff != "" {
		t.Errorf("copied (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(keys[:2], skipped); diff != "" {
		t.Errorf("skipped (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(objs, contents(t, to)); diff != "" {
		t.Errorf("destination (-want +got):\n%s", diff)
	}
}

// orderStorage records the order of completed writes.
type orderStorage struct {
	Storage
	mu   sync.Mutex
	puts []string
}

func (o *orderStorage) PutReader(ctx context.Context, key string, r io.Reader) error {
	err := o.Storage.PutReader(ctx, key, r)
	o.mu.Lock()
	o.puts = append(o.puts, key)
	o.mu.Unlock()
	return err
}

func TestCopyWritesManifestsLast(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	from := newTestLocal(t)
	objs := copyFixture()
	for i := range 10 {
		objs[ExportDir("j", "db", "t", fmt.Sprint("p", i), 1)+"z.csv"] = "x"
	}
	objs["a/"+ManifestName] = "{}"
	keys := fill(t, from, objs)
	to := &orderStorage{Storage: newTestLocal(t)}
	if err := Copy(ctx, from, to, keys, CopyOptions{Parallel: 8}); err != nil {
		t.Fatal(err)
	}
	if len(to.puts) != len(keys) {
		t.Fatalf("%d writes; want %d", len(to.puts), len(keys))
	}
	for i, k := range to.puts {
		isManifest := strings.HasSuffix(k, "/"+ManifestName)
		if isManifest != (i >= len(keys)-2) {
			t.Errorf("write %d of %d is %s", i, len(keys), k)
		}
	}
}

func TestCopyRejectsInvalidKeys(t *testing.T) {
	t.Parallel()
	err := Copy(context.Background(), newTestLocal(t), newTestLocal(t), []string{"ok", "../etc/passwd"}, CopyOptions{})
	if err == nil || !strings.Contains(err.Error(), `invalid key "../etc/passwd"`) {
		t.Errorf("Copy = %v; want an invalid key error", err)
	}
}

func TestCopyMissingSource(t *testing.T) {
	t.Parallel()
	err := Copy(context.Background(), newTestLocal(t), newTestLocal(t), []string{"nope"}, CopyOptions{})
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("Copy = %v; want ErrNotFound", err)
	}
}

// lyingStorage misreports objects: Stat sizes off by statDelta, Open with
// a wrong MD5 or a larger size.
type lyingStorage struct {
	Storage
	statDelta int64
	openMD5   string
	openDelta int64
}

func (l lyingStorage) Stat(ctx context.Context, key string) (Object, error) {
	o, err := l.Storage.Stat(ctx, key)
	o.Size += l.statDelta
	return o, err
}

func (l lyingStorage) Open(ctx context.Context, key string) (io.ReadCloser, Object, error) {
	rc, o, err := l.Storage.Open(ctx, key)
	if l.openMD5 != "" {
		o.MD5 = l.openMD5
	}
	o.Size += l.openDelta
	return rc, o, err
}

func TestCopyVerifies(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		from func(Storage) Storage
		to   func(Storage) Storage
		want string
	}{
		"size written": {
			from: func(s Storage) Storage { return s },
			to:   func(s Storage) Storage { return lyingStorage{Storage: s, statDelta: 1} },
			want: "verify k: size written is 6, want 5",
		},
		"md5 read": {
			from: func(s Storage) Storage { return lyingStorage{Storage: s, openMD5: "00000000000000000000000000000000"} },
			to:   func(s Storage) Storage { return s },
			want: "verify k: MD5 of the bytes read is 5d41402abc4b2a76b9719d911017c592, want 00000000000000000000000000000000",
		},
		"bytes read": {
			from: func(s Storage) Storage { return lyingStorage{Storage: s, openDelta: 2} },
			to:   func(s Storage) Storage { return s },
			want: "verify k: bytes read is 5, want 7",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			src, dst := newTestLocal(t), newTestLocal(t)
			fill(t, src, map[string]string{"k": "hello"})
			err := Copy(ctx, tc.from(src), tc.to(dst), []string{"k"}, CopyOptions{})
			var verr *VerifyError
			if !errors.As(err, &verr) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Copy = %v; want a *VerifyError saying %q", err, tc.want)
			}
			if !IsRetryable(err) {
				t.Error("a verification failure is not retryable")
			}
			if _, err := dst.Stat(ctx, "k"); !errors.Is(err, ErrNotFound) {
				t.Errorf("the bad copy was left in place: %v", err)
			}
		})
	}
}

func TestCopyMultipartAndMD5(t *testing.T) {
	ctx := context.Background()
	from, _ := newTestS3(t, "a", WithPartSize(5<<20))
	to, _ := newTestS3(t, "b", WithPartSize(5<<20))
	big := bytes.Repeat([]byte("0123456789"), 600<<10) // 6,000 KiB: two parts
	if err := from.PutReader(ctx, "big", bytes.NewReader(big)); err != nil {
		t.Fatal(err)
	}
	if err := from.Put(ctx, "small", []byte("small")); err != nil {
		t.Fatal(err)
	}
	// A same-size object with other content is replaced: both sides know
	// their MD5s.
	if err := to.Put(ctx, "small", []byte("SMALL")); err != nil {
		t.Fatal(err)
	}
	var log progressLog
	if err := Copy(ctx, from, to, []string{"big", "small"}, CopyOptions{Progress: log.record}); err != nil {
		t.Fatal(err)
	}
	if copied, _ := log.sorted(); !slices.Equal(copied, []string{"big", "small"}) {
		t.Errorf("copied %v; want both", copied)
	}
	got, err := to.Get(ctx, "big")
	if err != nil || !bytes.Equal(got, big) {
		t.Errorf("big: %d bytes, %v", len(got), err)
	}
	if got, err := to.Get(ctx, "small"); err != nil || string(got) != "small" {
		t.Errorf("small = %q, %v", got, err)
	}
}

// countingLimiter records what Copy asks of a limiter.
type countingLimiter struct {
	burst int
	mu    sync.Mutex
	calls int
	total int64
	over  int // calls asking for more than burst
}

func (c *countingLimiter) WaitN(ctx context.Context, n int) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls++
	c.total += int64(n)
	if n > c.burst {
		c.over++
	}
	return ctx.Err()
}

func (c *countingLimiter) Burst() int { return c.burst }

func TestCopyConsultsTheLimiterForEveryByte(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	from, to := newTestLocal(t), newTestLocal(t)
	objs := copyFixture()
	keys := fill(t, from, objs)
	var total int64
	for _, v := range objs {
		total += int64(len(v))
	}
	lim := &countingLimiter{burst: 100}
	// Limiter takes precedence over BytesPerSecond.
	if err := Copy(ctx, from, to, keys, CopyOptions{Limiter: lim, BytesPerSecond: 1, Parallel: 3}); err != nil {
		t.Fatal(err)
	}
	if lim.total != total || lim.over != 0 || lim.calls < int(total/100) {
		t.Errorf("limiter saw %d bytes in %d calls (%d over the burst); want %d bytes in calls of at most 100",
			lim.total, lim.calls, lim.over, total)
	}
}

func TestCopyBytesPerSecond(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	from, to := newTestLocal(t), newTestLocal(t)
	fill(t, from, map[string]string{"k": "hello"})
	// At one byte a second the second byte cannot pass within the 900 ms
	// the copy has, and the token bucket refuses that wait at once
	// instead of sleeping.
	slow, cancel := context.WithTimeout(ctx, 900*time.Millisecond)
	defer cancel()
	err := Copy(slow, from, to, []string{"k"}, CopyOptions{BytesPerSecond: 1})
	if err == nil || !strings.Contains(err.Error(), "would exceed context deadline") {
		t.Fatalf("Copy at 1 B/s = %v; want the limiter to refuse the wait", err)
	}
	if _, err := to.Stat(ctx, "k"); !errors.Is(err, ErrNotFound) {
		t.Errorf("a partial copy was left: %v", err)
	}
	// Unlimited, the same copy succeeds.
	if err := Copy(ctx, from, to, []string{"k"}, CopyOptions{}); err != nil {
		t.Fatal(err)
	}
}

func TestNewBandwidthLimiter(t *testing.T) {
	t.Parallel()
	tests := map[int64]struct {
		limit rate.Limit
		burst int
	}{
		1:        {1, 1},
		100:      {100, 100},
		10 << 20: {10 << 20, 1 << 20},
	}
	for bps, want := range tests {
		l := NewBandwidthLimiter(bps)
		if l.Limit() != want.limit || l.Burst() != want.burst {
			t.Errorf("NewBandwidthLimiter(%d) = limit %v burst %d; want %v, %d", bps, l.Limit(), l.Burst(), want.limit, want.burst)
		}
	}
}
