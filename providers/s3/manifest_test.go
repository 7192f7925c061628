package s3

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestManifest(t *testing.T) {
	backends := map[string]func(t *testing.T) Storage{
		"local": func(t *testing.T) Storage { return newTestLocal(t) },
		"s3": func(t *testing.T) Storage {
			s, _ := newTestS3(t, "stage")
			return s
		},
	}
	for name, open := range backends {
		t.Run(name, func(t *testing.T) {
			manifestSuite(t, open(t))
		})
	}
}

// manifestSuite checks building, writing, reading and completeness of a
// manifest on s.
func manifestSuite(t *testing.T, s Storage) {
	ctx := context.Background()
	dir := ExportDir("job1", "sales", "order's", "p2024", 7)
	files := map[string]string{
		"data_q_0_0_0.csv":                    "1,a\n2,b\n",
		"data_q_0_1_0.csv":                    "3,c\n",
		"sub/part=1/x.parquet":                "PAR1....PAR1",
		"__starrocks_export_tmp_q/data_0.csv": "leftover",
		"x/__starrocks_export_tmp_q/y.csv":    "leftover",
		"_SUCCESS":                            "",
		ManifestName:                          `{"old": true}`,
	}
	for rel, data := range files {
		if err := s.Put(ctx, dir+rel, []byte(data)); err != nil {
			t.Fatal(err)
		}
	}
	// A neighbouring directory's files must not be picked up.
	if err := s.Put(ctx, ExportDir("job1", "sales", "order's", "p2024", 70)+"other.csv", []byte("x")); err != nil {
		t.Fatal(err)
	}

	created := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	base := Manifest{
		Table: "sales.order's", Partition: "p2024", SourceVersion: 7,
		SourceVersionTime: time.Date(2024, 5, 6, 0, 0, 0, 0, time.UTC),
		Format:            FormatCSV, Rows: 3, CreatedAt: created, Job: "q",
		Files: []ManifestFile{{Key: "ignored", Size: 1}},
	}
	m, err := BuildManifest(ctx, s, dir, base, "")
	if err != nil {
		t.Fatal(err)
	}
	var gotFiles []ManifestFile
	for _, f := range m.Files {
		if f.ETag != "" {
			if _, ok := s.(*Local); ok {
				t.Errorf("local file %s has ETag %q", f.Key, f.ETag)
			}
		} else if _, ok := s.(*S3); ok {
			t.Errorf("s3 file %s has no ETag", f.Key)
		}
		gotFiles = append(gotFiles, ManifestFile{Key: f.Key, Size: f.Size})
	}
	wantFiles := []ManifestFile{
		{Key: dir + "data_q_0_0_0.csv", Size: 8},
		{Key: dir + "data_q_0_1_0.csv", Size: 4},
		{Key: dir + "sub/part=1/x.parquet", Size: 12},
	}
	if diff := cmp.Diff(wantFiles, gotFiles); diff != "" {
		t.Errorf("BuildManifest files (-want +got):\n%s", diff)
	}
	if m.Version != ManifestVersion || m.CreatedAt != created || m.Table != base.Table {
		t.Errorf("BuildManifest = %+v; want version 1 and base's fields", m)
	}

	// A file another job left in the directory (data_old_...) is not part of
	// job q's export when the build keeps only q's file names.
	if err := s.Put(ctx, dir+"data_old_0_0_0.csv", []byte("9,z\n")); err != nil {
		t.Fatal(err)
	}
	only, err := BuildManifest(ctx, s, dir, base, "data_q_")
	if err != nil {
		t.Fatal(err)
	}
	var onlyKeys []string
	for _, f := range only.Files {
		onlyKeys = append(onlyKeys, f.Key)
	}
	if diff := cmp.Diff([]string{dir + "data_q_0_0_0.csv", dir + "data_q_0_1_0.csv"}, onlyKeys); diff != "" {
		t.Errorf("BuildManifest keeping data_q_ (-want +got):\n%s", diff)
	}
	if err := s.Delete(ctx, dir+"data_old_0_0_0.csv"); err != nil {
		t.Fatal(err)
	}

	if err := WriteManifest(ctx, s, dir, m); err != nil {
		t.Fatal(err)
	}
	got, err := ReadManifest(ctx, s, dir)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(m, got); diff != "" {
		t.Errorf("ReadManifest (-written +read):\n%s", diff)
	}

	missing, err := got.Complete(ctx, s)
	if err != nil || len(missing) != 0 {
		t.Fatalf("Complete = %v, %v; want nothing missing", missing, err)
	}
	// One file gone, one rewritten with another size.
	if err := s.Delete(ctx, dir+"data_q_0_0_0.csv"); err != nil {
		t.Fatal(err)
	}
	if err := s.Put(ctx, dir+"sub/part=1/x.parquet", []byte("PAR1")); err != nil {
		t.Fatal(err)
	}
	missing, err = got.Complete(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{dir + "data_q_0_0_0.csv", dir + "sub/part=1/x.parquet"}, missing); diff != "" {
		t.Errorf("Complete missing (-want +got):\n%s", diff)
	}

	if _, err := ReadManifest(ctx, s, ExportDir("job1", "sales", "t", "p", 1)); !errors.Is(err, ErrNotFound) {
		t.Errorf("ReadManifest of a directory without one = %v; want ErrNotFound", err)
	}
}

func TestManifestJSON(t *testing.T) {
	t.Parallel()
	m := Manifest{
		Version: 1, Table: "db.t", Partition: "p1", SourceVersion: 9, Format: FormatParquet,
		Files: []ManifestFile{{Key: "j/db/t/p1/v9/a.parquet", Size: 10, ETag: "abc"}, {Key: "j/db/t/p1/v9/b.parquet", Size: 3}},
		Rows:  -1, CreatedAt: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC), Job: "label_1",
	}
	data, err := json.Marshal(&m)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"format_version":1,"table":"db.t","partition":"p1","source_version":9,"format":"parquet",` +
		`"files":[{"key":"j/db/t/p1/v9/a.parquet","size":10,"etag":"abc"},{"key":"j/db/t/p1/v9/b.parquet","size":3}],` +
		`"rows":-1,"created_at":"2024-01-02T03:04:05Z","job":"label_1"}`
	if string(data) != want {
		t.Errorf("JSON =\n%s\nwant\n%s", data, want)
	}
}

func TestManifestKey(t *testing.T) {
	t.Parallel()
	for dir, want := range map[string]string{
		"a/b/": "a/b/_manifest.json",
		"a/b":  "a/b/_manifest.json",
		"":     "_manifest.json",
	} {
		if got := ManifestKey(dir); got != want {
			t.Errorf("ManifestKey(%q) = %q; want %q", dir, got, want)
		}
	}
}

func TestReadManifestRejects(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newTestLocal(t)
	tests := map[string]struct {
		body string
		want string
	}{
		"newer version": {`{"format_version":2,"table":"db.t","format":"csv"}`, "format_version 2 was written by a newer srplan (this one reads 1): upgrade srplan"},
		"no version":    {`{"table":"db.t","format":"csv"}`, "manifest format_version 0"},
		"not json":      {`{"format_version":`, "not a manifest"},
		"bad format":    {`{"format_version":1,"table":"db.t","format":"orc"}`, `manifest format "orc"`},
		"no table":      {`{"format_version":1,"format":"csv"}`, "manifest names no table"},
		"bad key":       {`{"format_version":1,"table":"db.t","format":"csv","files":[{"key":"/abs","size":1}]}`, `invalid key "/abs"`},
		"duplicate":     {`{"format_version":1,"table":"db.t","format":"csv","files":[{"key":"a","size":1},{"key":"a","size":1}]}`, `lists "a" twice`},
		"negative size": {`{"format_version":1,"table":"db.t","format":"csv","files":[{"key":"a","size":-1}]}`, "negative size"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			dir := "m/" + strings.ReplaceAll(name, " ", "_") + "/"
			if err := s.Put(ctx, ManifestKey(dir), []byte(tc.body)); err != nil {
				t.Fatal(err)
			}
			_, err := ReadManifest(ctx, s, dir)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), s.URL(ManifestKey(dir))) {
				t.Errorf("err = %v; want it to name the file and say %q", err, tc.want)
			}
		})
	}
}

func TestWriteManifestValidates(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newTestLocal(t)
	m := &Manifest{Table: "db.t", Format: "json"}
	if err := WriteManifest(ctx, s, "d/", m); err == nil || !strings.Contains(err.Error(), `manifest format "json"`) {
		t.Errorf("WriteManifest = %v; want a format error", err)
	}
	if _, err := s.Stat(ctx, ManifestKey("d/")); !errors.Is(err, ErrNotFound) {
		t.Errorf("an invalid manifest was written: %v", err)
	}
	m.Format = FormatCSV
	if err := WriteManifest(ctx, s, "d/", m); err != nil || m.Version != ManifestVersion {
		t.Errorf("WriteManifest = %v, version %d", err, m.Version)
	}
}

func TestCompleteOfEmptyManifest(t *testing.T) {
	t.Parallel()
	m := &Manifest{Version: 1, Table: "db.t", Format: FormatCSV}
	missing, err := m.Complete(context.Background(), newTestLocal(t))
	if err != nil || missing != nil {
		t.Errorf("Complete = %v, %v; want nothing", missing, err)
	}
}

func TestManifestDirs(t *testing.T) {
	t.Parallel()
	files := []ManifestFile{{Key: "a/b/x"}, {Key: "a/b/c/y"}, {Key: "a/bb/z"}, {Key: "top"}, {Key: "a/b/w"}}
	if diff := cmp.Diff([]string{""}, manifestDirs(files)); diff != "" {
		t.Errorf("with a root file (-want +got):\n%s", diff)
	}
	files = files[:3]
	if diff := cmp.Diff([]string{"a/b/", "a/bb/"}, manifestDirs(files)); diff != "" {
		t.Errorf("manifestDirs (-want +got):\n%s", diff)
	}
}
