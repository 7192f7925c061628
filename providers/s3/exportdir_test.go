package s3

import (
	"math"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

func TestExportDir(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		job, db, table, partition string
		version                   int64
		want                      string
	}{
		"plain":        {"j1", "sales", "orders", "p20240101", 42, "j1/sales/orders/p20240101/v42/"},
		"dots kept":    {"job.2", "a.b", "t-1_x", "p.1", 0, "job.2/a.b/t-1_x/p.1/v0/"},
		"slash":        {"j", "db", "a/b", "p", 1, "j/db/a%2Fb/p/v1/"},
		"quotes":       {"j", `d"b`, "t'x`y", "p", 1, "j/d%22b/t%27x%60y/p/v1/"},
		"spaces":       {"job 1", "db", "my table", " p ", 1, "job%201/db/my%20table/%20p%20/v1/"},
		"unicode":      {"j", "数据", "tä", "p", 1, "j/%E6%95%B0%E6%8D%AE/t%C3%A4/p/v1/"},
		"dot segments": {".", "..", "...", "p", 1, "%2E/%2E%2E/%2E%2E%2E/p/v1/"},
		"empty":        {"", "db", "t", "", 3, "_/db/t/_/v3/"},
		"underscore":   {"_", "db", "t", "__", 3, "%5F/db/t/__/v3/"},
		"percent":      {"j", "db", "%2F", "p", 1, "j/db/%252F/p/v1/"},
		"specials":     {"j", "a:b=c@d", "x+y&z$w~", "p*?[]{}", 1, "j/a%3Ab%3Dc%40d/x%2By%26z%24w%7E/p%2A%3F%5B%5D%7B%7D/v1/"},
		"control":      {"j", "db", "t\x00\n\t", "p", 1, "j/db/t%00%0A%09/p/v1/"},
		"negative":     {"j", "db", "t", "p", -5, "j/db/t/p/v-5/"},
		"max version":  {"j", "db", "t", "p", math.MaxInt64, "j/db/t/p/v9223372036854775807/"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := ExportDir(tc.job, tc.db, tc.table, tc.partition, tc.version)
			if dir != tc.want {
				t.Errorf("ExportDir = %q; want %q", dir, tc.want)
			}
			if err := checkPrefix(dir); err != nil {
				t.Errorf("ExportDir gave an invalid key prefix: %v", err)
			}
			want := []any{tc.job, tc.db, tc.table, tc.partition, tc.version, true}
			for _, key := range []string{dir, ManifestKey(dir), dir + "data_1_0_0.csv", dir + "__starrocks_export_tmp_q/x.csv"} {
				job, db, table, partition, version, ok := ParseExportDir(key)
				got := []any{job, db, table, partition, version, ok}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("ParseExportDir(%q) (-want +got):\n%s", key, diff)
				}
			}
		})
	}
}

func TestParseExportDirRejects(t *testing.T) {
	t.Parallel()
	for _, key := range []string{
		"",
		"j/db/t/p/v1",   // the directory without its '/' is not under it
		"j/db/t/p/",     // no version
		"j/db/t/p/1/",   // no 'v'
		"j/db/t/p/v/",   // no digits
		"j/db/t/p/v01/", // not canonical
		"j/db/t/p/v+1/", // not canonical
		"j/db/t/p/vx/",  // not a number
		"j/db/t/p/v99999999999999999999/",
		"j/d%2fb/t/p/v1/",   // lowercase escape: not what ExportDir writes
		"j/d b/t/p/v1/",     // unescaped space
		"j/a%3/t/p/v1/",     // broken escape
		"j/./t/p/v1/",       // raw dot segment
		"j/%61/t/p/v1/",     // escaped plain letter
		"j/db/t/p/v1x/data", // version with junk
		"j/db//p/v1/",       // empty segment ("" is written as "_")
	} {
		if job, db, table, part, v, ok := ParseExportDir(key); ok {
			t.Errorf("ParseExportDir(%q) = %q %q %q %q %d, true; want not ok", key, job, db, table, part, v)
		}
	}
}

func TestEscapeSegmentIsReversibleForAllBytes(t *testing.T) {
	t.Parallel()
	var names []string
	for b := range 256 {
		names = append(names, string([]byte{byte(b)}), "a"+string([]byte{byte(b)})+"z")
	}
	names = append(names, "", ".", "..", "....", "_", "__", "%", "%%", "%5F", "%25", "\xff\xfe", "🙂", strings.Repeat("é", 50))
	seen := map[string]string{}
	for _, name := range names {
		seg := EscapeSegment(name)
		if strings.ContainsAny(seg, "/ \\") || seg == "." || seg == ".." || seg == "" || !utf8.ValidString(seg) {
			t.Errorf("EscapeSegment(%q) = %q: not a safe segment", name, seg)
		}
		for i := 0; i < len(seg); i++ {
			if c := seg[i]; !plainByte(c) && c != '%' {
				t.Errorf("EscapeSegment(%q) = %q holds byte %q", name, seg, c)
			}
		}
		if other, dup := seen[seg]; dup && other != name {
			t.Errorf("EscapeSegment(%q) = EscapeSegment(%q) = %q", name, other, seg)
		}
		seen[seg] = name
		back, ok := UnescapeSegment(seg)
		if !ok || back != name {
			t.Errorf("UnescapeSegment(EscapeSegment(%q)) = %q, %v", name, back, ok)
		}
	}
}
