package planner

import (
	"fmt"

	"github.com/srplan/srplan/lang"
)

// resolveMethod turns a table block's method into the concrete method for
// this pair of clusters, or explains why it cannot run. The version gates
// follow STARROCKS.md: INSERT INTO FILES (Parquet unload) from 3.2; BACKUP
// and RESTORE only between shared-nothing clusters, and for
// expression-partitioned tables only from 3.1.16 / 3.2.13 / 3.3.8 / 3.4.0.
func resolveMethod(b *lang.Table, src, dst ClusterInfo, t *Table) (m lang.Method, format, blocked string) {
	filesOK := src.Version.AtLeast(3, 2, 0)
	switch b.Method {
	case lang.MethodExport:
		return lang.MethodExport, "csv", ""
	case lang.MethodFiles:
		if !filesOK {
			return lang.MethodFiles, "parquet", fmt.Sprintf(
				"method \"files\" needs INSERT INTO FILES, available from StarRocks 3.2; source %q runs %s: use method = \"export\" (CSV)",
				src.Name, src.Version)
		}
		return lang.MethodFiles, "parquet", ""
	case lang.MethodBackup:
		return lang.MethodBackup, "", backupBlocked(src, dst, t)
	default: // auto
		// Naming a repository is the user's permission to use BACKUP and
		// RESTORE where they can run; elsewhere auto falls back to files.
		if b.Repository != "" && backupBlocked(src, dst, t) == "" {
			return lang.MethodBackup, "", ""
		}
		if filesOK {
			return lang.MethodFiles, "parquet", ""
		}
		if b.Where != "" || b.Split != nil {
			return lang.MethodExport, "csv", fmt.Sprintf(
				"where and split need INSERT INTO FILES (StarRocks 3.2+), but source %q runs %s and EXPORT cannot filter or split rows: remove them or upgrade the source",
				src.Name, src.Version)
		}
		return lang.MethodExport, "csv", ""
	}
}

// backupBlocked returns why BACKUP/RESTORE cannot move table t, or "".
func backupBlocked(src, dst ClusterInfo, t *Table) string {
	for _, c := range []ClusterInfo{src, dst} {
		if c.Mode == SharedData {
			return fmt.Sprintf("method \"backup\" needs shared-nothing clusters; %q is shared-data (StarRocks does not support BACKUP/RESTORE there): use method = \"auto\"", c.Name)
		}
	}
	if t != nil && t.PartitionKind == ExpressionPartitions {
		for _, c := range []ClusterInfo{src, dst} {
			if !backupsExpressionPartitions(c.Version) {
				return fmt.Sprintf("BACKUP/RESTORE of expression-partitioned tables needs StarRocks 3.1.16, 3.2.13, 3.3.8 or 3.4.0+; %q runs %s: use method = \"auto\"", c.Name, c.Version)
			}
		}
	}
	return ""
}

func backupsExpressionPartitions(v Version) bool {
	switch {
	case v.AtLeast(3, 4, 0):
		return true
	case v.Major == 3 && v.Minor == 3:
		return v.Patch >= 8
	case v.Major == 3 && v.Minor == 2:
		return v.Patch >= 13
	case v.Major == 3 && v.Minor == 1:
		return v.Patch >= 16
	}
	return false
}

// recopyStrategy picks how a changed partition replaces its old copy.
func recopyStrategy(t *Table) RecopyStrategy {
	return recopyStrategyFor("", t)
}

// recopyStrategyFor picks how a changed partition of t replaces its old
// copy with method m. RESTORE never writes over live data in place: a
// backup recopy restores into a staging table first (see backup.go).
func recopyStrategyFor(m lang.Method, t *Table) RecopyStrategy {
	if m == lang.MethodBackup {
		if t.PartitionKind == Unpartitioned {
			return ViaRestoreShadow
		}
		return ViaRestoreTempPartition
	}
	if t.PartitionKind == Unpartitioned {
		return ViaShadowSwap
	}
	return ViaTempPartition
}
