package s3test

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/google/go-cmp/cmp"
)

func TestS3RoundTrip(t *testing.T) {
	env := Endpoint(t)
	client := Client(env)
	ctx := t.Context()

	var bucket string
	t.Run("put list get", func(t *testing.T) {
		bucket = NewBucket(t, env)
		objects := map[string]string{"a/one.csv": "1,2,3\n", "a/two.csv": "4,5,6\n", "b/three.csv": "7\n"}
		for key, body := range objects {
			if _, err := client.PutObject(ctx, &s3.PutObjectInput{
				Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader(body),
			}); err != nil {
				t.Fatalf("PutObject %s: %v", key, err)
			}
		}
		out, err := client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String("a/")})
		if err != nil {
			t.Fatalf("ListObjectsV2: %v", err)
		}
		var keys []string
		for _, o := range out.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
		if diff := cmp.Diff([]string{"a/one.csv", "a/two.csv"}, keys); diff != "" {
			t.Errorf("listed keys mismatch (-want +got):\n%s", diff)
		}
		got, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("b/three.csv")})
		if err != nil {
			t.Fatalf("GetObject: %v", err)
		}
		defer got.Body.Close()
		body, err := io.ReadAll(got.Body)
		if err != nil {
			t.Fatalf("read object: %v", err)
		}
		if string(body) != objects["b/three.csv"] {
			t.Errorf("object body = %q, want %q", body, objects["b/three.csv"])
		}
	})

	t.Run("bucket removed after its test", func(t *testing.T) {
		if bucket == "" {
			t.Skip("no bucket was created")
		}
		_, err := client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(bucket)})
		var notFound *types.NotFound
		if !errors.As(err, &notFound) {
			t.Errorf("HeadBucket(%s) after cleanup: err = %v, want NotFound", bucket, err)
		}
	})
}

func TestNewBucketNamesAreUnique(t *testing.T) {
	env := Endpoint(t)
	a, b := NewBucket(t, env), NewBucket(t, env)
	if a == b {
		t.Errorf("two buckets share the name %s", a)
	}
}
