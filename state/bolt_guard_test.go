package state_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/srplan/srplan/state"
)

// TestOpenBoltDamagedFile: a state file cut short or with scrambled pages
// is reported as an *UnusableError (it used to crash the process with
// SIGBUS inside bbolt), read-only or not, and the file is left as it was.
func TestOpenBoltDamagedFile(t *testing.T) {
	t.Parallel()
	// newState writes enough partitions to fill many pages.
	newState := func(t *testing.T, path string) int64 {
		t.Helper()
		b := openBolt(t, path, state.BoltOptions{Create: true})
		var batch state.Batch
		for i := range 400 {
			batch.PutPartitions = append(batch.PutPartitions, &state.PartitionRecord{
				Table: "db.t", Partition: fmt.Sprintf("p%04d", i), LastError: strings.Repeat("x", 200)})
		}
		if err := b.Write(t.Context(), &batch); err != nil {
			t.Fatal(err)
		}
		if err := b.Close(); err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	tests := map[string]struct {
		damage func(t *testing.T, path string, size int64)
		want   string
	}{
		"truncated to half": {
			damage: func(t *testing.T, path string, size int64) { truncate(t, path, size/2) },
			want:   "the file is truncated",
		},
		"truncated after the meta pages": {
			damage: func(t *testing.T, path string, _ int64) { truncate(t, path, int64(4*os.Getpagesize())) },
			want:   "the file is truncated",
		},
		"scrambled pages": {
			damage: func(t *testing.T, path string, size int64) {
				f, err := os.OpenFile(path, os.O_WRONLY, 0)
				if err != nil {
					t.Fatal(err)
				}
				defer f.Close()
				junk := make([]byte, size-int64(2*os.Getpagesize()))
				r := rand.New(rand.NewPCG(1, 2))
				for i := range junk {
					junk[i] = byte(r.Uint32())
				}
				if _, err := f.WriteAt(junk, int64(2*os.Getpagesize())); err != nil {
					t.Fatal(err)
				}
			},
			want: "unusable",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "state.db")
			size := newState(t, path)
			tc.damage(t, path, size)
			before, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			for _, ro := range []bool{true, false} {
				err := openAndRead(t, path, ro)
				if err == nil {
					t.Fatalf("open and read (read-only %v) of a damaged file succeeded", ro)
				}
				if _, ok := errors.AsType[*state.UnusableError](err); !ok || !strings.Contains(err.Error(), tc.want) {
					t.Errorf("open and read (read-only %v) = %v, want *UnusableError saying %q", ro, err, tc.want)
				}
			}
			after, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if string(before) != string(after) {
				t.Errorf("the damaged file was changed")
			}
		})
	}
}

// openAndRead opens path and reads every record.
func openAndRead(t *testing.T, path string, readOnly bool) error {
	t.Helper()
	b, err := state.OpenBolt(path, state.BoltOptions{SrplanVersion: testVersion, ReadOnly: readOnly})
	if err != nil {
		return err
	}
	defer b.Close()
	_, err = b.Read(t.Context())
	return err
}

func truncate(t *testing.T, path string, size int64) {
	t.Helper()
	if err := os.Truncate(path, size); err != nil {
		t.Fatal(err)
	}
}
