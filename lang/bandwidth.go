package lang

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// bandwidthRE matches "<number> <unit>/s", e.g. "200MiB/s", "1.5 GB/s".
var bandwidthRE = regexp.MustCompile(`^\s*([0-9]+(?:\.[0-9]+)?)\s*([A-Za-z]*)\s*/\s*s\s*$`)

// bandwidthUnits are the byte units copy_bandwidth accepts, by lower-case
// name: decimal (kB, MB, GB, TB) and binary (KiB, MiB, GiB, TiB).
var bandwidthUnits = map[string]float64{
	"b": 1, "kb": 1e3, "mb": 1e6, "gb": 1e9, "tb": 1e12,
	"kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "tib": 1 << 40,
}

// ParseBandwidth parses a rate such as "200MiB/s", "1.5 GB/s" or "512kB/s"
// into bytes per second (rounded down, at least 1). Units are B, kB, MB,
// GB, TB (powers of 1000) and KiB, MiB, GiB, TiB (powers of 1024), in any
// case. The message is empty on success and otherwise says what is wrong.
func ParseBandwidth(s string) (int64, string) {
	const example = `Write a rate in bytes per second such as "200MiB/s" or "1.5GB/s" (units B, kB, MB, GB, TB, KiB, MiB, GiB, TiB).`
	m := bandwidthRE.FindStringSubmatch(s)
	if m == nil {
		return 0, fmt.Sprintf("%q is not a bandwidth. %s", s, example)
	}
	unit := strings.ToLower(m[2])
	if unit == "" {
		unit = "b"
	}
	mult, ok := bandwidthUnits[unit]
	if !ok {
		return 0, fmt.Sprintf("%q has the unknown unit %q. %s", s, m[2], example)
	}
	n, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		return 0, fmt.Sprintf("%q is not a bandwidth. %s", s, example)
	}
	v := n * mult
	switch {
	case v < 1:
		return 0, fmt.Sprintf("%q is less than one byte per second. Leave copy_bandwidth out for no limit.", s)
	case v >= math.MaxInt64/2:
		return 0, fmt.Sprintf("%q is too large. Leave copy_bandwidth out for no limit.", s)
	}
	return int64(v), ""
}

// bandwidth evaluates an optional copy_bandwidth; 0 when absent or invalid.
func (d *decoder) bandwidth(expr hcl.Expression) int64 {
	s, ok, diags := d.scope.str(expr, "copy_bandwidth")
	d.add(diags)
	if !ok {
		return 0
	}
	v, msg := ParseBandwidth(s)
	if msg != "" {
		d.add(hcl.Diagnostics{errorDiag("Invalid copy bandwidth", msg, expr.Range())})
		return 0
	}
	return v
}
