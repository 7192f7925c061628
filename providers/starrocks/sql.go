package starrocks

import (
	"strings"

	"github.com/srplan/srplan/planner"
)

// Statements without arguments. srplan sends every statement as literal SQL
// over the text protocol: StarRocks 3.1 rejects COM_STMT_PREPARE and 3.2+
// prepares only SELECT (STARROCKS.md 11), so nothing here uses placeholders.
const (
	// CurrentVersionSQL returns one row with the release, e.g. "3.3.2-6a3e29e".
	CurrentVersionSQL = "SELECT current_version()"
	// ShowBackendsSQL lists the BE nodes (STARROCKS.md 9.1).
	ShowBackendsSQL = "SHOW BACKENDS"
	// ShowComputeNodesSQL lists the CN nodes (STARROCKS.md 9.2).
	ShowComputeNodesSQL = "SHOW COMPUTE NODES"
	// ShowDatabasesSQL lists the databases the user may see.
	ShowDatabasesSQL = "SHOW DATABASES"
)

// QuoteIdent quotes a database, table, column or partition name with
// backticks, doubling every backtick inside the name.
func QuoteIdent(name string) string {
	return "`" + strings.ReplaceAll(name, "`", "``") + "`"
}

// QuoteString quotes s as a single-quoted StarRocks string literal. The
// StarRocks lexer, like MySQL's, treats a backslash as an escape inside a
// literal, so backslashes are doubled and single quotes are escaped as \'.
// Every other byte, newlines included, is taken literally by the lexer.
func QuoteString(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('\'')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			b.WriteString(`\\`)
		case '\'':
			b.WriteString(`\'`)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('\'')
	return b.String()
}

// TableName returns the fully qualified, quoted name `db`.`table`.
func TableName(t planner.TableAddr) string {
	return QuoteIdent(t.DB) + "." + QuoteIdent(t.Table)
}

// ShowPartitionsSQL returns SHOW [TEMPORARY] PARTITIONS FROM `db`.`table`
// (STARROCKS.md 1.1).
func ShowPartitionsSQL(t planner.TableAddr, temp bool) string {
	if temp {
		return "SHOW TEMPORARY PARTITIONS FROM " + TableName(t)
	}
	return "SHOW PARTITIONS FROM " + TableName(t)
}

// ShowCreateTableSQL returns SHOW CREATE TABLE `db`.`table` (STARROCKS.md 2.1).
func ShowCreateTableSQL(t planner.TableAddr) string {
	return "SHOW CREATE TABLE " + TableName(t)
}

// ShowTablesSQL returns SHOW FULL TABLES FROM `db`. FULL adds the Table_type
// column, which tells views from tables.
func ShowTablesSQL(db string) string {
	return "SHOW FULL TABLES FROM " + QuoteIdent(db)
}

// PartitionsMetaSQL reads the version columns of
// information_schema.partitions_meta (STARROCKS.md 1.4) for the given tables
// of one database, or for every table of it when tables is empty. The rows
// include temporary partitions (IS_TEMP).
func PartitionsMetaSQL(db string, tables ...string) string {
	var b strings.Builder
	b.WriteString("SELECT TABLE_NAME, PARTITION_NAME, IS_TEMP, VISIBLE_VERSION, VISIBLE_VERSION_TIME" +
		" FROM information_schema.partitions_meta WHERE DB_NAME = ")
	b.WriteString(QuoteString(db))
	if len(tables) > 0 {
		b.WriteString(" AND TABLE_NAME IN (")
		for i, t := range tables {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(QuoteString(t))
		}
		b.WriteString(")")
	}
	return b.String()
}
