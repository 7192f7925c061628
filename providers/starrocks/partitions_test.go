package starrocks

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/srplan/srplan/planner"
)

var ordersAddr = planner.TableAddr{DB: "sales", Table: "orders"}

// Headers as STARROCKS.md 1.2 (shared-nothing) and 1.3 (shared-data) list them.
const (
	sharedNothingPartitions = `
+-------------+---------------+----------------+---------------------+--------------------+--------+--------------+-----------------------------------------------------------------------------+-----------------+---------+----------------+---------------+---------------------+--------------------------+----------+------------+----------+
| PartitionId | PartitionName | VisibleVersion | VisibleVersionTime  | VisibleVersionHash | State  | PartitionKey | Range                                                                       | DistributionKey | Buckets | ReplicationNum | StorageMedium | CooldownTime        | LastConsistencyCheckTime | DataSize | IsInMemory | RowCount |
+-------------+---------------+----------------+---------------------+--------------------+--------+--------------+-----------------------------------------------------------------------------+-----------------+---------+----------------+---------------+---------------------+--------------------------+----------+------------+----------+
| 10010       | p20240101     | 3              | 2024-01-02 03:04:05 | 0                  | NORMAL | dt           | [types: [DATE]; keys: [2024-01-01]; ..types: [DATE]; keys: [2024-01-02]; )  | order_id        | 8       | 3              | HDD           | 9999-12-31 23:59:59 | NULL                     | 2.5KB    | false      | 120      |
| 10011       | p20240102     | 1              | 2024-01-03 00:00:00 | 0                  | NORMAL | dt           | [types: [DATE]; keys: [2024-01-02]; ..types: [DATE]; keys: [2024-01-03]; )  | order_id        | 8       | 3              | HDD           | 9999-12-31 23:59:59 | NULL                     | 0B       | false      | 0        |
+-------------+---------------+----------------+---------------------+--------------------+--------+--------------+-----------------------------------------------------------------------------+-----------------+---------+----------------+---------------+---------------------+--------------------------+----------+------------+----------+`
	sharedDataPartitions = `
| PartitionId | PartitionName    | CompactVersion | VisibleVersion | NextVersion | State  | PartitionKey | List                        | DistributionKey | Buckets | DataSize | RowCount | EnableDataCache | AsyncWrite | AvgCS | P50CS | MaxCS |
| 20001       | p20220401_Beijing | 0             | 2              | 3           | NORMAL | dt, city     | (('2022-04-01', 'Beijing')) | id              | 4       | 1.2MB    | 7        | true            | false      | 0     | 0     | 0     |`
)

func TestParsePartitions(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		table    string
		want     []planner.Partition
		wantTime bool
	}{
		"shared-nothing": {
			table:    sharedNothingPartitions,
			wantTime: true,
			want: []planner.Partition{
				{
					ID: 10010, Name: "p20240101", VisibleVersion: 3,
					VisibleVersionTime: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC),
					RowCount:           120, DataSize: 2560, Buckets: 8,
					Value: "[types: [DATE]; keys: [2024-01-01]; ..types: [DATE]; keys: [2024-01-02]; )",
				},
				{
					ID: 10011, Name: "p20240102", VisibleVersion: 1,
					VisibleVersionTime: time.Date(2024, 1, 3, 0, 0, 0, 0, time.UTC),
					Buckets:            8,
					Value:              "[types: [DATE]; keys: [2024-01-02]; ..types: [DATE]; keys: [2024-01-03]; )",
				},
			},
		},
		"shared-data": {
			table: sharedDataPartitions,
			want: []planner.Partition{{
				ID: 20001, Name: "p20220401_Beijing", VisibleVersion: 2, RowCount: 7, DataSize: 1258291, Buckets: 4,
				Value: "(('2022-04-01', 'Beijing'))",
			}},
		},
		"columns in another order, other case, unknown extras": {
			table: `
| RowCount | FutureColumn | visibleversion | partitionname | VisibleVersionTime     |
| 5        | x            | 9              | p1            | 2024-05-06 07:08:09.5  |`,
			wantTime: true,
			want: []planner.Partition{{
				Name: "p1", VisibleVersion: 9, RowCount: 5,
				VisibleVersionTime: time.Date(2024, 5, 6, 7, 8, 9, 500_000_000, time.UTC),
			}},
		},
		"null optional cells": {
			table: `
| PartitionName | VisibleVersion | VisibleVersionTime | DataSize | RowCount | Range |
| p1            | 1              | NULL               | NULL     | NULL     | NULL  |`,
			wantTime: true,
			want:     []planner.Partition{{Name: "p1", VisibleVersion: 1}},
		},
		"no rows": {
			table:    "| PartitionName | VisibleVersion | VisibleVersionTime |",
			wantTime: true,
			want:     []planner.Partition{},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, err := parsePartitions(resultFromTable(t, tc.table), ordersAddr)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got.parts); diff != "" {
				t.Errorf("partitions (-want +got):\n%s", diff)
			}
			if got.hasVersionTime != tc.wantTime {
				t.Errorf("hasVersionTime = %v, want %v", got.hasVersionTime, tc.wantTime)
			}
		})
	}
}

func TestParsePartitionsErrors(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		table string
		want  string
	}{
		"no PartitionName column": {
			table: "| PartitionId | VisibleVersion |\n| 1 | 2 |",
			want:  "partitions of sales.orders: column PartitionName missing from the result",
		},
		"no VisibleVersion column": {
			table: "| PartitionName | VisibleVersionTime |\n| p1 | 2024-01-01 00:00:00 |",
			want:  "partitions of sales.orders: column VisibleVersion missing from the result",
		},
		"null name": {
			table: "| PartitionName | VisibleVersion |\n| NULL | 2 |",
			want:  "partitions of sales.orders: row 1 has no PartitionName",
		},
		"null version": {
			table: "| PartitionName | VisibleVersion |\n| p1 | NULL |",
			want:  "partitions of sales.orders: partition p1 has no VisibleVersion",
		},
		"bad version": {
			table: "| PartitionName | VisibleVersion |\n| p1 | two |",
			want:  `partitions of sales.orders: partition p1: VisibleVersion "two": strconv.ParseInt: parsing "two": invalid syntax`,
		},
		"bad time": {
			table: "| PartitionName | VisibleVersion | VisibleVersionTime |\n| p1 | 2 | 02/01/2024 |",
			want:  `partitions of sales.orders: partition p1: VisibleVersionTime "02/01/2024": want yyyy-MM-dd HH:mm:ss`,
		},
		"bad size": {
			table: "| PartitionName | VisibleVersion | DataSize |\n| p1 | 2 | 3 bananas |",
			want:  `partitions of sales.orders: partition p1: DataSize "3 bananas": invalid data size "3 bananas": unknown unit "bananas" (want B, KB, MB, GB, TB, PB or EB)`,
		},
		"bad id": {
			table: "| PartitionId | PartitionName | VisibleVersion |\n| x1 | p1 | 2 |",
			want:  `partitions of sales.orders: partition p1: PartitionId "x1": strconv.ParseInt: parsing "x1": invalid syntax`,
		},
		"bad buckets": {
			table: "| PartitionName | VisibleVersion | Buckets |\n| p1 | 2 | auto |",
			want:  `partitions of sales.orders: partition p1: Buckets "auto": strconv.Atoi: parsing "auto": invalid syntax`,
		},
		"bad row count": {
			table: "| PartitionName | VisibleVersion | RowCount |\n| p1 | 2 | 1.5 |",
			want:  `partitions of sales.orders: partition p1: RowCount "1.5": strconv.ParseInt: parsing "1.5": invalid syntax`,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := parsePartitions(resultFromTable(t, tc.table), ordersAddr)
			if err == nil {
				t.Fatal("parsePartitions succeeded, want an error")
			}
			if err.Error() != tc.want {
				t.Errorf("error\n got %s\nwant %s", err, tc.want)
			}
		})
	}
}

func TestParsePartitionsMeta(t *testing.T) {
	t.Parallel()
	res := resultFromTable(t, `
| TABLE_NAME | PARTITION_NAME | IS_TEMP | VISIBLE_VERSION | VISIBLE_VERSION_TIME |
| orders     | p1             | 0       | 4               | 2024-03-04 05:06:07  |
| orders     | tp1            | true    | 2               | 2024-03-05 00:00:00  |
| users      | users          | false   | 1               | NULL                 |`)
	got := map[metaKey]metaVersion{}
	if err := parsePartitionsMeta(res, "sales", got); err != nil {
		t.Fatal(err)
	}
	want := map[metaKey]metaVersion{
		{table: "orders", partition: "p1"}:              {version: 4, time: time.Date(2024, 3, 4, 5, 6, 7, 0, time.UTC)},
		{table: "orders", partition: "tp1", temp: true}: {version: 2, time: time.Date(2024, 3, 5, 0, 0, 0, 0, time.UTC)},
		{table: "users", partition: "users"}:            {version: 1},
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(metaKey{}, metaVersion{})); diff != "" {
		t.Errorf("partitions_meta (-want +got):\n%s", diff)
	}

	for name, table := range map[string]string{
		"IS_TEMP":               "| TABLE_NAME | PARTITION_NAME | VISIBLE_VERSION | VISIBLE_VERSION_TIME |",
		"IS_TEMP \"maybe\"":     "| TABLE_NAME | PARTITION_NAME | IS_TEMP | VISIBLE_VERSION | VISIBLE_VERSION_TIME |\n| t | p | maybe | 1 | NULL |",
		"VISIBLE_VERSION \"x\"": "| TABLE_NAME | PARTITION_NAME | IS_TEMP | VISIBLE_VERSION | VISIBLE_VERSION_TIME |\n| t | p | 0 | x | NULL |",
		"no table or partition": "| TABLE_NAME | PARTITION_NAME | IS_TEMP | VISIBLE_VERSION | VISIBLE_VERSION_TIME |\n| t | NULL | 0 | 1 | NULL |",
	} {
		t.Run("error "+name, func(t *testing.T) {
			t.Parallel()
			err := parsePartitionsMeta(resultFromTable(t, table), "sales", map[metaKey]metaVersion{})
			if err == nil || !strings.Contains(err.Error(), name) || !strings.Contains(err.Error(), "sales") {
				t.Errorf("error %v, want one naming %s and the database", err, name)
			}
		})
	}
}
