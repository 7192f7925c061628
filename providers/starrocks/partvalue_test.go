package starrocks

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParsePartitionValue(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		in     string
		want   PartitionValue
		clause string
	}{
		"date range": {
			in:     "[types: [DATE]; keys: [2019-01-01]; ..types: [DATE]; keys: [2020-01-01]; )",
			want:   PartitionValue{Range: true, Lower: []string{"2019-01-01"}, Upper: []string{"2020-01-01"}, Types: []string{"DATE"}},
			clause: "VALUES [('2019-01-01'), ('2020-01-01'))",
		},
		"datetime range": {
			in:     "[types: [DATETIME]; keys: [2023-02-26 00:00:00]; ..types: [DATETIME]; keys: [2023-02-27 00:00:00]; )",
			want:   PartitionValue{Range: true, Lower: []string{"2023-02-26 00:00:00"}, Upper: []string{"2023-02-27 00:00:00"}, Types: []string{"DATETIME"}},
			clause: "VALUES [('2023-02-26 00:00:00'), ('2023-02-27 00:00:00'))",
		},
		"two-column range up to MAXVALUE": {
			in:     "[types: [DATE, INT]; keys: [2024-01-01, 5]; ..types: [DATE, INT]; keys: [MAXVALUE, MAXVALUE]; )",
			want:   PartitionValue{Range: true, Lower: []string{"2024-01-01", "5"}, Upper: []string{MaxValue, MaxValue}, Types: []string{"DATE", "INT"}},
			clause: "VALUES [('2024-01-01', '5'), (MAXVALUE, MAXVALUE))",
		},
		"first LESS THAN partition keeps the type minimum": {
			in:     "[types: [INT]; keys: [-2147483648]; ..types: [INT]; keys: [10]; )",
			want:   PartitionValue{Range: true, Lower: []string{"-2147483648"}, Upper: []string{"10"}, Types: []string{"INT"}},
			clause: "VALUES [('-2147483648'), ('10'))",
		},
		"MINVALUE lower bound becomes the type minimum": {
			in:     "[types: [DATE]; keys: [MINVALUE]; ..types: [DATE]; keys: [2020-01-01]; )",
			want:   PartitionValue{Range: true, Lower: []string{"0000-01-01"}, Upper: []string{"2020-01-01"}, Types: []string{"DATE"}},
			clause: "VALUES [('0000-01-01'), ('2020-01-01'))",
		},
		"range printed without types": {
			in:     "[keys: [1]; ..keys: [2]; )",
			want:   PartitionValue{Range: true, Lower: []string{"1"}, Upper: []string{"2"}},
			clause: "VALUES [('1'), ('2'))",
		},
		"single-column list": {
			in:     "('beijing', 'shanghai')",
			want:   PartitionValue{List: [][]string{{"beijing"}, {"shanghai"}}},
			clause: "VALUES IN ('beijing', 'shanghai')",
		},
		"multi-column list": {
			in:     "(('2022-04-01', 'Houston'), ('2022-04-02', 'Los Angeles'))",
			want:   PartitionValue{Multi: true, List: [][]string{{"2022-04-01", "Houston"}, {"2022-04-02", "Los Angeles"}}},
			clause: "VALUES IN (('2022-04-01', 'Houston'), ('2022-04-02', 'Los Angeles'))",
		},
		"list value with a comma and a quote": {
			in:     "('a, b', 'it's')",
			want:   PartitionValue{List: [][]string{{"a, b"}, {"it's"}}},
			clause: `VALUES IN ('a, b', 'it\'s')`,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, err := ParsePartitionValue(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ParsePartitionValue (-want +got):\n%s", diff)
			}
			if c := got.ValuesClause(); c != tc.clause {
				t.Errorf("ValuesClause = %s, want %s", c, tc.clause)
			}
		})
	}
}

func TestParsePartitionValueErrors(t *testing.T) {
	t.Parallel()
	tests := map[string]struct{ in, wantErr string }{
		"empty":              {"", "empty partition value"},
		"garbage":            {"p1", "neither a range nor a list"},
		"no upper":           {"[types: [DATE]; keys: [2019-01-01]; )", "no '..'"},
		"open end":           {"[types: [DATE]; keys: [1]; ..types: [DATE]; keys: [2]; ]", "closed-open"},
		"key count mismatch": {"[types: [INT]; keys: [1]; ..types: [INT, INT]; keys: [2, 3]; )", "different numbers"},
		"MAXVALUE below":     {"[types: [INT]; keys: [MAXVALUE]; ..types: [INT]; keys: [MAXVALUE]; )", "lower bound"},
		"MINVALUE untyped":   {"[keys: [MINVALUE]; ..keys: [2]; )", "unknown type"},
		"unterminated list":  {"('a', 'b", "unterminated"},
		"empty list":         {"()", "want '\\''"},
		"trailing text":      {"('a') x", "unexpected text"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := ParsePartitionValue(tc.in)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("ParsePartitionValue(%q) error = %v, want it to contain %q", tc.in, err, tc.wantErr)
			}
		})
	}
}

func TestAddPartitionSQL(t *testing.T) {
	t.Parallel()
	rng, err := ParsePartitionValue("[types: [DATE]; keys: [2024-01-01]; ..types: [DATE]; keys: [2024-01-02]; )")
	if err != nil {
		t.Fatal(err)
	}
	list, err := ParsePartitionValue("('beijing')")
	if err != nil {
		t.Fatal(err)
	}
	tests := map[string]struct{ got, want string }{
		"formal range": {AddPartitionSQL(orders, "p20240101", rng, false),
			"ALTER TABLE `sales`.`orders` ADD PARTITION `p20240101` VALUES [('2024-01-01'), ('2024-01-02'))"},
		"temporary range": {AddPartitionSQL(orders, "tp_x", rng, true),
			"ALTER TABLE `sales`.`orders` ADD TEMPORARY PARTITION `tp_x` VALUES [('2024-01-01'), ('2024-01-02'))"},
		"temporary list": {AddPartitionSQL(orders, "tp_y", list, true),
			"ALTER TABLE `sales`.`orders` ADD TEMPORARY PARTITION `tp_y` VALUES IN ('beijing')"},
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
