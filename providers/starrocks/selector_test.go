package starrocks

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/srplan/srplan/lang"
)

func TestSelectorFromTables(t *testing.T) {
	t.Parallel()
	tables := []*lang.Table{
		{Pattern: "sales.orders", DBPattern: "sales", TablePattern: "orders"},
		{Pattern: "sales.orders_*", DBPattern: "sales", TablePattern: "orders_*", TargetTable: "archive.*"},
		{Pattern: "crm.users", DBPattern: "crm", TablePattern: "users", TargetTable: "crm2.customers"},
		{Pattern: "logs.*", DBPattern: "logs", TablePattern: "*"},
	}
	tests := map[string]struct {
		side    lang.ClusterKind
		wantDBs []string
		match   map[[2]string]bool
	}{
		"source": {
			side:    lang.SourceCluster,
			wantDBs: []string{"sales", "crm", "logs"},
			match: map[[2]string]bool{
				{"sales", "orders"}:      true,
				{"sales", "orders_2024"}: true,
				{"sales", "ordersx"}:     false,
				{"crm", "users"}:         true,
				{"crm", "customers"}:     false,
				{"logs", "anything"}:     true,
				{"archive", "orders_1"}:  false,
				{"Sales", "orders"}:      false,
			},
		},
		"target applies renames": {
			side:    lang.TargetCluster,
			wantDBs: []string{"sales", "archive", "crm2", "logs"},
			match: map[[2]string]bool{
				{"sales", "orders"}:      true,
				{"archive", "orders_1"}:  true,
				{"archive", "other"}:     false,
				{"sales", "orders_2024"}: false,
				{"crm2", "customers"}:    true,
				{"crm", "users"}:         false,
				{"logs", "anything"}:     true,
			},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			sel := SelectorFromTables(tables, tc.side)
			if diff := cmp.Diff(tc.wantDBs, sel.Databases()); diff != "" {
				t.Errorf("Databases (-want +got):\n%s", diff)
			}
			for k, want := range tc.match {
				if got := sel.Match(k[0], k[1]); got != want {
					t.Errorf("Match(%s, %s) = %v, want %v", k[0], k[1], got, want)
				}
			}
		})
	}
}

func TestPatternsMalformedGlobMatchesNothing(t *testing.T) {
	t.Parallel()
	sel := Patterns{{DB: "sales", Table: "[a-"}}
	if sel.Match("sales", "[a-") || sel.Match("sales", "a") {
		t.Error("a malformed glob matched")
	}
}
