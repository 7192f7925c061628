package s3

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// storageSuite checks the Storage contract; every backend must pass it.
// It uses keys under "suite/" only.
func storageSuite(t *testing.T, s Storage) {
	ctx := context.Background()
	put := func(t *testing.T, key, data string) {
		t.Helper()
		if err := s.Put(ctx, key, []byte(data)); err != nil {
			t.Fatalf("Put(%q): %v", key, err)
		}
	}
	listKeys := func(t *testing.T, prefix string) map[string]int64 {
		t.Helper()
		objs, err := s.List(ctx, prefix)
		if err != nil {
			t.Fatalf("List(%q): %v", prefix, err)
		}
		got := map[string]int64{}
		for _, o := range objs {
			got[o.Key] = o.Size
		}
		return got
	}

	t.Run("put get stat", func(t *testing.T) {
		start := time.Now().Add(-time.Minute)
		put(t, "suite/pg/a.txt", "first")
		put(t, "suite/pg/a.txt", "second value") // overwrite
		got, err := s.Get(ctx, "suite/pg/a.txt")
		if err != nil || string(got) != "second value" {
			t.Fatalf("Get = %q, %v; want %q", got, err, "second value")
		}
		obj, err := s.Stat(ctx, "suite/pg/a.txt")
		if err != nil {
			t.Fatalf("Stat: %v", err)
		}
		if obj.Key != "suite/pg/a.txt" || obj.Size != 12 || obj.LastModified.Before(start) {
			t.Errorf("Stat = %+v; want key suite/pg/a.txt, size 12, modified after %v", obj, start)
		}
		put(t, "suite/pg/empty", "")
		if got, err := s.Get(ctx, "suite/pg/empty"); err != nil || len(got) != 0 {
			t.Errorf("Get(empty) = %q, %v", got, err)
		}
	})

	t.Run("missing objects", func(t *testing.T) {
		for name, op := range map[string]func() error{
			"get":  func() error { _, err := s.Get(ctx, "suite/missing/x"); return err },
			"stat": func() error { _, err := s.Stat(ctx, "suite/missing/x"); return err },
			"open": func() error { _, _, err := s.Open(ctx, "suite/missing/x"); return err },
		} {
			t.Run(name, func(t *testing.T) {
				err := op()
				if !errors.Is(err, ErrNotFound) {
					t.Fatalf("err = %v; want ErrNotFound", err)
				}
				if IsRetryable(err) {
					t.Errorf("IsRetryable(%v) = true", err)
				}
			})
		}
		if err := s.Delete(ctx, "suite/missing/x"); err != nil {
			t.Errorf("Delete(missing) = %v; want nil", err)
		}
	})

	t.Run("list is recursive sorted and prefix based", func(t *testing.T) {
		for _, k := range []string{"suite/ls/b/2", "suite/ls/a", "suite/ls/b/1/x", "suite/ls/b.c", "suite/ls/bb", "suite/lsx"} {
			put(t, k, k)
		}
		tests := map[string][]string{
			"suite/ls/":   {"suite/ls/a", "suite/ls/b.c", "suite/ls/b/1/x", "suite/ls/b/2", "suite/ls/bb"},
			"suite/ls/b":  {"suite/ls/b.c", "suite/ls/b/1/x", "suite/ls/b/2", "suite/ls/bb"},
			"suite/ls":    {"suite/ls/a", "suite/ls/b.c", "suite/ls/b/1/x", "suite/ls/b/2", "suite/ls/bb", "suite/lsx"},
			"suite/ls/b/": {"suite/ls/b/1/x", "suite/ls/b/2"},
			"suite/ls/z":  {},
			"suite/none/": {},
		}
		for prefix, want := range tests {
			t.Run(prefix, func(t *testing.T) {
				objs, err := s.List(ctx, prefix)
				if err != nil {
					t.Fatalf("List: %v", err)
				}
				got := []string{}
				for _, o := range objs {
					got = append(got, o.Key)
					if o.Size != int64(len(o.Key)) {
						t.Errorf("%s: size %d, want %d", o.Key, o.Size, len(o.Key))
					}
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("List(%q) keys (-want +got):\n%s", prefix, diff)
				}
			})
		}
	})

	t.Run("list agrees with stat", func(t *testing.T) {
		put(t, "suite/agree/x", "hello")
		objs, err := s.List(ctx, "suite/agree/")
		if err != nil || len(objs) != 1 {
			t.Fatalf("List = %v, %v", objs, err)
		}
		st, err := s.Stat(ctx, "suite/agree/x")
		if err != nil {
			t.Fatal(err)
		}
		// List does not know MD5s; S3 reports times at second precision.
		opts := cmp.Options{cmpopts.IgnoreFields(Object{}, "MD5"), cmpopts.EquateApproxTime(time.Second)}
		if diff := cmp.Diff(st, objs[0], opts); diff != "" {
			t.Errorf("List vs Stat (-stat +list):\n%s", diff)
		}
	})

	t.Run("delete and delete prefix", func(t *testing.T) {
		for i := range 5 {
			put(t, fmt.Sprintf("suite/del/d/%d", i), "x")
		}
		put(t, "suite/del/keep", "x")
		put(t, "suite/del/dx", "x")
		if err := s.Delete(ctx, "suite/del/d/0"); err != nil {
			t.Fatalf("Delete: %v", err)
		}
		if _, err := s.Stat(ctx, "suite/del/d/0"); !errors.Is(err, ErrNotFound) {
			t.Errorf("Stat after Delete = %v; want ErrNotFound", err)
		}
		n, err := s.DeletePrefix(ctx, "suite/del/d/")
		if err != nil || n != 4 {
			t.Fatalf("DeletePrefix = %d, %v; want 4", n, err)
		}
		want := map[string]int64{"suite/del/keep": 1, "suite/del/dx": 1}
		if diff := cmp.Diff(want, listKeys(t, "suite/del/")); diff != "" {
			t.Errorf("after DeletePrefix (-want +got):\n%s", diff)
		}
		if n, err := s.DeletePrefix(ctx, "suite/del/d/"); err != nil || n != 0 {
			t.Errorf("second DeletePrefix = %d, %v; want 0", n, err)
		}
		// A directory emptied by deletes can be written to again.
		put(t, "suite/del/d/again", "x")
	})

	t.Run("stream", func(t *testing.T) {
		data := bytes.Repeat([]byte("0123456789abcdef"), 64<<10) // 1 MiB
		if err := s.PutReader(ctx, "suite/stream/big", onlyReader{bytes.NewReader(data)}); err != nil {
			t.Fatalf("PutReader: %v", err)
		}
		rc, obj, err := s.Open(ctx, "suite/stream/big")
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		got, err := io.ReadAll(rc)
		rc.Close()
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("read %d bytes, %v; want the %d written", len(got), err, len(data))
		}
		if obj.Key != "suite/stream/big" || obj.Size != int64(len(data)) {
			t.Errorf("Open object = %+v", obj)
		}
	})

	t.Run("failed stream leaves nothing", func(t *testing.T) {
		put(t, "suite/fail/old", "old")
		boom := errors.New("reader broke")
		for _, key := range []string{"suite/fail/new", "suite/fail/old"} {
			r := io.MultiReader(bytes.NewReader(make([]byte, 1000)), errReader{boom})
			if err := s.PutReader(ctx, key, r); !errors.Is(err, boom) {
				t.Errorf("PutReader(%s) = %v; want %v", key, err, boom)
			}
		}
		want := map[string]int64{"suite/fail/old": 3}
		if diff := cmp.Diff(want, listKeys(t, "suite/fail/")); diff != "" {
			t.Errorf("after failed writes (-want +got):\n%s", diff)
		}
	})

	t.Run("hostile keys round trip", func(t *testing.T) {
		keys := []string{
			"suite/" + ExportDir("job 1", `d"b`, "t/a b", "..", 7) + "data_0.csv",
			"suite/unicode/表/ü ß/%41%2F",
			"suite/odd/a+b=c&d@e:f;g,h$i!j'k(l)m*n~o",
			"suite/odd/.hidden/..x/...",
		}
		for _, k := range keys {
			put(t, k, k)
			got, err := s.Get(ctx, k)
			if err != nil || string(got) != k {
				t.Errorf("Get(%q) = %q, %v", k, got, err)
			}
		}
		for _, k := range keys {
			if err := s.Delete(ctx, k); err != nil {
				t.Errorf("Delete(%q): %v", k, err)
			}
		}
	})

	t.Run("invalid keys", func(t *testing.T) {
		for _, k := range []string{"", "/a", "a/", "a//b", "../a", "a/../b", "a/./b", ".", "bad\xffutf8", "nul\x00"} {
			if err := s.Put(ctx, k, []byte("x")); err == nil {
				t.Errorf("Put(%q) succeeded", k)
			}
			if _, err := s.Get(ctx, k); err == nil || errors.Is(err, ErrNotFound) {
				t.Errorf("Get(%q) = %v; want an invalid key error", k, err)
			}
		}
		for _, p := range []string{"/a", "a//", "../", "a/../"} {
			if _, err := s.List(ctx, p); err == nil {
				t.Errorf("List(%q) succeeded", p)
			}
			if _, err := s.DeletePrefix(ctx, p); err == nil {
				t.Errorf("DeletePrefix(%q) succeeded", p)
			}
		}
	})

	t.Run("cancelled context", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if err := s.Put(cctx, "suite/cancel/x", []byte("x")); !errors.Is(err, context.Canceled) {
			t.Errorf("Put = %v; want context.Canceled", err)
		}
		if _, err := s.List(cctx, "suite/"); !errors.Is(err, context.Canceled) {
			t.Errorf("List = %v; want context.Canceled", err)
		}
		if _, err := s.Stat(ctx, "suite/cancel/x"); !errors.Is(err, ErrNotFound) {
			t.Errorf("Stat after cancelled Put = %v; want ErrNotFound", err)
		}
	})

	t.Run("concurrent writers and deleters", func(t *testing.T) {
		var wg sync.WaitGroup
		errs := make(chan error, 64)
		for w := range 4 {
			wg.Go(func() {
				for i := range 8 {
					key := fmt.Sprintf("suite/conc/d%d/%d/f", i%2, w)
					if err := s.Put(ctx, key, []byte(key)); err != nil {
						errs <- err
						return
					}
					if i%2 == 1 {
						if err := s.Delete(ctx, key); err != nil {
							errs <- err
							return
						}
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		got := slices.Sorted(func(yield func(string) bool) {
			for k := range listKeys(t, "suite/conc/") {
				if !yield(k) {
					return
				}
			}
		})
		want := []string{"suite/conc/d0/0/f", "suite/conc/d0/1/f", "suite/conc/d0/2/f", "suite/conc/d0/3/f"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("keys after concurrent work (-want +got):\n%s", diff)
		}
	})

	t.Run("delete everything", func(t *testing.T) {
		if _, err := s.DeletePrefix(ctx, ""); err != nil {
			t.Fatalf("DeletePrefix(\"\"): %v", err)
		}
		if got := listKeys(t, ""); len(got) != 0 {
			t.Errorf("List after DeletePrefix(\"\") = %v", got)
		}
	})
}

// onlyReader hides every method but Read (no Seek, no WriterTo), as a
// network stream would.
type onlyReader struct{ r io.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }

// errReader fails every read.
type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }
