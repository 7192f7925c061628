package state_test

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.etcd.io/bbolt"

	"github.com/srplan/srplan/state"
)

var updateFixtures = flag.Bool("update-fixtures", false, "rewrite testdata/v0.db")

const v0Fixture = "testdata/v0.db"

// v0Content is the content of testdata/v0.db, in format 0: bucket -> key -> value.
var v0Content = map[string]map[string]string{
	"meta": {
		"serial":  `7`,
		"version": `"0.0.9"`,
	},
	"tables": {
		"sales.orders": `{"source":"sales.orders","target":"sales_new.orders","created":true,"updated":"2024-11-02T08:00:00Z"}`,
		"sales.items":  `{"source":"sales.items","target":"sales.items","updated":"2024-11-02T08:00:01.5+08:00"}`,
	},
	"records": {
		"sales.orders/p20241101": `{"tbl":"sales.orders","part":"p20241101","version":12,"version_time":"2024-11-01T23:59:59Z",` +
			`"method":"export","stage":"done","status":"ok","path":"s3://b/j/sales/orders/p20241101/v12/",` +
			`"labels":["srplan_orders_p20241101_1"],"rows":1000,"bytes":65536,"verified_rows":1000,` +
			`"created":"2024-11-02T07:00:00Z","updated":"2024-11-02T07:30:00Z"}`,
		"sales.orders/p20241102": `{"tbl":"sales.orders","part":"p20241102","version":5,"method":"export",` +
			`"stage":"loading","status":"error","attempts":2,"error":"Label [srplan_x] has already been used",` +
			`"created":"2024-11-02T07:00:00Z","updated":"2024-11-02T07:40:00Z"}`,
		"sales.items/p1": `{"tbl":"sales.items","part":"p1","version":1,"stage":"planned","status":"pending",` +
			`"created":"2024-11-02T07:00:00Z","updated":"2024-11-02T07:00:00Z"}`,
	},
}

// v0Lineage is the lineage format 0 content yields. It must never change:
// a plan saved before an upgrade carries it.
const v0Lineage = "b932ff2e-daaa-4bb1-553c-958f92786239"

// v0Upgraded is v0Content in format 1.
func v0Upgraded() *state.Snapshot {
	ts := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			panic(err)
		}
		return v
	}
	done := &state.PartitionRecord{
		Table: "sales.orders", Partition: "p20241101",
		Fingerprint: state.Fingerprint{VisibleVersion: 12, VisibleVersionTime: ts("2024-11-01T23:59:59Z")},
		Method:      "export", Stage: state.StageDone, Status: state.StatusOK,
		ExportPath: "s3://b/j/sales/orders/p20241101/v12/",
		Labels:     []string{"srplan_orders_p20241101_1"},
		Rows:       1000, Bytes: 65536,
		VerifySource: &state.VerifyResult{Mode: "count", RowCount: 1000, At: ts("2024-11-02T07:30:00Z")},
		VerifyTarget: &state.VerifyResult{Mode: "count", RowCount: 1000, At: ts("2024-11-02T07:30:00Z")},
		CreatedAt:    ts("2024-11-02T07:00:00Z"), UpdatedAt: ts("2024-11-02T07:30:00Z"),
	}
	failed := &state.PartitionRecord{
		Table: "sales.orders", Partition: "p20241102",
		Fingerprint: state.Fingerprint{VisibleVersion: 5},
		Method:      "export", Stage: state.StageLoading, Status: state.StatusFailed,
		Attempts: 2, LastError: "Label [srplan_x] has already been used",
		CreatedAt: ts("2024-11-02T07:00:00Z"), UpdatedAt: ts("2024-11-02T07:40:00Z"),
	}
	planned := &state.PartitionRecord{
		Table: "sales.items", Partition: "p1",
		Fingerprint: state.Fingerprint{VisibleVersion: 1},
		Stage:       state.StagePlanned, Status: state.StatusPending,
		CreatedAt: ts("2024-11-02T07:00:00Z"), UpdatedAt: ts("2024-11-02T07:00:00Z"),
	}
	return &state.Snapshot{
		Meta: state.Meta{FormatVersion: 1, Lineage: v0Lineage, Serial: 7, SrplanVersion: testVersion},
		Tables: map[string]*state.TableRecord{
			"sales.orders": {Table: "sales.orders", Target: "sales_new.orders", CreatedTarget: true, UpdatedAt: ts("2024-11-02T08:00:00Z")},
			"sales.items":  {Table: "sales.items", Target: "sales.items", UpdatedAt: ts("2024-11-02T08:00:01.5+08:00")},
		},
		Partitions: map[state.PartitionKey]*state.PartitionRecord{
			done.Key(): done, failed.Key(): failed, planned.Key(): planned,
		},
	}
}

// TestWriteV0Fixture rewrites testdata/v0.db from v0Content when run with
// -update-fixtures.
func TestWriteV0Fixture(t *testing.T) {
	if !*updateFixtures {
		t.Skip("run with -update-fixtures to rewrite " + v0Fixture)
	}
	if err := os.Remove(v0Fixture); err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	rawBolt(t, v0Fixture, func(tx *bbolt.Tx) error {
		for bucket, kvs := range v0Content {
			b, err := tx.CreateBucket([]byte(bucket))
			if err != nil {
				return err
			}
			for k, v := range kvs {
				if err := b.Put([]byte(k), []byte(v)); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// copyFixture copies the v0 fixture into a temporary directory; tests
// never open the fixture itself.
func copyFixture(t *testing.T) (path string, content []byte) {
	t.Helper()
	content, err := os.ReadFile(v0Fixture)
	if err != nil {
		t.Fatal(err)
	}
	path = filepath.Join(t.TempDir(), "state.db")
	if err := os.WriteFile(path, content, 0o600); err != nil {
		t.Fatal(err)
	}
	return path, content
}

// ignoreUpgradedAt leaves UpgradedAt out of Meta comparisons.
var ignoreUpgradedAt = cmp.FilterPath(func(p cmp.Path) bool { return p.String() == "Meta.UpgradedAt" }, cmp.Ignore())

func TestUpgradeV0OnDisk(t *testing.T) {
	t.Parallel()
	path, _ := copyFixture(t)
	start := time.Now().Add(-time.Second)
	b, err := state.OpenBolt(path, state.BoltOptions{SrplanVersion: testVersion})
	if err != nil {
		t.Fatal(err)
	}
	s, err := b.Read(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(v0Upgraded(), s, ignoreUpgradedAt); diff != "" {
		t.Errorf("upgraded state (-want +got):\n%s", diff)
	}
	if s.Meta.UpgradedAt.Before(start) {
		t.Errorf("UpgradedAt = %v, want the time of the upgrade", s.Meta.UpgradedAt)
	}
	if h, err := b.Holder(t.Context()); err != nil || h != nil {
		t.Errorf("Holder = %v, %v; want none", h, err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}

	// The file is in format 1 now: a read-only open reads it as is, and
	// the upgrade is not repeated.
	ro := openBolt(t, path, state.BoltOptions{ReadOnly: true})
	again, err := ro.Read(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(s, again); diff != "" {
		t.Errorf("reopened (-first +again):\n%s", diff)
	}
}

func TestUpgradeV0InMemory(t *testing.T) {
	t.Parallel()
	path, content := copyFixture(t)
	ro := openBolt(t, path, state.BoltOptions{ReadOnly: true})
	s, err := ro.Read(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(v0Upgraded(), s, ignoreUpgradedAt); diff != "" {
		t.Errorf("state upgraded in memory (-want +got):\n%s", diff)
	}
	p, err := ro.Partition(t.Context(), state.PartitionKey{Table: "sales.items", Partition: "p1"})
	if err != nil || p.Stage != state.StagePlanned {
		t.Errorf("Partition = %v, %v", p, err)
	}
	if _, err := ro.Partition(t.Context(), state.PartitionKey{Table: "sales.items", Partition: "p2"}); !errors.Is(err, state.ErrNotFound) {
		t.Errorf("Partition of a missing record = %v, want ErrNotFound", err)
	}
	if m, err := ro.Meta(t.Context()); err != nil || m.Lineage != v0Lineage || m.Serial != 7 {
		t.Errorf("Meta = %+v, %v", m, err)
	}
	if h, err := ro.Holder(t.Context()); err != nil || h != nil {
		t.Errorf("Holder = %v, %v; want none", h, err)
	}
	if err := ro.Close(); err != nil {
		t.Fatal(err)
	}
	if after, err := os.ReadFile(path); err != nil || !bytes.Equal(after, content) {
		t.Errorf("a read-only open changed the file (err %v)", err)
	}
}

func TestUpgradeV0Refused(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		bucket, key, value string
		want               string
	}{
		"bad record JSON":   {"records", "sales.items/p1", `{"tbl":`, `format 0 record "sales.items/p1"`},
		"key and record":    {"records", "sales.items/p9", v0Content["records"]["sales.items/p1"], "names sales.items p1"},
		"bad table JSON":    {"tables", "sales.items", `[]`, `format 0 table "sales.items"`},
		"record in no form": {"records", "sales.items/p1", `{"tbl":"sales.items","part":"p1","version":"x"}`, "cannot unmarshal string"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			path, _ := copyFixture(t)
			editBolt(t, path, tc.bucket, tc.key, tc.value)
			before, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			for _, ro := range []bool{true, false} {
				b, err := state.OpenBolt(path, state.BoltOptions{SrplanVersion: testVersion, ReadOnly: ro})
				if err == nil {
					_ = b.Close()
					t.Fatalf("OpenBolt(read-only %v) succeeded", ro)
				}
				ue, ok := errors.AsType[*state.UnusableError](err)
				if !ok || !bytes.Contains([]byte(ue.Error()), []byte(tc.want)) ||
					!bytes.Contains([]byte(ue.Error()), []byte("upgrade from format 0 to 1")) {
					t.Errorf("OpenBolt(read-only %v) = %v, want *UnusableError saying %q", ro, err, tc.want)
				}
			}
			// bbolt rewrites nothing when the transaction rolls back.
			if after, err := os.ReadFile(path); err != nil || !bytes.Equal(after, before) {
				t.Errorf("a failed upgrade changed the file (err %v)", err)
			}
		})
	}
}
