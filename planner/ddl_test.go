package planner_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/srplan/srplan/lang"
	"github.com/srplan/srplan/planner"
	"github.com/srplan/srplan/planner/plantest"
)

func TestRewriteCreateTable(t *testing.T) {
	t.Parallel()
	sharedData := "CREATE TABLE `events` (\n  `dt` date NULL COMMENT \"\"\n) ENGINE=OLAP\nDUPLICATE KEY(`dt`)\n" +
		"PARTITION BY date_trunc('day', `dt`)\nDISTRIBUTED BY RANDOM\nPROPERTIES (\n" +
		"\"datacache.enable\" = \"true\",\n\"storage_volume\" = \"builtin_storage_volume\",\n" +
		"\"enable_async_write_back\" = \"false\",\n\"partition_live_number\" = \"30\",\n\"replication_num\" = \"1\"\n);"
	tests := map[string]struct {
		src       string
		target    planner.TableAddr
		rule      lang.SchemaRule
		mode      planner.Mode
		want      string
		wantNotes int
	}{
		"shared-nothing to shared-data with spec rule": {
			src: plantest.OrdersDDL, target: planner.TableAddr{DB: "sales_new", Table: "orders"}, mode: planner.SharedData,
			rule: lang.SchemaRule{Create: true, Properties: map[string]string{"replication_num": "1", "comment\"x": `a\b`}, DropProperties: []string{"compression"}},
			want: "CREATE TABLE IF NOT EXISTS `sales_new`.`orders` (\n" +
				"  `order_date` date NOT NULL COMMENT \"\",\n  `order_id` bigint(20) NOT NULL COMMENT \"\",\n  `amount` decimal(12, 2) NULL COMMENT \"\"\n) ENGINE=OLAP\n" +
				"DUPLICATE KEY(`order_date`, `order_id`)\nPARTITION BY RANGE(`order_date`)\n" +
				"(PARTITION `p20240101` VALUES [(\"2024-01-01\"), (\"2024-01-02\")),\nPARTITION `p20240102` VALUES [(\"2024-01-02\"), (\"2024-01-03\")))\n" +
				"DISTRIBUTED BY HASH(`order_id`) BUCKETS 8\nPROPERTIES (\n\"replication_num\" = \"1\",\n\"comment\\\"x\" = \"a\\\\b\"\n);",
			wantNotes: 2,
		},
		"shared-data to shared-nothing": {
			src: sharedData, target: planner.TableAddr{DB: "d", Table: "we`ird"}, mode: planner.SharedNothing,
			want: "CREATE TABLE IF NOT EXISTS `d`.`we``ird` (\n  `dt` date NULL COMMENT \"\"\n) ENGINE=OLAP\nDUPLICATE KEY(`dt`)\n" +
				"PARTITION BY date_trunc('day', `dt`)\nDISTRIBUTED BY RANDOM\nPROPERTIES (\n\"replication_num\" = \"1\"\n);",
			wantNotes: 4,
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, notes, err := planner.RewriteCreateTable(tt.src, tt.target, tt.rule, tt.mode)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("DDL (-want +got):\n%s", diff)
			}
			if len(notes) != tt.wantNotes {
				t.Errorf("notes = %q, want %d", notes, tt.wantNotes)
			}
		})
	}
	if _, _, err := planner.RewriteCreateTable("SELECT 1", planner.TableAddr{DB: "a", Table: "b"}, lang.SchemaRule{}, planner.SharedData); err == nil {
		t.Error("non-DDL accepted")
	}
}

// TestRewriteCreateTableQuotesNames: the partition and index names that
// SHOW CREATE TABLE prints bare come out backquoted, and nothing else of
// the body changes.
func TestRewriteCreateTableQuotesNames(t *testing.T) {
	t.Parallel()
	const head = "CREATE TABLE `t` (\n  `d` date NOT NULL COMMENT \"PARTITION x VALUES\",\n  `order` int NULL COMMENT 'it''s INDEX y ('\n"
	const want = "CREATE TABLE IF NOT EXISTS `db`.`t` (\n  `d` date NOT NULL COMMENT \"PARTITION x VALUES\",\n  `order` int NULL COMMENT 'it''s INDEX y ('\n"
	tests := map[string]struct{ body, want string }{
		"range partitions named like keywords": {
			body: ") ENGINE=OLAP\nDUPLICATE KEY(`d`)\nPARTITION BY RANGE(`d`)\n(PARTITION order VALUES [(\"2024-01-01\"), (\"2024-01-02\")),\n" +
				"PARTITION select VALUES [(\"2024-01-02\"), (\"2024-01-03\")),\nPARTITION p3 VALUES [(\"2024-01-03\"), (\"2024-01-04\")))\nDISTRIBUTED BY HASH(`d`) BUCKETS 2",
			want: ") ENGINE=OLAP\nDUPLICATE KEY(`d`)\nPARTITION BY RANGE(`d`)\n(PARTITION `order` VALUES [(\"2024-01-01\"), (\"2024-01-02\")),\n" +
				"PARTITION `select` VALUES [(\"2024-01-02\"), (\"2024-01-03\")),\nPARTITION `p3` VALUES [(\"2024-01-03\"), (\"2024-01-04\")))\nDISTRIBUTED BY HASH(`d`) BUCKETS 2",
		},
		"list partitions and a partition named by": {
			body: ") ENGINE=OLAP\nDUPLICATE KEY(`d`)\nPARTITION BY LIST(`order`)(\n  PARTITION by VALUES IN ('1'),\n  PARTITION values VALUES IN ('2', 'PARTITION z VALUES')\n)\nDISTRIBUTED BY RANDOM",
			want: ") ENGINE=OLAP\nDUPLICATE KEY(`d`)\nPARTITION BY LIST(`order`)(\n  PARTITION `by` VALUES IN ('1'),\n  PARTITION `values` VALUES IN ('2', 'PARTITION z VALUES')\n)\nDISTRIBUTED BY RANDOM",
		},
		"already quoted names stay": {
			body: ") ENGINE=OLAP\nPARTITION BY RANGE(`d`)\n(PARTITION `a``b` VALUES [(\"2024-01-01\"), (\"2024-01-02\")))\nDISTRIBUTED BY RANDOM",
			want: ") ENGINE=OLAP\nPARTITION BY RANGE(`d`)\n(PARTITION `a``b` VALUES [(\"2024-01-01\"), (\"2024-01-02\")))\nDISTRIBUTED BY RANDOM",
		},
		"expression partitioning has no names": {
			body: ") ENGINE=OLAP\nPARTITION BY date_trunc('day', `d`)\nDISTRIBUTED BY RANDOM",
			want: ") ENGINE=OLAP\nPARTITION BY date_trunc('day', `d`)\nDISTRIBUTED BY RANDOM",
		},
		"index name": {
			body: "  ,INDEX key (`d`) USING BITMAP COMMENT \"\"\n) ENGINE=OLAP\nDISTRIBUTED BY RANDOM",
			want: "  ,INDEX `key` (`d`) USING BITMAP COMMENT \"\"\n) ENGINE=OLAP\nDISTRIBUTED BY RANDOM",
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, _, err := planner.RewriteCreateTable(head+tt.body+"\nPROPERTIES (\"replication_num\" = \"1\");",
				planner.TableAddr{DB: "db", Table: "t"}, lang.SchemaRule{Create: true}, planner.SharedNothing)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want+tt.want+"\nPROPERTIES (\n\"replication_num\" = \"1\"\n);", got); diff != "" {
				t.Errorf("DDL (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseAddr(t *testing.T) {
	t.Parallel()
	good := map[string]planner.Addr{
		"sales.orders":           {Table: planner.TableAddr{DB: "sales", Table: "orders"}},
		"sales.orders/p20241108": {Table: planner.TableAddr{DB: "sales", Table: "orders"}, Partition: "p20241108"},
	}
	for s, want := range good {
		got, err := planner.ParseAddr(s)
		if err != nil || got != want {
			t.Errorf("ParseAddr(%q) = %v, %v", s, got, err)
		}
		if got.String() != s {
			t.Errorf("String() = %q, want %q", got.String(), s)
		}
	}
	for _, s := range []string{"", "sales", ".orders", "sales.", "sales.orders/", "a/b.c"} {
		if _, err := planner.ParseAddr(s); err == nil {
			t.Errorf("ParseAddr(%q) accepted", s)
		}
	}
}
