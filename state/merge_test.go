package state_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/srplan/srplan/state"
)

var mergeAt = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

func mergeTable(name, target string) *state.TableRecord {
	return &state.TableRecord{Table: name, Target: target, UpdatedAt: mergeAt}
}

func mergePart(tbl, part string, stage state.Stage) *state.PartitionRecord {
	return &state.PartitionRecord{Table: tbl, Partition: part, Stage: stage, Status: state.StatusOK, CreatedAt: mergeAt, UpdatedAt: mergeAt}
}

func snapshot(tables []*state.TableRecord, parts []*state.PartitionRecord) *state.Snapshot {
	s := &state.Snapshot{Tables: map[string]*state.TableRecord{}, Partitions: map[state.PartitionKey]*state.PartitionRecord{}}
	for _, t := range tables {
		s.Tables[t.Table] = t
	}
	for _, p := range parts {
		s.Partitions[p.Key()] = p
	}
	return s
}

func TestCompare(t *testing.T) {
	k := func(tbl, part string) state.PartitionKey { return state.PartitionKey{Table: tbl, Partition: part} }
	tests := map[string]struct {
		primary, local *state.Snapshot
		want           *state.Divergence
		text           string
	}{
		"equal": {
			primary: snapshot([]*state.TableRecord{mergeTable("db.a", "x.a")}, []*state.PartitionRecord{mergePart("db.a", "p1", state.StageDone)}),
			local:   snapshot([]*state.TableRecord{mergeTable("db.a", "x.a")}, []*state.PartitionRecord{mergePart("db.a", "p1", state.StageDone)}),
			want:    &state.Divergence{Refresh: &state.Batch{}},
			text:    "no records",
		},
		"both empty": {
			primary: snapshot(nil, nil), local: nil,
			want: &state.Divergence{Refresh: &state.Batch{}},
			text: "no records",
		},
		"local behind": {
			primary: snapshot(nil, []*state.PartitionRecord{
				mergePart("db.a", "p1", state.StageDone), mergePart("db.a", "p2", state.StageLoaded), mergePart("db.a", "p3", state.StagePlanned),
			}),
			local: snapshot(nil, []*state.PartitionRecord{mergePart("db.a", "p1", state.StageDone), mergePart("db.a", "p2", state.StageExported)}),
			want: &state.Divergence{
				Partitions: []state.PartitionKey{k("db.a", "p2"), k("db.a", "p3")},
				Refresh:    &state.Batch{PutPartitions: []*state.PartitionRecord{mergePart("db.a", "p2", state.StageLoaded), mergePart("db.a", "p3", state.StagePlanned)}},
			},
			text: "2 partition records",
		},
		"local has extra records": {
			primary: snapshot([]*state.TableRecord{mergeTable("db.a", "x.a")}, nil),
			local: snapshot([]*state.TableRecord{mergeTable("db.a", "x.a"), mergeTable("db.b", "x.b")},
				[]*state.PartitionRecord{mergePart("db.b", "p1", state.StageDone)}),
			want: &state.Divergence{
				Tables:     []string{"db.b"},
				Partitions: []state.PartitionKey{k("db.b", "p1")},
				Refresh:    &state.Batch{DeleteTables: []string{"db.b"}, DeletePartitions: []state.PartitionKey{k("db.b", "p1")}},
			},
			text: "1 partition record and 1 table record",
		},
		"table changed": {
			primary: snapshot([]*state.TableRecord{mergeTable("db.b", "y.b"), mergeTable("db.a", "y.a")}, nil),
			local:   snapshot([]*state.TableRecord{mergeTable("db.a", "x.a"), mergeTable("db.b", "x.b")}, nil),
			want: &state.Divergence{
				Tables:  []string{"db.a", "db.b"},
				Refresh: &state.Batch{PutTables: []*state.TableRecord{mergeTable("db.a", "y.a"), mergeTable("db.b", "y.b")}},
			},
			text: "2 table records",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got := state.Compare(tc.primary, tc.local)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Compare (-want +got):\n%s", diff)
			}
			if s := got.String(); s != tc.text {
				t.Errorf("String() = %q, want %q", s, tc.text)
			}
			if got.Empty() != (tc.text == "no records") {
				t.Errorf("Empty() = %v for %q", got.Empty(), tc.text)
			}
		})
	}
}

// TestCompareRefreshConverges: applying Refresh to the local state makes
// the two compare equal.
func TestCompareRefreshConverges(t *testing.T) {
	primary := state.NewMem(testVersion)
	local := state.NewMem(testVersion)
	ctx := t.Context()
	if err := primary.Write(ctx, &state.Batch{
		PutTables:     []*state.TableRecord{mergeTable("db.a", "x.a")},
		PutPartitions: []*state.PartitionRecord{mergePart("db.a", "p1", state.StageDone), mergePart("db.a", "p2", state.StageLoading)},
	}); err != nil {
		t.Fatal(err)
	}
	if err := local.Write(ctx, &state.Batch{
		PutTables:     []*state.TableRecord{mergeTable("db.z", "x.z")},
		PutPartitions: []*state.PartitionRecord{mergePart("db.a", "p1", state.StageExported), mergePart("db.z", "p9", state.StageDone)},
	}); err != nil {
		t.Fatal(err)
	}
	p, _ := primary.Read(ctx)
	l, _ := local.Read(ctx)
	d := state.Compare(p, l)
	if d.Empty() {
		t.Fatal("Compare found no difference")
	}
	if err := local.Write(ctx, d.Refresh); err != nil {
		t.Fatalf("Write(Refresh): %v", err)
	}
	l, _ = local.Read(ctx)
	if again := state.Compare(p, l); !again.Empty() {
		t.Errorf("after the refresh the states still differ in %s", again)
	}
}
