package e2e

import (
	"io/fs"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/srplan/srplan/providers/s3/s3test"
)

// stagedFiles lists the object keys (relative to the stage) in w's stage:
// the local directory, or the bucket prefix of an s3 stage.
func (w *workspace) stagedFiles(t testing.TB, storage *storageBlock) []string {
	t.Helper()
	var keys []string
	if storage == nil {
		root := filepath.Join(w.dir, "stage")
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel, err := filepath.Rel(root, p)
			keys = append(keys, filepath.ToSlash(rel))
			return err
		})
		if err != nil {
			t.Fatalf("list the stage: %v", err)
		}
		sort.Strings(keys)
		return keys
	}
	bucket, prefix, _ := strings.Cut(strings.TrimPrefix(storage.url, "s3://"), "/")
	client := s3test.Client(s3test.Env{Endpoint: storage.endpoint, AccessKey: storage.accessKey, SecretKey: storage.secretKey, Region: storage.region})
	pages := s3.NewListObjectsV2Paginator(client, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix + "/")})
	for pages.HasMorePages() {
		page, err := pages.NextPage(t.Context())
		if err != nil {
			t.Fatalf("list s3://%s/%s: %v", bucket, prefix, err)
		}
		for _, o := range page.Contents {
			keys = append(keys, strings.TrimPrefix(aws.ToString(o.Key), prefix+"/"))
		}
	}
	sort.Strings(keys)
	return keys
}

// stagedExtensions counts the data files of the stage by extension
// (".csv", ".parquet", ...), and the manifests.
func stagedExtensions(keys []string) (exts map[string]int, manifests int) {
	exts = map[string]int{}
	for _, k := range keys {
		base := path.Base(k)
		if base == "_manifest.json" {
			manifests++
			continue
		}
		exts[path.Ext(base)]++
	}
	return exts, manifests
}
