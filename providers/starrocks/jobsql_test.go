package starrocks

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/srplan/srplan/planner"
)

var (
	orders = planner.TableAddr{DB: "sales", Table: "orders"}
	s3Prop = map[string]string{"aws.s3.region": "us-east-1", "aws.s3.access_key": "AK", "aws.s3.secret_key": "S'K"}
)

func TestExportSQL(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		in   ExportSpec
		want string
	}{
		"partition and columns with credentials": {
			in: ExportSpec{Table: orders, Partition: "p20240101", Columns: []string{"id", "amount"}, Dir: "s3://b/x/", Timeout: 2 * time.Hour, Broker: s3Prop},
			want: "EXPORT TABLE `sales`.`orders` PARTITION (`p20240101`) (`id`, `amount`) TO 's3://b/x/'" +
				` PROPERTIES ('column_separator' = '\\x01', 'line_delimiter' = '\\x02', 'timeout' = '7200', 'include_query_id' = 'true')` +
				` WITH BROKER ('aws.s3.access_key' = 'AK', 'aws.s3.region' = 'us-east-1', 'aws.s3.secret_key' = 'S\'K')`,
		},
		"whole table, no broker properties, odd names": {
			in: ExportSpec{Table: planner.TableAddr{DB: "d`b", Table: "t"}, Columns: []string{"a`b"}, Dir: "file:///tmp/x/", Timeout: 1500 * time.Millisecond},
			want: "EXPORT TABLE `d``b`.`t` (`a``b`) TO 'file:///tmp/x/'" +
				` PROPERTIES ('column_separator' = '\\x01', 'line_delimiter' = '\\x02', 'timeout' = '2', 'include_query_id' = 'true') WITH BROKER`,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tc.want, ExportSQL(tc.in)); diff != "" {
				t.Errorf("ExportSQL (-want +got):\n%s", diff)
			}
		})
	}
}

func TestInsertIntoFilesSQL(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		in   UnloadSpec
		want string
	}{
		"partition with label": {
			in: UnloadSpec{Table: orders, Partition: "p1", Columns: []string{"id", "amount"}, Dir: "s3://b/x/", Compression: "zstd",
				Properties: map[string]string{"aws.s3.region": "r", "format": "csv"}, Label: "srplan_x"},
			want: "INSERT INTO FILES('path' = 's3://b/x/', 'format' = 'parquet', 'compression' = 'zstd', 'aws.s3.region' = 'r')" +
				" WITH LABEL `srplan_x` SELECT `id`, `amount` FROM `sales`.`orders` PARTITION (`p1`)",
		},
		"where and split part": {
			in: UnloadSpec{Table: orders, Partition: "p1", Columns: []string{"id"}, Dir: "s3://b/x/split-2-of-4/", Compression: "snappy",
				Label: "l_s2", Where: " tenant_id <> 0 ", SplitColumn: "user_id", SplitParts: 4, SplitIndex: 2},
			want: "INSERT INTO FILES('path' = 's3://b/x/split-2-of-4/', 'format' = 'parquet', 'compression' = 'snappy')" +
				" WITH LABEL `l_s2` SELECT `id` FROM `sales`.`orders` PARTITION (`p1`)" +
				" WHERE (tenant_id <> 0) AND (ifnull(murmur_hash3_32(CAST(`user_id` AS STRING)), 0) % 4 + 4) % 4 = 2",
		},
		"whole table, no label, split of one is no split": {
			in:   UnloadSpec{Table: orders, Columns: []string{"id"}, Dir: "s3://b/x/", Compression: "lz4", SplitColumn: "id", SplitParts: 1},
			want: "INSERT INTO FILES('path' = 's3://b/x/', 'format' = 'parquet', 'compression' = 'lz4') SELECT `id` FROM `sales`.`orders`",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tc.want, InsertIntoFilesSQL(tc.in)); diff != "" {
				t.Errorf("InsertIntoFilesSQL (-want +got):\n%s", diff)
			}
		})
	}
}

func TestBrokerLoadSQL(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		in   LoadSpec
		want string
	}{
		"temporary partition wins": {
			in: LoadSpec{Table: orders, Partition: "p1", TempPartition: "tp1", Files: []string{"s3://b/a.csv", "s3://b/b'.csv"},
				Columns: []string{"id", "amount"}, Properties: map[string]string{"aws.s3.region": "r"}, Label: "lbl", Timeout: time.Hour},
			want: "LOAD LABEL `sales`.`lbl` (DATA INFILE ('s3://b/a.csv', 's3://b/b\\'.csv') INTO TABLE `orders` TEMPORARY PARTITION (`tp1`)" +
				` COLUMNS TERMINATED BY '\\x01' ROWS TERMINATED BY '\\x02' FORMAT AS 'CSV' (` + "`id`, `amount`))" +
				" WITH BROKER ('aws.s3.region' = 'r') PROPERTIES ('timeout' = '3600', 'max_filter_ratio' = '0', 'strict_mode' = 'true')",
		},
		"partition, no broker properties": {
			in: LoadSpec{Table: orders, Partition: "p1", Files: []string{"file:///d/x.csv"}, Columns: []string{"id"}, Label: "lbl", Timeout: time.Minute},
			want: "LOAD LABEL `sales`.`lbl` (DATA INFILE ('file:///d/x.csv') INTO TABLE `orders` PARTITION (`p1`)" +
				` COLUMNS TERMINATED BY '\\x01' ROWS TERMINATED BY '\\x02' FORMAT AS 'CSV' (` + "`id`))" +
				" WITH BROKER PROPERTIES ('timeout' = '60', 'max_filter_ratio' = '0', 'strict_mode' = 'true')",
		},
		"unpartitioned": {
			in: LoadSpec{Table: orders, Files: []string{"f"}, Columns: []string{"id"}, Label: "l", Timeout: time.Second},
			want: "LOAD LABEL `sales`.`l` (DATA INFILE ('f') INTO TABLE `orders`" +
				` COLUMNS TERMINATED BY '\\x01' ROWS TERMINATED BY '\\x02' FORMAT AS 'CSV' (` + "`id`))" +
				" WITH BROKER PROPERTIES ('timeout' = '1', 'max_filter_ratio' = '0', 'strict_mode' = 'true')",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tc.want, BrokerLoadSQL(tc.in)); diff != "" {
				t.Errorf("BrokerLoadSQL (-want +got):\n%s", diff)
			}
		})
	}
}

func TestInsertFromFilesSQL(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		in   LoadSpec
		want string
	}{
		"one file into a temporary partition": {
			in: LoadSpec{Table: orders, TempPartition: "tp", Files: []string{"s3://b/x/1.parquet"}, Columns: []string{"id", "amount"},
				Properties: map[string]string{"aws.s3.region": "r", "path": "ignored"}, Label: "lbl"},
			want: "INSERT INTO `sales`.`orders` TEMPORARY PARTITION (`tp`) WITH LABEL `lbl` (`id`, `amount`)" +
				" SELECT `id`, `amount` FROM FILES('path' = 's3://b/x/1.parquet', 'format' = 'parquet', 'aws.s3.region' = 'r')",
		},
		"two files into a partition": {
			in: LoadSpec{Table: orders, Partition: "p1", Files: []string{"a.parquet", "b.parquet"}, Columns: []string{"id"}, Label: "lbl"},
			want: "INSERT INTO `sales`.`orders` PARTITION (`p1`) WITH LABEL `lbl` (`id`)" +
				" SELECT `id` FROM FILES('path' = 'a.parquet', 'format' = 'parquet')" +
				" UNION ALL SELECT `id` FROM FILES('path' = 'b.parquet', 'format' = 'parquet')",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tc.want, InsertFromFilesSQL(tc.in)); diff != "" {
				t.Errorf("InsertFromFilesSQL (-want +got):\n%s", diff)
			}
		})
	}
}

func TestJobStatementBuilders(t *testing.T) {
	t.Parallel()
	tests := map[string]struct{ got, want string }{
		"show load one":       {ShowLoadSQL("sales", "l'1"), "SHOW LOAD FROM `sales` WHERE LABEL = 'l\\'1'"},
		"show load all":       {ShowLoadSQL("sales", ""), "SHOW LOAD FROM `sales`"},
		"loads view":          {LoadsQuerySQL([]string{"a", "b"}), "SELECT * FROM information_schema.loads WHERE LABEL IN ('a', 'b')"},
		"show export one":     {ShowExportSQL("sales", "q-1"), "SHOW EXPORT FROM `sales` WHERE QUERYID = 'q-1'"},
		"show export all":     {ShowExportSQL("sales", ""), "SHOW EXPORT FROM `sales`"},
		"cancel export":       {CancelExportSQL("sales", "q-1"), "CANCEL EXPORT FROM `sales` WHERE QUERYID = 'q-1'"},
		"cancel load":         {CancelLoadSQL("sales", "l"), "CANCEL LOAD FROM `sales` WHERE LABEL = 'l'"},
		"query timeout":       {SessionTimeoutSQL(90 * time.Minute), "SET query_timeout = 5400"},
		"use":                 {UseSQL("sa`les"), "USE `sa``les`"},
		"insert timeout":      {InsertTimeoutSQL(time.Hour), "SET insert_timeout = 3600"},
		"overwrite":           {InsertOverwriteSQL(orders, planner.TableAddr{DB: "sales", Table: "sh"}, "l_ow"), "INSERT OVERWRITE `sales`.`orders` WITH LABEL `l_ow` SELECT * FROM `sales`.`sh`"},
		"split predicate":     {SplitPredicate("u", 8, 0), "(ifnull(murmur_hash3_32(CAST(`u` AS STRING)), 0) % 8 + 8) % 8 = 0"},
		"show partition":      {ShowPartitionSQL(orders, "p'1", false), "SHOW PARTITIONS FROM `sales`.`orders` WHERE PartitionName = 'p\\'1'"},
		"show temp partition": {ShowPartitionSQL(orders, "tp", true), "SHOW TEMPORARY PARTITIONS FROM `sales`.`orders` WHERE PartitionName = 'tp'"},
		"drop temp partition": {DropTempPartitionSQL(orders, "tp"), "ALTER TABLE `sales`.`orders` DROP TEMPORARY PARTITION IF EXISTS `tp`"},
		"replace partition": {ReplacePartitionSQL(orders, "p1", "tp"),
			"ALTER TABLE `sales`.`orders` REPLACE PARTITION (`p1`) WITH TEMPORARY PARTITION (`tp`) PROPERTIES ('strict_range' = 'true', 'use_temp_partition_name' = 'false')"},
		"create like":             {CreateTableLikeSQL(planner.TableAddr{DB: "sales", Table: "sh"}, orders), "CREATE TABLE `sales`.`sh` LIKE `sales`.`orders`"},
		"drop table":              {DropTableSQL(orders), "DROP TABLE IF EXISTS `sales`.`orders`"},
		"swap":                    {SwapTableSQL(orders, "sh"), "ALTER TABLE `sales`.`orders` SWAP WITH `sh`"},
		"split dir":               {splitDir("s3://b/x/", 3, 8), "s3://b/x/split-3-of-8/"},
		"split dir without slash": {splitDir("s3://b/x", 0, 2), "s3://b/x/split-0-of-2/"},
		"seconds round up":        {seconds(1001 * time.Millisecond), "2"},
		"seconds at least one":    {seconds(0), "1"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if tc.got != tc.want {
				t.Errorf("got  %s\nwant %s", tc.got, tc.want)
			}
		})
	}
}

func TestPartLabels(t *testing.T) {
	t.Parallel()
	long := ""
	for len(long) < maxLabelLen {
		long += "x"
	}
	tests := map[string]struct {
		label string
		parts int
		want  []string
	}{
		"no split":  {"l", 1, []string{"l"}},
		"three":     {"l", 3, []string{"l_s0", "l_s1", "l_s2"}},
		"shortened": {long, 12, nil},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got := partLabels(tc.label, tc.parts)
			if tc.want != nil {
				if diff := cmp.Diff(tc.want, got); diff != "" {
					t.Errorf("partLabels (-want +got):\n%s", diff)
				}
				return
			}
			seen := map[string]bool{}
			for _, l := range got {
				if len(l) > maxLabelLen || seen[l] {
					t.Errorf("label %q: longer than %d or repeated", l, maxLabelLen)
				}
				seen[l] = true
			}
			if len(got) != tc.parts {
				t.Errorf("got %d labels, want %d", len(got), tc.parts)
			}
		})
	}
}
