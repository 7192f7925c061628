package starrocks

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/srplan/srplan/planner"
)

func TestParseCreateTable(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		ddl  string
		want TableDef
	}{
		"range partitioned duplicate key": {
			ddl: "CREATE TABLE `orders` (\n" +
				"  `order_id` bigint(20) NOT NULL COMMENT \"\",\n" +
				"  `dt` date NOT NULL COMMENT \"order date\",\n" +
				"  `user_id` int(11) NULL COMMENT \"\",\n" +
				"  `amount` decimal(10, 2) NULL DEFAULT \"0\" COMMENT \"\",\n" +
				"  `note` varchar(65533) NULL COMMENT \"free text, with (parens)\"\n" +
				") ENGINE=OLAP \n" +
				"DUPLICATE KEY(`order_id`, `dt`)\n" +
				"COMMENT \"OLAP\"\n" +
				"PARTITION BY RANGE(`dt`)\n" +
				"(PARTITION p20240101 VALUES [(\"2024-01-01\"), (\"2024-01-02\")),\n" +
				"PARTITION p20240102 VALUES [(\"2024-01-02\"), (\"2024-01-03\")))\n" +
				"DISTRIBUTED BY HASH(`order_id`) BUCKETS 8 \n" +
				"PROPERTIES (\n" +
				"\"replication_num\" = \"3\",\n" +
				"\"in_memory\" = \"false\",\n" +
				"\"enable_persistent_index\" = \"false\",\n" +
				"\"replicated_storage\" = \"true\",\n" +
				"\"compression\" = \"LZ4\"\n" +
				");",
			want: TableDef{
				Name: "orders", Engine: "OLAP", KeysType: "DUPLICATE", KeyColumns: []string{"order_id", "dt"},
				Columns: []planner.Column{
					{Name: "order_id", Type: "bigint(20)", Key: true},
					{Name: "dt", Type: "date", Key: true},
					{Name: "user_id", Type: "int(11)", Nullable: true},
					{Name: "amount", Type: "decimal(10, 2)", Nullable: true},
					{Name: "note", Type: "varchar(65533)", Nullable: true},
				},
				Comment:       "OLAP",
				PartitionKind: planner.RangePartitioned, PartitionColumns: []string{"dt"},
				Distribution: "HASH", DistributionColumns: []string{"order_id"}, Buckets: 8,
				Properties: map[string]string{
					"replication_num": "3", "in_memory": "false", "enable_persistent_index": "false",
					"replicated_storage": "true", "compression": "LZ4",
				},
			},
		},
		"list partitioned on two columns": {
			ddl: "CREATE TABLE `t_recharge_detail` (\n" +
				"  `id` bigint(20) NOT NULL COMMENT \"\",\n" +
				"  `user_id` bigint(20) NOT NULL COMMENT \"\",\n" +
				"  `dt` varchar(10) NOT NULL COMMENT \"\",\n" +
				"  `city` varchar(20) NOT NULL COMMENT \"\"\n" +
				") ENGINE=OLAP\n" +
				"DUPLICATE KEY(`id`)\n" +
				"PARTITION BY LIST(`dt`,`city`)(\n" +
				"  PARTITION p1 VALUES IN ((\"2022-04-01\", \"Beijing\"),(\"2022-04-01\", \"Shanghai\")),\n" +
				"  PARTITION p2 VALUES IN ((\"2022-04-02\", \"Beijing\"))\n" +
				")\n" +
				"DISTRIBUTED BY HASH(`id`)\n" +
				"PROPERTIES (\"replication_num\" = \"1\");",
			want: TableDef{
				Name: "t_recharge_detail", Engine: "OLAP", KeysType: "DUPLICATE", KeyColumns: []string{"id"},
				Columns: []planner.Column{
					{Name: "id", Type: "bigint(20)", Key: true},
					{Name: "user_id", Type: "bigint(20)"},
					{Name: "dt", Type: "varchar(10)"},
					{Name: "city", Type: "varchar(20)"},
				},
				PartitionKind: planner.ListPartitioned, PartitionColumns: []string{"dt", "city"},
				Distribution: "HASH", DistributionColumns: []string{"id"},
				Properties: map[string]string{"replication_num": "1"},
			},
		},
		"date_trunc expression": {
			ddl: "CREATE TABLE `site_access` (\n" +
				"  `event_day` datetime NOT NULL COMMENT \"\",\n" +
				"  `site_id` int(11) NULL DEFAULT \"10\" COMMENT \"\",\n" +
				"  `pv` bigint(20) NULL DEFAULT \"0\" COMMENT \"\"\n" +
				") ENGINE=OLAP \n" +
				"DUPLICATE KEY(`event_day`, `site_id`)\n" +
				"PARTITION BY date_trunc('day', `event_day`)\n" +
				"DISTRIBUTED BY HASH(`event_day`, `site_id`)\n" +
				"PROPERTIES (\n\"replication_num\" = \"3\",\n\"partition_live_number\" = \"3\"\n);",
			want: TableDef{
				Name: "site_access", Engine: "OLAP", KeysType: "DUPLICATE", KeyColumns: []string{"event_day", "site_id"},
				Columns: []planner.Column{
					{Name: "event_day", Type: "datetime", Key: true},
					{Name: "site_id", Type: "int(11)", Nullable: true, Key: true},
					{Name: "pv", Type: "bigint(20)", Nullable: true},
				},
				PartitionKind: planner.ExpressionPartitions, PartitionColumns: []string{"event_day"},
				Distribution: "HASH", DistributionColumns: []string{"event_day", "site_id"},
				Properties: map[string]string{"replication_num": "3", "partition_live_number": "3"},
			},
		},
		"time_slice expression": {
			ddl: "CREATE TABLE `logs` (\n  `ts` datetime NOT NULL COMMENT \"\",\n  `msg` string NULL COMMENT \"\"\n) ENGINE=OLAP\n" +
				"DUPLICATE KEY(`ts`)\nPARTITION BY time_slice(`ts`, INTERVAL 7 day)\nDISTRIBUTED BY RANDOM\n" +
				"PROPERTIES (\"replication_num\" = \"1\");",
			want: TableDef{
				Name: "logs", Engine: "OLAP", KeysType: "DUPLICATE", KeyColumns: []string{"ts"},
				Columns: []planner.Column{
					{Name: "ts", Type: "datetime", Key: true},
					{Name: "msg", Type: "string", Nullable: true},
				},
				PartitionKind: planner.ExpressionPartitions, PartitionColumns: []string{"ts"},
				Distribution: "RANDOM",
				Properties:   map[string]string{"replication_num": "1"},
			},
		},
		"column expression": {
			ddl: "CREATE TABLE `t_recharge` (\n  `id` bigint(20) NOT NULL COMMENT \"\",\n  `city` varchar(20) NOT NULL COMMENT \"\",\n" +
				"  `dt` varchar(20) NOT NULL COMMENT \"\"\n) ENGINE=OLAP\nDUPLICATE KEY(`id`)\nPARTITION BY (`dt`,`city`)\n" +
				"DISTRIBUTED BY HASH(`id`)\nPROPERTIES (\"replication_num\" = \"3\");",
			want: TableDef{
				Name: "t_recharge", Engine: "OLAP", KeysType: "DUPLICATE", KeyColumns: []string{"id"},
				Columns: []planner.Column{
					{Name: "id", Type: "bigint(20)", Key: true},
					{Name: "city", Type: "varchar(20)"},
					{Name: "dt", Type: "varchar(20)"},
				},
				PartitionKind: planner.ExpressionPartitions, PartitionColumns: []string{"dt", "city"},
				Distribution: "HASH", DistributionColumns: []string{"id"},
				Properties: map[string]string{"replication_num": "3"},
			},
		},
		"column expression without parentheses or quotes": {
			ddl: "CREATE TABLE t (dt date, city varchar(20)) DUPLICATE KEY(dt) PARTITION BY dt, city DISTRIBUTED BY HASH(dt)",
			want: TableDef{
				Name: "t", KeysType: "DUPLICATE", KeyColumns: []string{"dt"},
				Columns: []planner.Column{
					{Name: "dt", Type: "date", Nullable: true, Key: true},
					{Name: "city", Type: "varchar(20)", Nullable: true},
				},
				PartitionKind: planner.ExpressionPartitions, PartitionColumns: []string{"dt", "city"},
				Distribution: "HASH", DistributionColumns: []string{"dt"},
				Properties: map[string]string{},
			},
		},
		"unpartitioned primary key with order by": {
			ddl: "CREATE TABLE `users` (\n" +
				"  `user_id` bigint(20) NOT NULL COMMENT \"\",\n" +
				"  `name` varchar(64) NOT NULL COMMENT \"\",\n" +
				"  `tags` array<varchar(32)> NULL COMMENT \"\",\n" +
				"  `attrs` struct<a int(11), b map<varchar(8), decimal(9, 3)>> NULL COMMENT \"\",\n" +
				"  `created` datetime NULL DEFAULT CURRENT_TIMESTAMP COMMENT \"\",\n" +
				"  INDEX idx_name (`name`) USING BITMAP COMMENT 'by name'\n" +
				") ENGINE=OLAP \n" +
				"PRIMARY KEY(`user_id`)\n" +
				"DISTRIBUTED BY HASH(`user_id`) BUCKETS 4 \n" +
				"ORDER BY(`name`)\n" +
				"PROPERTIES (\n\"replication_num\" = \"3\",\n\"enable_persistent_index\" = \"true\"\n);",
			want: TableDef{
				Name: "users", Engine: "OLAP", KeysType: "PRIMARY", KeyColumns: []string{"user_id"},
				Columns: []planner.Column{
					{Name: "user_id", Type: "bigint(20)", Key: true},
					{Name: "name", Type: "varchar(64)"},
					{Name: "tags", Type: "array<varchar(32)>", Nullable: true},
					{Name: "attrs", Type: "struct<a int(11), b map<varchar(8), decimal(9, 3)>>", Nullable: true},
					{Name: "created", Type: "datetime", Nullable: true},
				},
				PartitionKind: planner.Unpartitioned,
				Distribution:  "HASH", DistributionColumns: []string{"user_id"}, Buckets: 4,
				SortKey:    []string{"name"},
				Properties: map[string]string{"replication_num": "3", "enable_persistent_index": "true"},
			},
		},
		"aggregate with sum and replace": {
			ddl: "CREATE TABLE `example_db`.`agg` (\n" +
				"  `k1` tinyint(4) NULL COMMENT \"\",\n" +
				"  `k2` decimal64(10, 2) NULL DEFAULT \"10.5\" COMMENT \"\",\n" +
				"  `v1` int(11) SUM NULL COMMENT \"\",\n" +
				"  `v2` bigint(20) MAX NOT NULL DEFAULT \"-1\" COMMENT \"\",\n" +
				"  `v3` varchar(32) REPLACE_IF_NOT_NULL NULL COMMENT \"\",\n" +
				"  `v4` bitmap BITMAP_UNION NOT NULL COMMENT \"\",\n" +
				"  `v5` hll HLL_UNION NOT NULL COMMENT \"\"\n" +
				") ENGINE=OLAP \n" +
				"AGGREGATE KEY(`k1`, `k2`)\n" +
				"COMMENT \"OLAP\"\n" +
				"DISTRIBUTED BY HASH(`k1`) BUCKETS 10 \n" +
				"PROPERTIES (\n\"replication_num\" = \"1\"\n);",
			want: TableDef{
				Name: "agg", Engine: "OLAP", KeysType: "AGGREGATE", KeyColumns: []string{"k1", "k2"},
				Columns: []planner.Column{
					{Name: "k1", Type: "tinyint(4)", Nullable: true, Key: true},
					{Name: "k2", Type: "decimal64(10, 2)", Nullable: true, Key: true},
					{Name: "v1", Type: "int(11)", Nullable: true, Aggregation: "SUM"},
					{Name: "v2", Type: "bigint(20)", Aggregation: "MAX"},
					{Name: "v3", Type: "varchar(32)", Nullable: true, Aggregation: "REPLACE_IF_NOT_NULL"},
					{Name: "v4", Type: "bitmap", Aggregation: "BITMAP_UNION"},
					{Name: "v5", Type: "hll", Aggregation: "HLL_UNION"},
				},
				Comment:      "OLAP",
				Distribution: "HASH", DistributionColumns: []string{"k1"}, Buckets: 10,
				PartitionKind: planner.Unpartitioned,
				Properties:    map[string]string{"replication_num": "1"},
			},
		},
		"shared-data properties": {
			ddl: "CREATE TABLE `events` (\n" +
				"  `dt` date NOT NULL COMMENT \"\",\n" +
				"  `id` bigint(20) NOT NULL AUTO_INCREMENT COMMENT \"\",\n" +
				"  `payload` json NULL COMMENT \"it's \\\"quoted\\\"\"\n" +
				") ENGINE=OLAP \n" +
				"DUPLICATE KEY(`dt`, `id`)\n" +
				"PARTITION BY RANGE(`dt`)\n(PARTITION p202401 VALUES [(\"2024-01-01\"), (\"2024-02-01\")))\n" +
				"DISTRIBUTED BY HASH(`id`)\n" +
				"PROPERTIES (\n" +
				"\"datacache.enable\" = \"true\",\n" +
				"\"enable_async_write_back\" = \"false\",\n" +
				"\"enable_persistent_index\" = \"true\",\n" +
				"\"persistent_index_type\" = \"CLOUD_NATIVE\",\n" +
				"\"replication_num\" = \"1\",\n" +
				"\"storage_volume\" = \"builtin_storage_volume\"\n" +
				");",
			want: TableDef{
				Name: "events", Engine: "OLAP", KeysType: "DUPLICATE", KeyColumns: []string{"dt", "id"},
				Columns: []planner.Column{
					{Name: "dt", Type: "date", Key: true},
					{Name: "id", Type: "bigint(20)", Key: true},
					{Name: "payload", Type: "json", Nullable: true},
				},
				PartitionKind: planner.RangePartitioned, PartitionColumns: []string{"dt"},
				Distribution: "HASH", DistributionColumns: []string{"id"},
				Properties: map[string]string{
					"datacache.enable": "true", "enable_async_write_back": "false", "enable_persistent_index": "true",
					"persistent_index_type": "CLOUD_NATIVE", "replication_num": "1", "storage_volume": "builtin_storage_volume",
				},
			},
		},
		"unique key, odd names, lower-case keywords": {
			ddl: "create table if not exists `db`.`we``ird` (\n" +
				"  `key` int not null,\n" +
				"  `order` varchar(8) null comment 'a -- not a comment',\n" +
				"  `v` double -- trailing comment\n" +
				") engine = olap unique key(`key`, `order`) /* block\n comment */ distributed by hash(`key`) buckets 2 " +
				"properties (\"a\\\\b\" = \"c'd\")",
			want: TableDef{
				Name: "we`ird", Engine: "OLAP", KeysType: "UNIQUE", KeyColumns: []string{"key", "order"},
				Columns: []planner.Column{
					{Name: "key", Type: "int", Key: true},
					{Name: "order", Type: "varchar(8)", Nullable: true, Key: true},
					{Name: "v", Type: "double", Nullable: true},
				},
				PartitionKind: planner.Unpartitioned,
				Distribution:  "HASH", DistributionColumns: []string{"key"}, Buckets: 2,
				Properties: map[string]string{`a\b`: "c'd"},
			},
		},
		"no key clause defaults to duplicate": {
			ddl: "CREATE TABLE `t` (`a` int(11) NULL) ENGINE=OLAP DISTRIBUTED BY RANDOM BUCKETS 3 PROPERTIES ()",
			want: TableDef{
				Name: "t", Engine: "OLAP", KeysType: "DUPLICATE",
				Columns:       []planner.Column{{Name: "a", Type: "int(11)", Nullable: true}},
				PartitionKind: planner.Unpartitioned,
				Distribution:  "RANDOM", Buckets: 3,
				Properties: map[string]string{},
			},
		},
		"range over an expression and unknown clauses": {
			ddl: "CREATE TABLE `r` (`ds` varchar(8) NOT NULL COMMENT \"\", `g` bigint(20) AS `ds` + 1 COMMENT \"\") ENGINE=OLAP\n" +
				"DUPLICATE KEY(`ds`)\nPARTITION BY RANGE(str2date(`ds`, '%Y%m%d'))()\n" +
				"DISTRIBUTED BY HASH(`ds`)\nROLLUP (r1 (`ds`))\nFUTURE CLAUSE (\"x\" = \"y\")\nPROPERTIES (\"replication_num\" = \"1\")",
			want: TableDef{
				Name: "r", Engine: "OLAP", KeysType: "DUPLICATE", KeyColumns: []string{"ds"},
				Columns: []planner.Column{
					{Name: "ds", Type: "varchar(8)", Key: true},
					{Name: "g", Type: "bigint(20)", Nullable: true},
				},
				PartitionKind: planner.RangePartitioned, PartitionColumns: []string{"ds"},
				Distribution: "HASH", DistributionColumns: []string{"ds"},
				Properties: map[string]string{"replication_num": "1"},
			},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseCreateTable(tc.ddl)
			if err != nil {
				t.Fatalf("ParseCreateTable: %v", err)
			}
			if diff := cmp.Diff(&tc.want, got); diff != "" {
				t.Errorf("ParseCreateTable (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseCreateTableErrors(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		ddl     string
		wantSub string
	}{
		"empty":                {"", "want CREATE at end of statement"},
		"a view":               {"CREATE VIEW `v` AS SELECT 1", `want TABLE at offset 7 near "VIEW"`},
		"no column list":       {"CREATE TABLE `t` ENGINE=OLAP", `want "(" at offset 17 near "ENGINE"`},
		"cut after column":     {"CREATE TABLE `t` (`a` int(11) NULL", "unterminated column list"},
		"missing type":         {"CREATE TABLE `t` (`a`)", "want a type"},
		"unterminated string":  {"CREATE TABLE `t` (`a` int COMMENT \"x)", "unterminated \"-quoted text at offset 34"},
		"unterminated ident":   {"CREATE TABLE `t (a int)", "unterminated `-quoted text at offset 13"},
		"unbalanced type":      {"CREATE TABLE `t` (`a` decimal(10, 2", "unbalanced type"},
		"bad properties":       {"CREATE TABLE `t` (`a` int) PROPERTIES (replication_num = \"1\")", "want a quoted property name"},
		"bad property value":   {"CREATE TABLE `t` (`a` int) PROPERTIES (\"r\" = 1)", `want a quoted value for property "r"`},
		"bad buckets":          {"CREATE TABLE `t` (`a` int) DISTRIBUTED BY HASH(`a`) BUCKETS many", "want a bucket count"},
		"bad distribution":     {"CREATE TABLE `t` (`a` int) DISTRIBUTED BY SOMETHING", "want HASH or RANDOM"},
		"empty partition expr": {"CREATE TABLE `t` (`a` int) PARTITION BY DISTRIBUTED BY RANDOM", "want a partition expression"},
		"unterminated comment": {"CREATE TABLE `t` (`a` int) /* x", "unterminated comment"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseCreateTable(tc.ddl)
			if err == nil {
				t.Fatalf("ParseCreateTable succeeded with %+v, want an error", got)
			}
			if !strings.HasPrefix(err.Error(), "parse create table: ") || !strings.Contains(err.Error(), tc.wantSub) {
				t.Errorf("error %q, want it to contain %q", err, tc.wantSub)
			}
		})
	}
}
