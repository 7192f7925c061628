package starrocks

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/srplan/srplan/planner"
)

// The builders in this file return the literal SQL of srplan's export and
// load jobs and of the statements that watch them (STARROCKS.md 3, 4, 5).
// They are pure: every identifier goes through QuoteIdent and every value
// through QuoteString, and their output is tested by exact comparison.
// Storage properties (credentials included) are written into the statement
// text, the only place StarRocks accepts them; log a statement only after
// RedactSQL.

// CSV separators of the files EXPORT writes and Broker Load reads, in
// StarRocks' hex notation: the FE turns the text `\x01` into the single
// byte 0x01 (Delimiter.convertDelimiter, used by EXPORT for
// column_separator and line_delimiter and by Broker Load for COLUMNS and
// ROWS TERMINATED BY). EXPORT writes values without quoting or escaping,
// so these control bytes were chosen because table data almost never
// contains them, unlike tabs, commas and newlines. A value that does
// contain 0x01 or 0x02 splits its row wrongly; Broker Load then fails
// (max_filter_ratio 0) or, if the row still parses, verification finds
// the difference. NULL is written as \N, which Broker Load reads as NULL;
// a string that is literally \N therefore arrives as NULL, and the
// checksum tells the two apart (see ChecksumSQL).
const (
	CSVColumnSeparator = `\x01`
	CSVRowDelimiter    = `\x02`
)

// LastQueryIDSQL returns the query id of the statement the session ran
// last; after EXPORT it is the export job's id (STARROCKS.md 3.3).
const LastQueryIDSQL = "SELECT LAST_QUERY_ID()"

// ExportSpec is one EXPORT TABLE statement.
type ExportSpec struct {
	Table planner.TableAddr
	// Partition to export; "" exports the whole table.
	Partition string
	// Columns are written in this order; empty means all columns.
	Columns []string
	// Dir is the destination directory URL; it must end in '/' so that the
	// files are named data_<query id>_... inside it (STARROCKS.md 3.2).
	Dir string
	// Timeout of the job; rounded up to whole seconds.
	Timeout time.Duration
	// Broker holds the storage properties (aws.s3.*) for WITH BROKER.
	Broker map[string]string
}

// ExportSQL returns
//
//	EXPORT TABLE `db`.`t` [PARTITION (`p`)] [(`c1`, ...)] TO '<dir>'
//	PROPERTIES ('column_separator' = '\\x01', 'line_delimiter' = '\\x02',
//	'timeout' = '<s>', 'include_query_id' = 'true') WITH BROKER [(<props>)]
//
// on one line. include_query_id keeps each job's files apart by name.
func ExportSQL(s ExportSpec) string {
	var b strings.Builder
	b.WriteString("EXPORT TABLE ")
	b.WriteString(TableName(s.Table))
	if s.Partition != "" {
		b.WriteString(" PARTITION (" + QuoteIdent(s.Partition) + ")")
	}
	if len(s.Columns) > 0 {
		b.WriteString(" (" + identList(s.Columns) + ")")
	}
	b.WriteString(" TO " + QuoteString(s.Dir))
	b.WriteString(" PROPERTIES (")
	b.WriteString(propList([][2]string{
		{"column_separator", CSVColumnSeparator},
		{"line_delimiter", CSVRowDelimiter},
		{"timeout", seconds(s.Timeout)},
		{"include_query_id", "true"},
	}))
	b.WriteString(") WITH BROKER")
	writeBroker(&b, s.Broker)
	return b.String()
}

// ExportFilePrefix returns the name prefix of every file the EXPORT with
// query id queryID writes into a directory given with a trailing '/':
// "data_<query id>_" (include_query_id = true, STARROCKS.md 3.2).
func ExportFilePrefix(queryID string) string { return "data_" + queryID + "_" }

// UnloadSpec is one INSERT INTO FILES statement (STARROCKS.md 4.1).
type UnloadSpec struct {
	Table     planner.TableAddr
	Partition string // "" reads the whole table
	Columns   []string
	// Dir is the destination directory URL, ending in '/'.
	Dir string
	// Compression of the Parquet files: uncompressed, gzip, snappy, zstd or lz4.
	Compression string
	// Properties are the storage properties (aws.s3.*).
	Properties map[string]string
	// Label names the INSERT job ("" for none).
	Label string
	// Where is a row filter (SQL boolean expression); "" for none. It is
	// combined with the split predicate.
	Where string
	// SplitColumn, SplitParts and SplitIndex select one part of a split
	// export: the rows whose hash of SplitColumn falls in part SplitIndex
	// of SplitParts. SplitParts < 2 means no split.
	SplitColumn string
	SplitParts  int
	SplitIndex  int
}

// InsertIntoFilesSQL returns
//
//	INSERT INTO FILES('path' = '<dir>', 'format' = 'parquet',
//	'compression' = '<c>', <properties sorted by key>) [WITH LABEL `l`]
//	SELECT `c1`, ... FROM `db`.`t` [PARTITION (`p`)] [WHERE ...]
//
// on one line. The storage properties may not override path, format or
// compression.
func InsertIntoFilesSQL(s UnloadSpec) string {
	var b strings.Builder
	b.WriteString("INSERT INTO FILES(")
	props := [][2]string{{"path", s.Dir}, {"format", "parquet"}, {"compression", s.Compression}}
	for _, k := range slices.Sorted(maps.Keys(s.Properties)) {
		if k == "path" || k == "format" || k == "compression" {
			continue
		}
		props = append(props, [2]string{k, s.Properties[k]})
	}
	b.WriteString(propList(props))
	b.WriteString(")")
	if s.Label != "" {
		b.WriteString(" WITH LABEL " + QuoteIdent(s.Label))
	}
	b.WriteString(" SELECT " + identList(s.Columns) + " FROM " + TableName(s.Table))
	if s.Partition != "" {
		b.WriteString(" PARTITION (" + QuoteIdent(s.Partition) + ")")
	}
	var conds []string
	if w := strings.TrimSpace(s.Where); w != "" {
		conds = append(conds, "("+w+")")
	}
	if s.SplitParts > 1 {
		conds = append(conds, SplitPredicate(s.SplitColumn, s.SplitParts, s.SplitIndex))
	}
	if len(conds) > 0 {
		b.WriteString(" WHERE " + strings.Join(conds, " AND "))
	}
	return b.String()
}

// SplitPredicate returns the predicate that selects part i of n of a
// split export:
//
//	(ifnull(murmur_hash3_32(CAST(`c` AS STRING)), 0) % n + n) % n = i
//
// murmur_hash3_32 exists on every release srplan supports (STARROCKS.md
// 8.1) and hashes the value's text, so every type splits. Rows whose
// column is NULL go to part 0; "% n + n) % n" keeps negative hashes in
// range, so every row falls in exactly one part.
func SplitPredicate(column string, n, i int) string {
	ns := strconv.Itoa(n)
	return "(ifnull(murmur_hash3_32(CAST(" + QuoteIdent(column) + " AS STRING)), 0) % " + ns + " + " + ns + ") % " + ns + " = " + strconv.Itoa(i)
}

// LoadSpec is one load into a table: a Broker Load of CSV files or an
// INSERT from FILES() of Parquet files.
type LoadSpec struct {
	Table planner.TableAddr
	// Partition or TempPartition restricts the load ("" for none);
	// TempPartition wins when both are set.
	Partition     string
	TempPartition string
	// Files are the file URLs to load, all of them in one transaction.
	Files []string
	// Columns of the files, in file order; mapped to table columns by name.
	Columns []string
	// Properties are the storage properties (aws.s3.*).
	Properties map[string]string
	Label      string
	// Timeout of a Broker Load job; rounded up to whole seconds.
	Timeout time.Duration
}

// BrokerLoadSQL returns the Broker Load of CSV files written by EXPORT
// (STARROCKS.md 5.1):
//
//	LOAD LABEL `db`.`label` (DATA INFILE ('<url>', ...) INTO TABLE `t`
//	[PARTITION (`p`) | TEMPORARY PARTITION (`tp`)]
//	COLUMNS TERMINATED BY '\\x01' ROWS TERMINATED BY '\\x02'
//	FORMAT AS 'CSV' (`c1`, ...)) WITH BROKER [(<props>)]
//	PROPERTIES ('timeout' = '<s>', 'max_filter_ratio' = '0', 'strict_mode' = 'true')
//
// on one line. A zero filter ratio and strict mode make a row that does not
// parse fail the job instead of being dropped or loaded as NULL.
func BrokerLoadSQL(s LoadSpec) string {
	var b strings.Builder
	b.WriteString("LOAD LABEL " + QuoteIdent(s.Table.DB) + "." + QuoteIdent(s.Label))
	b.WriteString(" (DATA INFILE (")
	for i, f := range s.Files {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(QuoteString(f))
	}
	b.WriteString(") INTO TABLE " + QuoteIdent(s.Table.Table))
	b.WriteString(partitionClause(s.Partition, s.TempPartition))
	b.WriteString(" COLUMNS TERMINATED BY " + QuoteString(CSVColumnSeparator))
	b.WriteString(" ROWS TERMINATED BY " + QuoteString(CSVRowDelimiter))
	b.WriteString(" FORMAT AS 'CSV' (" + identList(s.Columns) + "))")
	b.WriteString(" WITH BROKER")
	writeBroker(&b, s.Properties)
	b.WriteString(" PROPERTIES (")
	b.WriteString(propList([][2]string{
		{"timeout", seconds(s.Timeout)},
		{"max_filter_ratio", "0"},
		{"strict_mode", "true"},
	}))
	b.WriteString(")")
	return b.String()
}

// InsertFromFilesSQL returns the load of Parquet files (STARROCKS.md 5.6):
//
//	INSERT INTO `db`.`t` [PARTITION (`p`) | TEMPORARY PARTITION (`tp`)]
//	WITH LABEL `l` (`c1`, ...) SELECT `c1`, ... FROM FILES('path' = '<url>',
//	'format' = 'parquet', <props>) [UNION ALL SELECT ... FROM FILES(...)]
//
// with one FILES() per file, so that exactly the listed files are read in
// one transaction. The column list names every column: from 3.3.1 a column
// list on a PRIMARY KEY table is a partial update, and one that lists all
// columns writes whole rows.
func InsertFromFilesSQL(s LoadSpec) string {
	var b strings.Builder
	b.WriteString("INSERT INTO " + TableName(s.Table))
	b.WriteString(partitionClause(s.Partition, s.TempPartition))
	if s.Label != "" {
		b.WriteString(" WITH LABEL " + QuoteIdent(s.Label))
	}
	cols := identList(s.Columns)
	b.WriteString(" (" + cols + ")")
	for i, f := range s.Files {
		if i > 0 {
			b.WriteString(" UNION ALL")
		}
		b.WriteString(" SELECT " + cols + " FROM " + filesFunc(f, s.Properties))
	}
	return b.String()
}

// filesFunc returns FILES('path' = url, 'format' = 'parquet', props...).
func filesFunc(url string, props map[string]string) string {
	list := [][2]string{{"path", url}, {"format", "parquet"}}
	for _, k := range slices.Sorted(maps.Keys(props)) {
		if k == "path" || k == "format" {
			continue
		}
		list = append(list, [2]string{k, props[k]})
	}
	return "FILES(" + propList(list) + ")"
}

// InsertOverwriteSQL returns INSERT OVERWRITE `db`.`t` WITH LABEL `l`
// SELECT * FROM `db`.`src`: it replaces every row of t with src's in one
// transaction. src must have t's columns in t's order (CREATE TABLE LIKE).
func InsertOverwriteSQL(t, src planner.TableAddr, label string) string {
	return "INSERT OVERWRITE " + TableName(t) + " WITH LABEL " + QuoteIdent(label) + " SELECT * FROM " + TableName(src)
}

// ShowLoadSQL returns SHOW LOAD FROM `db` [WHERE LABEL = '<label>']
// (STARROCKS.md 5.2); label "" lists the database's jobs (at most 2000).
func ShowLoadSQL(db, label string) string {
	s := "SHOW LOAD FROM " + QuoteIdent(db)
	if label != "" {
		s += " WHERE LABEL = " + QuoteString(label)
	}
	return s
}

// LoadsQuerySQL reads the given labels from information_schema.loads
// (STARROCKS.md 5.4). It selects every column because the database column
// is DATABASE_NAME in 3.1 and DB_NAME later; rows are read by name and
// filtered by database on the client.
func LoadsQuerySQL(labels []string) string {
	return "SELECT * FROM information_schema.loads WHERE LABEL IN (" + stringList(labels) + ")"
}

// ShowExportSQL returns SHOW EXPORT FROM `db` [WHERE QUERYID = '<id>']
// (STARROCKS.md 3.3); id "" lists the database's jobs (at most 2000).
func ShowExportSQL(db, queryID string) string {
	s := "SHOW EXPORT FROM " + QuoteIdent(db)
	if queryID != "" {
		s += " WHERE QUERYID = " + QuoteString(queryID)
	}
	return s
}

// CancelExportSQL returns CANCEL EXPORT FROM `db` WHERE QUERYID = '<id>'.
func CancelExportSQL(db, queryID string) string {
	return "CANCEL EXPORT FROM " + QuoteIdent(db) + " WHERE QUERYID = " + QuoteString(queryID)
}

// CancelLoadSQL returns CANCEL LOAD FROM `db` WHERE LABEL = '<label>'.
func CancelLoadSQL(db, label string) string {
	return "CANCEL LOAD FROM " + QuoteIdent(db) + " WHERE LABEL = " + QuoteString(label)
}

// UseSQL returns USE `db`.
func UseSQL(db string) string { return "USE " + QuoteIdent(db) }

// SessionTimeoutSQL returns SET query_timeout = <s>, which bounds INSERT
// statements on releases before 3.4 (their default is 300 seconds).
func SessionTimeoutSQL(d time.Duration) string { return "SET query_timeout = " + seconds(d) }

// InsertTimeoutSQL returns SET insert_timeout = <s>, the INSERT bound of
// releases that have the variable (3.4+).
func InsertTimeoutSQL(d time.Duration) string { return "SET insert_timeout = " + seconds(d) }

// partitionClause returns " PARTITION (`p`)", " TEMPORARY PARTITION
// (`tp`)" or "".
func partitionClause(p, tp string) string {
	switch {
	case tp != "":
		return " TEMPORARY PARTITION (" + QuoteIdent(tp) + ")"
	case p != "":
		return " PARTITION (" + QuoteIdent(p) + ")"
	}
	return ""
}

// writeBroker appends " (<props sorted by key>)" when props is not empty.
func writeBroker(b *strings.Builder, props map[string]string) {
	if len(props) == 0 {
		return
	}
	list := make([][2]string, 0, len(props))
	for _, k := range slices.Sorted(maps.Keys(props)) {
		list = append(list, [2]string{k, props[k]})
	}
	b.WriteString(" (" + propList(list) + ")")
}

// propList returns 'k' = 'v', ... in the given order.
func propList(kvs [][2]string) string {
	parts := make([]string, len(kvs))
	for i, kv := range kvs {
		parts[i] = QuoteString(kv[0]) + " = " + QuoteString(kv[1])
	}
	return strings.Join(parts, ", ")
}

// identList returns `a`, `b`, ....
func identList(names []string) string {
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = QuoteIdent(n)
	}
	return strings.Join(parts, ", ")
}

// stringList returns 'a', 'b', ....
func stringList(vals []string) string {
	parts := make([]string, len(vals))
	for i, v := range vals {
		parts[i] = QuoteString(v)
	}
	return strings.Join(parts, ", ")
}

// seconds renders d as whole seconds, rounded up, at least 1.
func seconds(d time.Duration) string {
	s := int64((d + time.Second - 1) / time.Second)
	if s < 1 {
		s = 1
	}
	return strconv.FormatInt(s, 10)
}

// columnNames returns the names of cols.
func columnNames(cols []planner.Column) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = c.Name
	}
	return out
}

// splitDir returns the sub-directory of dir that part i of n is written to.
func splitDir(dir string, i, n int) string {
	if !strings.HasSuffix(dir, "/") {
		dir += "/"
	}
	return fmt.Sprintf("%ssplit-%d-of-%d/", dir, i, n)
}
