package starrocks

import (
	"testing"
	"time"

	"github.com/dolthub/vitess/go/mysql"
	"github.com/google/go-cmp/cmp"
)

func TestRewriteQuery(t *testing.T) {
	tests := map[string]struct {
		in, want string
	}{
		"plain query untouched": {
			in:   "SELECT k, `v` FROM t WHERE k = 'PARTITION (x)'",
			want: "SELECT k, `v` FROM t WHERE k = 'PARTITION (x)'",
		},
		"partition clause gets hidden name and alias": {
			in:   "SELECT * FROM t PARTITION (p1, p2) WHERE k > 1",
			want: "SELECT * FROM `t#part#p1#p2` AS `t` WHERE k > 1",
		},
		"partitions keyword and qualified table keep the qualifier": {
			in:   "SELECT count(*) FROM db.t PARTITIONS (p1)",
			want: "SELECT count(*) FROM db.`t#part#p1` AS `t`",
		},
		"temporary partition with explicit alias": {
			in:   "SELECT a.k FROM t TEMPORARY PARTITION (tp1) a JOIN u ON a.k = u.k",
			want: "SELECT a.k FROM `t#temp#tp1` a JOIN u ON a.k = u.k",
		},
		"window PARTITION BY is not a partition clause": {
			in:   "SELECT row_number() OVER (PARTITION BY k) FROM t",
			want: "SELECT row_number() OVER (PARTITION BY k) FROM t",
		},
		"cast to StarRocks types": {
			in:   "SELECT CAST(k AS STRING), cast(v as varchar(20)), CAST(x AS BIGINT), CAST(d AS DATE) FROM t",
			want: "SELECT CAST(k AS CHAR), cast(v as CHAR), CAST(x AS SIGNED), CAST(d AS DATE) FROM t",
		},
		"nested cast inside function": {
			in:   "SELECT ifnull(cast(c as string), '\\N') FROM t",
			want: "SELECT ifnull(cast(c as CHAR), '\\N') FROM t",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := rewriteQuery(tc.in, profile{})
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("rewriteQuery:\n got %s\nwant %s", got, tc.want)
			}
		})
	}
	if _, err := rewriteQuery("SELECT * FROM t PARTITION (p1) TABLET (1)", profile{}); err == nil {
		t.Error("TABLET clause: want an unsupported-statement error")
	}
}

func TestLex(t *testing.T) {
	toks, err := lex("SELECT `a``b`, 'it''s', \"x\\\"y\", 1.5e3, @@version -- c\n/* d */ # e\n<= ?")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, tk := range toks {
		got = append(got, tk.val)
	}
	want := []string{"SELECT", "a`b", ",", "it's", ",", `x"y`, ",", "1.5e3", ",", "@@version", "<=", "?", ""}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("tokens (-want +got):\n%s", diff)
	}
	if _, err := lex("SELECT 'open"); err == nil {
		t.Error("unterminated string: want an error")
	}
}

func TestByteSizeString(t *testing.T) {
	tests := map[int64]string{
		0: "0B", 1023: "1023B", 1024: "1KB", 4096: "4KB", 2560: "2.5KB", 2600: "2.5KB",
		1258291: "1.1MB", 1258292: "1.2MB", 3 << 30: "3GB", 1<<40 + 1<<39: "1.5TB",
	}
	for in, want := range tests {
		if got := byteSizeString(in); got != want {
			t.Errorf("byteSizeString(%d) = %q, want %q", in, got, want)
		}
	}
}

func TestLikeMatch(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"p2024%", "p20240101", true},
		{"p2024%", "p2023", false},
		{"p_", "p1", true},
		{"p_", "p12", false},
		{"%01", "p20240101", true},
		{"P2024%", "p2024", true},
	}
	for _, tc := range tests {
		if got := likeMatch(tc.pattern, tc.s, false); got != tc.want {
			t.Errorf("likeMatch(%q, %q) = %v, want %v", tc.pattern, tc.s, got, tc.want)
		}
	}
}

func TestParseProfile(t *testing.T) {
	for _, v := range []string{"3.1.11", "3.2.0", "3.3.2", "3.4.1", "3.5.0", "3.1.11-rc1"} {
		if _, err := parseProfile(v, ""); err != nil {
			t.Errorf("parseProfile(%q): %v", v, err)
		}
	}
	for _, v := range []string{"", "3.3", "2.5.1", "3.6.0", "4.0.0", "x.y.z"} {
		if _, err := parseProfile(v, ""); err == nil {
			t.Errorf("parseProfile(%q): want an error", v)
		}
	}
	if _, err := parseProfile("3.3.2", "cloud"); err == nil {
		t.Error("unknown mode: want an error")
	}
	gates := map[string][]bool{ // preparedSelect, xxhash, crc32, partitions_meta, pk partial update
		"3.1.11": {false, false, false, false, false},
		"3.2.0":  {true, true, false, false, false},
		"3.3.0":  {true, true, true, true, false},
		"3.3.1":  {true, true, true, true, true},
		"3.5.0":  {true, true, true, true, true},
	}
	for v, want := range gates {
		p, err := parseProfile(v, SharedNothing)
		if err != nil {
			t.Fatal(err)
		}
		got := []bool{p.preparedSelect(), p.hasXXHash3(), p.hasCRC32(), p.hasPartitionsMeta(), p.pkPartialUpdateOnColumnList()}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("gates of %s (-want +got):\n%s", v, diff)
		}
	}
}

func TestJobModelDuration(t *testing.T) {
	m := JobModel{ThroughputBytesPerSec: 1000, TimeScale: 0.5}
	if got, want := m.Duration(4000), 2*time.Second; got != want {
		t.Errorf("Duration = %v, want %v", got, want)
	}
	if got := (JobModel{ThroughputBytesPerSec: 1000}).Duration(4000); got != 0 {
		t.Errorf("zero time scale: Duration = %v, want 0", got)
	}
}

func TestLabelRegistry(t *testing.T) {
	r := newLabelRegistry(func() time.Time { return fixedNow })
	if _, err := r.Reserve("d", "l1", "INSERT", 1); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Reserve("other", "l1", "INSERT", 2); err != nil {
		t.Errorf("same label in another database: %v", err)
	}
	_, err := r.Reserve("d", "l1", "INSERT", 3)
	if se, ok := err.(*mysql.SQLError); !ok || se.Message != "Label [l1] has already been used." {
		t.Errorf("reused label: got %v", err)
	}
	r.Update("d", "l1", LabelCancelled, 0, "boom")
	if _, err := r.Reserve("d", "l1", "INSERT", 4); err != nil {
		t.Errorf("label of a cancelled job must be reusable: %v", err)
	}
	r.Update("d", "l1", LabelFinished, 9, "")
	if n := r.Purge(func(e LabelEntry) bool { return e.DB != "d" }); n != 1 {
		t.Errorf("Purge removed %d, want 1", n)
	}
	if _, ok := r.Lookup("d", "l1"); ok {
		t.Error("purged label still present")
	}
	if got := len(r.List("")); got != 1 {
		t.Errorf("List has %d entries, want 1 (running jobs are kept)", got)
	}
}

func TestHashVectors(t *testing.T) {
	// StarRocks' documented values: murmur_hash3_32("hello") = 1321743225,
	// murmur_hash3_32("hello", "world") = 984713481, xx_hash3_64("hello") =
	// -7685981735718036227; XXH3-64("") = 0x2D06800538D394C2; crc32("hello") = 907060870.
	if got := murmurHash3_32([]string{"hello"}); got != 1321743225 {
		t.Errorf("murmur_hash3_32(hello) = %d", got)
	}
	if got := murmurHash3_32([]string{"hello", "world"}); got != 984713481 {
		t.Errorf("murmur_hash3_32(hello, world) = %d", got)
	}
	if got := xxHash3_64([]string{""}); got != 3244421341483603138 {
		t.Errorf("xx_hash3_64('') = %d", got)
	}
	if got := xxHash3_64([]string{"hello"}); got != -7685981735718036227 {
		t.Errorf("xx_hash3_64(hello) = %d", got)
	}
	if got := crc32IEEE("hello"); got != 907060870 {
		t.Errorf("crc32(hello) = %d", got)
	}
}
