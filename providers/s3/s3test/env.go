package s3test

import (
	"errors"
	"fmt"
)

// Names of the environment variables through which scripts/test.sh hands the running test stack
// to the tests. Endpoints are base URLs such as http://127.0.0.1:9000.
const (
	EnvS3Endpoint       = "SRPLAN_TEST_S3_ENDPOINT"
	EnvS3AccessKey      = "SRPLAN_TEST_S3_ACCESS_KEY"
	EnvS3SecretKey      = "SRPLAN_TEST_S3_SECRET_KEY"
	EnvDynamoDBEndpoint = "SRPLAN_TEST_DYNAMODB_ENDPOINT"
	EnvSQSEndpoint      = "SRPLAN_TEST_SQS_ENDPOINT"
)

// Region is the region every client of this package uses. The local servers accept any region;
// MinIO's default is this one.
const Region = "us-east-1"

// Env is where an S3 API server answers and the credentials it accepts.
type Env struct {
	Endpoint  string // base URL, e.g. http://127.0.0.1:9000
	AccessKey string
	SecretKey string // never printed: see String
	Region    string
}

// String describes e without its secret key, so an Env can be logged or printed in a failure.
func (e Env) String() string {
	return fmt.Sprintf("{Endpoint:%s AccessKey:%s SecretKey:%s Region:%s}", e.Endpoint, e.AccessKey, redacted(e.SecretKey), e.Region)
}

// GoString is String for the %#v verb.
func (e Env) GoString() string {
	return fmt.Sprintf("s3test.Env{Endpoint:%q, AccessKey:%q, SecretKey:%q, Region:%q}", e.Endpoint, e.AccessKey, redacted(e.SecretKey), e.Region)
}

func redacted(secret string) string {
	if secret == "" {
		return ""
	}
	return "(redacted)"
}

// s3EnvFrom reads the S3 variables through lookup. ok is false when no endpoint is set; a set
// endpoint without both keys is an error.
func s3EnvFrom(lookup func(string) (string, bool)) (env Env, ok bool, err error) {
	endpoint, _ := lookup(EnvS3Endpoint)
	if endpoint == "" {
		return Env{}, false, nil
	}
	access, _ := lookup(EnvS3AccessKey)
	secret, _ := lookup(EnvS3SecretKey)
	if access == "" || secret == "" {
		return Env{}, false, errors.New(EnvS3Endpoint + " is set but " + EnvS3AccessKey + " or " + EnvS3SecretKey + " is empty")
	}
	return Env{Endpoint: endpoint, AccessKey: access, SecretKey: secret, Region: Region}, true, nil
}
