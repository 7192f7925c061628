package state_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/srplan/srplan/state"
)

func TestSnapshotSorted(t *testing.T) {
	t.Parallel()
	s := &state.Snapshot{
		Tables:     map[string]*state.TableRecord{},
		Partitions: map[state.PartitionKey]*state.PartitionRecord{},
	}
	for _, name := range []string{"db.b", "db.a", "db.a_x", "da.z"} {
		s.Tables[name] = &state.TableRecord{Table: name}
	}
	for _, k := range []state.PartitionKey{{"db.b", "p1"}, {"db.a", "p2"}, {"db.a_x", "p0"}, {"db.a", "p10"}, {"db.a", "p1"}} {
		s.Partitions[k] = &state.PartitionRecord{Table: k.Table, Partition: k.Partition}
	}
	tables, parts := s.Sorted()
	var gotT, gotP []string
	for _, r := range tables {
		gotT = append(gotT, r.Table)
	}
	for _, r := range parts {
		gotP = append(gotP, r.Table+" "+r.Partition)
	}
	if diff := cmp.Diff([]string{"da.z", "db.a", "db.a_x", "db.b"}, gotT); diff != "" {
		t.Errorf("tables (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"db.a p1", "db.a p10", "db.a p2", "db.a_x p0", "db.b p1"}, gotP); diff != "" {
		t.Errorf("partitions (-want +got):\n%s", diff)
	}
	var nilSnap *state.Snapshot
	if tables, parts := nilSnap.Sorted(); tables != nil || parts != nil {
		t.Errorf("nil snapshot Sorted = %v, %v", tables, parts)
	}
}

func TestBatchValidate(t *testing.T) {
	t.Parallel()
	p := func(table, part string) *state.PartitionRecord {
		return &state.PartitionRecord{Table: table, Partition: part}
	}
	tests := map[string]struct {
		batch *state.Batch
		want  string // "" for valid
	}{
		"nil":                    {nil, ""},
		"valid":                  {&state.Batch{PutTables: []*state.TableRecord{{Table: "db.t"}}, PutPartitions: []*state.PartitionRecord{p("db.t", "p1")}, DeleteTables: []string{"db.u"}, DeletePartitions: []state.PartitionKey{{"db.t", "p2"}}}, ""},
		"empty table":            {&state.Batch{PutPartitions: []*state.PartitionRecord{p("db.t", "p1"), p("", "p1")}}, "partition record 1: table name is empty"},
		"empty partition":        {&state.Batch{PutPartitions: []*state.PartitionRecord{p("db.t", "")}}, "partition record 0: table db.t: partition name is empty"},
		"NUL":                    {&state.Batch{PutTables: []*state.TableRecord{{Table: "db\x00t"}}}, `table record 0: table name "db\x00t" holds a NUL byte`},
		"nil table":              {&state.Batch{PutTables: []*state.TableRecord{nil}}, "table record 0 is nil"},
		"table twice":            {&state.Batch{PutTables: []*state.TableRecord{{Table: "db.t"}, {Table: "db.t"}}}, "table db.t is put twice"},
		"partition put+delete":   {&state.Batch{PutPartitions: []*state.PartitionRecord{p("db.t", "p1")}, DeletePartitions: []state.PartitionKey{{"db.t", "p1"}}}, "partition db.t p1 is both put and deleted"},
		"table deleted twice":    {&state.Batch{DeleteTables: []string{"db.t", "db.t"}}, "table db.t is deleted twice"},
		"empty partition delete": {&state.Batch{DeletePartitions: []state.PartitionKey{{Table: "db.t"}}}, "partition delete 0: table db.t: partition name is empty"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			err := tc.batch.Validate()
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("Validate = %v, want nil", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("Validate = %v, want %q", err, tc.want)
			}
		})
	}
}
