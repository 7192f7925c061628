package starrocks

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/srplan/srplan/executor"
	"github.com/srplan/srplan/lang"
	"github.com/srplan/srplan/planner"
	"github.com/srplan/srplan/state"
)

// VerifySpec is one verification query of one side.
type VerifySpec struct {
	Table     planner.TableAddr
	Partition string // "" reads the whole table
	Columns   []planner.Column
	// Where is a row filter, "" for none.
	Where string
	// Mode is lang.VerifyCount, VerifyChecksum ("" too) or VerifySums.
	Mode string
	// Sums are the columns summed in mode sums.
	Sums []string
	// HashFunc is the row hash of mode checksum: xx_hash3_64 or
	// murmur_hash3_32.
	HashFunc string
}

// checksumSep separates the column texts of one row before hashing. The
// texts are prefixed (see ChecksumExpr), so a separator inside a value can
// only confuse two rows whose texts line up exactly around it.
const checksumSep = "|"

// VerifySQL returns the query of s. Its first column is COUNT(*); mode
// checksum adds
//
//	SUM(CAST(<hash>(concat_ws('|', <col text>, ...)) AS DECIMAL(38, 0)))
//
// and mode sums adds one SUM per listed column, integers summed as
// DECIMAL(38, 0) so that no sum overflows. Everything is read from
// `db`.`t` [PARTITION (`p`)] [WHERE (<where>)].
func VerifySQL(s VerifySpec) (string, error) {
	sel := []string{"COUNT(*)"}
	switch s.Mode {
	case lang.VerifyCount:
	case lang.VerifyChecksum, "":
		if len(s.Columns) == 0 {
			return "", fmt.Errorf("checksum of %s: no columns", s.Table)
		}
		if s.HashFunc != "xx_hash3_64" && s.HashFunc != "murmur_hash3_32" {
			return "", fmt.Errorf("checksum of %s: hash function %q: want xx_hash3_64 or murmur_hash3_32", s.Table, s.HashFunc)
		}
		terms := make([]string, len(s.Columns))
		for i, c := range s.Columns {
			terms[i] = ChecksumExpr(c)
		}
		sel = append(sel, "SUM(CAST("+s.HashFunc+"(concat_ws("+QuoteString(checksumSep)+", "+strings.Join(terms, ", ")+")) AS DECIMAL(38, 0)))")
	case lang.VerifySums:
		if len(s.Sums) == 0 {
			return "", fmt.Errorf("sums of %s: no columns listed", s.Table)
		}
		for _, name := range s.Sums {
			expr, err := sumExpr(s.Columns, name)
			if err != nil {
				return "", fmt.Errorf("sums of %s: %w", s.Table, err)
			}
			sel = append(sel, expr)
		}
	default:
		return "", fmt.Errorf("verify %s: mode %q: want count, checksum or sums", s.Table, s.Mode)
	}
	q := "SELECT " + strings.Join(sel, ", ") + " FROM " + TableName(s.Table)
	if s.Partition != "" {
		q += " PARTITION (" + QuoteIdent(s.Partition) + ")"
	}
	if w := strings.TrimSpace(s.Where); w != "" {
		q += " WHERE (" + w + ")"
	}
	return q, nil
}

// ChecksumExpr returns the NULL-safe text of column c for the row hash:
//
//	ifnull(concat('=', CAST(`c` AS STRING)), '\\N')
//
// A value becomes '=' + its text and NULL becomes \N, so NULL, the empty
// string and the string "\N" all hash differently (a plain
// ifnull(CAST(c AS STRING), '\N') would confuse NULL with the string
// "\N", which is what a CSV round trip turns it into). BITMAP columns are
// read with bitmap_to_string and HLL columns with hll_cardinality, which
// cannot be cast. The text of floating-point and date-time values is the
// server's: compare clusters whose releases print them alike.
func ChecksumExpr(c planner.Column) string {
	col := QuoteIdent(c.Name)
	var text string
	switch baseType(c.Type) {
	case "bitmap":
		text = "bitmap_to_string(" + col + ")"
	case "hll":
		text = "CAST(hll_cardinality(" + col + ") AS STRING)"
	default:
		text = "CAST(" + col + " AS STRING)"
	}
	return "ifnull(concat('=', " + text + "), " + QuoteString(`\N`) + ")"
}

// sumExpr returns the SUM of the named column of cols.
func sumExpr(cols []planner.Column, name string) (string, error) {
	for _, c := range cols {
		if c.Name != name {
			continue
		}
		col := QuoteIdent(c.Name)
		switch t := baseType(c.Type); t {
		case "tinyint", "smallint", "int", "integer", "bigint", "largeint", "boolean":
			return "SUM(CAST(" + col + " AS DECIMAL(38, 0)))", nil
		case "decimal", "decimalv2", "decimal32", "decimal64", "decimal128", "decimal256", "float", "double":
			return "SUM(" + col + ")", nil
		default:
			return "", fmt.Errorf("column %s of type %s cannot be summed", name, c.Type)
		}
	}
	return "", fmt.Errorf("column %s is not a column of the table", name)
}

// baseType returns the lower-case type name without parameters:
// "decimal(18, 4)" -> "decimal".
func baseType(t string) string {
	t = strings.ToLower(strings.TrimSpace(t))
	if i := strings.IndexAny(t, "( <"); i >= 0 {
		t = t[:i]
	}
	return t
}

// Verify implements executor.Source and executor.Target: COUNT(*) plus
// the checksum or sums of req.Rule over the partition (the table when
// req.Partition is ""), rows filtered by req.Where. The checksum uses the
// function chosen with WithChecksumFunc; the Checksum and Sums are decimal
// text ("NULL" for the sum of no or only NULL values; an empty checksum
// is "0").
func (j *Jobs) Verify(ctx context.Context, req executor.VerifyRequest) (*state.VerifyResult, error) {
	mode := req.Rule.Mode
	if mode == "" {
		mode = lang.VerifyChecksum
	}
	q, err := VerifySQL(VerifySpec{
		Table: req.Table, Partition: req.Partition, Columns: req.Columns, Where: req.Where,
		Mode: mode, Sums: req.Rule.Sums, HashFunc: j.checksumFunc,
	})
	if err != nil {
		return nil, &retryError{err: err}
	}
	res, err := queryAll(ctx, j.db, q)
	if err != nil {
		return nil, markf(err, "verify %s%s", req.Table, partitionSuffix(req.Partition))
	}
	if len(res.rows) != 1 || len(res.cols) < 1 {
		return nil, mark(fmt.Errorf("verify %s: %d rows, want one", req.Table, len(res.rows)))
	}
	out := &state.VerifyResult{Mode: mode, At: time.Now().UTC()}
	n, _ := res.cell(0, 0)
	if out.RowCount, err = strconv.ParseInt(n, 10, 64); err != nil {
		return nil, mark(fmt.Errorf("verify %s: row count %q: %w", req.Table, n, err))
	}
	switch mode {
	case lang.VerifyChecksum:
		out.Checksum = decimalText(res, 1, "0")
	case lang.VerifySums:
		out.Sums = make(map[string]string, len(req.Rule.Sums))
		for i, name := range req.Rule.Sums {
			out.Sums[name] = decimalText(res, 1+i, "NULL")
		}
	}
	return out, nil
}

// decimalText returns cell c of the single row, normalised so that both
// sides print a number alike: no leading '+', no trailing zeros after a
// decimal point; ifNull for NULL.
func decimalText(res *resultSet, c int, ifNull string) string {
	if c >= len(res.cols) {
		return ifNull
	}
	v, ok := res.cell(0, c)
	if !ok {
		return ifNull
	}
	v = strings.TrimPrefix(v, "+")
	if strings.Contains(v, ".") && !strings.ContainsAny(v, "eE") {
		v = strings.TrimRight(v, "0")
		v = strings.TrimSuffix(v, ".")
		if v == "" || v == "-" || v == "-0" {
			v = "0"
		}
	}
	return v
}
