package starrocks

import (
	"context"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"
	"time"
)

// objectStore is the storage the asynchronous jobs read and write: a local
// directory (file:///abs/dir) or an S3 bucket (s3://, s3a://) reached with
// the aws.s3.* properties of the statement. Keys are bucket keys for S3 and
// absolute paths for local directories.
type objectStore interface {
	// Create opens a new object for writing; it is visible after Close.
	Create(ctx context.Context, key string) (io.WriteCloser, error)
	// Open opens an object for reading.
	Open(ctx context.Context, key string) (io.ReadCloser, error)
	// List returns every object whose key starts with prefix, sorted by key.
	List(ctx context.Context, prefix string) ([]objectInfo, error)
	// Delete removes an object; a missing object is not an error.
	Delete(ctx context.Context, key string) error
	// Rename moves an object to a new key.
	Rename(ctx context.Context, from, to string) error
	// URL renders a key as the path a statement would name it by.
	URL(key string) string
}

// objectInfo describes one stored object.
type objectInfo struct {
	Key     string
	Size    int64
	ModTime time.Time
}

// location is a parsed storage path of a statement.
type location struct {
	Scheme string // "file", "s3", "s3a" or "s3n"
	Bucket string // S3 only
	Key    string // bucket key (S3) or absolute path (file)
}

// parseLocation splits a storage path. Only local directories and S3 are
// reachable from the simulator; other schemes StarRocks supports (hdfs://,
// oss://, gs://, ...) are refused with a message naming the simulator.
func parseLocation(raw string) (location, error) {
	i := strings.Index(raw, "://")
	if i <= 0 {
		return location{}, fmt.Errorf("Invalid path: %s, no scheme", raw)
	}
	scheme := strings.ToLower(raw[:i])
	rest := raw[i+3:]
	switch scheme {
	case "file":
		if !strings.HasPrefix(rest, "/") {
			return location{}, fmt.Errorf("Invalid path: %s, a file:// path must be absolute", raw)
		}
		return location{Scheme: scheme, Key: rest}, nil
	case "s3", "s3a", "s3n":
		bucket, key, _ := strings.Cut(rest, "/")
		if bucket == "" {
			return location{}, fmt.Errorf("Invalid path: %s, no bucket", raw)
		}
		return location{Scheme: scheme, Bucket: bucket, Key: key}, nil
	}
	return location{}, fmt.Errorf("Invalid path: %s, the StarRocks simulator reaches only file:// and s3:// (s3a://) storage", raw)
}

// openStore opens the store of a location with the statement's properties.
func openStore(ctx context.Context, loc location, props map[string]string) (objectStore, error) {
	if loc.Scheme == "file" {
		return fileStore{}, nil
	}
	return newS3Store(ctx, loc, props)
}

// hasGlob reports whether a key contains wildcard characters.
func hasGlob(key string) bool { return strings.ContainsAny(key, "*?[") }

// globPrefix is the listing prefix of a pattern: everything before the
// directory of the first wildcard.
func globPrefix(pattern string) string {
	i := strings.IndexAny(pattern, "*?[")
	if i < 0 {
		return pattern
	}
	j := strings.LastIndex(pattern[:i], "/")
	return pattern[:j+1]
}

// expandPattern lists the objects a DATA INFILE or FILES() path names: the
// object itself, every object matching a glob ('*' does not cross '/'), or,
// for a path ending in '/', every object below it. Directory markers and
// objects of size 0 whose key ends in '/' are skipped.
func expandPattern(ctx context.Context, st objectStore, key string) ([]objectInfo, error) {
	var prefix string
	switch {
	case hasGlob(key):
		prefix = globPrefix(key)
	default:
		prefix = key
	}
	objs, err := st.List(ctx, prefix)
	if err != nil {
		return nil, err
	}
	var out []objectInfo
	for _, o := range objs {
		if strings.HasSuffix(o.Key, "/") {
			continue
		}
		switch {
		case hasGlob(key):
			ok, err := path.Match(key, o.Key)
			if err != nil {
				return nil, fmt.Errorf("Invalid path pattern %s: %v", key, err)
			}
			if !ok {
				continue
			}
		case strings.HasSuffix(key, "/"):
			// every object below the directory
		case o.Key != key:
			continue
		}
		out = append(out, o)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

// readAll reads a whole object.
func readAll(ctx context.Context, st objectStore, key string) ([]byte, error) {
	r, err := st.Open(ctx, key)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r)
}

// writeAll writes a whole object.
func writeAll(ctx context.Context, st objectStore, key string, data []byte) error {
	w, err := st.Create(ctx, key)
	if err != nil {
		return err
	}
	if _, err := w.Write(data); err != nil {
		_ = w.Close()
		return err
	}
	return w.Close()
}

// joinKey joins a directory key and a name with exactly one '/'.
func joinKey(dir, name string) string {
	if dir == "" {
		return name
	}
	return strings.TrimSuffix(dir, "/") + "/" + name
}

// propMap turns properties into a map with the keys as given.
func propMap(props []property) map[string]string {
	m := make(map[string]string, len(props))
	for _, p := range props {
		m[p.Key] = p.Value
	}
	return m
}
