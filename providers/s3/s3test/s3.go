package s3test

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// cleanupTimeout bounds the removal of one test bucket.
const cleanupTimeout = 30 * time.Second

// Endpoint returns the S3 API server for t: the one scripts/test.sh started (from the
// SRPLAN_TEST_S3_* variables), or else a MinIO this test binary starts from .cache/bin/minio on
// first use. It fails t when neither is available, saying how to install the stack.
func Endpoint(t testing.TB) Env {
	t.Helper()
	env, ok, err := s3EnvFrom(os.LookupEnv)
	if err != nil {
		t.Fatalf("s3test: %v", err)
	}
	if ok {
		return env
	}
	env, err = localMinIO()
	if err != nil {
		t.Fatalf("s3test: %v", err)
	}
	return env
}

// Client returns an S3 client for env: path-style requests to env.Endpoint with env's static
// credentials and the SDK's default retries.
func Client(env Env) *s3.Client {
	return s3.New(s3.Options{
		Region:       env.Region,
		BaseEndpoint: aws.String(env.Endpoint),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider(env.AccessKey, env.SecretKey, ""),
	})
}

// NewBucket creates a bucket with a unique name on env and returns the name. When t ends, every
// object version, delete marker and unfinished multipart upload in it is removed, then the bucket
// itself; a failure there fails t.
func NewBucket(t testing.TB, env Env) string {
	t.Helper()
	client := Client(env)
	name := "srplan-test-" + randomHex(8)
	if _, err := client.CreateBucket(t.Context(), &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		t.Fatalf("s3test: create bucket %s at %s: %v", name, env.Endpoint, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
		defer cancel()
		if err := removeBucket(ctx, client, name); err != nil {
			t.Errorf("s3test: remove bucket %s: %v", name, err)
		}
	})
	return name
}

// removeBucket empties bucket and deletes it.
func removeBucket(ctx context.Context, client *s3.Client, bucket string) error {
	uploads := s3.NewListMultipartUploadsPaginator(client, &s3.ListMultipartUploadsInput{Bucket: aws.String(bucket)})
	for uploads.HasMorePages() {
		page, err := uploads.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, u := range page.Uploads {
			if _, err := client.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{
				Bucket: aws.String(bucket), Key: u.Key, UploadId: u.UploadId,
			}); err != nil {
				return err
			}
		}
	}
	versions := s3.NewListObjectVersionsPaginator(client, &s3.ListObjectVersionsInput{Bucket: aws.String(bucket)})
	for versions.HasMorePages() {
		page, err := versions.NextPage(ctx)
		if err != nil {
			return err
		}
		var ids []types.ObjectIdentifier
		for _, v := range page.Versions {
			ids = append(ids, types.ObjectIdentifier{Key: v.Key, VersionId: v.VersionId})
		}
		for _, m := range page.DeleteMarkers {
			ids = append(ids, types.ObjectIdentifier{Key: m.Key, VersionId: m.VersionId})
		}
		if len(ids) == 0 {
			continue
		}
		out, err := client.DeleteObjects(ctx, &s3.DeleteObjectsInput{
			Bucket: aws.String(bucket),
			Delete: &types.Delete{Objects: ids, Quiet: aws.Bool(true)},
		})
		if err != nil {
			return err
		}
		if len(out.Errors) > 0 {
			e := out.Errors[0]
			return errors.New("delete " + aws.ToString(e.Key) + ": " + aws.ToString(e.Code) + " " + aws.ToString(e.Message))
		}
	}
	_, err := client.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(bucket)})
	return err
}
