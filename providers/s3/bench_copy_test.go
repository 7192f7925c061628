package s3

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/srplan/srplan/providers/s3/s3test"
)

// BenchmarkCopy copies one export directory's worth of objects (8 objects
// of 16 MiB, 128 MiB) between two MinIO buckets with Copy, without a
// bandwidth limit and with a 32 MiB/s aggregate limit, and reports the
// throughput in MiB/s. Every object is verified (size and checksum) as in
// apply.
//
// Run: ./scripts/test.sh starts MinIO; by hand, with the stack's
// variables exported:
//
//	go test -run '^$' -bench Copy -benchtime 3x ./providers/s3
func BenchmarkCopy(b *testing.B) {
	const (
		objects = 8
		size    = 16 << 20
	)
	env := s3test.Endpoint(b)
	ctx := context.Background()
	open := func() *S3 {
		s, err := NewS3(ctx, testStorageBlock(env, "s3://"+s3test.NewBucket(b, env)+"/stage"))
		if err != nil {
			b.Fatal(err)
		}
		return s
	}
	from := open()
	keys := make([]string, objects)
	data := bytes.Repeat([]byte("0123456789abcdef"), size/16)
	for i := range keys {
		keys[i] = fmt.Sprintf("job/db/t/p1/v1/data_%d.parquet", i)
		data[0] = byte(i) // distinct objects
		if err := from.Put(ctx, keys[i], data); err != nil {
			b.Fatal(err)
		}
	}
	for _, limit := range []int64{0, 32 << 20} {
		name := "unlimited"
		if limit > 0 {
			name = fmt.Sprintf("limit-%dMiBps", limit>>20)
		}
		b.Run(name, func(b *testing.B) {
			b.SetBytes(objects * size)
			var elapsed time.Duration
			for b.Loop() {
				b.StopTimer()
				to := open()
				b.StartTimer()
				start := time.Now()
				if err := Copy(ctx, from, to, keys, CopyOptions{Parallel: 4, BytesPerSecond: limit}); err != nil {
					b.Fatal(err)
				}
				elapsed += time.Since(start)
			}
			b.ReportMetric(float64(objects*size)/(1<<20)/(elapsed.Seconds()/float64(b.N)), "MiB/s")
		})
	}
}
