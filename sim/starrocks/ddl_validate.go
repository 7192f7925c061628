package starrocks

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// checkPartitionColumns verifies that partition columns exist and have a
// type the partitioning scheme accepts.
func checkPartitionColumns(d *TableDef) error {
	if len(d.Partition.Columns) == 0 {
		return errDDLf("No partition column is specified")
	}
	for _, n := range d.Partition.Columns {
		i := d.column(n)
		if i < 0 {
			return errDDLf("Partition column[%s] does not exist in column list.", n)
		}
		ct := d.Columns[i].Type
		switch d.Partition.Kind {
		case RangePartitioned:
			if !ct.isInteger() && !ct.isTemporal() {
				return errDDLf("Invalid partition column '%s': invalid data type %s", n, strings.ToUpper(ct.SQL()))
			}
		case ExprTimePartitioned:
			if !ct.isTemporal() {
				return errDDLf("Invalid partition column '%s': date_trunc requires a DATE or DATETIME column", n)
			}
		case ListPartitioned, ExprColumnPartitioned:
			switch ct.Base {
			case "FLOAT", "DOUBLE", "JSON", "ARRAY", "MAP", "STRUCT", "DECIMAL", "VARBINARY":
				return errDDLf("Invalid partition column '%s': invalid data type %s", n, strings.ToUpper(ct.SQL()))
			}
		}
	}
	return nil
}

// completeTableDef fills StarRocks' defaults (DUPLICATE KEY on leading
// columns, RANDOM distribution for duplicate tables) and checks the model
// rules. Error texts are StarRocks' where known; the rest are chosen to
// read like them.
func completeTableDef(d *TableDef) error {
	if len(d.Columns) == 0 {
		return errDDLf("Table should have at least one column")
	}
	if d.Keys == "" {
		d.Keys = DuplicateKeys
		d.KeyColumns = defaultDuplicateKeys(d.Columns)
	}
	if len(d.KeyColumns) > len(d.Columns) {
		return errDDLf("Key columns should be a ordered prefix of the schema.")
	}
	for i, k := range d.KeyColumns {
		if !strings.EqualFold(d.Columns[i].Name, k) {
			if d.column(k) < 0 {
				return errDDLf("Key column[%s] doesn't exist.", k)
			}
			return errDDLf("Key columns should be a ordered prefix of the schema.")
		}
		d.Columns[i].IsKey = true
		switch d.Columns[i].Type.Base {
		case "FLOAT", "DOUBLE", "JSON", "ARRAY", "MAP", "STRUCT":
			return errDDLf("Invalid data type of key column '%s': '%s'", k, strings.ToUpper(d.Columns[i].Type.SQL()))
		}
		if d.Keys == PrimaryKeys {
			d.Columns[i].Nullable = false
		}
	}
	for i := range d.Columns {
		c := &d.Columns[i]
		switch {
		case c.IsKey && c.Agg != "":
			return errDDLf("Key column %s should not specify aggregate type.", c.Name)
		case !c.IsKey && d.Keys == AggregateKeys && c.Agg == "":
			return errDDLf("Value column %s of AGGREGATE table must specify aggregate type.", c.Name)
		case d.Keys != AggregateKeys && c.Agg != "":
			return errDDLf("%s table should not specify aggregate type for column: %s", keysLabel(d.Keys), c.Name)
		}
		if c.Default != nil {
			if _, err := parseDefaultLiteral(c.Type, *c.Default); err != nil {
				return errDDLf("Invalid default value for '%s': %s", c.Name, *c.Default)
			}
		}
		if c.DefCurTS && c.Type.Base != "DATETIME" {
			return errDDLf("Invalid default value for '%s': CURRENT_TIMESTAMP requires DATETIME", c.Name)
		}
	}
	if d.Partition.Kind != Unpartitioned {
		if err := checkPartitionColumns(d); err != nil {
			return err
		}
		for _, n := range d.Partition.Columns {
			if d.Keys != DuplicateKeys && !d.Columns[d.column(n)].IsKey {
				return errDDLf("The partition column could not be aggregated column and unique table's partition column must be key column")
			}
		}
	}
	if len(d.Distribution.Columns) == 0 && !d.Distribution.Random {
		if d.Keys == DuplicateKeys {
			d.Distribution.Random = true
		} else {
			// [inference] non-duplicate tables hash on their key columns.
			d.Distribution.Columns = append([]string(nil), d.KeyColumns...)
		}
	}
	if d.Distribution.Random && d.Keys != DuplicateKeys {
		return errDDLf("Random distribution must be used in DUP_KEYS table")
	}
	for i, n := range d.Distribution.Columns {
		j := d.column(n)
		if j < 0 {
			return errDDLf("Distribution column[%s] is not found in the table.", n)
		}
		if d.Keys != DuplicateKeys && !d.Columns[j].IsKey {
			return errDDLf("Distribution column[%s] is not key column", n)
		}
		d.Distribution.Columns[i] = d.Columns[j].Name
	}
	for i, n := range d.OrderBy {
		j := d.column(n)
		if j < 0 {
			return errDDLf("Unknown column '%s' in order by clause", n)
		}
		d.OrderBy[i] = d.Columns[j].Name
	}
	for i, n := range d.KeyColumns {
		d.KeyColumns[i] = d.Columns[d.column(n)].Name
	}
	for i, n := range d.Partition.Columns {
		d.Partition.Columns[i] = d.Columns[d.column(n)].Name
	}
	return nil
}

// keysLabel is the model name in StarRocks messages.
func keysLabel(k KeysType) string {
	switch k {
	case PrimaryKeys:
		return "PRIMARY_KEYS"
	case UniqueKeys:
		return "UNIQUE_KEYS"
	case AggregateKeys:
		return "AGG_KEYS"
	}
	return "DUP_KEYS"
}

// defaultDuplicateKeys picks the sort key of a table without a key clause:
// up to three leading columns within 36 bytes, stopping after a VARCHAR and
// before types that cannot be keys. [inference] from StarRocks' rule.
func defaultDuplicateKeys(cols []Column) []string {
	var out []string
	size := 0
	for _, c := range cols {
		if len(out) == 3 {
			break
		}
		switch c.Type.Base {
		case "FLOAT", "DOUBLE", "JSON", "ARRAY", "MAP", "STRUCT":
			if len(out) == 0 {
				return []string{cols[0].Name}
			}
			return out
		}
		w := int(c.Type.byteSize(int64(0)))
		if c.Type.isString() {
			w = 0
		}
		if size+w > 36 && len(out) > 0 {
			break
		}
		size += w
		out = append(out, c.Name)
		if c.Type.Base == "VARCHAR" {
			break
		}
	}
	return out
}

// parseDefaultLiteral checks a literal default against its column type.
func parseDefaultLiteral(ct ColumnType, s string) (string, error) {
	switch {
	case ct.isInteger():
		if _, err := strconv.ParseFloat(s, 64); err != nil {
			return "", err
		}
	case ct.Base == "FLOAT" || ct.Base == "DOUBLE" || ct.Base == "DECIMAL":
		if _, err := strconv.ParseFloat(s, 64); err != nil {
			return "", err
		}
	case ct.isTemporal():
		if _, err := parseTemporal(s); err != nil {
			return "", err
		}
	}
	return s, nil
}

// Property rules. knownProperties lists the table properties the simulator
// accepts in either mode; modeOnly marks keys valid in one mode only.
// [unconfirmed] STARROCKS.md 2.3: whether a cluster of the other type
// rejects these keys is not verified; the simulator rejects them so a client
// that forgets to strip them fails here rather than on a real cluster.
var knownProperties = map[string]bool{
	"replication_num": true, "in_memory": true, "enable_persistent_index": true,
	"compression": true, "bloom_filter_columns": true, "colocate_with": true,
	"partition_live_number": true, "partition_ttl": true, "fast_schema_evolution": true,
	"persistent_index_type": true, "write_quorum": true, "replicated_storage": true,
	"storage_medium": true, "storage_cooldown_time": true, "storage_cooldown_ttl": true,
	"storage_volume": true, "datacache.enable": true, "datacache.partition_duration": true,
	"enable_async_write_back": true, "bucket_size": true,
}

var modeOnlyProperties = map[string]Mode{
	"replicated_storage": SharedNothing, "storage_medium": SharedNothing,
	"storage_cooldown_time": SharedNothing, "storage_cooldown_ttl": SharedNothing,
	"storage_volume": SharedData, "datacache.enable": SharedData,
	"datacache.partition_duration": SharedData, "enable_async_write_back": SharedData,
}

// builtinStorageVolume is the only storage volume of a simulated
// shared-data cluster.
const builtinStorageVolume = "builtin_storage_volume"

// nodeCount is the number of backends (shared-nothing) or compute nodes
// (shared-data) of every simulated cluster.
const nodeCount = 3

// validateProperties checks user properties for the cluster's mode.
func validateProperties(d *TableDef, prof profile) error {
	var unknown []string
	for _, pr := range d.Properties {
		key := pr.Key
		if strings.HasPrefix(key, "dynamic_partition.") {
			continue
		}
		m, modeOnly := modeOnlyProperties[key]
		if !knownProperties[key] || (modeOnly && m != prof.Mode) {
			unknown = append(unknown, key+"="+pr.Value)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return errDDLf("Unknown properties: {%s}", strings.Join(unknown, ", "))
	}
	if v, ok := d.property("replication_num"); ok {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			return errDDLf("Replication num should larger than 0. (replication_num=%s)", v)
		}
		if !prof.sharedData() && n > nodeCount {
			return errDDLf("Table replication num should be less than or equal to the number of available BE nodes. You can change this default by setting the replication_num table properties. Current alive backend is [%s]. , table=%s, default_replication_num=%d", backendIDList(), d.Name, nodeCount)
		}
	}
	if v, ok := d.property("storage_volume"); ok && v != builtinStorageVolume {
		return errDDLf("Unknown storage volume \"%s\"", v)
	}
	for _, key := range []string{"in_memory", "enable_persistent_index", "datacache.enable", "enable_async_write_back", "replicated_storage"} {
		if v, ok := d.property(key); ok && v != "true" && v != "false" {
			return errDDLf("Invalid %s: %s", key, v)
		}
	}
	if v, ok := d.property("storage_medium"); ok && !strings.EqualFold(v, "SSD") && !strings.EqualFold(v, "HDD") {
		return errDDLf("Invalid storage medium: %s", v)
	}
	if v, ok := d.property("bloom_filter_columns"); ok {
		for _, c := range strings.Split(v, ",") {
			if d.column(strings.TrimSpace(c)) < 0 {
				return errDDLf("Bloom filter column does not exist in table. invalid column: %s", strings.TrimSpace(c))
			}
		}
	}
	return nil
}

// backendIDList renders the ids of the simulated nodes.
func backendIDList() string {
	var ids []string
	for i := 0; i < nodeCount; i++ {
		ids = append(ids, fmt.Sprint(firstNodeID+i))
	}
	return strings.Join(ids, ", ")
}

// firstNodeID is the id of the first simulated backend / compute node.
const firstNodeID = 10001
