package starrocks

import (
	"bytes"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"

	gsql "github.com/dolthub/go-mysql-server/sql"
	"github.com/dolthub/go-mysql-server/sql/types"
	"github.com/shopspring/decimal"
)

// The CSV dialect of EXPORT and Broker Load: values are written without
// quoting or escaping, NULL is \N, columns are separated by the column
// separator and rows end with the row delimiter (defaults "\t" and "\n").

// csvNull is how NULL is written and read.
const csvNull = `\N`

// convertDelimiter applies StarRocks' Delimiter.convertDelimiter to a
// separator given in a statement (after string-literal unescaping): "\x01"
// or "0x01" (any even number of hex digits) become those bytes; anything
// else is used as is. An empty separator is refused.
func convertDelimiter(s string) (string, error) {
	if s == "" {
		return "", analysisError("Delimiter cannot be empty or null")
	}
	up := strings.ToUpper(s)
	if !strings.HasPrefix(up, `\X`) && !strings.HasPrefix(up, "0X") {
		return s, nil
	}
	hex := s[2:]
	switch {
	case hex == "":
		return "", analysisError("Invalid delimiter '" + s + ": empty hex string")
	case len(hex)%2 != 0:
		return "", analysisError("Invalid delimiter '" + s + ": hex length must be a even number")
	}
	out := make([]byte, len(hex)/2)
	for i := range out {
		v, err := strconv.ParseUint(hex[2*i:2*i+2], 16, 8)
		if err != nil {
			return "", analysisError("Invalid delimiter '" + s + "': invalid hex format")
		}
		out[i] = byte(v)
	}
	return string(out), nil
}

// renderValue renders a stored value as EXPORT writes it: integers and
// LARGEINT in decimal, DECIMAL with its scale, floating point in the
// shortest form, BOOLEAN as 1/0, DATE as 2006-01-02, DATETIME as
// 2006-01-02 15:04:05[.ffffff], strings and JSON verbatim.
func renderValue(ct ColumnType, v any) (string, bool) {
	if v == nil {
		return "", false
	}
	switch x := v.(type) {
	case string:
		return x, true
	case []byte:
		return string(x), true
	case int8:
		return strconv.FormatInt(int64(x), 10), true
	case int16:
		return strconv.FormatInt(int64(x), 10), true
	case int32:
		return strconv.FormatInt(int64(x), 10), true
	case int64:
		return strconv.FormatInt(x, 10), true
	case uint64:
		return strconv.FormatUint(x, 10), true
	case float32:
		return strconv.FormatFloat(float64(x), 'g', -1, 32), true
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64), true
	case decimal.Decimal:
		if ct.Base == "DECIMAL" {
			return x.StringFixed(int32(ct.Scale)), true
		}
		return x.String(), true
	case time.Time:
		if ct.Base == "DATE" {
			return x.Format(dateLayout), true
		}
		if x.Nanosecond()/1000 != 0 {
			return x.Format("2006-01-02 15:04:05.000000"), true
		}
		return x.Format(datetimeLayout), true
	case bool:
		if x {
			return "1", true
		}
		return "0", true
	case gsql.JSONWrapper:
		b, err := types.MarshallJson(x)
		if err != nil {
			return fmt.Sprint(x), true
		}
		return string(b), true
	}
	return fmt.Sprint(v), true
}

// appendCSVRow appends one row (the columns at idx) to buf.
func appendCSVRow(buf *bytes.Buffer, d *TableDef, idx []int, r gsql.Row, colSep, rowSep string) {
	for i, ci := range idx {
		if i > 0 {
			buf.WriteString(colSep)
		}
		s, ok := renderValue(d.Columns[ci].Type, r[ci])
		if !ok {
			buf.WriteString(csvNull)
			continue
		}
		buf.WriteString(s)
	}
	buf.WriteString(rowSep)
}

// splitCSV splits a file into rows of fields. A trailing row delimiter does
// not produce an empty row. Fields are returned as written: a field equal
// to csvNull (\N) is NULL.
func splitCSV(data []byte, colSep, rowSep string, skipHeader int) [][]string {
	text := string(data)
	lines := strings.Split(text, rowSep)
	if n := len(lines); n > 0 && lines[n-1] == "" {
		lines = lines[:n-1]
	}
	if skipHeader > 0 {
		if skipHeader >= len(lines) {
			return nil
		}
		lines = lines[skipHeader:]
	}
	out := make([][]string, len(lines))
	for i, l := range lines {
		if rowSep == "\n" {
			l = strings.TrimSuffix(l, "\r")
		}
		out[i] = strings.Split(l, colSep)
	}
	return out
}

// fastTemporal parses the two common spellings, 2006-01-02 and
// 2006-01-02 15:04:05, without time.Parse.
func fastTemporal(s string) (time.Time, bool) {
	num := func(a, b int) (int, bool) {
		n := 0
		for i := a; i < b; i++ {
			c := s[i]
			if c < '0' || c > '9' {
				return 0, false
			}
			n = n*10 + int(c-'0')
		}
		return n, true
	}
	if (len(s) != 10 && len(s) != 19) || s[4] != '-' || s[7] != '-' {
		return time.Time{}, false
	}
	y, ok1 := num(0, 4)
	mo, ok2 := num(5, 7)
	d, ok3 := num(8, 10)
	if !ok1 || !ok2 || !ok3 || mo < 1 || mo > 12 || d < 1 || d > 31 {
		return time.Time{}, false
	}
	var h, mi, sec int
	if len(s) == 19 {
		var ok4, ok5, ok6 bool
		if s[10] != ' ' || s[13] != ':' || s[16] != ':' {
			return time.Time{}, false
		}
		h, ok4 = num(11, 13)
		mi, ok5 = num(14, 16)
		sec, ok6 = num(17, 19)
		if !ok4 || !ok5 || !ok6 || h > 23 || mi > 59 || sec > 59 {
			return time.Time{}, false
		}
	}
	t := time.Date(y, time.Month(mo), d, h, mi, sec, 0, time.UTC)
	if t.Day() != d {
		return time.Time{}, false // February 30th and the like
	}
	return t, true
}

// intDigits counts the digits left of the decimal point of d.
func intDigits(d decimal.Decimal) int {
	t := d.Truncate(0).Abs()
	if t.IsZero() {
		return 0
	}
	return len(t.BigInt().String())
}

// parseCSVValue converts the text of a CSV field to a column's storage
// value. ok is false when the text does not fit the type (strict mode
// filters such rows; non-strict mode loads NULL instead).
func parseCSVValue(ct ColumnType, s string) (any, bool) {
	switch ct.Base {
	case "BOOLEAN":
		switch strings.ToLower(strings.TrimSpace(s)) {
		case "1", "true":
			return int8(1), true
		case "0", "false":
			return int8(0), true
		}
		return nil, false
	case "TINYINT", "SMALLINT", "INT", "BIGINT":
		bits := map[string]int{"TINYINT": 8, "SMALLINT": 16, "INT": 32, "BIGINT": 64}[ct.Base]
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, bits)
		if err != nil {
			return nil, false
		}
		switch bits {
		case 8:
			return int8(n), true
		case 16:
			return int16(n), true
		case 32:
			return int32(n), true
		}
		return n, true
	case "LARGEINT":
		n, ok := new(big.Int).SetString(strings.TrimSpace(s), 10)
		if !ok || n.BitLen() > 127 {
			return nil, false
		}
		return decimal.NewFromBigInt(n, 0), true
	case "FLOAT":
		f, err := strconv.ParseFloat(strings.TrimSpace(s), 32)
		if err != nil {
			return nil, false
		}
		return float32(f), true
	case "DOUBLE":
		f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil {
			return nil, false
		}
		return f, true
	case "DECIMAL":
		s = strings.TrimSpace(s)
		d, err := decimal.NewFromString(s)
		if err != nil {
			return nil, false
		}
		// Round gives the value the column's scale, as values inserted
		// through SQL have.
		d = d.Round(int32(ct.Scale))
		if intDigits(d) > ct.Precision-ct.Scale {
			return nil, false
		}
		return d, true
	case "DATE", "DATETIME":
		t, ok := fastTemporal(s)
		if !ok {
			var err error
			if t, err = parseTemporal(s); err != nil {
				return nil, false
			}
		}
		if ct.Base == "DATE" {
			return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC), true
		}
		return t, true
	case "CHAR", "VARCHAR":
		if len(s) > ct.Len {
			return nil, false
		}
		return s, true
	case "VARBINARY":
		return []byte(s), true
	}
	v, _, err := ct.gmsType().Convert(gsql.NewEmptyContext(), s)
	if err != nil {
		return nil, false
	}
	return v, true
}
