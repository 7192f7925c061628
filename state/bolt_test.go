package state_test

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.etcd.io/bbolt"

	"github.com/srplan/srplan/state"
)

func TestOpenBoltMissingFile(t *testing.T) {
	t.Parallel()
	tests := map[string]state.BoltOptions{
		"no create":        {},
		"read-only create": {ReadOnly: true, Create: true},
		"read-only":        {ReadOnly: true},
	}
	for name, opts := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "state.db")
			opts.SrplanVersion = testVersion
			b, err := state.OpenBolt(path, opts)
			if !errors.Is(err, state.ErrNoState) {
				if b != nil {
					_ = b.Close()
				}
				t.Fatalf("OpenBolt = %v, want ErrNoState", err)
			}
			if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("OpenBolt left a file behind: stat: %v", err)
			}
		})
	}
}

func TestOpenBoltCreates(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "a", "b")
	path := filepath.Join(dir, "state.db")
	b := openBolt(t, path, state.BoltOptions{Create: true})
	for p, want := range map[string]fs.FileMode{path: 0o600, dir: 0o700, filepath.Dir(dir): 0o700} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != want {
			t.Errorf("mode of %s = %v, want %v", p, fi.Mode().Perm(), want)
		}
	}
	m, err := b.Meta(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if m.FormatVersion != state.FormatVersion || m.Serial != 0 || m.Lineage == "" ||
		m.SrplanVersion != testVersion || m.CreatedAt.IsZero() || !m.UpgradedAt.IsZero() {
		t.Errorf("Meta of a new file = %+v", m)
	}
	if b.Path() != path {
		t.Errorf("Path() = %q, want %q", b.Path(), path)
	}
}

func TestOpenBoltBadOptions(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tests := map[string]struct {
		path string
		opts state.BoltOptions
		want string
	}{
		"no version":       {filepath.Join(dir, "a.db"), state.BoltOptions{Create: true}, "SrplanVersion is required"},
		"negative timeout": {filepath.Join(dir, "b.db"), state.BoltOptions{Create: true, SrplanVersion: "1", Timeout: -1}, "negative timeout"},
		"directory":        {dir, state.BoltOptions{Create: true, SrplanVersion: "1"}, "is a directory"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			b, err := state.OpenBolt(tc.path, tc.opts)
			if err == nil {
				_ = b.Close()
				t.Fatal("OpenBolt succeeded")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not say %q", err, tc.want)
			}
		})
	}
}

func TestBoltPersistsAcrossOpens(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "state.db")
	b, err := state.OpenBolt(path, state.BoltOptions{Create: true, SrplanVersion: "0.1.0"})
	if err != nil {
		t.Fatal(err)
	}
	p := &state.PartitionRecord{Table: "db.t", Partition: "p1", Stage: state.StageDone, Status: state.StatusOK}
	if err := b.Write(t.Context(), &state.Batch{PutPartitions: []*state.PartitionRecord{p}}); err != nil {
		t.Fatal(err)
	}
	first, err := b.Read(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o640); err != nil {
		t.Fatal(err)
	}

	b2 := openBolt(t, path, state.BoltOptions{SrplanVersion: "0.2.0"})
	again, err := b2.Read(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(first, again); diff != "" {
		t.Errorf("after reopen (-before +after):\n%s", diff)
	}
	if err := b2.Write(t.Context(), &state.Batch{DeletePartitions: []state.PartitionKey{p.Key()}}); err != nil {
		t.Fatal(err)
	}
	m, err := b2.Meta(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if m.Serial != 2 || m.SrplanVersion != "0.2.0" || m.Lineage != first.Meta.Lineage {
		t.Errorf("Meta after a write by 0.2.0 = %+v; want serial 2, version 0.2.0, lineage %s", m, first.Meta.Lineage)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o640 {
		t.Errorf("mode of an existing file changed: %v, %v", fi.Mode(), err)
	}
}

func TestBoltReadOnly(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "state.db")
	w := openBolt(t, path, state.BoltOptions{Create: true})
	p := &state.PartitionRecord{Table: "db.t", Partition: "p1"}
	if err := w.Write(t.Context(), &state.Batch{PutPartitions: []*state.PartitionRecord{p}}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}

	r1 := openBolt(t, path, state.BoltOptions{ReadOnly: true})
	r2 := openBolt(t, path, state.BoltOptions{ReadOnly: true}) // readers share the file lock
	for _, r := range []*state.Bolt{r1, r2} {
		if got, err := r.Partition(t.Context(), p.Key()); err != nil || got.Partition != "p1" {
			t.Errorf("read-only Partition = %v, %v", got, err)
		}
	}
	if err := r1.Write(t.Context(), &state.Batch{DeleteTables: []string{"db.t"}}); err == nil {
		t.Error("Write on a read-only open succeeded")
	}
	if _, err := r1.Lock(t.Context(), state.NewLockInfo("apply", testVersion)); err == nil {
		t.Error("Lock on a read-only open succeeded")
	}
	if err := r1.Unlock(t.Context(), "00"); err == nil {
		t.Error("Unlock on a read-only open succeeded")
	}
	_, err := state.OpenBolt(path, state.BoltOptions{SrplanVersion: testVersion, Timeout: 100 * time.Millisecond})
	if _, ok := errors.AsType[*state.LockError](err); !ok {
		t.Errorf("writable open next to readers = %v, want *LockError", err)
	}
}

// rawBolt creates path as a bbolt file filled by fill.
func rawBolt(t *testing.T, path string, fill func(tx *bbolt.Tx) error) {
	t.Helper()
	db, err := bbolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(fill); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}

// editBolt changes an existing state file behind srplan's back.
func editBolt(t *testing.T, path string, bucket, key, value string) {
	t.Helper()
	rawBolt(t, path, func(tx *bbolt.Tx) error {
		return tx.Bucket([]byte(bucket)).Put([]byte(key), []byte(value))
	})
}

func TestOpenBoltUnusable(t *testing.T) {
	t.Parallel()
	// newState creates a valid state with one partition.
	newState := func(t *testing.T, path string) {
		b, err := state.OpenBolt(path, state.BoltOptions{Create: true, SrplanVersion: "0.1.0"})
		if err != nil {
			t.Fatal(err)
		}
		p := &state.PartitionRecord{Table: "db.t", Partition: "p1"}
		if err := b.Write(t.Context(), &state.Batch{PutPartitions: []*state.PartitionRecord{p}}); err != nil {
			t.Fatal(err)
		}
		if err := b.Close(); err != nil {
			t.Fatal(err)
		}
	}
	tests := map[string]struct {
		make func(t *testing.T, path string)
		want string
	}{
		"text file": {
			make: func(t *testing.T, path string) { writeFile(t, path, strings.Repeat("lineage = 1\n", 2000)) },
			want: "not a srplan state file: invalid database",
		},
		"short file": {
			make: func(t *testing.T, path string) { writeFile(t, path, "{}") },
			want: "not a srplan state file",
		},
		"other bbolt file": {
			make: func(t *testing.T, path string) {
				rawBolt(t, path, func(tx *bbolt.Tx) error { _, err := tx.CreateBucket([]byte("jobs")); return err })
			},
			want: "not a srplan state file: no meta bucket",
		},
		"meta without format": {
			make: func(t *testing.T, path string) {
				rawBolt(t, path, func(tx *bbolt.Tx) error { _, err := tx.CreateBucket([]byte("meta")); return err })
			},
			want: "meta has no format_version",
		},
		"bad format JSON": {
			make: func(t *testing.T, path string) { newState(t, path); editBolt(t, path, "meta", "format_version", "one") },
			want: "meta format_version: invalid character",
		},
		"bad serial JSON": {
			make: func(t *testing.T, path string) { newState(t, path); editBolt(t, path, "meta", "serial", `"7"`) },
			want: "meta serial: json: cannot unmarshal string",
		},
		"empty lineage": {
			make: func(t *testing.T, path string) { newState(t, path); editBolt(t, path, "meta", "lineage", `""`) },
			want: "meta lineage is empty",
		},
		"newer format": {
			make: func(t *testing.T, path string) {
				newState(t, path)
				editBolt(t, path, "meta", "format_version", "7")
				editBolt(t, path, "meta", "srplan_version", `"9.9.0"`)
			},
			want: "state %s is unusable: it was written by srplan 9.9.0 (format 7); this srplan 0.1.0-test reads format 1 or older: upgrade srplan",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "state.db")
			tc.make(t, path)
			for _, ro := range []bool{false, true} {
				b, err := state.OpenBolt(path, state.BoltOptions{SrplanVersion: testVersion, ReadOnly: ro})
				if err == nil {
					_ = b.Close()
					t.Fatalf("OpenBolt(read-only %v) succeeded", ro)
				}
				ue, ok := errors.AsType[*state.UnusableError](err)
				if !ok || ue.Path != path {
					t.Fatalf("OpenBolt(read-only %v) = %v, want *UnusableError for %s", ro, err, path)
				}
				want := tc.want
				if strings.Contains(want, "%s") {
					want = strings.Replace(want, "%s", path, 1)
				}
				if !strings.Contains(err.Error(), want) {
					t.Errorf("OpenBolt(read-only %v) = %q, want it to say %q", ro, err, want)
				}
			}
		})
	}
}

func TestBoltReadCorruptRecord(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "state.db")
	b := openBolt(t, path, state.BoltOptions{Create: true})
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	rec, _ := json.Marshal(&state.PartitionRecord{Table: "db.t", Partition: "p2"})
	editBolt(t, path, "partitions", "db.t\x00p1", string(rec)) // key and record disagree
	editBolt(t, path, "tables", "db.t", "{")

	b = openBolt(t, path, state.BoltOptions{})
	_, err := b.Read(t.Context())
	if _, ok := errors.AsType[*state.UnusableError](err); !ok {
		t.Errorf("Read = %v, want *UnusableError", err)
	}
	_, err = b.Partition(t.Context(), state.PartitionKey{Table: "db.t", Partition: "p1"})
	if ue, ok := errors.AsType[*state.UnusableError](err); !ok || !strings.Contains(ue.Error(), "names db.t p2") {
		t.Errorf("Partition = %v, want *UnusableError about the key", err)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
