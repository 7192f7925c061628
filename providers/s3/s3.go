package s3

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/feature/s3/manager"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/srplan/srplan/lang"
)

// Defaults of the S3 backend.
const (
	// DefaultRegion is used when neither the storage block nor the default
	// configuration chain names a region (S3-compatible services mostly
	// ignore it).
	DefaultRegion = "us-east-1"
	// DefaultPartSize is the part size of multipart uploads: objects up to
	// 10,000 parts of it (160 GiB) can be written.
	DefaultPartSize int64 = 16 << 20
	// uploadConcurrency is the number of parts of one upload in flight; an
	// upload buffers at most this many parts in memory.
	uploadConcurrency = 4
)

// S3 is a Storage over a bucket and prefix of the S3 API: AWS S3, or an
// S3-compatible service (MinIO, OSS, COS, GCS interoperability) through a
// custom endpoint. Its String and GoString forms and its errors never show
// credentials.
type S3 struct {
	client    *s3.Client
	uploader  *manager.Uploader
	scheme    string // "s3" or "s3a"
	bucket    string
	prefix    string // without leading or trailing '/'; "" = whole bucket
	region    string
	endpoint  string
	pathStyle bool
	accessKey lang.Secret
	secretKey lang.Secret
	// listPageSize is ListObjectsV2's MaxKeys (0 = the service's 1,000);
	// it is also the DeleteObjects batch size. Tests lower it.
	listPageSize int32
}

var _ Storage = (*S3)(nil)

// Option configures NewS3.
type Option func(*options) error

type options struct {
	httpClient  *http.Client
	maxAttempts int
	partSize    int64
}

// WithHTTPClient makes the S3 client send its requests through c (whose
// transport then also decides the trusted CAs: AWS_CA_BUNDLE is not
// applied to it).
func WithHTTPClient(c *http.Client) Option {
	return func(o *options) error {
		if c == nil {
			return errors.New("nil http client")
		}
		o.httpClient = c
		return nil
	}
}

// DefaultRetryMaxAttempts is how many times the S3 client tries a request
// by default: enough to ride out a burst of 503 SlowDown or 500
// InternalError answers (which S3 and S3-compatible stores give under
// load) with exponential backoff capped at RetryMaxBackoff.
const DefaultRetryMaxAttempts = 8

// RetryMaxBackoff caps the wait between two tries of one request.
const RetryMaxBackoff = 20 * time.Second

// WithRetryMaxAttempts sets how many times the S3 client tries each request
// (n >= 1; 1 = no retries; default DefaultRetryMaxAttempts). Retries back off exponentially; the
// SDK's client-side retry budget is disabled so that a long bulk copy is
// never refused retries because earlier requests used them up.
func WithRetryMaxAttempts(n int) Option {
	return func(o *options) error {
		if n < 1 {
			return fmt.Errorf("retry max attempts %d: want at least 1", n)
		}
		o.maxAttempts = n
		return nil
	}
}

// WithPartSize sets the multipart upload part size used by PutReader
// (at least 5 MiB, the S3 minimum; default DefaultPartSize). Objects
// smaller than one part are uploaded with a single PutObject.
func WithPartSize(n int64) Option {
	return func(o *options) error {
		if n < manager.MinUploadPartSize {
			return fmt.Errorf("part size %d: want at least %d", n, manager.MinUploadPartSize)
		}
		o.partSize = n
		return nil
	}
}

// NewS3 opens the s3 storage block st. Credentials are st's static keys
// when set, else the SDK's default chain (environment, shared profile, web
// identity, container or instance role). Region is st.Region, else the
// chain's, else DefaultRegion. With st.Endpoint the client talks to that
// base URL (path-style when st.PathStyle) and sends checksums only where
// the API requires them, since many S3-compatible services reject the
// SDK's default checksum headers. NewS3 sends no request.
func NewS3(ctx context.Context, st *lang.Storage, opts ...Option) (*S3, error) {
	if st == nil {
		return nil, errors.New("s3 storage: no storage block")
	}
	o := options{partSize: DefaultPartSize}
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return nil, fmt.Errorf("s3 storage %q: %w", st.Name, err)
		}
	}
	scheme, bucket, prefix, err := parseS3URL(st.URL)
	if err != nil {
		return nil, fmt.Errorf("s3 storage %q: %w", st.Name, err)
	}
	if st.AccessKey.IsSet() != st.SecretKey.IsSet() {
		return nil, fmt.Errorf("s3 storage %q: access_key and secret_key go together: set both or neither", st.Name)
	}
	if st.Endpoint != "" {
		if u, err := url.Parse(st.Endpoint); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("s3 storage %q: endpoint %q: want an http:// or https:// base URL", st.Name, st.Endpoint)
		}
	}
	s := &S3{
		scheme: scheme, bucket: bucket, prefix: prefix,
		endpoint: st.Endpoint, pathStyle: st.PathStyle,
		accessKey: st.AccessKey, secretKey: st.SecretKey,
	}

	load := []func(*config.LoadOptions) error{
		config.WithRetryer(func() aws.Retryer {
			return retry.NewStandard(func(so *retry.StandardOptions) {
				so.RateLimiter = ratelimit.None
				so.MaxAttempts = DefaultRetryMaxAttempts
				so.MaxBackoff = RetryMaxBackoff
				if o.maxAttempts > 0 {
					so.MaxAttempts = o.maxAttempts
				}
			})
		}),
	}
	if st.Region != "" {
		load = append(load, config.WithRegion(st.Region))
	}
	if st.AccessKey.IsSet() {
		load = append(load, config.WithCredentialsProvider(
			credentials.NewStaticCredentialsProvider(st.AccessKey.Reveal(), st.SecretKey.Reveal(), "")))
	}
	if st.Endpoint != "" {
		load = append(load,
			config.WithRequestChecksumCalculation(aws.RequestChecksumCalculationWhenRequired),
			config.WithResponseChecksumValidation(aws.ResponseChecksumValidationWhenRequired))
	}
	cfg, err := config.LoadDefaultConfig(ctx, load...)
	if err != nil {
		return nil, fmt.Errorf("s3 storage %q: load the AWS configuration: %s", st.Name, s.scrub(err.Error()))
	}
	if cfg.Region == "" {
		cfg.Region = DefaultRegion
	}
	s.region = cfg.Region
	s.client = s3.NewFromConfig(cfg, func(so *s3.Options) {
		if st.Endpoint != "" {
			so.BaseEndpoint = aws.String(st.Endpoint)
		}
		so.UsePathStyle = st.PathStyle
		if o.httpClient != nil {
			// Set here rather than in LoadDefaultConfig, which refuses a
			// plain *http.Client when AWS_CA_BUNDLE is set.
			so.HTTPClient = o.httpClient
		}
	})
	s.uploader = manager.NewUploader(s.client, func(u *manager.Uploader) {
		u.PartSize = o.partSize
		u.Concurrency = uploadConcurrency
	})
	return s, nil
}

// parseS3URL splits "s3://bucket/prefix" (or s3a://) into its parts.
func parseS3URL(raw string) (scheme, bucket, prefix string, err error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", "", "", fmt.Errorf("url %q: %w", raw, err)
	}
	if (u.Scheme != "s3" && u.Scheme != "s3a") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", "", "", fmt.Errorf("url %q: want s3://bucket/prefix", raw)
	}
	prefix = strings.Trim(u.Path, "/")
	if prefix != "" {
		if err := checkKey(prefix); err != nil {
			return "", "", "", fmt.Errorf("url %q: prefix: %w", raw, err)
		}
	}
	return u.Scheme, u.Host, prefix, nil
}

// Bucket returns the bucket name.
func (s *S3) Bucket() string { return s.bucket }

// Prefix returns the key prefix inside the bucket ("" for the whole bucket).
func (s *S3) Prefix() string { return s.prefix }

// String returns the storage's URL and endpoint, without credentials.
func (s *S3) String() string {
	str := s.URL("")
	if s.endpoint != "" {
		str += " at " + s.endpoint
	}
	return str
}

// GoString is String for %#v.
func (s *S3) GoString() string { return "s3.S3(" + s.String() + ")" }

// URL returns scheme://bucket/prefix/key.
func (s *S3) URL(key string) string {
	if s.prefix == "" {
		return s.scheme + "://" + s.bucket + "/" + key
	}
	return s.scheme + "://" + s.bucket + "/" + s.prefix + "/" + key
}

// StarRocksProperties returns aws.s3.region, aws.s3.enable_path_style_access,
// aws.s3.endpoint and aws.s3.enable_ssl=false (for an http:// endpoint) when
// an endpoint is set, and either aws.s3.access_key and aws.s3.secret_key
// (static keys) or aws.s3.use_instance_profile=true. In the latter case
// StarRocks authenticates with its nodes' instance profile, not with
// srplan's credential chain: both must reach the bucket.
func (s *S3) StarRocksProperties() map[string]string {
	props := map[string]string{
		"aws.s3.region":                   s.region,
		"aws.s3.enable_path_style_access": strconv.FormatBool(s.pathStyle),
	}
	if s.endpoint != "" {
		props["aws.s3.endpoint"] = s.endpoint
		if strings.HasPrefix(strings.ToLower(s.endpoint), "http://") {
			props["aws.s3.enable_ssl"] = "false"
		}
	}
	if s.accessKey.IsSet() {
		props["aws.s3.access_key"] = s.accessKey.Reveal()
		props["aws.s3.secret_key"] = s.secretKey.Reveal()
	} else {
		props["aws.s3.use_instance_profile"] = "true"
	}
	return props
}

// key returns the bucket key of a storage key.
func (s *S3) key(key string) string { return joinKey(s.prefix, key) }

// listPrefix returns the bucket prefix that List(prefix) lists.
func (s *S3) listPrefix(prefix string) string {
	if s.prefix == "" {
		return prefix
	}
	return s.prefix + "/" + prefix
}

// scrub removes the credentials from an error text.
func (s *S3) scrub(text string) string {
	return scrub(text, s.accessKey.Reveal(), s.secretKey.Reveal())
}

// Stat returns the object at key (HeadObject).
func (s *S3) Stat(ctx context.Context, key string) (Object, error) {
	if err := checkKey(key); err != nil {
		return Object{}, s.fail("stat", key, err)
	}
	out, err := s.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &s.bucket, Key: aws.String(s.key(key))})
	if err != nil {
		return Object{}, s.fail("stat", key, err)
	}
	etag := unquote(aws.ToString(out.ETag))
	return Object{
		Key: key, Size: aws.ToInt64(out.ContentLength), ETag: etag,
		MD5:          md5FromETag(etag, out.ServerSideEncryption, out.SSECustomerAlgorithm),
		LastModified: aws.ToTime(out.LastModified),
	}, nil
}

// Get reads the object at key whole.
func (s *S3) Get(ctx context.Context, key string) ([]byte, error) {
	rc, _, err := s.Open(ctx, key)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

// Open starts a GetObject of key. Errors reading the body are *Error
// values like the others.
func (s *S3) Open(ctx context.Context, key string) (io.ReadCloser, Object, error) {
	if err := checkKey(key); err != nil {
		return nil, Object{}, s.fail("get", key, err)
	}
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{Bucket: &s.bucket, Key: aws.String(s.key(key))})
	if err != nil {
		return nil, Object{}, s.fail("get", key, err)
	}
	etag := unquote(aws.ToString(out.ETag))
	obj := Object{
		Key: key, Size: aws.ToInt64(out.ContentLength), ETag: etag,
		MD5:          md5FromETag(etag, out.ServerSideEncryption, out.SSECustomerAlgorithm),
		LastModified: aws.ToTime(out.LastModified),
	}
	return &s3Body{s: s, key: key, rc: out.Body}, obj, nil
}

// s3Body turns the errors of a GetObject body into *Error.
type s3Body struct {
	s   *S3
	key string
	rc  io.ReadCloser
}

func (b *s3Body) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	if err != nil && err != io.EOF {
		err = b.s.fail("read", b.key, err)
	}
	return n, err
}

func (b *s3Body) Close() error { return b.rc.Close() }

// Put writes data to key with one PutObject.
func (s *S3) Put(ctx context.Context, key string, data []byte) error {
	if err := checkKey(key); err != nil {
		return s.fail("put", key, err)
	}
	_, err := s.client.PutObject(ctx, &s3.PutObjectInput{
		Bucket: &s.bucket, Key: aws.String(s.key(key)),
		Body: bytes.NewReader(data), ContentLength: aws.Int64(int64(len(data))),
	})
	if err != nil {
		return s.fail("put", key, err)
	}
	return nil
}

// PutReader uploads r to key: one PutObject when r holds less than a part,
// else a multipart upload that is aborted when it fails.
func (s *S3) PutReader(ctx context.Context, key string, r io.Reader) error {
	if err := checkKey(key); err != nil {
		return s.fail("put", key, err)
	}
	_, err := s.uploader.Upload(ctx, &s3.PutObjectInput{Bucket: &s.bucket, Key: aws.String(s.key(key)), Body: r})
	if err != nil {
		return s.fail("put", key, err)
	}
	return nil
}

// Delete removes the object at key.
func (s *S3) Delete(ctx context.Context, key string) error {
	if err := checkKey(key); err != nil {
		return s.fail("delete", key, err)
	}
	_, err := s.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &s.bucket, Key: aws.String(s.key(key))})
	if err != nil {
		// S3 answers success for a missing key; some compatible services
		// answer 404, which is success here too.
		if e := s.fail("delete", key, err); !errors.Is(e, ErrNotFound) {
			return e
		}
	}
	return nil
}

// List lists prefix with ListObjectsV2, following continuation tokens.
// Objects whose keys break the key rules, such as the zero-byte "dir/"
// markers some consoles create, are left out.
func (s *S3) List(ctx context.Context, prefix string) ([]Object, error) {
	objs := []Object{}
	err := s.listPages(ctx, prefix, func(page []Object) error {
		for _, o := range page {
			if checkKey(o.Key) == nil {
				objs = append(objs, o)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(objs, func(a, b Object) int { return strings.Compare(a.Key, b.Key) })
	return objs, nil
}

// listPages calls fn with each page of objects under prefix, including
// those whose keys break the key rules.
func (s *S3) listPages(ctx context.Context, prefix string, fn func([]Object) error) error {
	if err := checkPrefix(prefix); err != nil {
		return s.fail("list", prefix, err)
	}
	in := &s3.ListObjectsV2Input{Bucket: &s.bucket, Prefix: aws.String(s.listPrefix(prefix))}
	if s.listPageSize > 0 {
		in.MaxKeys = aws.Int32(s.listPageSize)
	}
	pages := s3.NewListObjectsV2Paginator(s.client, in)
	strip := s.listPrefix("")
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return s.fail("list", prefix, err)
		}
		objs := make([]Object, 0, len(page.Contents))
		for _, c := range page.Contents {
			objs = append(objs, Object{
				Key:  strings.TrimPrefix(aws.ToString(c.Key), strip),
				Size: aws.ToInt64(c.Size), ETag: unquote(aws.ToString(c.ETag)),
				LastModified: aws.ToTime(c.LastModified),
			})
		}
		if err := fn(objs); err != nil {
			return err
		}
	}
	return nil
}

// DeletePrefix deletes every object under prefix, one DeleteObjects
// request per listed page; unlike List it includes objects whose keys
// break the key rules, so that the empty prefix really empties the storage.
func (s *S3) DeletePrefix(ctx context.Context, prefix string) (int, error) {
	n := 0
	err := s.listPages(ctx, prefix, func(page []Object) error {
		if len(page) == 0 {
			return nil
		}
		ids := make([]types.ObjectIdentifier, len(page))
		for i, o := range page {
			ids[i] = types.ObjectIdentifier{Key: aws.String(s.key(o.Key))}
		}
		out, err := s.client.DeleteObjects(ctx, &s3.DeleteObjectsInput{
			Bucket: &s.bucket,
			Delete: &types.Delete{Objects: ids, Quiet: aws.Bool(true)},
		})
		if err != nil {
			return s.fail("delete", prefix, err)
		}
		if len(out.Errors) > 0 {
			e := out.Errors[0]
			cause := fmt.Errorf("%d of %d objects not deleted, first %s: %s %s", len(out.Errors), len(ids),
				aws.ToString(e.Key), aws.ToString(e.Code), aws.ToString(e.Message))
			n += len(ids) - len(out.Errors)
			return s.fail("delete", prefix, cause)
		}
		n += len(ids)
		return nil
	})
	return n, err
}

// unquote strips the quotes around an ETag.
func unquote(etag string) string { return strings.Trim(etag, `"`) }

// md5FromETag returns the ETag as an MD5 when it is one: a single-part
// object not encrypted with KMS or a customer key.
func md5FromETag(etag string, sse types.ServerSideEncryption, customerAlg *string) string {
	if sse == types.ServerSideEncryptionAwsKms || sse == types.ServerSideEncryptionAwsKmsDsse || customerAlg != nil {
		return ""
	}
	if len(etag) != 32 {
		return ""
	}
	for _, c := range etag {
		if !strings.ContainsRune("0123456789abcdefABCDEF", c) {
			return ""
		}
	}
	return strings.ToLower(etag)
}
