package statetest

import (
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/srplan/srplan/state"
)

// at is a fixed instant in a zone other than UTC, with nanoseconds, to
// catch backends that lose either.
var at = time.Date(2025, 3, 1, 10, 20, 30, 123456789, time.FixedZone("UTC+8", 8*3600))

// table returns a table record for "db.<name>".
func table(name string) *state.TableRecord {
	return &state.TableRecord{Table: "db." + name, Target: "db2." + name, UpdatedAt: at}
}

// partition returns a small partition record.
func partition(tbl, part string) *state.PartitionRecord {
	return &state.PartitionRecord{
		Table: tbl, Partition: part,
		Fingerprint: state.Fingerprint{VisibleVersion: 3},
		Stage:       state.StagePlanned, Status: state.StatusPending,
		CreatedAt: at, UpdatedAt: at,
	}
}

// fullTable returns a table record with every field set.
func fullTable() *state.TableRecord {
	return &state.TableRecord{
		Table:         "sales.orders",
		Target:        "sales_new.orders",
		SchemaHash:    "sha256:0f1e2d",
		CreatedTarget: true,
		UpdatedAt:     time.Now(), // with a monotonic reading, which storage drops
	}
}

// fullPartition returns a partition record with every field set.
func fullPartition() *state.PartitionRecord {
	return &state.PartitionRecord{
		Table:     "sales.orders",
		Partition: "p20250301",
		Fingerprint: state.Fingerprint{
			VisibleVersion:     42,
			VisibleVersionTime: at.Add(-time.Hour),
		},
		Method:     "export",
		Stage:      state.StageVerifying,
		Status:     state.StatusFailed,
		Attempts:   2,
		LastError:  `verify: row count 10 != 11 "quoted" ü`,
		ExportPath: "s3://bucket/job/sales/orders/p20250301/v42/",
		Manifest:   json.RawMessage(`{"files":[{"key":"a.csv","size":10,"etag":"\"e1\""}],"rows":10}`),
		Labels:     []string{"srplan_orders_p20250301_a1", "srplan_orders_p20250301_b2"},
		Jobs:       []string{"query-1", "query-2"},
		Rows:       10,
		Bytes:      2048,
		VerifySource: &state.VerifyResult{
			Mode: "sums", RowCount: 10, Checksum: "123456789",
			Sums: map[string]string{"amount": "12345.6700", "qty": "-3"}, At: at,
		},
		VerifyTarget: &state.VerifyResult{
			Mode: "sums", RowCount: 11, Checksum: "987654321",
			Sums: map[string]string{"amount": "12345.6700", "qty": "-2"}, At: at.Add(time.Second),
		},
		CreatedAt: time.Now(),
		UpdatedAt: at.UTC(),
	}
}

func write(t *testing.T, b Backend, batch *state.Batch) {
	t.Helper()
	if err := b.Write(t.Context(), batch); err != nil {
		t.Fatalf("Write: %v", err)
	}
}

func read(t *testing.T, b Backend) *state.Snapshot {
	t.Helper()
	s, err := b.Read(t.Context())
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	return s
}

// records returns a snapshot's records without Meta, for comparing.
func records(s *state.Snapshot) state.Snapshot {
	return state.Snapshot{Tables: s.Tables, Partitions: s.Partitions}
}

// want builds the expected records of a snapshot.
func want(tables []*state.TableRecord, parts []*state.PartitionRecord) state.Snapshot {
	s := state.Snapshot{Tables: map[string]*state.TableRecord{}, Partitions: map[state.PartitionKey]*state.PartitionRecord{}}
	for _, r := range tables {
		s.Tables[r.Table] = r
	}
	for _, r := range parts {
		s.Partitions[r.Key()] = r
	}
	return s
}

func testEmptyRead(t *testing.T, b Backend) {
	s := read(t, b)
	if s.Meta.Serial != 0 || len(s.Tables) != 0 || len(s.Partitions) != 0 {
		t.Fatalf("new store: serial %d, %d tables, %d partitions; want 0, 0, 0", s.Meta.Serial, len(s.Tables), len(s.Partitions))
	}
	if s.Meta.FormatVersion != state.FormatVersion {
		t.Errorf("FormatVersion = %d, want %d", s.Meta.FormatVersion, state.FormatVersion)
	}
	if s.Meta.Lineage == "" {
		t.Fatal("new store has no lineage")
	}
	if again := read(t, b); again.Meta.Lineage != s.Meta.Lineage {
		t.Errorf("lineage changed between reads: %q, then %q", s.Meta.Lineage, again.Meta.Lineage)
	}
	write(t, b, &state.Batch{PutTables: []*state.TableRecord{table("t")}})
	after := read(t, b)
	if after.Meta.Lineage != s.Meta.Lineage {
		t.Errorf("lineage changed by a write: %q, then %q", s.Meta.Lineage, after.Meta.Lineage)
	}
	if after.Meta.SrplanVersion == "" {
		t.Error("SrplanVersion is empty after a write")
	}
}

func testPutAndRead(t *testing.T, b Backend) {
	tables := []*state.TableRecord{table("a"), table("b")}
	parts := []*state.PartitionRecord{partition("db.a", "p1"), partition("db.a", "p2"), partition("db.b", "p1")}
	write(t, b, &state.Batch{PutTables: tables, PutPartitions: parts})
	if diff := cmp.Diff(want(tables, parts), records(read(t, b))); diff != "" {
		t.Errorf("Read records (-want +got):\n%s", diff)
	}
	for _, p := range parts {
		got, err := b.Partition(t.Context(), p.Key())
		if err != nil {
			t.Fatalf("Partition(%v): %v", p.Key(), err)
		}
		if diff := cmp.Diff(p, got); diff != "" {
			t.Errorf("Partition(%v) (-want +got):\n%s", p.Key(), diff)
		}
	}
}

func testPartitionNotFound(t *testing.T, b Backend) {
	write(t, b, &state.Batch{
		PutTables:     []*state.TableRecord{table("t")},
		PutPartitions: []*state.PartitionRecord{partition("db.t", "p1")},
	})
	for name, key := range map[string]state.PartitionKey{
		"other partition": {Table: "db.t", Partition: "p2"},
		"other table":     {Table: "db.u", Partition: "p1"},
		"prefix of table": {Table: "db.", Partition: "p1"},
	} {
		t.Run(name, func(t *testing.T) {
			got, err := b.Partition(t.Context(), key)
			if !errors.Is(err, state.ErrNotFound) {
				t.Fatalf("Partition(%v) = %v, %v; want ErrNotFound", key, got, err)
			}
		})
	}
}

func testOverwrite(t *testing.T, b Backend) {
	write(t, b, &state.Batch{PutTables: []*state.TableRecord{table("t")}, PutPartitions: []*state.PartitionRecord{partition("db.t", "p1")}})
	tb, p := table("t"), partition("db.t", "p1")
	tb.Target = "db3.t"
	p.Stage, p.Status, p.Labels = state.StageDone, state.StatusOK, []string{"l1"}
	write(t, b, &state.Batch{PutTables: []*state.TableRecord{tb}, PutPartitions: []*state.PartitionRecord{p}})
	if diff := cmp.Diff(want([]*state.TableRecord{tb}, []*state.PartitionRecord{p}), records(read(t, b))); diff != "" {
		t.Errorf("after overwrite (-want +got):\n%s", diff)
	}
}

func testDelete(t *testing.T, b Backend) {
	write(t, b, &state.Batch{
		PutTables:     []*state.TableRecord{table("a"), table("b")},
		PutPartitions: []*state.PartitionRecord{partition("db.a", "p1"), partition("db.a", "p2"), partition("db.b", "p1")},
	})
	write(t, b, &state.Batch{
		DeleteTables: []string{"db.a", "db.missing"},
		DeletePartitions: []state.PartitionKey{
			{Table: "db.a", Partition: "p1"}, {Table: "db.b", Partition: "p1"}, {Table: "db.b", Partition: "missing"},
		},
	})
	s := read(t, b)
	w := want([]*state.TableRecord{table("b")}, []*state.PartitionRecord{partition("db.a", "p2")})
	if diff := cmp.Diff(w, records(s)); diff != "" {
		t.Errorf("after delete (-want +got):\n%s", diff)
	}
	if s.Meta.Serial != 2 {
		t.Errorf("serial = %d after two writes, want 2", s.Meta.Serial)
	}
}

func testInvalidBatch(t *testing.T, b Backend) {
	good := partition("db.t", "ok")
	tests := map[string]*state.Batch{
		"partition without table":   {PutPartitions: []*state.PartitionRecord{good, {Partition: "p1"}}},
		"partition without name":    {PutPartitions: []*state.PartitionRecord{good, {Table: "db.t"}}},
		"nil partition":             {PutPartitions: []*state.PartitionRecord{good, nil}},
		"table without name":        {PutPartitions: []*state.PartitionRecord{good}, PutTables: []*state.TableRecord{{Target: "x"}}},
		"nil table":                 {PutPartitions: []*state.PartitionRecord{good}, PutTables: []*state.TableRecord{nil}},
		"NUL in partition":          {PutPartitions: []*state.PartitionRecord{good, partition("db.t", "p\x00")}},
		"partition put twice":       {PutPartitions: []*state.PartitionRecord{good, partition("db.t", "ok")}},
		"partition put and deleted": {PutPartitions: []*state.PartitionRecord{good}, DeletePartitions: []state.PartitionKey{good.Key()}},
		"table put and deleted":     {PutPartitions: []*state.PartitionRecord{good}, PutTables: []*state.TableRecord{table("t")}, DeleteTables: []string{"db.t"}},
		"empty table delete":        {PutPartitions: []*state.PartitionRecord{good}, DeleteTables: []string{""}},
		"empty partition delete":    {PutPartitions: []*state.PartitionRecord{good}, DeletePartitions: []state.PartitionKey{{Table: "db.t"}}},
		"manifest is not JSON": {PutPartitions: []*state.PartitionRecord{good, func() *state.PartitionRecord {
			p := partition("db.t", "bad")
			p.Manifest = json.RawMessage("{not json")
			return p
		}()}},
	}
	seed := &state.Batch{PutTables: []*state.TableRecord{table("seed")}, PutPartitions: []*state.PartitionRecord{partition("db.seed", "p1")}}
	write(t, b, seed)
	before := read(t, b)
	for name, batch := range tests {
		t.Run(name, func(t *testing.T) {
			if err := b.Write(t.Context(), batch); err == nil {
				t.Fatal("Write succeeded, want an error")
			}
			after := read(t, b)
			if after.Meta.Serial != before.Meta.Serial {
				t.Errorf("serial moved from %d to %d", before.Meta.Serial, after.Meta.Serial)
			}
			if diff := cmp.Diff(records(before), records(after)); diff != "" {
				t.Errorf("records changed (-before +after):\n%s", diff)
			}
		})
	}
}

func testSerialPerWrite(t *testing.T, b Backend) {
	for i := range 5 {
		write(t, b, &state.Batch{
			PutPartitions:    []*state.PartitionRecord{partition("db.t", fmt.Sprint("p", i)), partition("db.t", fmt.Sprint("q", i))},
			DeletePartitions: []state.PartitionKey{{Table: "db.t", Partition: fmt.Sprint("p", i-1)}},
		})
		if got := read(t, b).Meta.Serial; got != uint64(i+1) {
			t.Fatalf("serial after write %d = %d, want %d", i+1, got, i+1)
		}
	}
}

func testEmptyBatch(t *testing.T, b Backend) {
	write(t, b, &state.Batch{PutTables: []*state.TableRecord{table("t")}})
	for name, batch := range map[string]*state.Batch{"empty": {}, "nil": nil} {
		t.Run(name, func(t *testing.T) {
			write(t, b, batch)
			if got := read(t, b).Meta.Serial; got != 1 {
				t.Errorf("serial = %d after an empty batch, want 1", got)
			}
		})
	}
}

func testRoundTrip(t *testing.T, b Backend) {
	tb, p := fullTable(), fullPartition()
	write(t, b, &state.Batch{PutTables: []*state.TableRecord{tb}, PutPartitions: []*state.PartitionRecord{p}})
	// cmp compares times with Time.Equal: the same instant in any zone,
	// with or without a monotonic reading.
	if diff := cmp.Diff(want([]*state.TableRecord{tb}, []*state.PartitionRecord{p}), records(read(t, b))); diff != "" {
		t.Errorf("Read (-want +got):\n%s", diff)
	}
	got, err := b.Partition(t.Context(), p.Key())
	if err != nil {
		t.Fatalf("Partition: %v", err)
	}
	if diff := cmp.Diff(p, got); diff != "" {
		t.Errorf("Partition (-want +got):\n%s", diff)
	}
	if !got.CreatedAt.Equal(p.CreatedAt) || got.CreatedAt != got.CreatedAt.Round(0) {
		t.Errorf("CreatedAt = %v, want %v without a monotonic reading", got.CreatedAt, p.CreatedAt.Round(0))
	}
}

func testCallerOwnsRecords(t *testing.T, b Backend) {
	p := fullPartition()
	write(t, b, &state.Batch{PutPartitions: []*state.PartitionRecord{p}})
	wantP := fullPartition()
	wantP.CreatedAt = p.CreatedAt
	p.Labels[0], p.VerifySource.Sums["qty"], p.Stage = "changed", "changed", state.StageDone
	got := read(t, b).Partition(p.Table, p.Partition)
	got.Labels[1], got.VerifyTarget.Sums["qty"], got.Attempts = "changed", "changed", 99
	again, err := b.Partition(t.Context(), p.Key())
	if err != nil {
		t.Fatalf("Partition: %v", err)
	}
	if diff := cmp.Diff(wantP, again); diff != "" {
		t.Errorf("stored record changed through a caller's copy (-want +got):\n%s", diff)
	}
}

func testConcurrentWriters(t *testing.T, b Backend) {
	const writers, each = 8, 5
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				p := partition("db.t", fmt.Sprintf("w%d_%d", w, i))
				errs <- b.Write(t.Context(), &state.Batch{PutPartitions: []*state.PartitionRecord{p}})
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("concurrent Write: %v", err)
		}
	}
	s := read(t, b)
	if s.Meta.Serial != writers*each || len(s.Partitions) != writers*each {
		t.Errorf("serial %d, %d partitions; want %d and %d", s.Meta.Serial, len(s.Partitions), writers*each, writers*each)
	}
}

func testLargeBatch(t *testing.T, b Backend) {
	const n = 10000
	batch := &state.Batch{PutTables: []*state.TableRecord{table("big")}}
	for i := range n {
		batch.PutPartitions = append(batch.PutPartitions, partition("db.big", fmt.Sprintf("p%05d", i)))
	}
	write(t, b, batch)
	s := read(t, b)
	if len(s.Partitions) != n || s.Meta.Serial != 1 {
		t.Fatalf("%d partitions at serial %d, want %d at 1", len(s.Partitions), s.Meta.Serial, n)
	}
	if diff := cmp.Diff(batch.PutPartitions[n-1], s.Partition("db.big", fmt.Sprintf("p%05d", n-1))); diff != "" {
		t.Errorf("last record (-want +got):\n%s", diff)
	}
}
