package s3

import (
	"errors"
	"fmt"
	"net/http"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/smithy-go"
)

// fail turns an error of op on key into an *Error that says what to check.
// The cause's text is scrubbed of the storage's credentials.
func (s *S3) fail(op, key string, err error) error {
	url := s.URL(key)
	code, status := errorCode(err)
	switch {
	case code == "NoSuchKey" || (status == http.StatusNotFound && (code == "NotFound" || code == "")):
		// HeadObject answers a bare 404; a missing bucket has its own code.
		return notFoundError(op, url)
	}
	return newError(op, url, s.hint(code, status, err), err, s.accessKey.Reveal(), s.secretKey.Reveal())
}

// hint says what to check for an S3 error code or HTTP status.
func (s *S3) hint(code string, status int, err error) string {
	switch code {
	case "NoSuchBucket":
		return fmt.Sprintf("bucket %q does not exist: create it or fix url", s.bucket)
	case "InvalidBucketName":
		return fmt.Sprintf("bucket name %q is invalid: fix url", s.bucket)
	case "InvalidAccessKeyId":
		return "the service does not know the access key: check access_key (or the default credential chain) and endpoint"
	case "SignatureDoesNotMatch":
		return "the request signature does not match: check secret_key (or the default credential chain)"
	case "AuthorizationHeaderMalformed", "PermanentRedirect", "IllegalLocationConstraintException":
		return fmt.Sprintf("bucket %q is not in region %q: set region to the bucket's region", s.bucket, s.region)
	case "RequestTimeTooSkewed":
		return "this host's clock is too far off: synchronise it"
	case "ExpiredToken", "TokenRefreshRequired":
		return "the session credentials expired: refresh them"
	case "SlowDown", "ServiceUnavailable", "Throttling", "ThrottlingException", "RequestLimitExceeded":
		return "the service is throttling requests: lower the parallelism or retry later"
	}
	switch {
	case code == "AccessDenied" || code == "AllAccessDisabled" || status == http.StatusForbidden:
		return "access denied: check the credentials and the bucket policy"
	case status == http.StatusMovedPermanently:
		return fmt.Sprintf("bucket %q is not in region %q: set region to the bucket's region", s.bucket, s.region)
	case errors.As(err, new(*v4.SigningError)):
		return "no usable credentials: set access_key and secret_key, or configure the default credential chain (environment, profile, instance role)"
	case status >= 500:
		return "the service failed: retry later"
	}
	return ""
}

// errorCode returns the S3 error code and HTTP status of err, when known.
func errorCode(err error) (code string, status int) {
	var api smithy.APIError
	if errors.As(err, &api) {
		code = api.ErrorCode()
	}
	var resp interface{ HTTPStatusCode() int }
	if errors.As(err, &resp) {
		status = resp.HTTPStatusCode()
	}
	return code, status
}
