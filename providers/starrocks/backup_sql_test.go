package starrocks

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/srplan/srplan/planner"
)

func TestBackupSQL(t *testing.T) {
	t.Parallel()
	o := planner.TableAddr{DB: "sales", Table: "orders"}
	tests := map[string]struct{ got, want string }{
		"create repository": {
			CreateRepositorySQL("bk", "s3://b/p/backups", map[string]string{"aws.s3.secret_key": "s", "aws.s3.access_key": "a"}, false),
			"CREATE REPOSITORY `bk` WITH BROKER ON LOCATION 's3://b/p/backups' PROPERTIES ('aws.s3.access_key' = 'a', 'aws.s3.secret_key' = 's')",
		},
		"create read-only repository without properties": {
			CreateRepositorySQL("bk", "file:///d/backups", nil, true),
			"CREATE READ ONLY REPOSITORY `bk` WITH BROKER ON LOCATION 'file:///d/backups'",
		},
		"backup partitions": {
			BackupSQL(o, []string{"p1", "p2"}, "srplan_x", "bk"),
			"BACKUP SNAPSHOT `sales`.`srplan_x` TO `bk` ON (`orders` PARTITION (`p1`, `p2`)) PROPERTIES ('type' = 'full')",
		},
		"backup table": {
			BackupSQL(o, nil, "s", "bk"),
			"BACKUP SNAPSHOT `sales`.`s` TO `bk` ON (`orders`) PROPERTIES ('type' = 'full')",
		},
		"restore as staging": {
			RestoreSQL("sales", "orders", []string{"p1"}, "orders__stage", "s", "2024-05-06-07-08-09-000", "bk", "1"),
			"RESTORE SNAPSHOT `sales`.`s` FROM `bk` ON (`orders` PARTITION (`p1`) AS `orders__stage`) PROPERTIES ('backup_timestamp' = '2024-05-06-07-08-09-000', 'replication_num' = '1')",
		},
		"restore same name": {
			RestoreSQL("sales", "orders", nil, "orders", "s", "ts", "bk", ""),
			"RESTORE SNAPSHOT `sales`.`s` FROM `bk` ON (`orders`) PROPERTIES ('backup_timestamp' = 'ts')",
		},
		"show snapshot":  {ShowSnapshotSQL("bk", "it's"), "SHOW SNAPSHOT ON `bk` WHERE SNAPSHOT = 'it\\'s'"},
		"show backup":    {ShowBackupSQL("sales"), "SHOW BACKUP FROM `sales`"},
		"show restore":   {ShowRestoreSQL("sales"), "SHOW RESTORE FROM `sales`"},
		"copy into temp": {CopyToTempPartitionSQL(o, "tp", planner.TableAddr{DB: "sales", Table: "st"}, "p1", "l"), "INSERT INTO `sales`.`orders` TEMPORARY PARTITION (`tp`) WITH LABEL `l` SELECT * FROM `sales`.`st` PARTITION (`p1`)"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tc.want, tc.got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	if got := RedactSQL(CreateRepositorySQL("bk", "s3://b", map[string]string{"aws.s3.secret_key": "hidden"}, false)); got != "CREATE REPOSITORY `bk` WITH BROKER ON LOCATION 's3://b' PROPERTIES ('aws.s3.secret_key' = '***')" {
		t.Errorf("redacted: %s", got)
	}
}
