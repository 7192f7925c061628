package starrocks

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
)

// s3Store is an S3 bucket reached with the broker-less aws.s3.* properties
// (STARROCKS.md 3.1, 5.1): aws.s3.endpoint, aws.s3.region,
// aws.s3.access_key, aws.s3.secret_key, aws.s3.enable_path_style_access,
// aws.s3.enable_ssl. Without keys requests are anonymous, which a
// protected bucket refuses.
type s3Store struct {
	client *s3.Client
	scheme string
	bucket string
}

var _ objectStore = (*s3Store)(nil)

// newS3Store builds a client for the bucket of loc.
func newS3Store(_ context.Context, loc location, props map[string]string) (*s3Store, error) {
	region := props["aws.s3.region"]
	if region == "" {
		region = "us-east-1"
	}
	opts := s3.Options{
		Region:           region,
		UsePathStyle:     strings.EqualFold(props["aws.s3.enable_path_style_access"], "true"),
		RetryMaxAttempts: 2,
	}
	if ep := props["aws.s3.endpoint"]; ep != "" {
		if !strings.Contains(ep, "://") {
			scheme := "https://"
			if strings.EqualFold(props["aws.s3.enable_ssl"], "false") {
				scheme = "http://"
			}
			ep = scheme + ep
		}
		opts.BaseEndpoint = aws.String(ep)
	}
	ak, sk := props["aws.s3.access_key"], props["aws.s3.secret_key"]
	switch {
	case ak != "" && sk != "":
		opts.Credentials = credentials.NewStaticCredentialsProvider(ak, sk, "")
	case strings.EqualFold(props["aws.s3.use_instance_profile"], "true"):
		return nil, errors.New("aws.s3.use_instance_profile is not available in the StarRocks simulator; give aws.s3.access_key and aws.s3.secret_key")
	default:
		opts.Credentials = aws.AnonymousCredentials{}
	}
	return &s3Store{client: s3.New(opts), scheme: loc.Scheme, bucket: loc.Bucket}, nil
}

// Create implements objectStore: the object is uploaded on Close.
func (s *s3Store) Create(ctx context.Context, key string) (io.WriteCloser, error) {
	return &s3Writer{ctx: ctx, s: s, key: key}, nil
}

type s3Writer struct {
	ctx context.Context
	s   *s3Store
	key string
	buf bytes.Buffer
}

func (w *s3Writer) Write(p []byte) (int, error) { return w.buf.Write(p) }

func (w *s3Writer) Close() error {
	_, err := w.s.client.PutObject(w.ctx, &s3.PutObjectInput{
		Bucket: aws.String(w.s.bucket), Key: aws.String(w.key), Body: bytes.NewReader(w.buf.Bytes()),
		ContentLength: aws.Int64(int64(w.buf.Len())),
	})
	if err != nil {
		return s3Error(err, w.s.URL(w.key))
	}
	return nil
}

// Open implements objectStore.
func (s *s3Store) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(key)})
	if err != nil {
		return nil, s3Error(err, s.URL(key))
	}
	return out.Body, nil
}

// List implements objectStore.
func (s *s3Store) List(ctx context.Context, prefix string) ([]objectInfo, error) {
	var out []objectInfo
	pages := s3.NewListObjectsV2Paginator(s.client, &s3.ListObjectsV2Input{Bucket: aws.String(s.bucket), Prefix: aws.String(prefix)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, s3Error(err, s.URL(prefix))
		}
		for _, o := range page.Contents {
			info := objectInfo{Key: aws.ToString(o.Key), Size: aws.ToInt64(o.Size)}
			if o.LastModified != nil {
				info.ModTime = *o.LastModified
			}
			out = append(out, info)
		}
	}
	return out, nil
}

// Delete implements objectStore.
func (s *s3Store) Delete(ctx context.Context, key string) error {
	_, err := s.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(key)})
	if err != nil {
		return s3Error(err, s.URL(key))
	}
	return nil
}

// Rename implements objectStore with a server-side copy and a delete.
func (s *s3Store) Rename(ctx context.Context, from, to string) error {
	_, err := s.client.CopyObject(ctx, &s3.CopyObjectInput{
		Bucket: aws.String(s.bucket), Key: aws.String(to), CopySource: aws.String(s.bucket + "/" + from),
	})
	if err != nil {
		return s3Error(err, s.URL(from))
	}
	return s.Delete(ctx, from)
}

// URL implements objectStore.
func (s *s3Store) URL(key string) string { return s.scheme + "://" + s.bucket + "/" + key }

// s3Error renders an S3 failure the way StarRocks surfaces the AWS SDK's
// exceptions: "<message> (Service: Amazon S3; Status Code: 403; Error Code:
// AccessDenied; Request ID: ...)". It never contains request signatures
// or credentials.
func s3Error(err error, url string) error {
	var api smithy.APIError
	status := 0
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		status = re.HTTPStatusCode()
	}
	if errors.As(err, &api) {
		code, msg := api.ErrorCode(), api.ErrorMessage()
		if msg == "" {
			msg = defaultS3Message(code, status)
		}
		reqID := ""
		if re != nil {
			reqID = re.ServiceRequestID()
		}
		return fmt.Errorf("%s: %s (Service: Amazon S3; Status Code: %d; Error Code: %s; Request ID: %s)", url, msg, status, code, reqID)
	}
	var oe *smithy.OperationError
	if errors.As(err, &oe) {
		return fmt.Errorf("%s: Unable to execute HTTP request: %v", url, oe.Unwrap())
	}
	return fmt.Errorf("%s: %v", url, err)
}

// defaultS3Message fills the message of bodiless error responses (HEAD
// requests and some 404s).
func defaultS3Message(code string, status int) string {
	switch code {
	case "NotFound", "NoSuchKey":
		return "The specified key does not exist."
	case "NoSuchBucket":
		return "The specified bucket does not exist"
	}
	return http.StatusText(status)
}
