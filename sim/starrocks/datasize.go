package starrocks

import (
	"strconv"
	"strings"
)

// byteSizeString renders a byte count like StarRocks' ByteSizeValue:
// the largest unit of B, KB, MB, GB, TB, PB that the value reaches, with
// one truncated decimal that is dropped when it is 0 ("0B", "4KB", "2.5KB").
func byteSizeString(n int64) string {
	units := []string{"B", "KB", "MB", "GB", "TB", "PB"}
	if n < 1024 {
		return strconv.FormatInt(n, 10) + "B"
	}
	v := float64(n)
	u := 0
	for v >= 1024 && u < len(units)-1 {
		v /= 1024
		u++
	}
	s := strconv.FormatFloat(v, 'f', -1, 64)
	dot := strings.IndexByte(s, '.')
	if dot < 0 || s[dot+1] == '0' {
		if dot >= 0 {
			s = s[:dot]
		}
		return s + units[u]
	}
	return s[:dot+2] + units[u]
}

// capacityString renders a capacity as SHOW BACKENDS does: "<n.nnn> <unit>".
func capacityString(n int64) string {
	units := []string{"B", "KB", "MB", "GB", "TB", "PB"}
	v := float64(n)
	u := 0
	for v >= 1024 && u < len(units)-1 {
		v /= 1024
		u++
	}
	return strconv.FormatFloat(v, 'f', 3, 64) + " " + units[u]
}
