package starrocks

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	gsql "github.com/dolthub/go-mysql-server/sql"
	"github.com/dolthub/go-mysql-server/sql/types"
	"github.com/dolthub/vitess/go/sqltypes"
)

// registerInfoSchemaTables installs the StarRocks information_schema tables
// of phase 1.
func (c *Cluster) registerInfoSchemaTables() {
	c.provider.registerInfoSchemaTable(infoSchemaTable{
		Name:      "partitions_meta",
		Schema:    partitionsMetaSchema(),
		Available: profile.hasPartitionsMeta,
		Rows:      func(*gsql.Context) ([]gsql.Row, error) { return c.partitionsMetaRows(), nil },
	})
}

// partitionsMetaColumns is the older column set of STARROCKS.md 1.4 (up to
// STORAGE_PATH), with the types of PartitionsMetaSystemTable.
var partitionsMetaColumns = []struct {
	name string
	typ  gsql.Type
}{
	{"DB_NAME", types.LongText}, {"TABLE_NAME", types.LongText}, {"PARTITION_NAME", types.LongText},
	{"PARTITION_ID", types.Int64}, {"COMPACT_VERSION", types.Int64}, {"VISIBLE_VERSION", types.Int64},
	{"VISIBLE_VERSION_TIME", types.MustCreateDatetimeType(sqltypes.Datetime, 0)}, {"NEXT_VERSION", types.Int64},
	{"PARTITION_KEY", types.LongText}, {"PARTITION_VALUE", types.LongText}, {"DISTRIBUTION_KEY", types.LongText},
	{"BUCKETS", types.Int64}, {"REPLICATION_NUM", types.Int64}, {"STORAGE_MEDIUM", types.LongText},
	{"COOLDOWN_TIME", types.MustCreateDatetimeType(sqltypes.Datetime, 0)},
	{"LAST_CONSISTENCY_CHECK_TIME", types.MustCreateDatetimeType(sqltypes.Datetime, 0)},
	{"IS_IN_MEMORY", types.Boolean}, {"IS_TEMP", types.Boolean}, {"DATA_SIZE", types.LongText},
	{"ROW_COUNT", types.Int64}, {"ENABLE_DATACACHE", types.Boolean}, {"AVG_CS", types.Float64},
	{"P50_CS", types.Float64}, {"MAX_CS", types.Float64}, {"STORAGE_PATH", types.LongText},
}

func partitionsMetaSchema() gsql.Schema {
	s := make(gsql.Schema, len(partitionsMetaColumns))
	for i, c := range partitionsMetaColumns {
		s[i] = &gsql.Column{Name: c.name, Type: c.typ, Nullable: true, Source: "partitions_meta", DatabaseSource: "information_schema"}
	}
	return s
}

// partitionsMetaRows builds one row per formal and temporary partition.
func (c *Cluster) partitionsMetaRows() []gsql.Row {
	var rows []gsql.Row
	cooldown, _ := time.Parse(datetimeLayout, "9999-12-31 23:59:59")
	boolOf := func(s string) int8 {
		if s == "true" {
			return 1
		}
		return 0
	}
	for _, snap := range c.store.Tables("") {
		d := snap.Def
		all := append(append([]Partition(nil), snap.Partitions...), snap.Temps...)
		for _, p := range all {
			sr := partitionRow(snap, p, c.prof)
			rng := sr[7]
			distKey := "ALL KEY"
			if !d.Distribution.Random {
				distKey = strings.Join(d.Distribution.Columns, ", ")
			}
			repl, _ := strconv.ParseInt(propertyValue(d, c.prof, "replication_num"), 10, 64)
			var medium, path any = "HDD", ""
			var cool any = cooldown
			var cache any = int8(0)
			if c.prof.sharedData() {
				medium, cool = "", nil
				path = fmt.Sprintf("s3://srsim-builtin-storage/db%d/%d/%d", c.dbID(snap.DB), snap.ID, p.ID)
				cache = boolOf(propertyValue(d, c.prof, "datacache.enable"))
			} else if v, ok := d.property("storage_medium"); ok {
				medium = strings.ToUpper(v)
			}
			rows = append(rows, gsql.Row{
				snap.DB, d.Name, p.Name, p.ID, int64(0), p.VisibleVersion, p.VisibleVersionTime,
				p.VisibleVersion + 1, strings.Join(d.Partition.Columns, ", "), rng, distKey,
				int64(p.Buckets), repl, medium, cool, nil, boolOf(propertyValue(d, c.prof, "in_memory")),
				boolOf(strconv.FormatBool(p.Temp)), byteSizeString(p.DataSize), p.RowCount(), cache,
				0.0, 0.0, 0.0, path,
			})
		}
	}
	return rows
}

// dbID returns a database id (0 when unknown).
func (c *Cluster) dbID(name string) int64 {
	c.store.mu.RLock()
	defer c.store.mu.RUnlock()
	if d, ok := c.store.dbs[name]; ok {
		return d.ID
	}
	return 0
}
