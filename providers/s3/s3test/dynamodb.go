package s3test

import (
	"os"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// DynamoDBEndpoint returns the base URL of the DynamoDB server for t: the one scripts/test.sh
// started (SRPLAN_TEST_DYNAMODB_ENDPOINT), or else a dynalite this test binary starts from
// .cache/node on first use. It fails t when neither is available, saying how to install it.
func DynamoDBEndpoint(t testing.TB) string {
	t.Helper()
	if endpoint := os.Getenv(EnvDynamoDBEndpoint); endpoint != "" {
		return endpoint
	}
	endpoint, err := localDynamoDB()
	if err != nil {
		t.Fatalf("s3test: %v", err)
	}
	return endpoint
}

// DynamoDBClient returns a DynamoDB client for endpoint with static test credentials (the local
// server accepts any) in Region.
func DynamoDBClient(endpoint string) *dynamodb.Client {
	return dynamodb.New(dynamodb.Options{
		Region:       Region,
		BaseEndpoint: aws.String(endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider("srplan-test", "srplan-test", ""),
	})
}
