package planner_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"

	"github.com/srplan/srplan/planner"
	"github.com/srplan/srplan/planner/plantest"
)

// TestTargetMatchingNothingWarns: a -target address that selects no table
// of the spec, or no partition of its table, is a warning that names the
// address and the closest name; the plan is still computed and holds only
// what the other addresses select.
func TestTargetMatchingNothingWarns(t *testing.T) {
	t.Parallel()
	addr := func(db, tbl, part string) planner.Addr {
		return planner.Addr{Table: planner.TableAddr{DB: db, Table: tbl}, Partition: part}
	}
	type diag struct{ Summary, Detail string }
	tests := map[string]struct {
		only   []planner.Addr
		want   []diag
		tables []string
	}{
		"all addresses match": {
			only:   []planner.Addr{addr("sales", "orders", "p20240101"), addr("sales", "customers", "")},
			tables: []string{"sales.customers", "sales.orders"},
		},
		"typo in the table": {
			only: []planner.Addr{addr("sales", "order", "")},
			want: []diag{{"Target address matches no table",
				"-target sales.order selects nothing: sales.order is not a table of the spec. Did you mean sales.orders? The spec selects: sales.customers, sales.orders."}},
		},
		"wrong case": {
			only: []planner.Addr{addr("Sales", "Customers", ""), addr("sales", "orders", "")},
			want: []diag{{"Target address matches no table",
				"-target Sales.Customers selects nothing: Sales.Customers is not a table of the spec. Did you mean sales.customers? The spec selects: sales.customers, sales.orders."}},
			tables: []string{"sales.orders"},
		},
		"nothing close": {
			only: []planner.Addr{addr("hr", "employees", ""), addr("hr", "employees", "")},
			want: []diag{{"Target address matches no table",
				"-target hr.employees selects nothing: hr.employees is not a table of the spec. The spec selects: sales.customers, sales.orders."}},
		},
		"missing partition": {
			only: []planner.Addr{addr("sales", "orders", "p2024010")},
			want: []diag{{"Target address matches no partition",
				"-target sales.orders/p2024010 selects nothing: sales.orders has no partition p2024010 on the source (5 partitions). Did you mean p20240101?"}},
			tables: []string{"sales.orders"},
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			src := plantest.Source()
			in := plantest.Input(plantest.Config(), nil, src, plantest.EmptyTarget())
			in.Only = tt.only
			p, diags := planner.Compute(in)
			var got []diag
			for _, d := range diags {
				if d.Severity != hcl.DiagWarning {
					t.Errorf("unexpected %v", d)
					continue
				}
				got = append(got, diag{d.Summary, d.Detail})
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s", diff)
			}
			var tables []string
			for _, tc := range p.Tables {
				tables = append(tables, tc.Source.String())
			}
			if diff := cmp.Diff(tt.tables, tables); diff != "" {
				t.Errorf("planned tables (-want +got):\n%s", diff)
			}
		})
	}
}
