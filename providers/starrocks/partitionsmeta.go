package starrocks

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
)

// metaChunk bounds the number of table names in one partitions_meta query.
const metaChunk = 100

// metaKey identifies one partition row of information_schema.partitions_meta.
type metaKey struct {
	table, partition string
	temp             bool
}

// metaVersion is the version pair partitions_meta reports for a partition.
type metaVersion struct {
	version int64
	time    time.Time
}

// readPartitionsMeta reads the visible version and its time of every
// partition (temporary ones included) of the given tables of db, in one
// query per metaChunk tables. A cluster without
// information_schema.partitions_meta makes it return an error for which
// isMissingTable is true.
func readPartitionsMeta(ctx context.Context, q Querier, db string, tables []string) (map[metaKey]metaVersion, error) {
	out := make(map[metaKey]metaVersion)
	for chunk := range slicesChunk(tables, metaChunk) {
		query := PartitionsMetaSQL(db, chunk...)
		res, err := queryAll(ctx, q, query)
		if err != nil {
			return nil, err
		}
		if err := parsePartitionsMeta(res, db, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// slicesChunk yields s in consecutive pieces of at most n elements.
func slicesChunk(s []string, n int) func(func([]string) bool) {
	return func(yield func([]string) bool) {
		for i := 0; i < len(s); i += n {
			if !yield(s[i:min(i+n, len(s))]) {
				return
			}
		}
	}
}

// parsePartitionsMeta adds the rows of a PartitionsMetaSQL result to out.
func parsePartitionsMeta(res *resultSet, db string, out map[metaKey]metaVersion) error {
	cols := map[string]int{}
	for _, name := range []string{"TABLE_NAME", "PARTITION_NAME", "IS_TEMP", "VISIBLE_VERSION", "VISIBLE_VERSION_TIME"} {
		c, ok := res.col(name)
		if !ok {
			return fmt.Errorf("partitions_meta of database %s: column %s missing from the result", db, name)
		}
		cols[name] = c
	}
	for i := range res.rows {
		table, _ := res.cell(i, cols["TABLE_NAME"])
		part, _ := res.cell(i, cols["PARTITION_NAME"])
		if table == "" || part == "" {
			return fmt.Errorf("partitions_meta of database %s: row %d has no table or partition name", db, i+1)
		}
		where := fmt.Sprintf("partitions_meta of %s.%s: partition %s", db, table, part)
		isTemp, _ := res.cell(i, cols["IS_TEMP"])
		temp, err := parseBool(isTemp)
		if err != nil {
			return fmt.Errorf("%s: IS_TEMP %q: %w", where, isTemp, err)
		}
		var mv metaVersion
		if v, ok := res.cell(i, cols["VISIBLE_VERSION"]); ok {
			if mv.version, err = strconv.ParseInt(v, 10, 64); err != nil {
				return fmt.Errorf("%s: VISIBLE_VERSION %q: %w", where, v, err)
			}
		}
		if v, ok := res.cell(i, cols["VISIBLE_VERSION_TIME"]); ok {
			if mv.time, err = parseVersionTime(v); err != nil {
				return fmt.Errorf("%s: VISIBLE_VERSION_TIME %q: %w", where, v, err)
			}
		}
		out[metaKey{table: table, partition: part, temp: temp}] = mv
	}
	return nil
}

// parseBool reads a BOOLEAN as the text protocol or a SHOW statement
// prints it: 1/0 or true/false; empty (NULL) is false.
func parseBool(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "1", "true":
		return true, nil
	case "0", "false", "":
		return false, nil
	}
	return false, errors.New("want true or false")
}

// mysqlNoSuchTable are the MySQL error numbers for a table that does not
// exist: ER_BAD_TABLE_ERROR, ER_UNKNOWN_TABLE and ER_NO_SUCH_TABLE.
var mysqlNoSuchTable = map[uint16]bool{1051: true, 1109: true, 1146: true}

// isMissingTable reports whether err says that the queried table does not
// exist. StarRocks reports analysis errors with a generic number and a
// message such as "Unknown table 'information_schema.partitions_meta'", so
// the message is checked as well as the number.
func isMissingTable(err error) bool {
	var me *mysql.MySQLError
	if errors.As(err, &me) && mysqlNoSuchTable[me.Number] {
		return true
	}
	if me == nil {
		return false
	}
	msg := strings.ToLower(me.Message)
	for _, s := range []string{"unknown table", "doesn't exist", "does not exist", "not exist", "table not found"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}
