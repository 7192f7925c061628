package starrocks

import (
	"strconv"

	"github.com/dolthub/vitess/go/sqltypes"
	querypb "github.com/dolthub/vitess/go/vt/proto/query"
)

// utf8mb4Charset is the collation id sent with string columns.
const utf8mb4Charset = 33

// textResult builds a result whose columns are all VARCHAR, as StarRocks
// returns SHOW statements. A nil cell is SQL NULL; other cells are
// rendered with renderCell.
func textResult(cols []string, rows [][]any) *sqltypes.Result {
	fields := make([]*querypb.Field, len(cols))
	for i, c := range cols {
		fields[i] = &querypb.Field{Name: c, Type: querypb.Type_VARCHAR, Charset: utf8mb4Charset, ColumnLength: 1024}
	}
	res := &sqltypes.Result{Fields: fields}
	for _, r := range rows {
		vals := make([]sqltypes.Value, len(r))
		for i, cell := range r {
			if cell == nil {
				vals[i] = sqltypes.NULL
				continue
			}
			vals[i] = sqltypes.MakeTrusted(querypb.Type_VARCHAR, []byte(renderCell(cell)))
		}
		res.Rows = append(res.Rows, vals)
	}
	return res
}

// renderCell renders a SHOW cell value as text.
func renderCell(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case bool:
		return strconv.FormatBool(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return ""
}

// okResult is an OK packet with an affected-row count.
func okResult(affected uint64) *sqltypes.Result {
	return &sqltypes.Result{RowsAffected: affected}
}
