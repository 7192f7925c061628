package starrocks

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// dataUnits are the suffixes StarRocks prints for sizes, 1024-based: the
// ByteSizeValue of SHOW PARTITIONS DataSize ("0B", "4KB", "2.5KB") and the
// capacity strings of SHOW BACKENDS ("1.000 GB").
var dataUnits = map[string]float64{
	"B":  1,
	"KB": 1 << 10,
	"MB": 1 << 20,
	"GB": 1 << 30,
	"TB": 1 << 40,
	"PB": 1 << 50,
	"EB": 1 << 60,
}

// ParseDataSize parses a StarRocks size string into bytes: a non-negative
// decimal number, an optional space and a unit among B, KB, MB, GB, TB, PB
// and EB (any letter case, 1024-based). "2.5KB" is 2560. StarRocks prints
// at most one decimal for DataSize, so the result is approximate for large
// values and must never serve as a fingerprint. Exponents, signs, hex and
// a missing unit are errors.
func ParseDataSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	i := 0
	for i < len(t) && (t[i] >= '0' && t[i] <= '9' || t[i] == '.') {
		i++
	}
	num, rawUnit := t[:i], strings.TrimSpace(t[i:])
	unit := strings.ToUpper(rawUnit)
	if num == "" || strings.Count(num, ".") > 1 || num[0] == '.' || num[len(num)-1] == '.' {
		return 0, fmt.Errorf("invalid data size %q: want a number and a unit such as 2.5KB", s)
	}
	mult, ok := dataUnits[unit]
	if !ok {
		return 0, fmt.Errorf("invalid data size %q: unknown unit %q (want B, KB, MB, GB, TB, PB or EB)", s, rawUnit)
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return 0, fmt.Errorf("invalid data size %q: %w", s, err)
	}
	bytes := math.Round(v * mult)
	if bytes >= math.MaxInt64 {
		return 0, fmt.Errorf("invalid data size %q: too large", s)
	}
	return int64(bytes), nil
}
