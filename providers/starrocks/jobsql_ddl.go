package starrocks

import (
	"github.com/srplan/srplan/planner"
)

// Builders of the partition and table maintenance statements srplan runs
// on a target (STARROCKS.md 7). Like the job builders they are pure and
// quote every name and value.

// ShowPartitionSQL returns SHOW [TEMPORARY] PARTITIONS FROM `db`.`t` WHERE
// PartitionName = '<p>': the one row of partition p, or none. The FE
// compares the name exactly (STARROCKS.md 1.1).
func ShowPartitionSQL(t planner.TableAddr, p string, temp bool) string {
	return ShowPartitionsSQL(t, temp) + " WHERE PartitionName = " + QuoteString(p)
}

// AddPartitionSQL returns ALTER TABLE `db`.`t` ADD [TEMPORARY] PARTITION
// `p` <values>, where values is the VALUES clause of v.
func AddPartitionSQL(t planner.TableAddr, p string, v PartitionValue, temp bool) string {
	kind := " ADD PARTITION "
	if temp {
		kind = " ADD TEMPORARY PARTITION "
	}
	return "ALTER TABLE " + TableName(t) + kind + QuoteIdent(p) + " " + v.ValuesClause()
}

// DropTempPartitionSQL returns ALTER TABLE `db`.`t` DROP TEMPORARY
// PARTITION IF EXISTS `tp`.
func DropTempPartitionSQL(t planner.TableAddr, tp string) string {
	return "ALTER TABLE " + TableName(t) + " DROP TEMPORARY PARTITION IF EXISTS " + QuoteIdent(tp)
}

// ReplacePartitionSQL returns ALTER TABLE `db`.`t` REPLACE PARTITION (`p`)
// WITH TEMPORARY PARTITION (`tp`) PROPERTIES ('strict_range' = 'true',
// 'use_temp_partition_name' = 'false'): the temporary partition must cover
// exactly p's range, and p keeps its name.
func ReplacePartitionSQL(t planner.TableAddr, p, tp string) string {
	return "ALTER TABLE " + TableName(t) + " REPLACE PARTITION (" + QuoteIdent(p) + ") WITH TEMPORARY PARTITION (" +
		QuoteIdent(tp) + ") PROPERTIES (" + propList([][2]string{{"strict_range", "true"}, {"use_temp_partition_name", "false"}}) + ")"
}

// CreateTableLikeSQL returns CREATE TABLE `db`.`dst` LIKE `db`.`src`.
func CreateTableLikeSQL(dst, src planner.TableAddr) string {
	return "CREATE TABLE " + TableName(dst) + " LIKE " + TableName(src)
}

// DropTableSQL returns DROP TABLE IF EXISTS `db`.`t`. Without FORCE the
// table stays recoverable for the FE's catalog_trash_expire_second.
func DropTableSQL(t planner.TableAddr) string {
	return "DROP TABLE IF EXISTS " + TableName(t)
}

// SwapTableSQL returns ALTER TABLE `db`.`t` SWAP WITH `shadow`; shadow is
// in t's database.
func SwapTableSQL(t planner.TableAddr, shadow string) string {
	return "ALTER TABLE " + TableName(t) + " SWAP WITH " + QuoteIdent(shadow)
}
