package s3test

import (
	"os"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// SQSEndpoint returns the base URL of the SQS server for t: the one scripts/test.sh started
// (SRPLAN_TEST_SQS_ENDPOINT), or else a fauxqs this test binary starts from .cache/node on first
// use. It fails t when neither is available, saying how to install it.
//
// Queue URLs the server returns name the host sqs.REGION.localhost; clients send every request to
// their endpoint, so that name need not resolve.
func SQSEndpoint(t testing.TB) string {
	t.Helper()
	if endpoint := os.Getenv(EnvSQSEndpoint); endpoint != "" {
		return endpoint
	}
	endpoint, err := localSQS()
	if err != nil {
		t.Fatalf("s3test: %v", err)
	}
	return endpoint
}

// SQSClient returns an SQS client for endpoint with static test credentials (the local server
// accepts any) in Region.
func SQSClient(endpoint string) *sqs.Client {
	return sqs.New(sqs.Options{
		Region:       Region,
		BaseEndpoint: aws.String(endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider("srplan-test", "srplan-test", ""),
	})
}
