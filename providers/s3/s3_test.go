package s3

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/google/go-cmp/cmp"

	"github.com/srplan/srplan/lang"
	"github.com/srplan/srplan/providers/s3/s3test"
)

func TestS3Storage(t *testing.T) {
	tests := map[string]struct {
		prefix   string
		pageSize int32
	}{
		// Pages of two keys exercise ListObjectsV2 continuation and
		// DeletePrefix batches in every subtest.
		"prefix small pages": {prefix: "stage/area", pageSize: 2},
		"bucket root":        {prefix: ""},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			s, _ := newTestS3(t, tc.prefix)
			s.listPageSize = tc.pageSize
			storageSuite(t, s)
		})
	}
}

func TestS3IgnoresKeysOutsideItsPrefix(t *testing.T) {
	ctx := context.Background()
	s, env := newTestS3(t, "stage")
	client := s3test.Client(env)
	for _, k := range []string{"other/x", "stagex/y", "stag"} {
		if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(s.Bucket()), Key: aws.String(k), Body: strings.NewReader("x")}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Put(ctx, "in/z", []byte("z")); err != nil {
		t.Fatal(err)
	}
	objs, err := s.List(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(objs) != 1 || objs[0].Key != "in/z" {
		t.Errorf("List = %+v; want only in/z", objs)
	}
	if n, err := s.DeletePrefix(ctx, ""); err != nil || n != 1 {
		t.Errorf("DeletePrefix = %d, %v; want 1", n, err)
	}
	out, err := client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(s.Bucket())})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Contents) != 3 {
		t.Errorf("bucket holds %d objects after DeletePrefix; want the 3 outside the prefix", len(out.Contents))
	}
}

func TestS3ETagAndMD5(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestS3(t, "p", WithPartSize(5<<20))
	small := []byte("a small object")
	if err := s.Put(ctx, "small", small); err != nil {
		t.Fatal(err)
	}
	sum := md5.Sum(small)
	obj, err := s.Stat(ctx, "small")
	if err != nil {
		t.Fatal(err)
	}
	if want := hex.EncodeToString(sum[:]); obj.MD5 != want || obj.ETag != want {
		t.Errorf("small: ETag %q MD5 %q; want both %q", obj.ETag, obj.MD5, want)
	}

	big := bytes.Repeat([]byte("x"), 6<<20) // two parts of 5 MiB
	if err := s.PutReader(ctx, "big", onlyReader{bytes.NewReader(big)}); err != nil {
		t.Fatal(err)
	}
	obj, err = s.Stat(ctx, "big")
	if err != nil {
		t.Fatal(err)
	}
	if obj.Size != int64(len(big)) || !strings.HasSuffix(obj.ETag, "-2") || obj.MD5 != "" {
		t.Errorf("big = %+v; want size %d, a multipart ETag ending in -2, no MD5", obj, len(big))
	}
	got, err := s.Get(ctx, "big")
	if err != nil || !bytes.Equal(got, big) {
		t.Errorf("Get(big): %d bytes, %v", len(got), err)
	}
}

func TestS3URLAndProperties(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		st      lang.Storage
		url     string
		string  string
		props   map[string]string
		wantErr string
	}{
		"minio with keys": {
			st: lang.Storage{URL: "s3://b/stage/x", Region: "us-east-1", Endpoint: "http://127.0.0.1:9000", PathStyle: true,
				AccessKey: lang.NewSecret("AK"), SecretKey: lang.NewSecret("SK")},
			url:    "s3://b/stage/x/k/v1/",
			string: "s3://b/stage/x/ at http://127.0.0.1:9000",
			props: map[string]string{
				"aws.s3.region": "us-east-1", "aws.s3.endpoint": "http://127.0.0.1:9000",
				"aws.s3.enable_path_style_access": "true", "aws.s3.enable_ssl": "false",
				"aws.s3.access_key": "AK", "aws.s3.secret_key": "SK",
			},
		},
		"aws instance profile s3a": {
			st:     lang.Storage{URL: "s3a://bucket", Region: "eu-central-1"},
			url:    "s3a://bucket/k/v1/",
			string: "s3a://bucket/",
			props: map[string]string{
				"aws.s3.region": "eu-central-1", "aws.s3.enable_path_style_access": "false",
				"aws.s3.use_instance_profile": "true",
			},
		},
		"oss https endpoint": {
			st:     lang.Storage{URL: "s3://bkt/p/", Region: "oss-cn-hangzhou", Endpoint: "https://oss-cn-hangzhou.aliyuncs.com"},
			url:    "s3://bkt/p/k/v1/",
			string: "s3://bkt/p/ at https://oss-cn-hangzhou.aliyuncs.com",
			props: map[string]string{
				"aws.s3.region": "oss-cn-hangzhou", "aws.s3.endpoint": "https://oss-cn-hangzhou.aliyuncs.com",
				"aws.s3.enable_path_style_access": "false", "aws.s3.use_instance_profile": "true",
			},
		},
		"bad scheme":   {st: lang.Storage{URL: "oss://b/p"}, wantErr: "want s3://bucket/prefix"},
		"no bucket":    {st: lang.Storage{URL: "s3:///p"}, wantErr: "want s3://bucket/prefix"},
		"bad prefix":   {st: lang.Storage{URL: "s3://b/a//c"}, wantErr: "empty segment"},
		"half keys":    {st: lang.Storage{URL: "s3://b", AccessKey: lang.NewSecret("AK")}, wantErr: "set both or neither"},
		"bad endpoint": {st: lang.Storage{URL: "s3://b", Endpoint: "127.0.0.1:9000"}, wantErr: "want an http:// or https:// base URL"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			tc.st.Type, tc.st.Name = lang.StorageS3, "stage"
			s, err := NewS3(context.Background(), &tc.st)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v; want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := s.URL("k/v1/"); got != tc.url {
				t.Errorf("URL = %q; want %q", got, tc.url)
			}
			if got := s.String(); got != tc.string {
				t.Errorf("String = %q; want %q", got, tc.string)
			}
			if diff := cmp.Diff(tc.props, s.StarRocksProperties()); diff != "" {
				t.Errorf("StarRocksProperties (-want +got):\n%s", diff)
			}
		})
	}
}

func TestS3ErrorsSayWhatToCheck(t *testing.T) {
	ctx := context.Background()
	env := s3test.Endpoint(t)
	bucket := s3test.NewBucket(t, env)
	const wrongSecret = "wrong-secret-value-0123456789"
	tests := map[string]struct {
		url       string
		access    string
		secret    string
		wantHint  string
		retryable bool
	}{
		"missing bucket": {
			url: "s3://srplan-missing-bucket-x/p", access: env.AccessKey, secret: env.SecretKey,
			wantHint: `bucket "srplan-missing-bucket-x" does not exist: create it or fix url`,
		},
		"wrong secret key": {
			url: "s3://" + bucket + "/p", access: env.AccessKey, secret: wrongSecret,
			wantHint: "the request signature does not match: check secret_key",
		},
		"unknown access key": {
			url: "s3://" + bucket + "/p", access: "srplan-unknown-access-key", secret: wrongSecret,
			wantHint: "the service does not know the access key",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			st := testStorageBlock(env, tc.url)
			st.AccessKey, st.SecretKey = lang.NewSecret(tc.access), lang.NewSecret(tc.secret)
			s, err := NewS3(ctx, st, WithRetryMaxAttempts(1))
			if err != nil {
				t.Fatal(err)
			}
			ops := map[string]func() error{
				"put":  func() error { return s.Put(ctx, "k", []byte("x")) },
				"get":  func() error { _, err := s.Get(ctx, "k"); return err },
				"list": func() error { _, err := s.List(ctx, ""); return err },
			}
			for op, f := range ops {
				err := f()
				if err == nil {
					t.Fatalf("%s succeeded", op)
				}
				msg := err.Error()
				if !strings.Contains(msg, tc.wantHint) || !strings.HasPrefix(msg, op+" "+s.URL("")) {
					t.Errorf("%s error %q; want it to start with %q and contain %q", op, msg, op+" "+s.URL(""), tc.wantHint)
				}
				if strings.Contains(msg, tc.secret) || strings.Contains(msg, env.SecretKey) {
					t.Errorf("%s error shows a secret key: %q", op, msg)
				}
				if IsRetryable(err) != tc.retryable {
					t.Errorf("%s: IsRetryable = %v; want %v", op, IsRetryable(err), tc.retryable)
				}
			}
		})
	}
}

func TestS3ListLeavesOutInvalidKeys(t *testing.T) {
	ctx := context.Background()
	s, env := newTestS3(t, "stage")
	client := s3test.Client(env)
	// A console's directory marker (MinIO refuses other invalid keys).
	for _, k := range []string{"stage/dir/"} {
		if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(s.Bucket()), Key: aws.String(k), Body: strings.NewReader("")}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Put(ctx, "dir/x", []byte("x")); err != nil {
		t.Fatal(err)
	}
	objs, err := s.List(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(objs) != 1 || objs[0].Key != "dir/x" {
		t.Errorf("List = %+v; want only dir/x", objs)
	}
	if n, err := s.DeletePrefix(ctx, ""); err != nil || n != 2 {
		t.Errorf("DeletePrefix = %d, %v; want both objects deleted", n, err)
	}
}

func TestS3FailedMultipartUploadIsAborted(t *testing.T) {
	ctx := context.Background()
	s, env := newTestS3(t, "p", WithPartSize(5<<20))
	boom := errors.New("source broke")
	r := io.MultiReader(bytes.NewReader(make([]byte, 11<<20)), errReader{boom})
	if err := s.PutReader(ctx, "big", r); !errors.Is(err, boom) {
		t.Fatalf("PutReader = %v; want %v", err, boom)
	}
	if _, err := s.Stat(ctx, "big"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Stat after a failed upload = %v; want ErrNotFound", err)
	}
	out, err := s3test.Client(env).ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String(s.Bucket())})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Uploads) != 0 {
		t.Errorf("%d multipart uploads left behind", len(out.Uploads))
	}
}
