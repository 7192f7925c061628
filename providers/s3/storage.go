package s3

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/srplan/srplan/lang"
)

// ErrNotFound is returned, wrapped, by Get, Stat and Open when the object
// does not exist, and by ReadManifest when a directory has no manifest.
// Test for it with errors.Is.
var ErrNotFound = errors.New("object not found")

// Object describes one stored object.
type Object struct {
	// Key is relative to the storage's prefix ('/'-separated, no leading '/').
	Key string
	// Size in bytes.
	Size int64
	// ETag is the S3 entity tag without its quotes; empty for local storage.
	// It is opaque: compare ETags only between objects of one S3 service.
	ETag string
	// MD5 is the lowercase hex MD5 of the content when the backend knows it
	// for certain, else empty. The S3 backend fills it from Stat and Open
	// for single-part objects without KMS or customer-key encryption (whose
	// ETag is not an MD5); List leaves it empty because a listing does not
	// say how an object is encrypted. Copy uses it to verify transfers.
	MD5 string
	// LastModified is the modification time the backend reports.
	LastModified time.Time
}

// Storage is a staging area: an S3 bucket and prefix (NewS3) or a local
// directory (NewLocal). Keys are relative to the storage's prefix,
// '/'-separated, valid UTF-8, and never start or end with '/'; no segment
// is empty, "." or "..". Methods given an invalid key fail without touching
// the storage. Every method is safe for concurrent use.
type Storage interface {
	// URL returns the URL StarRocks uses to reach key: for S3
	// "s3://bucket/prefix/key" (keeping the s3:// or s3a:// scheme of the
	// storage's URL), for local storage "file:///abs/dir/key". The key is
	// not validated, may name a directory ("dir/" gives a URL ending in
	// '/') and is written verbatim, without percent-encoding.
	URL(key string) string
	// List returns every object whose key starts with prefix (a plain
	// string prefix, as in S3: "a/b" matches "a/b/c" and "a/bc"), at any
	// depth, sorted by key. The empty prefix lists the whole storage. A
	// prefix must not start with '/' and its complete segments follow the
	// key rules. Objects are not returned with MD5, and objects whose
	// keys break the key rules (such as S3 "dir/" markers) are left out.
	List(ctx context.Context, prefix string) ([]Object, error)
	// Stat returns the object at key, or an error wrapping ErrNotFound.
	Stat(ctx context.Context, key string) (Object, error)
	// Get returns the content of the object at key, read whole into
	// memory (meant for manifests and other small objects; use Open for
	// data files), or an error wrapping ErrNotFound.
	Get(ctx context.Context, key string) ([]byte, error)
	// Open returns a reader of the object at key and its description, or
	// an error wrapping ErrNotFound. The caller must close the reader.
	Open(ctx context.Context, key string) (io.ReadCloser, Object, error)
	// Put stores data at key, replacing any object there. The object
	// appears whole or not at all.
	Put(ctx context.Context, key string, data []byte) error
	// PutReader stores everything read from r at key, replacing any object
	// there, without holding the whole content in memory. The object
	// appears only once r is exhausted and the write succeeded; when r or
	// the write fails nothing is left at key (an existing object stays).
	PutReader(ctx context.Context, key string, r io.Reader) error
	// Delete removes the object at key; a missing object is not an error.
	Delete(ctx context.Context, key string) error
	// DeletePrefix removes every object List(prefix) would return (for
	// S3 also objects List leaves out for their invalid keys) and reports
	// how many it removed. The empty prefix empties the storage.
	DeletePrefix(ctx context.Context, prefix string) (int, error)
	// StarRocksProperties returns the aws.s3.* properties StarRocks needs
	// to reach this storage in EXPORT, INSERT INTO FILES, FILES() and
	// Broker Load statements; local storage returns an empty map. The
	// values include real credentials when the storage has static keys:
	// render the map through RedactProperties in anything shown, logged
	// or saved, and pass the raw values only into the statement sent to
	// StarRocks.
	StarRocksProperties() map[string]string
}

// New opens the storage an HCL storage block describes: NewS3 for type
// "s3", NewLocalURL for type "local".
func New(ctx context.Context, st *lang.Storage) (Storage, error) {
	if st == nil {
		return nil, errors.New("s3: open storage: no storage block")
	}
	switch st.Type {
	case lang.StorageS3:
		return NewS3(ctx, st)
	case lang.StorageLocal:
		l, err := NewLocalURL(st.URL)
		if err != nil {
			return nil, fmt.Errorf("storage %q: %w", st.Name, err)
		}
		return l, nil
	default:
		return nil, fmt.Errorf("storage %q: unknown storage type %q: use s3 or local", st.Name, st.Type)
	}
}

// secretPropertyParts are substrings of property names whose values are
// credentials.
var secretPropertyParts = []string{"access_key", "secret", "password", "token", "credential"}

// Redacted replaces credential values in the output of RedactProperties.
const Redacted = "***"

// RedactProperties returns a copy of props in which the value of every
// credential property (aws.s3.access_key, aws.s3.secret_key and any name
// containing "secret", "password", "token" or "credential") is Redacted.
// Use it wherever storage properties are printed, logged or saved.
func RedactProperties(props map[string]string) map[string]string {
	out := maps.Clone(props)
	for k := range out {
		name := strings.ToLower(k)
		for _, part := range secretPropertyParts {
			if strings.Contains(name, part) {
				out[k] = Redacted
				break
			}
		}
	}
	return out
}

// checkKey returns an error when key breaks the key rules of Storage.
func checkKey(key string) error {
	if key == "" {
		return errors.New("invalid key: empty")
	}
	if strings.HasSuffix(key, "/") {
		return fmt.Errorf("invalid key %q: ends with '/'", key)
	}
	return checkSegments(key, key)
}

// checkPrefix returns an error when prefix breaks the prefix rules of
// Storage.List: its complete segments (all but the text after the last
// '/') follow the key rules.
func checkPrefix(prefix string) error {
	if prefix == "" {
		return nil
	}
	i := strings.LastIndexByte(prefix, '/')
	if i < 0 {
		return checkText(prefix, prefix)
	}
	if err := checkSegments(prefix[:i], prefix); err != nil {
		return err
	}
	return checkText(prefix[i+1:], prefix)
}

// checkSegments checks the '/'-separated segments of s, which is part of
// whole.
func checkSegments(s, whole string) error {
	if strings.HasPrefix(s, "/") {
		return fmt.Errorf("invalid key %q: starts with '/'", whole)
	}
	for seg := range strings.SplitSeq(s, "/") {
		switch seg {
		case "":
			return fmt.Errorf("invalid key %q: empty segment", whole)
		case ".", "..":
			return fmt.Errorf("invalid key %q: segment %q", whole, seg)
		}
	}
	return checkText(s, whole)
}

// checkText rejects invalid UTF-8 and NUL bytes.
func checkText(s, whole string) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("invalid key %q: not valid UTF-8", whole)
	}
	if strings.IndexByte(s, 0) >= 0 {
		return fmt.Errorf("invalid key %q: contains NUL", whole)
	}
	return nil
}

// joinKey joins a storage prefix ("" or without surrounding '/') and a key.
func joinKey(prefix, key string) string {
	if prefix == "" {
		return key
	}
	return prefix + "/" + key
}
