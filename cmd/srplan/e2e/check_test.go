package e2e

import (
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// digest is a partition's row count and checksum, computed by the suite's
// own SQL (not srplan's): the sum of murmur_hash3_32 over the row's values
// joined with '|' (NULLs written as \N, so that NULL and "" differ).
type digest struct {
	Rows     int64
	Checksum string
}

func digestSQL(tb table, partition string) string {
	vals := make([]string, len(tb.cols))
	for i, c := range tb.cols {
		vals[i] = fmt.Sprintf("COALESCE(CAST(%s AS VARCHAR), '\\\\N')", c)
	}
	from := tb.name
	if partition != "" {
		from += " PARTITION (" + partition + ")"
	}
	return fmt.Sprintf("SELECT COUNT(*), COALESCE(SUM(murmur_hash3_32(concat_ws('|', %s))), 0) FROM %s", strings.Join(vals, ", "), from)
}

// digestOf reads the digest of one partition ("" = the whole table).
func digestOf(t testing.TB, c *cluster, tb table, partition string) digest {
	t.Helper()
	var d digest
	var sum sql.NullString
	q := digestSQL(tb, partition)
	if err := c.db.QueryRow(q).Scan(&d.Rows, &sum); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	d.Checksum = sum.String
	return d
}

// partitionNames lists the (temporary) partitions of tb on c.
func partitionNames(t testing.TB, c *cluster, tb table, temporary bool) []string {
	t.Helper()
	ids := partitionIDs(t, c, tb, temporary)
	names := make([]string, 0, len(ids))
	for n := range ids {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// partitionIDs returns the PartitionId of every (temporary) partition of
// tb on c, by name. REPLACE PARTITION gives the partition the id of the
// temporary partition that replaced it.
func partitionIDs(t testing.TB, c *cluster, tb table, temporary bool) map[string]string {
	t.Helper()
	q := "SHOW PARTITIONS FROM " + tb.name
	if temporary {
		q = "SHOW TEMPORARY PARTITIONS FROM " + tb.name
	}
	rows, err := c.db.Query(q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	idx, idIdx := -1, -1
	for i, c := range cols {
		switch c {
		case "PartitionName":
			idx = i
		case "PartitionId":
			idIdx = i
		}
	}
	if idx < 0 || idIdx < 0 {
		t.Fatalf("%s: no PartitionName or PartitionId column in %v", q, cols)
	}
	names := map[string]string{}
	for rows.Next() {
		vals := make([]sql.RawBytes, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		names[string(vals[idx])] = string(vals[idIdx])
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return names
}

// digests returns the digest of every partition of tb on c, by name (one
// entry "" for an unpartitioned table).
func digests(t testing.TB, c *cluster, tb table) map[string]digest {
	t.Helper()
	out := map[string]digest{}
	if !tb.partitioned {
		out[""] = digestOf(t, c, tb, "")
		return out
	}
	for _, p := range partitionNames(t, c, tb, false) {
		out[p] = digestOf(t, c, tb, p)
	}
	return out
}

// assertSameData fails t unless every table has the same partitions with
// the same row counts and checksums on both clusters, no duplicated key
// on the target where the source has none, no temporary partition and no
// srplan shadow table on the target.
func assertSameData(t testing.TB, src, dst *cluster, tables ...table) {
	t.Helper()
	for _, tb := range tables {
		want, got := digests(t, src, tb), digests(t, dst, tb)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: partitions differ (-source +target):\n%s", tb.name, diff)
		}
		var rows int64
		for _, d := range want {
			rows += d.Rows
		}
		if rows == 0 {
			t.Errorf("%s: the source has no rows; the comparison proves nothing", tb.name)
		}
		if tb.key != nil {
			if dup := duplicateKeys(t, src, tb); len(dup) != 0 {
				t.Fatalf("%s: the seeded source has duplicated keys %v", tb.name, dup)
			}
			if dup := duplicateKeys(t, dst, tb); len(dup) != 0 {
				t.Errorf("%s: duplicated keys on the target: %v", tb.name, dup)
			}
		}
		if tb.partitioned {
			if tmp := partitionNames(t, dst, tb, true); len(tmp) != 0 {
				t.Errorf("%s: temporary partitions left on the target: %v", tb.name, tmp)
			}
		}
	}
	if sh := shadowTables(t, dst, "shop"); len(sh) != 0 {
		t.Errorf("shadow tables left on the target: %v", sh)
	}
}

// duplicateKeys returns up to 5 key combinations of tb that occur more
// than once on c.
func duplicateKeys(t testing.TB, c *cluster, tb table) []string {
	t.Helper()
	k := strings.Join(tb.key, ", ")
	q := fmt.Sprintf("SELECT %s, COUNT(*) FROM %s GROUP BY %s HAVING COUNT(*) > 1 LIMIT 5", k, tb.name, k)
	rows, err := c.db.Query(q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		vals := make([]sql.RawBytes, len(tb.key)+1)
		ptrs := make([]any, len(vals))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		parts := make([]string, len(vals))
		for i, v := range vals {
			parts[i] = string(v)
		}
		out = append(out, strings.Join(parts, "/"))
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return out
}

// shadowTables lists the srplan_shadow_ tables of database db on c.
func shadowTables(t testing.TB, c *cluster, db string) []string {
	t.Helper()
	rows, err := c.db.Query("SHOW TABLES FROM " + db)
	if err != nil {
		t.Fatalf("SHOW TABLES FROM %s: %v", db, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(name, "srplan_shadow_") {
			out = append(out, name)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// partitionsPerTable is how many partitions each sample table has on c.
func partitionsPerTable(t testing.TB, c *cluster) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, tb := range allTables {
		out[tb.name] = len(partitionNames(t, c, tb, false))
	}
	return out
}
