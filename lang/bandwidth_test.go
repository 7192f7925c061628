package lang

import (
	"strings"
	"testing"
)

func TestParseBandwidth(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		in      string
		want    int64
		wantMsg string
	}{
		"binary":          {in: "200MiB/s", want: 200 << 20},
		"decimal":         {in: "1.5GB/s", want: 1_500_000_000},
		"spaces and case": {in: " 512 kib / s ", want: 512 << 10},
		"bytes":           {in: "100B/s", want: 100},
		"no unit":         {in: "100/s", want: 100},
		"fraction of kB":  {in: "0.5kB/s", want: 500},
		"missing per s":   {in: "200MiB", wantMsg: "is not a bandwidth"},
		"per minute":      {in: "200MiB/min", wantMsg: "is not a bandwidth"},
		"unknown unit":    {in: "200Mbit/s", wantMsg: "unknown unit"},
		"zero":            {in: "0MiB/s", wantMsg: "less than one byte"},
		"negative":        {in: "-1MiB/s", wantMsg: "is not a bandwidth"},
		"huge":            {in: "99999999TiB/s", wantMsg: "too large"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, msg := ParseBandwidth(tc.in)
			if tc.wantMsg != "" {
				if !strings.Contains(msg, tc.wantMsg) {
					t.Fatalf("ParseBandwidth(%q) = %d, %q; want a message containing %q", tc.in, got, msg, tc.wantMsg)
				}
				return
			}
			if msg != "" || got != tc.want {
				t.Fatalf("ParseBandwidth(%q) = %d, %q; want %d", tc.in, got, msg, tc.want)
			}
		})
	}
}

func TestLoadViaAndCopyBandwidth(t *testing.T) {
	t.Parallel()
	const base = `
source "starrocks" "old" {
  hosts = ["fe1:9030"]
  user  = "root"
}
target "starrocks" "new" {
  hosts = ["fe2:9030"]
  user  = "root"
}
storage "local" "oss" {
  path = "./a"
}
storage "local" "s3" {
  path = "./b"
}
throttle "default" {
  copy_bandwidth = "64MiB/s"
}
`
	tests := map[string]struct {
		table       string
		wantLoadVia string
	}{
		"other storage": {table: `table "sales.orders" {
  via      = storage.oss
  load_via = storage.s3
  throttle = throttle.default
}`, wantLoadVia: "s3"},
		"same storage is no copy": {table: `table "sales.orders" {
  via      = storage.oss
  load_via = storage.oss
  throttle = throttle.default
}`, wantLoadVia: ""},
		"absent": {table: `table "sales.orders" {
  via      = storage.oss
  throttle = throttle.default
}`, wantLoadVia: ""},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			cfg, diags, _ := loadSrc(t, base+tc.table, LoadOptions{})
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			if got := cfg.Tables[0].LoadVia; got != tc.wantLoadVia {
				t.Errorf("LoadVia = %q, want %q", got, tc.wantLoadVia)
			}
			if got := cfg.Throttles["default"].CopyBandwidth; got != 64<<20 {
				t.Errorf("CopyBandwidth = %d, want %d", got, 64<<20)
			}
		})
	}
}
