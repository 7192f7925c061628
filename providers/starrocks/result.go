package starrocks

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// Querier is the narrow database access the catalog readers need. *sql.DB,
// *sql.Conn, *sql.Tx and *Client satisfy it. Callers must not rely on
// prepared statements: every statement srplan sends is literal SQL.
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// resultSet is a fully read result whose cells are kept as text. StarRocks
// answers SHOW statements with string columns, so reading every cell as a
// nullable string and parsing by column name is both exact and robust to
// columns that differ between releases.
type resultSet struct {
	cols []string
	// index maps a lower-case column name to its position.
	index map[string]int
	rows  [][]sql.NullString
}

// queryAll runs query and reads every row.
func queryAll(ctx context.Context, q Querier, query string) (*resultSet, error) {
	rows, err := q.QueryContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", query, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, fmt.Errorf("%s: read columns: %w", query, err)
	}
	res := &resultSet{cols: cols, index: make(map[string]int, len(cols))}
	for i, c := range cols {
		if _, dup := res.index[strings.ToLower(c)]; !dup {
			res.index[strings.ToLower(c)] = i
		}
	}
	dest := make([]any, len(cols))
	for rows.Next() {
		row := make([]sql.NullString, len(cols))
		for i := range row {
			dest[i] = &row[i]
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("%s: read row %d: %w", query, len(res.rows)+1, err)
		}
		res.rows = append(res.rows, row)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", query, err)
	}
	return res, nil
}

// col returns the position of the named column (case-insensitive) and
// whether it is present.
func (r *resultSet) col(name string) (int, bool) {
	i, ok := r.index[strings.ToLower(name)]
	return i, ok
}

// cell returns the text of row i in column position c, with ok false for a
// SQL NULL or a "NULL" text (SHOW statements print both forms).
func (r *resultSet) cell(i, c int) (string, bool) {
	v := r.rows[i][c]
	if !v.Valid {
		return "", false
	}
	s := strings.TrimSpace(v.String)
	if s == "" || strings.EqualFold(s, "NULL") {
		return "", false
	}
	return s, true
}
