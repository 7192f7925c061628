package s3

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// Permissions of what Local creates. Data files must be readable by the
// StarRocks processes that load them, which often run as another user.
const (
	localFileMode fs.FileMode = 0o644
	localDirMode  fs.FileMode = 0o755
)

// localTempPrefix starts the names of files being written. List skips
// them, and keys whose last segment starts with it are refused.
const localTempPrefix = ".srplan-partial-"

// mkdirTries bounds the retries of creating a file's directory while a
// concurrent Delete may be pruning it.
const mkdirTries = 5

// Local is a Storage over a directory: key "a/b" is the file root/a/b.
// Writes go to a temporary file in the target directory that is renamed
// into place, so an object appears whole or not at all; deleting the last
// object of a directory removes the emptied directories up to the root.
// A key cannot be both an object and a directory ("a" and "a/b"), unlike
// in S3; writing the second one fails.
type Local struct {
	root string // absolute, cleaned
}

var _ Storage = (*Local)(nil)

// NewLocal opens the directory root (made absolute), creating it with
// mode 0755 when missing.
func NewLocal(root string) (*Local, error) {
	if root == "" {
		return nil, errors.New("local storage: empty directory path")
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("local storage %s: %w", root, err)
	}
	if err := os.MkdirAll(abs, localDirMode); err != nil {
		return nil, fmt.Errorf("local storage %s: create the directory: %w", abs, err)
	}
	return &Local{root: abs}, nil
}

// NewLocalURL opens the directory of a "file:///abs/dir" URL (the form of
// lang.Storage.URL for local storage; percent-escapes are decoded) with
// NewLocal.
func NewLocalURL(rawURL string) (*Local, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("local storage url %q: %w", rawURL, err)
	}
	if u.Scheme != "file" || (u.Host != "" && u.Host != "localhost") || !path.IsAbs(u.Path) ||
		u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("local storage url %q: want file:///absolute/directory", rawURL)
	}
	return NewLocal(filepath.FromSlash(u.Path))
}

// Root returns the absolute directory path.
func (l *Local) Root() string { return l.root }

// String returns the storage's URL.
func (l *Local) String() string { return l.URL("") }

// URL returns "file://" + root + "/" + key.
func (l *Local) URL(key string) string {
	return "file://" + filepath.ToSlash(l.root) + "/" + key
}

// StarRocksProperties returns an empty map: file:// paths need no
// credentials.
func (l *Local) StarRocksProperties() map[string]string { return map[string]string{} }

// path returns the file path of key after checking it.
func (l *Local) path(key string) (string, error) {
	if err := checkKey(key); err != nil {
		return "", err
	}
	if strings.HasPrefix(path.Base(key), localTempPrefix) {
		return "", fmt.Errorf("invalid key %q: names starting with %q are reserved for files being written", key, localTempPrefix)
	}
	return filepath.Join(l.root, filepath.FromSlash(key)), nil
}

// fail wraps an error of op on key; a missing file becomes ErrNotFound.
// The error is retryable when its cause is (a write fails that way when
// its source reader broke on a dropped connection); file system errors
// are not.
func (l *Local) fail(op, key string, err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return notFoundError(op, l.URL(key))
	}
	return newError(op, l.URL(key), "", err)
}

// Stat returns the object at key.
func (l *Local) Stat(ctx context.Context, key string) (Object, error) {
	p, err := l.path(key)
	if err != nil {
		return Object{}, l.fail("stat", key, err)
	}
	if err := ctx.Err(); err != nil {
		return Object{}, l.fail("stat", key, err)
	}
	fi, err := os.Stat(p)
	if err == nil && !fi.Mode().IsRegular() {
		err = fs.ErrNotExist // a directory or device is not an object
	}
	if err != nil {
		return Object{}, l.fail("stat", key, err)
	}
	return Object{Key: key, Size: fi.Size(), LastModified: fi.ModTime()}, nil
}

// Get reads the object at key.
func (l *Local) Get(ctx context.Context, key string) ([]byte, error) {
	rc, _, err := l.Open(ctx, key)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		return nil, l.fail("get", key, err)
	}
	return data, nil
}

// Open opens the object at key for reading.
func (l *Local) Open(ctx context.Context, key string) (io.ReadCloser, Object, error) {
	p, err := l.path(key)
	if err != nil {
		return nil, Object{}, l.fail("open", key, err)
	}
	if err := ctx.Err(); err != nil {
		return nil, Object{}, l.fail("open", key, err)
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, Object{}, l.fail("open", key, err)
	}
	fi, err := f.Stat()
	if err == nil && !fi.Mode().IsRegular() {
		err = fs.ErrNotExist
	}
	if err != nil {
		f.Close()
		return nil, Object{}, l.fail("open", key, err)
	}
	return f, Object{Key: key, Size: fi.Size(), LastModified: fi.ModTime()}, nil
}

// Put writes data to key.
func (l *Local) Put(ctx context.Context, key string, data []byte) error {
	return l.write(ctx, "put", key, bytes.NewReader(data))
}

// PutReader writes everything read from r to key.
func (l *Local) PutReader(ctx context.Context, key string, r io.Reader) error {
	return l.write(ctx, "put", key, r)
}

// write copies r into a temporary file next to key's file, syncs it and
// renames it into place.
func (l *Local) write(ctx context.Context, op, key string, r io.Reader) error {
	p, err := l.path(key)
	if err != nil {
		return l.fail(op, key, err)
	}
	if err := ctx.Err(); err != nil {
		return l.fail(op, key, err)
	}
	f, err := l.createTemp(filepath.Dir(p))
	if err != nil {
		return l.fail(op, key, err)
	}
	tmp := f.Name()
	done := false
	defer func() {
		if !done {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if _, err := io.Copy(f, ctxReader{ctx: ctx, r: r}); err != nil {
		return l.fail(op, key, err)
	}
	if err := f.Chmod(localFileMode); err != nil {
		return l.fail(op, key, err)
	}
	if err := f.Sync(); err != nil {
		return l.fail(op, key, err)
	}
	if err := f.Close(); err != nil {
		return l.fail(op, key, err)
	}
	if err := os.Rename(tmp, p); err != nil {
		os.Remove(tmp)
		done = true
		return l.fail(op, key, err)
	}
	done = true
	return nil
}

// createTemp creates dir and a temporary file in it. A concurrent Delete
// may prune dir or one of its parents while they are empty, before the
// temporary file is in place; that is retried.
func (l *Local) createTemp(dir string) (*os.File, error) {
	var err error
	for range mkdirTries {
		var f *os.File
		if err = os.MkdirAll(dir, localDirMode); err == nil {
			f, err = os.CreateTemp(dir, localTempPrefix+"*")
			if err == nil {
				return f, nil
			}
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
	}
	return nil, err
}

// Delete removes the object at key and the directories it leaves empty.
func (l *Local) Delete(ctx context.Context, key string) error {
	p, err := l.path(key)
	if err != nil {
		return l.fail("delete", key, err)
	}
	if err := ctx.Err(); err != nil {
		return l.fail("delete", key, err)
	}
	if err := l.remove(p); err != nil {
		return l.fail("delete", key, err)
	}
	return nil
}

// remove deletes file p if it exists and prunes its emptied parents.
func (l *Local) remove(p string) error {
	fi, err := os.Lstat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if fi.IsDir() {
		return nil // not an object; S3 would have nothing at this key either
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	for dir := filepath.Dir(p); dir != l.root && strings.HasPrefix(dir, l.root); dir = filepath.Dir(dir) {
		if os.Remove(dir) != nil {
			break // not empty (or already gone): stop pruning
		}
	}
	return nil
}

// List returns the regular files under root whose keys start with prefix.
// Files being written, and files whose names are no valid key (not UTF-8),
// are left out.
func (l *Local) List(ctx context.Context, prefix string) ([]Object, error) {
	if err := checkPrefix(prefix); err != nil {
		return nil, l.fail("list", prefix, err)
	}
	// Walk the deepest directory every match lies in.
	start := l.root
	if i := strings.LastIndexByte(prefix, '/'); i >= 0 {
		start = filepath.Join(l.root, filepath.FromSlash(prefix[:i]))
	}
	objs := []Object{}
	err := filepath.WalkDir(start, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil // start is missing, or a directory vanished meanwhile
			}
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		rel, err := filepath.Rel(l.root, p)
		if err != nil {
			return err
		}
		key := filepath.ToSlash(rel)
		if d.IsDir() {
			// Skip directories that cannot hold a match.
			if p != start && !strings.HasPrefix(key+"/", prefix) && !strings.HasPrefix(prefix, key+"/") {
				return fs.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || strings.HasPrefix(d.Name(), localTempPrefix) ||
			!strings.HasPrefix(key, prefix) || checkKey(key) != nil {
			return nil
		}
		fi, err := d.Info()
		if errors.Is(err, fs.ErrNotExist) {
			return nil // deleted meanwhile
		}
		if err != nil {
			return err
		}
		objs = append(objs, Object{Key: key, Size: fi.Size(), LastModified: fi.ModTime()})
		return nil
	})
	if err != nil {
		return nil, l.fail("list", prefix, err)
	}
	slices.SortFunc(objs, func(a, b Object) int { return strings.Compare(a.Key, b.Key) })
	return objs, nil
}

// DeletePrefix removes every object under prefix.
func (l *Local) DeletePrefix(ctx context.Context, prefix string) (int, error) {
	objs, err := l.List(ctx, prefix)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, o := range objs {
		if err := ctx.Err(); err != nil {
			return n, l.fail("delete", o.Key, err)
		}
		if err := l.remove(filepath.Join(l.root, filepath.FromSlash(o.Key))); err != nil {
			return n, l.fail("delete", o.Key, err)
		}
		n++
	}
	return n, nil
}

// ctxReader stops a copy once ctx is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
