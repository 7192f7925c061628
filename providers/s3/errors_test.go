package s3

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/google/go-cmp/cmp"

	"github.com/srplan/srplan/lang"
)

const (
	fakeAccessKey = "AKIAFAKEACCESSKEY123"
	fakeSecretKey = "fake/Secret+Key/0123456789abcdefghijklmn"
)

// roundTripFunc is an http.RoundTripper made of a function.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// newFakeS3 opens an S3 storage whose requests are answered by rt, with
// static fake keys and no retries. It never touches the network.
func newFakeS3(t *testing.T, rt roundTripFunc) *S3 {
	t.Helper()
	st := &lang.Storage{
		Type: lang.StorageS3, Name: "stage", URL: "s3://bkt/pre", Region: "us-east-1",
		Endpoint: "http://127.0.0.1:1", PathStyle: true,
		AccessKey: lang.NewSecret(fakeAccessKey), SecretKey: lang.NewSecret(fakeSecretKey),
	}
	s, err := NewS3(context.Background(), st, WithHTTPClient(&http.Client{Transport: rt}), WithRetryMaxAttempts(1))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// xmlError answers with an S3 error document.
func xmlError(status int, code, message string) roundTripFunc {
	return func(r *http.Request) (*http.Response, error) {
		body := fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>%s</Code><Message>%s</Message><RequestId>R1</RequestId></Error>`, code, message)
		if r.Method == http.MethodHead {
			body = ""
		}
		return &http.Response{
			StatusCode: status, Status: http.StatusText(status), Request: r,
			Header: http.Header{"Content-Type": {"application/xml"}},
			Body:   io.NopCloser(strings.NewReader(body)),
		}, nil
	}
}

// failWith makes every request fail with err before any response.
func failWith(err error) roundTripFunc {
	return func(*http.Request) (*http.Response, error) { return nil, err }
}

// timeoutError is a network timeout.
type timeoutError struct{}

func (timeoutError) Error() string   { return "i/o timeout" }
func (timeoutError) Timeout() bool   { return true }
func (timeoutError) Temporary() bool { return true }

func TestS3ErrorClassification(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		rt        roundTripFunc
		notFound  bool
		retryable bool
		hint      string
	}{
		"slow down":      {rt: xmlError(503, "SlowDown", "Please reduce your request rate."), retryable: true, hint: "the service is throttling requests"},
		"unavailable":    {rt: xmlError(503, "ServiceUnavailable", "busy"), retryable: true, hint: "the service is throttling requests"},
		"internal error": {rt: xmlError(500, "InternalError", "oops"), retryable: true, hint: "the service failed: retry later"},
		"bad gateway":    {rt: xmlError(502, "", ""), retryable: true, hint: "the service failed"},
		"timeout code":   {rt: xmlError(400, "RequestTimeout", "slow client"), retryable: true},
		"no such key":    {rt: xmlError(404, "NoSuchKey", "gone"), notFound: true},
		"no such bucket": {rt: xmlError(404, "NoSuchBucket", "gone"), hint: `bucket "bkt" does not exist: create it or fix url`},
		"access denied":  {rt: xmlError(403, "AccessDenied", "Access Denied"), hint: "access denied: check the credentials and the bucket policy"},
		"wrong region":   {rt: xmlError(400, "AuthorizationHeaderMalformed", "the region is wrong"), hint: `bucket "bkt" is not in region "us-east-1"`},
		"skewed clock":   {rt: xmlError(403, "RequestTimeTooSkewed", "skew"), hint: "this host's clock is too far off"},
		"connection reset": {
			rt:        failWith(&net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}),
			retryable: true,
		},
		"connection refused": {
			rt:        failWith(&net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}),
			retryable: true,
		},
		"timeout":     {rt: failWith(timeoutError{}), retryable: true},
		"send failed": {rt: failWith(errors.New("http2: stream closed")), retryable: true},
		"bad certificate": {
			rt:        failWith(&tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}}),
			retryable: false,
		},
		"bad request": {rt: xmlError(400, "InvalidArgument", "nope"), retryable: false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := newFakeS3(t, tc.rt)
			_, err := s.Get(context.Background(), "dir/key")
			if err == nil {
				t.Fatal("Get succeeded")
			}
			if got := errors.Is(err, ErrNotFound); got != tc.notFound {
				t.Errorf("errors.Is(ErrNotFound) = %v; want %v (%v)", got, tc.notFound, err)
			}
			if got := IsRetryable(err); got != tc.retryable {
				t.Errorf("IsRetryable = %v; want %v (%v)", got, tc.retryable, err)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("%T is not *Error", err)
			}
			if e.Op != "get" || e.URL != "s3://bkt/pre/dir/key" {
				t.Errorf("Op, URL = %q, %q", e.Op, e.URL)
			}
			if !strings.Contains(e.Hint, tc.hint) {
				t.Errorf("Hint = %q; want it to contain %q", e.Hint, tc.hint)
			}
		})
	}
}

func TestS3NotFoundOnHead(t *testing.T) {
	t.Parallel()
	s := newFakeS3(t, xmlError(404, "", ""))
	if _, err := s.Stat(context.Background(), "k"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Stat = %v; want ErrNotFound", err)
	}
}

func TestSecretsNeverShown(t *testing.T) {
	t.Parallel()
	// A hostile or buggy service echoes the credentials back.
	echo := xmlError(403, "SignatureDoesNotMatch", "you sent "+fakeAccessKey+" signed with "+fakeSecretKey)
	s := newFakeS3(t, echo)
	ctx := context.Background()
	var texts []string
	_, err := s.Get(ctx, "k")
	texts = append(texts, err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err))
	texts = append(texts, s.Put(ctx, "k", []byte("x")).Error())
	_, err = s.List(ctx, "")
	texts = append(texts, err.Error())
	texts = append(texts, fmt.Sprint(s), fmt.Sprintf("%+v", s), fmt.Sprintf("%#v", s), s.String())
	texts = append(texts, fmt.Sprint(RedactProperties(s.StarRocksProperties())))
	for _, text := range texts {
		if strings.Contains(text, fakeSecretKey) || strings.Contains(text, fakeAccessKey) {
			t.Errorf("credentials shown in %q", text)
		}
	}
	if !strings.Contains(texts[0], "you sent *** signed with ***") {
		t.Errorf("error %q lost the scrubbed service message", texts[0])
	}
}

func TestIsRetryable(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		err  error
		want bool
	}{
		"nil":               {nil, false},
		"plain":             {errors.New("x"), false},
		"canceled":          {fmt.Errorf("op: %w", context.Canceled), false},
		"deadline":          {context.DeadlineExceeded, false},
		"unexpected eof":    {fmt.Errorf("read body: %w", io.ErrUnexpectedEOF), true},
		"econnreset":        {&net.OpError{Op: "read", Err: syscall.ECONNRESET}, true},
		"net timeout":       {&net.OpError{Op: "read", Err: timeoutError{}}, true},
		"retry quota":       {fmt.Errorf("x: %w", ratelimit.QuotaExceededError{}), true},
		"marker true":       {fmt.Errorf("x: %w", &VerifyError{}), true},
		"marker false wins": {&Error{Op: "get", cause: syscall.ECONNRESET}, false},
		"not found":         {notFoundError("get", "s3://b/k"), false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if got := IsRetryable(tc.err); got != tc.want {
				t.Errorf("IsRetryable(%v) = %v; want %v", tc.err, got, tc.want)
			}
		})
	}
}

func TestRedactProperties(t *testing.T) {
	t.Parallel()
	in := map[string]string{
		"aws.s3.region": "us-east-1", "aws.s3.access_key": "AK", "aws.s3.secret_key": "SK",
		"aws.s3.session_token": "T", "aws.s3.endpoint": "http://x", "broker.password": "P",
	}
	want := map[string]string{
		"aws.s3.region": "us-east-1", "aws.s3.access_key": "***", "aws.s3.secret_key": "***",
		"aws.s3.session_token": "***", "aws.s3.endpoint": "http://x", "broker.password": "***",
	}
	if diff := cmp.Diff(want, RedactProperties(in)); diff != "" {
		t.Errorf("RedactProperties (-want +got):\n%s", diff)
	}
	if in["aws.s3.secret_key"] != "SK" {
		t.Error("RedactProperties changed its argument")
	}
	if RedactProperties(nil) != nil {
		t.Error("RedactProperties(nil) != nil")
	}
}
