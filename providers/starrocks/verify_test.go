package starrocks

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/srplan/srplan/executor"
	"github.com/srplan/srplan/lang"
	"github.com/srplan/srplan/planner"
	"github.com/srplan/srplan/state"
)

func TestVerifySQL(t *testing.T) {
	t.Parallel()
	cols := []planner.Column{
		{Name: "id", Type: "bigint(20)"}, {Name: "name", Type: "varchar(64)"},
		{Name: "amount", Type: "decimal(18, 2)"}, {Name: "u", Type: "bitmap"}, {Name: "h", Type: "hll"},
		{Name: "f", Type: "double"}, {Name: "d", Type: "date"},
	}
	tests := map[string]struct {
		in   VerifySpec
		want string
	}{
		"count of a partition with a filter": {
			in:   VerifySpec{Table: orders, Partition: "p1", Mode: lang.VerifyCount, Where: "tenant_id <> 0"},
			want: "SELECT COUNT(*) FROM `sales`.`orders` PARTITION (`p1`) WHERE (tenant_id <> 0)",
		},
		"checksum with xx_hash3_64": {
			in: VerifySpec{Table: orders, Partition: "p1", Mode: lang.VerifyChecksum, Columns: cols[:2], HashFunc: "xx_hash3_64"},
			want: "SELECT COUNT(*), SUM(CAST(xx_hash3_64(concat_ws('|', " +
				"ifnull(concat('=', CAST(`id` AS STRING)), '\\\\N'), ifnull(concat('=', CAST(`name` AS STRING)), '\\\\N'))) AS DECIMAL(38, 0)))" +
				" FROM `sales`.`orders` PARTITION (`p1`)",
		},
		"default mode is checksum; bitmap and hll read by functions": {
			in: VerifySpec{Table: orders, Columns: cols[3:5], HashFunc: "murmur_hash3_32"},
			want: "SELECT COUNT(*), SUM(CAST(murmur_hash3_32(concat_ws('|', " +
				"ifnull(concat('=', bitmap_to_string(`u`)), '\\\\N'), ifnull(concat('=', CAST(hll_cardinality(`h`) AS STRING)), '\\\\N'))) AS DECIMAL(38, 0)))" +
				" FROM `sales`.`orders`",
		},
		"sums": {
			in: VerifySpec{Table: orders, Mode: lang.VerifySums, Columns: cols, Sums: []string{"amount", "id", "f"}},
			want: "SELECT COUNT(*), SUM(`amount`), SUM(CAST(`id` AS DECIMAL(38, 0))), SUM(`f`)" +
				" FROM `sales`.`orders`",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, err := VerifySQL(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("VerifySQL (-want +got):\n%s", diff)
			}
		})
	}
	bad := map[string]VerifySpec{
		"unknown mode":     {Table: orders, Mode: "md5"},
		"unknown hash":     {Table: orders, Mode: lang.VerifyChecksum, Columns: cols, HashFunc: "md5"},
		"no columns":       {Table: orders, Mode: lang.VerifyChecksum, HashFunc: "xx_hash3_64"},
		"sum of a date":    {Table: orders, Mode: lang.VerifySums, Columns: cols, Sums: []string{"d"}},
		"sum of a missing": {Table: orders, Mode: lang.VerifySums, Columns: cols, Sums: []string{"zz"}},
		"sums of nothing":  {Table: orders, Mode: lang.VerifySums, Columns: cols},
	}
	for name, s := range bad {
		if _, err := VerifySQL(s); err == nil {
			t.Errorf("%s: VerifySQL accepted %+v", name, s)
		}
	}
}

func TestVerify(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		rule lang.VerifyRule
		cols []string
		row  []string
		want state.VerifyResult
	}{
		"checksum": {
			rule: lang.VerifyRule{}, cols: []string{"COUNT(*)", "SUM"}, row: []string{"3", "-123456789012345678901"},
			want: state.VerifyResult{Mode: "checksum", RowCount: 3, Checksum: "-123456789012345678901"},
		},
		"checksum of an empty partition": {
			rule: lang.VerifyRule{Mode: lang.VerifyChecksum}, cols: []string{"COUNT(*)", "SUM"}, row: []string{"0", "NULL"},
			want: state.VerifyResult{Mode: "checksum", RowCount: 0, Checksum: "0"},
		},
		"sums normalised": {
			rule: lang.VerifyRule{Mode: lang.VerifySums, Sums: []string{"amount", "id"}},
			cols: []string{"COUNT(*)", "a", "b"}, row: []string{"2", "4.500", "NULL"},
			want: state.VerifyResult{Mode: "sums", RowCount: 2, Sums: map[string]string{"amount": "4.5", "id": "NULL"}},
		},
		"count": {
			rule: lang.VerifyRule{Mode: lang.VerifyCount}, cols: []string{"COUNT(*)"}, row: []string{"7"},
			want: state.VerifyResult{Mode: "count", RowCount: 7},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var asked string
			db, _ := newJobDB(t, func(q string) jobReply { asked = q; return reply(tc.cols, tc.row) })
			j := testJobs(t, db, v33, WithChecksumFunc("xx_hash3_64"))
			got, err := j.Verify(context.Background(), executor.VerifyRequest{Table: orders, Partition: "p1", Columns: orderCols, Rule: tc.rule})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(&tc.want, got, cmpIgnoreAt); diff != "" {
				t.Errorf("Verify (-want +got):\n%s", diff)
			}
			if got.At.IsZero() {
				t.Error("At not set")
			}
			if tc.want.Mode == "checksum" && !strings.Contains(asked, "xx_hash3_64(") {
				t.Errorf("query %s does not use the configured hash", asked)
			}
		})
	}
}

var cmpIgnoreAt = cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".At" }, cmp.Ignore())

func TestChecksumFuncFor(t *testing.T) {
	t.Parallel()
	v := func(a, b, c int) planner.Version { return planner.Version{Major: a, Minor: b, Patch: c} }
	if got := ChecksumFuncFor(v(3, 3, 0), v(3, 2, 0)); got != "xx_hash3_64" {
		t.Errorf("3.3/3.2: %s", got)
	}
	if got := ChecksumFuncFor(v(3, 1, 11), v(3, 5, 0)); got != "murmur_hash3_32" {
		t.Errorf("3.1/3.5: %s", got)
	}
	if _, err := newJobs(nil, v33, WithChecksumFunc("md5")); err == nil {
		t.Error("WithChecksumFunc accepted md5")
	}
	for name, o := range map[string]JobOption{
		"short timeout":   WithJobTimeout(time.Second),
		"bad compression": WithParquetCompression("brotli"),
		"bad poll":        WithPollInterval(time.Second, time.Millisecond),
	} {
		if _, err := newJobs(nil, v33, o); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
}
