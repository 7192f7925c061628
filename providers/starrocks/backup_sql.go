package starrocks

import (
	"maps"
	"slices"
	"strings"

	"github.com/srplan/srplan/planner"
)

// SQL of BACKUP / RESTORE (STARROCKS.md 6). Every builder is pure.

// ShowRepositoriesSQL lists the repositories (STARROCKS.md 6.1).
const ShowRepositoriesSQL = "SHOW REPOSITORIES"

// CreateRepositorySQL returns CREATE [READ ONLY] REPOSITORY `name` WITH
// BROKER ON LOCATION 'location' [PROPERTIES ('k' = 'v', ...)] with the
// properties sorted by key. It carries credentials: redact before showing.
func CreateRepositorySQL(name, location string, props map[string]string, readOnly bool) string {
	var b strings.Builder
	b.WriteString("CREATE ")
	if readOnly {
		b.WriteString("READ ONLY ")
	}
	b.WriteString("REPOSITORY " + QuoteIdent(name) + " WITH BROKER ON LOCATION " + QuoteString(location))
	if len(props) > 0 {
		list := make([][2]string, 0, len(props))
		for _, k := range slices.Sorted(maps.Keys(props)) {
			list = append(list, [2]string{k, props[k]})
		}
		b.WriteString(" PROPERTIES (" + propList(list) + ")")
	}
	return b.String()
}

// BackupSQL returns BACKUP SNAPSHOT `db`.`snapshot` TO `repo` ON (`table`
// [PARTITION (`p`, ...)]) PROPERTIES ('type' = 'full') (STARROCKS.md 6.2).
func BackupSQL(t planner.TableAddr, partitions []string, snapshot, repo string) string {
	return "BACKUP SNAPSHOT " + QuoteIdent(t.DB) + "." + QuoteIdent(snapshot) + " TO " + QuoteIdent(repo) +
		" ON (" + QuoteIdent(t.Table) + backupPartitionClause(partitions) + ") PROPERTIES ('type' = 'full')"
}

// RestoreSQL returns RESTORE SNAPSHOT `db`.`snapshot` FROM `repo` ON
// (`table` [PARTITION (...)] [AS `alias`]) PROPERTIES ('backup_timestamp'
// = 'ts'[, 'replication_num' = 'n']) (STARROCKS.md 6.4). db is the
// database restored into; alias "" keeps the backed-up name.
func RestoreSQL(db, table string, partitions []string, alias, snapshot, timestamp, repo, replicationNum string) string {
	on := QuoteIdent(table) + backupPartitionClause(partitions)
	if alias != "" && alias != table {
		on += " AS " + QuoteIdent(alias)
	}
	props := [][2]string{{"backup_timestamp", timestamp}}
	if replicationNum != "" {
		props = append(props, [2]string{"replication_num", replicationNum})
	}
	return "RESTORE SNAPSHOT " + QuoteIdent(db) + "." + QuoteIdent(snapshot) + " FROM " + QuoteIdent(repo) +
		" ON (" + on + ") PROPERTIES (" + propList(props) + ")"
}

// ShowBackupSQL returns SHOW BACKUP FROM `db`: the database's last backup
// job only (STARROCKS.md 6.3).
func ShowBackupSQL(db string) string { return "SHOW BACKUP FROM " + QuoteIdent(db) }

// ShowRestoreSQL returns SHOW RESTORE FROM `db`: the database's last
// restore job only.
func ShowRestoreSQL(db string) string { return "SHOW RESTORE FROM " + QuoteIdent(db) }

// ShowSnapshotSQL returns SHOW SNAPSHOT ON `repo` WHERE SNAPSHOT =
// 'name' (columns Snapshot, Timestamp, Status).
func ShowSnapshotSQL(repo, snapshot string) string {
	return "SHOW SNAPSHOT ON " + QuoteIdent(repo) + " WHERE SNAPSHOT = " + QuoteString(snapshot)
}

// CopyToTempPartitionSQL returns INSERT INTO t TEMPORARY PARTITION (`tp`)
// WITH LABEL `label` SELECT * FROM src PARTITION (`p`) (p "" reads the
// whole table).
func CopyToTempPartitionSQL(t planner.TableAddr, tp string, src planner.TableAddr, p, label string) string {
	from := TableName(src)
	if p != "" {
		from += " PARTITION (" + QuoteIdent(p) + ")"
	}
	return "INSERT INTO " + TableName(t) + " TEMPORARY PARTITION (" + QuoteIdent(tp) + ") WITH LABEL " + QuoteIdent(label) + " SELECT * FROM " + from
}

// backupPartitionClause returns " PARTITION (`a`, `b`)" or "" for none.
func backupPartitionClause(ps []string) string {
	if len(ps) == 0 {
		return ""
	}
	return " PARTITION (" + identList(ps) + ")"
}
