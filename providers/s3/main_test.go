package s3

import (
	"context"
	"os"
	"testing"

	"github.com/srplan/srplan/lang"
	"github.com/srplan/srplan/providers/s3/s3test"
)

func TestMain(m *testing.M) { os.Exit(s3test.Main(m)) }

// newTestS3 opens a fresh MinIO bucket under prefix ("" for the whole
// bucket) with static keys.
func newTestS3(t *testing.T, prefix string, opts ...Option) (*S3, s3test.Env) {
	t.Helper()
	env := s3test.Endpoint(t)
	bucket := s3test.NewBucket(t, env)
	url := "s3://" + bucket
	if prefix != "" {
		url += "/" + prefix
	}
	s, err := NewS3(context.Background(), testStorageBlock(env, url), opts...)
	if err != nil {
		t.Fatalf("NewS3: %v", err)
	}
	return s, env
}

// testStorageBlock is the storage block of url on env.
func testStorageBlock(env s3test.Env, url string) *lang.Storage {
	return &lang.Storage{
		Type: lang.StorageS3, Name: "stage", URL: url,
		Region: env.Region, Endpoint: env.Endpoint, PathStyle: true,
		AccessKey: lang.NewSecret(env.AccessKey), SecretKey: lang.NewSecret(env.SecretKey),
	}
}

// newTestLocal opens a Local over a fresh temporary directory.
func newTestLocal(t *testing.T) *Local {
	t.Helper()
	l, err := NewLocal(t.TempDir())
	if err != nil {
		t.Fatalf("NewLocal: %v", err)
	}
	return l
}
