// Package s3test gives srplan's integration tests the local servers they talk to: MinIO for the
// S3 API, dynalite for DynamoDB and fauxqs for SQS.
//
// scripts/test.sh installs those servers into the repository's .cache/ directory, starts them on
// free loopback ports and exports their endpoints in SRPLAN_TEST_* variables (see the Env*
// constants). Endpoint, DynamoDBEndpoint and SQSEndpoint read those variables. When they are not
// set, as when a package's tests are run by hand with go test, the first call in a test binary
// starts the server itself from .cache/ on a free 127.0.0.1 port and later calls share it; when
// the server is not installed either, the test fails with a message saying to run
// ./scripts/test.sh. Nothing here skips a test.
//
// A test package that may start servers should stop them when its tests end:
//
//	func TestMain(m *testing.M) { os.Exit(s3test.Main(m)) }
//
// Servers a test binary started are also killed by the kernel if the binary dies without
// reaching the end of Main (Linux).
//
// The providers that use these servers are providers/s3, providers/sqs and the DynamoDB backend
// of package state; this package only serves their tests.
package s3test
