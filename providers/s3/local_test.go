package s3

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/srplan/srplan/lang"
)

func TestLocalStorage(t *testing.T) {
	t.Parallel()
	storageSuite(t, newTestLocal(t))
}

func TestLocalFiles(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	root := filepath.Join(t.TempDir(), "new", "stage")
	l, err := NewLocal(root)
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(root); err != nil || fi.Mode().Perm() != 0o755 || !fi.IsDir() {
		t.Fatalf("root = %v, %v; want a 0755 directory", fi, err)
	}
	if err := l.Put(ctx, "a/b/c.csv", []byte("1,2\n")); err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]fs.FileMode{
		"a":         fs.ModeDir | 0o755,
		"a/b":       fs.ModeDir | 0o755,
		"a/b/c.csv": 0o644,
	} {
		fi, err := os.Stat(filepath.Join(root, p))
		if err != nil || fi.Mode() != want {
			t.Errorf("%s: mode %v, %v; want %v", p, fi.Mode(), err, want)
		}
	}
	if got, want := l.URL("a/b/c.csv"), "file://"+root+"/a/b/c.csv"; got != want {
		t.Errorf("URL = %q; want %q", got, want)
	}
	if got, want := l.URL("a/"), "file://"+root+"/a/"; got != want {
		t.Errorf("URL(dir) = %q; want %q", got, want)
	}
	if got := l.StarRocksProperties(); got == nil || len(got) != 0 {
		t.Errorf("StarRocksProperties = %v; want an empty map", got)
	}

	// A file being written (a leftover of a killed process) is not listed,
	// and its name cannot be used as a key.
	if err := os.WriteFile(filepath.Join(root, "a", localTempPrefix+"123"), []byte("partial"), 0o644); err != nil {
		t.Fatal(err)
	}
	objs, err := l.List(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(objs) != 1 || objs[0].Key != "a/b/c.csv" {
		t.Errorf("List = %+v; want only a/b/c.csv", objs)
	}
	if err := l.Put(ctx, "a/"+localTempPrefix+"x", nil); err == nil {
		t.Error("Put of a reserved name succeeded")
	}

	// Deleting the last object prunes the emptied directories, never the root.
	if err := l.Delete(ctx, "a/b/c.csv"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "a", "b")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a/b after delete: %v; want removed", err)
	}
	if _, err := os.Stat(filepath.Join(root, "a")); err != nil {
		t.Errorf("a (still holding a file) removed: %v", err)
	}
	if _, err := l.DeletePrefix(ctx, ""); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(root, "a", localTempPrefix+"123"))
	if err := l.Put(ctx, "z", []byte("z")); err != nil {
		t.Fatal(err)
	}
	if err := l.Delete(ctx, "z"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(root); err != nil {
		t.Errorf("root removed: %v", err)
	}

	// A key cannot be a file and a directory at once.
	if err := l.Put(ctx, "f", []byte("x")); err != nil {
		t.Fatal(err)
	}
	if err := l.Put(ctx, "f/g", []byte("x")); err == nil {
		t.Error("Put under a file key succeeded")
	}
}

func TestLocalStatOfDirectoryIsNotFound(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l := newTestLocal(t)
	if err := l.Put(ctx, "d/x", []byte("x")); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Stat(ctx, "d"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Stat(dir) = %v; want ErrNotFound", err)
	}
	if _, err := l.Get(ctx, "d"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get(dir) = %v; want ErrNotFound", err)
	}
	if err := l.Delete(ctx, "d"); err != nil {
		t.Errorf("Delete(dir) = %v", err)
	}
	if _, err := l.Stat(ctx, "d/x"); err != nil {
		t.Errorf("Delete(dir) removed its content: %v", err)
	}
}

func TestLocalErrorsNameTheFile(t *testing.T) {
	t.Parallel()
	l := newTestLocal(t)
	_, err := l.Get(context.Background(), "no/such")
	want := "open file://" + l.Root() + "/no/such: object not found"
	if err == nil || err.Error() != want {
		t.Errorf("err = %v; want %q", err, want)
	}
}

func TestNewLocalURL(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	spaced := filepath.Join(dir, "with space")
	tests := map[string]struct {
		url     string
		root    string
		wantErr string
	}{
		"plain":     {url: "file://" + dir, root: dir},
		"escaped":   {url: "file://" + strings.ReplaceAll(spaced, " ", "%20"), root: spaced},
		"localhost": {url: "file://localhost" + dir, root: dir},
		"relative":  {url: "file:relative/dir", wantErr: "want file:///absolute/directory"},
		"host":      {url: "file://host/dir", wantErr: "want file:///absolute/directory"},
		"s3":        {url: "s3://bucket/x", wantErr: "want file:///absolute/directory"},
		"query":     {url: "file://" + dir + "?x=1", wantErr: "want file:///absolute/directory"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			l, err := NewLocalURL(tc.url)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v; want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if l.Root() != tc.root {
				t.Errorf("Root = %q; want %q", l.Root(), tc.root)
			}
		})
	}
}

func TestNewDispatchesOnType(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	s, err := New(ctx, &lang.Storage{Type: lang.StorageLocal, Name: "l", URL: "file://" + dir})
	if err != nil {
		t.Fatal(err)
	}
	if l, ok := s.(*Local); !ok || l.Root() != dir {
		t.Errorf("New(local) = %#v", s)
	}
	s, err = New(ctx, &lang.Storage{Type: lang.StorageS3, Name: "s", URL: "s3a://bucket/p", Region: "eu-west-1"})
	if err != nil {
		t.Fatal(err)
	}
	if got := s.URL("k"); got != "s3a://bucket/p/k" {
		t.Errorf("New(s3).URL = %q", got)
	}
	_, err = New(ctx, &lang.Storage{Type: "ftp", Name: "f"})
	if diff := cmp.Diff(`storage "f": unknown storage type "ftp": use s3 or local`, errString(err)); diff != "" {
		t.Error(diff)
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestLocalWriteKeepsTheReadersRetryability(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l := newTestLocal(t)
	dropped := newError("read", "s3://b/k", "", syscall.ECONNRESET)
	if err := l.PutReader(ctx, "k", errReader{dropped}); !IsRetryable(err) {
		t.Errorf("PutReader with a dropped source = %v; want retryable", err)
	}
	if err := l.PutReader(ctx, "k", errReader{errors.New("corrupt input")}); err == nil || IsRetryable(err) {
		t.Errorf("PutReader with a bad source = %v; want a non-retryable error", err)
	}
	if err := l.Put(ctx, "file", nil); err != nil {
		t.Fatal(err)
	}
	if err := l.Put(ctx, "file/under", nil); err == nil || IsRetryable(err) {
		t.Errorf("Put under a file = %v; want a non-retryable error", err)
	}
}
