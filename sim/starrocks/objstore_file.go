package starrocks

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// fileStore is a local directory tree addressed by absolute paths
// (file:///abs/dir/...). StarRocks reads file:// paths on NFS mounts shared
// by every node; the simulator is a single process, so it uses them as is.
type fileStore struct{}

var _ objectStore = fileStore{}

// Create implements objectStore. The file is written under a temporary
// name and renamed on Close, so readers never see half a file.
func (fileStore) Create(_ context.Context, key string) (io.WriteCloser, error) {
	if err := os.MkdirAll(filepath.Dir(key), 0o755); err != nil {
		return nil, fileError("create", key, err)
	}
	f, err := os.CreateTemp(filepath.Dir(key), "."+filepath.Base(key)+".tmp*")
	if err != nil {
		return nil, fileError("create", key, err)
	}
	return &fileWriter{f: f, key: key}, nil
}

type fileWriter struct {
	f   *os.File
	key string
}

func (w *fileWriter) Write(p []byte) (int, error) { return w.f.Write(p) }

func (w *fileWriter) Close() error {
	if err := w.f.Close(); err != nil {
		_ = os.Remove(w.f.Name())
		return fileError("write", w.key, err)
	}
	if err := os.Rename(w.f.Name(), w.key); err != nil {
		_ = os.Remove(w.f.Name())
		return fileError("write", w.key, err)
	}
	return nil
}

// Open implements objectStore.
func (fileStore) Open(_ context.Context, key string) (io.ReadCloser, error) {
	f, err := os.Open(key)
	if err != nil {
		return nil, fileError("open", key, err)
	}
	return f, nil
}

// List implements objectStore: a recursive walk of the directory holding
// prefix, keeping paths that start with it. Temporary files of unfinished
// writes are skipped.
func (fileStore) List(_ context.Context, prefix string) ([]objectInfo, error) {
	root := prefix
	if !strings.HasSuffix(root, "/") {
		root = filepath.Dir(root)
	}
	var out []objectInfo
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if d.IsDir() {
			return nil
		}
		if !strings.HasPrefix(p, prefix) || strings.Contains(filepath.Base(p), ".tmp") && strings.HasPrefix(filepath.Base(p), ".") {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return nil
		}
		out = append(out, objectInfo{Key: p, Size: info.Size(), ModTime: info.ModTime()})
		return nil
	})
	if err != nil {
		return nil, fileError("list", prefix, err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

// Delete implements objectStore.
func (fileStore) Delete(_ context.Context, key string) error {
	if err := os.Remove(key); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fileError("delete", key, err)
	}
	return nil
}

// Rename implements objectStore.
func (fileStore) Rename(_ context.Context, from, to string) error {
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		return fileError("rename", to, err)
	}
	if err := os.Rename(from, to); err != nil {
		return fileError("rename", from, err)
	}
	return nil
}

// URL implements objectStore.
func (fileStore) URL(key string) string { return "file://" + key }

// removeDir removes an empty directory left by a job (best effort).
func (fileStore) removeDir(dir string) { _ = os.Remove(strings.TrimSuffix(dir, "/")) }

// fileError renders a local file failure the way the broker reports it.
func fileError(op, key string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return fmt.Errorf("failed to %s file://%s: %v", op, key, err)
}
