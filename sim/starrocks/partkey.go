package starrocks

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// keyVal is one component of a partition key in canonical text form:
// integers in decimal, DATE as 2006-01-02, DATETIME as 2006-01-02 15:04:05,
// strings verbatim. Max marks MAXVALUE; the minimum of a type is stored as
// its literal (e.g. 0000-01-01), which is how StarRocks prints it.
type keyVal struct {
	S    string
	Max  bool
	Null bool
}

// rangeKey is a (possibly multi-column) range bound.
type rangeKey []keyVal

const (
	dateLayout     = "2006-01-02"
	datetimeLayout = "2006-01-02 15:04:05"
)

var intBounds = map[string][2]string{
	"TINYINT":  {"-128", "127"},
	"SMALLINT": {"-32768", "32767"},
	"INT":      {"-2147483648", "2147483647"},
	"BIGINT":   {"-9223372036854775808", "9223372036854775807"},
	"LARGEINT": {"-170141183460469231731687303715884105728", "170141183460469231731687303715884105727"},
}

// minKeyVal is the smallest value of a partition column type.
func minKeyVal(ct ColumnType) keyVal {
	switch {
	case ct.Base == "DATE":
		return keyVal{S: "0000-01-01"}
	case ct.Base == "DATETIME":
		return keyVal{S: "0000-01-01 00:00:00"}
	case ct.isInteger():
		return keyVal{S: intBounds[ct.Base][0]}
	}
	return keyVal{S: ""}
}

// maxKeyText is how a MAXVALUE bound is printed in SHOW PARTITIONS.
// [inference] StarRocks stores MAXVALUE as the type's maximum literal.
func maxKeyText(ct ColumnType) string {
	switch {
	case ct.Base == "DATE":
		return "9999-12-31"
	case ct.Base == "DATETIME":
		return "9999-12-31 23:59:59"
	case ct.isInteger():
		return intBounds[ct.Base][1]
	}
	return "MAXVALUE"
}

// parseKeyLiteral canonicalises a literal given in DDL for a column type.
func parseKeyLiteral(ct ColumnType, s string) (keyVal, error) {
	switch {
	case ct.Base == "DATE" || ct.Base == "DATETIME":
		t, err := parseTemporal(s)
		if err != nil {
			return keyVal{}, errDDLf("Invalid %s value: %s", strings.ToLower(ct.Base), s)
		}
		if ct.Base == "DATE" {
			return keyVal{S: t.Format(dateLayout)}, nil
		}
		return keyVal{S: t.Format(datetimeLayout)}, nil
	case ct.isInteger():
		n, ok := new(big.Int).SetString(strings.TrimSpace(s), 10)
		if !ok {
			return keyVal{}, errDDLf("Invalid number format: %s", s)
		}
		b := intBounds[ct.Base]
		lo, _ := new(big.Int).SetString(b[0], 10)
		hi, _ := new(big.Int).SetString(b[1], 10)
		if n.Cmp(lo) < 0 || n.Cmp(hi) > 0 {
			return keyVal{}, errDDLf("Number out of range[%s]. type: %s", s, ct.Base)
		}
		return keyVal{S: n.String()}, nil
	}
	return keyVal{S: s}, nil
}

// parseTemporal accepts the date and datetime spellings StarRocks accepts in
// partition values.
func parseTemporal(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, l := range []string{datetimeLayout, "2006-01-02 15:04:05.999999", dateLayout, "20060102", "20060102150405", "2006-01-02 15:04", "2006-01-02 15"} {
		if t, err := time.Parse(l, s); err == nil {
			return t, nil
		}
	}
	if strings.HasPrefix(s, "0000-01-01") {
		return time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC), nil
	}
	return time.Time{}, fmt.Errorf("invalid temporal value %q", s)
}

// keyOfValue canonicalises a stored row value for partition routing.
func keyOfValue(ct ColumnType, v any) keyVal {
	if v == nil {
		return keyVal{Null: true}
	}
	switch x := v.(type) {
	case time.Time:
		if ct.Base == "DATE" {
			return keyVal{S: x.Format(dateLayout)}
		}
		return keyVal{S: x.Format(datetimeLayout)}
	case decimal.Decimal:
		return keyVal{S: x.String()}
	case int8:
		return keyVal{S: strconv.FormatInt(int64(x), 10)}
	case int16:
		return keyVal{S: strconv.FormatInt(int64(x), 10)}
	case int32:
		return keyVal{S: strconv.FormatInt(int64(x), 10)}
	case int64:
		return keyVal{S: strconv.FormatInt(x, 10)}
	case string:
		return keyVal{S: x}
	case []byte:
		return keyVal{S: string(x)}
	}
	return keyVal{S: fmt.Sprint(v)}
}

// compareVal orders two key components of the given type. NULL sorts first
// (StarRocks routes NULL keys to the lowest range), MAXVALUE last.
func compareVal(ct ColumnType, a, b keyVal) int {
	switch {
	case a.Null || b.Null:
		return boolCmp(!a.Null, !b.Null)
	case a.Max || b.Max:
		return boolCmp(a.Max, b.Max)
	case ct.isInteger():
		x, okx := new(big.Int).SetString(a.S, 10)
		y, oky := new(big.Int).SetString(b.S, 10)
		if okx && oky {
			return x.Cmp(y)
		}
	}
	return strings.Compare(a.S, b.S)
}

func boolCmp(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// compareKey orders two range keys column by column.
func compareKey(cts []ColumnType, a, b rangeKey) int {
	for i := range cts {
		if c := compareVal(cts[i], a[i], b[i]); c != 0 {
			return c
		}
	}
	return 0
}

// rangeText renders a half-open range as SHOW PARTITIONS prints it:
// "[types: [DATE]; keys: [2019-01-01]; ..types: [DATE]; keys: [2020-01-01]; )".
func rangeText(cts []ColumnType, lo, hi rangeKey) string {
	var tn []string
	for _, ct := range cts {
		tn = append(tn, ct.KeyTypeName())
	}
	types := "types: [" + strings.Join(tn, ", ") + "]; "
	keys := func(k rangeKey) string {
		var ks []string
		for i, v := range k {
			if v.Max {
				ks = append(ks, maxKeyText(cts[i]))
			} else {
				ks = append(ks, v.S)
			}
		}
		return "keys: [" + strings.Join(ks, ", ") + "]; "
	}
	return "[" + types + keys(lo) + ".." + types + keys(hi) + ")"
}

// rangeSQL renders a range as SHOW CREATE TABLE prints it:
// VALUES [("2024-01-01"), ("2024-01-02")).
func rangeSQL(lo, hi rangeKey) string {
	tuple := func(k rangeKey) string {
		var ks []string
		for _, v := range k {
			if v.Max {
				ks = append(ks, "MAXVALUE")
			} else {
				ks = append(ks, quoteString(v.S))
			}
		}
		return "(" + strings.Join(ks, ", ") + ")"
	}
	return "[" + tuple(lo) + ", " + tuple(hi) + ")"
}

// listText renders LIST values as SHOW PARTITIONS prints them: single
// column "('a', 'b')", multi-column "(('a', 'x'), ('b', 'y'))".
// [unconfirmed] single-column shape; the multi-column one is from the docs.
func listText(values [][]keyVal) string {
	var parts []string
	multi := len(values) > 0 && len(values[0]) > 1
	for _, tuple := range values {
		var vs []string
		for _, v := range tuple {
			vs = append(vs, listValueText(v, "'"))
		}
		if multi {
			parts = append(parts, "("+strings.Join(vs, ", ")+")")
		} else {
			parts = append(parts, vs...)
		}
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// listSQL renders LIST values for SHOW CREATE TABLE: IN ("a", "b") or
// IN (("a", "x"), ("b", "y")).
func listSQL(values [][]keyVal) string {
	var parts []string
	multi := len(values) > 0 && len(values[0]) > 1
	for _, tuple := range values {
		var vs []string
		for _, v := range tuple {
			vs = append(vs, listValueText(v, `"`))
		}
		if multi {
			parts = append(parts, "("+strings.Join(vs, ", ")+")")
		} else {
			parts = append(parts, vs...)
		}
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

func listValueText(v keyVal, q string) string {
	if v.Null {
		return "NULL"
	}
	if q == `"` {
		return quoteString(v.S)
	}
	return q + v.S + q
}

// keysEqual reports whether two tuples are equal under the column types.
func keysEqual(cts []ColumnType, a, b []keyVal) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Null != b[i].Null || compareVal(cts[i], a[i], b[i]) != 0 {
			return false
		}
	}
	return true
}
