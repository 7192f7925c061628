package starrocks

import (
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"github.com/srplan/srplan/providers/s3/s3test"
)

// s3Props renders the broker-less S3 properties for env, with secret as
// the secret key.
func s3Props(env s3test.Env, secret string) string {
	return fmt.Sprintf(`"aws.s3.endpoint" = %q, "aws.s3.enable_path_style_access" = "true", "aws.s3.access_key" = %q, "aws.s3.secret_key" = %q, "aws.s3.region" = %q`,
		env.Endpoint, env.AccessKey, secret, env.Region)
}

// migrationSource creates the source table on db and fills it.
func migrationSource(t *testing.T, db *sql.DB) {
	t.Helper()
	mustExec(t, db, mixedTableDDL)
	mustExec(t, db, mixedTableRows)
	mustExec(t, db, `INSERT INTO t SELECT dt, id + 100, concat(name, '!'), amount * 2, ratio, flag, ts, small FROM t`)
}

// TestMigrateThroughStorage moves a table between two clusters the three
// ways srplan can, through MinIO and through a local directory, and checks
// row counts and checksums on both sides after each.
func TestMigrateThroughStorage(t *testing.T) {
	env := s3test.Endpoint(t)
	bucket := s3test.NewBucket(t, env)
	local := t.TempDir()
	src := startCluster(t, "3.3.2", SharedNothing)
	sdSrc := startCluster(t, "3.1.11", SharedData)
	dst := startCluster(t, "3.5.0", SharedNothing)
	sdb, sddb, ddb := rootDB(t, src, "d"), rootDB(t, sdSrc, "d"), rootDB(t, dst, "d")
	migrationSource(t, sdb)
	migrationSource(t, sddb)
	props := s3Props(env, env.SecretKey)
	want := checksum(t, sdb, "t", mixedTableColumns)
	if want[0] != "8" {
		t.Fatalf("source has %s rows, want 8", want[0])
	}
	stores := map[string]string{"minio": "s3://" + bucket, "local": "file://" + local}

	for name, base := range stores {
		t.Run("export and broker load via "+name, func(t *testing.T) {
			target := "e_" + name
			mustExec(t, ddb, strings.Replace(mixedTableDDL, "CREATE TABLE t", "CREATE TABLE "+target, 1))
			for _, part := range []string{"p20240101", "p20240102"} {
				dir := fmt.Sprintf("%s/export/%s/", base, part)
				row := exportAndWait(t, sddb, fmt.Sprintf(`EXPORT TABLE t PARTITION (%s) TO %q PROPERTIES ("column_separator" = "\\x01", "line_delimiter" = "\\x02") WITH BROKER (%s)`, part, dir, props))
				if row["State"] != "FINISHED" {
					t.Fatalf("export of %s: %v", part, row)
				}
				// Load into a temporary partition, then replace: the way srplan
				// recopies a partition atomically.
				mustExec(t, ddb, fmt.Sprintf("ALTER TABLE %s ADD TEMPORARY PARTITION tp VALUES [('%s'), ('%s'))", target, partStart(part), partEnd(part)))
				label := "l_" + name + "_" + part
				row = loadAndWait(t, ddb, label, fmt.Sprintf(`LOAD LABEL d.%s (DATA INFILE ("%s*.csv") INTO TABLE %s TEMPORARY PARTITION (tp)
					COLUMNS TERMINATED BY "\\x01" ROWS TERMINATED BY "\\x02" (%s)) WITH BROKER (%s)`,
					label, dir, target, strings.Join(mixedTableColumns, ", "), props))
				if row["State"] != "FINISHED" || row["SinkRows"] != map[string]string{"p20240101": "6", "p20240102": "2"}[part] {
					t.Fatalf("load of %s: %v", part, row)
				}
				mustExec(t, ddb, fmt.Sprintf("ALTER TABLE %s REPLACE PARTITION (%s) WITH TEMPORARY PARTITION (tp)", target, part))
			}
			if got := checksum(t, ddb, target, mixedTableColumns); got != want {
				t.Errorf("copy %v, source %v", got, want)
			}
		})

		t.Run("unload and load from files via "+name, func(t *testing.T) {
			target := "f_" + name
			mustExec(t, ddb, strings.Replace(mixedTableDDL, "CREATE TABLE t", "CREATE TABLE "+target, 1))
			dir := fmt.Sprintf("%s/unload/", base)
			mustExec(t, sdb, fmt.Sprintf(`INSERT INTO FILES("path" = %q, "format" = "parquet", "compression" = "snappy", %s) SELECT * FROM t`, dir, props))
			mustExec(t, ddb, fmt.Sprintf(`INSERT INTO %s WITH LABEL lf_%s SELECT * FROM FILES("path" = "%s*.parquet", "format" = "parquet", %s)`, target, name, dir, props))
			if got := checksum(t, ddb, target, mixedTableColumns); got != want {
				t.Errorf("copy %v, source %v", got, want)
			}
		})

		t.Run("backup and restore via "+name, func(t *testing.T) {
			repo := "repo_" + name
			loc := fmt.Sprintf(`ON LOCATION "%s/backups" PROPERTIES (%s)`, base, props)
			mustExec(t, sdb, fmt.Sprintf("CREATE REPOSITORY %s WITH BROKER %s", repo, loc))
			mustExec(t, ddb, fmt.Sprintf("CREATE READ ONLY REPOSITORY %s WITH BROKER %s", repo, loc))
			row := backupAndWait(t, sdb, fmt.Sprintf("BACKUP SNAPSHOT d.s_%s TO %s ON (t)", name, repo))
			if row["State"] != "FINISHED" {
				t.Fatalf("backup: %v", row)
			}
			snaps := rowMaps(t, ddb, fmt.Sprintf(`SHOW SNAPSHOT ON %s WHERE SNAPSHOT = "s_%s"`, repo, name))
			if len(snaps) != 1 {
				t.Fatalf("snapshots seen by the target: %v", snaps)
			}
			mustExec(t, ddb, "CREATE DATABASE r_"+name)
			rdb := openDB(t, dst, "root", "", "r_"+name)
			row = restoreAndWait(t, rdb, fmt.Sprintf(`RESTORE SNAPSHOT r_%s.s_%s FROM %s PROPERTIES ("backup_timestamp" = %q, "replication_num" = "1")`,
				name, name, repo, snaps[0]["Timestamp"]))
			if row["State"] != "FINISHED" {
				t.Fatalf("restore: %v", row)
			}
			if got := checksum(t, rdb, "t", mixedTableColumns); got != want {
				t.Errorf("restored %v, source %v", got, want)
			}
		})
	}
}

func partStart(p string) string { return p[1:5] + "-" + p[5:7] + "-" + p[7:9] }

func partEnd(p string) string {
	if p == "p20240101" {
		return "2024-01-02"
	}
	return "2024-01-03"
}

// TestS3Failures: wrong credentials or a missing bucket cancel the job with
// S3's own error, never the secret.
func TestS3Failures(t *testing.T) {
	env := s3test.Endpoint(t)
	bucket := s3test.NewBucket(t, env)
	c := startCluster(t, "3.5.0", SharedNothing)
	db := rootDB(t, c, "d")
	migrationSource(t, db)
	const badSecret = "wrong-secret-0123456789"
	tests := map[string]struct {
		url, secret, code string
	}{
		"wrong secret":   {"s3://" + bucket + "/x/", badSecret, "SignatureDoesNotMatch"},
		"missing bucket": {"s3://no-such-bucket-srsim/x/", env.SecretKey, "NoSuchBucket"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			props := s3Props(env, tc.secret)
			row := exportAndWait(t, db, fmt.Sprintf(`EXPORT TABLE t TO %q WITH BROKER (%s)`, tc.url, props))
			if row["State"] != "CANCELLED" || !strings.HasPrefix(row["ErrorMsg"], "type:RUN_FAIL; msg:") || !strings.Contains(row["ErrorMsg"], tc.code) {
				t.Errorf("export: %v", row)
			}
			label := strings.ReplaceAll(name, " ", "_")
			row = loadAndWait(t, db, label, fmt.Sprintf(`LOAD LABEL %s (DATA INFILE ("%s*") INTO TABLE t) WITH BROKER (%s)`, label, tc.url, props))
			if row["State"] != "CANCELLED" || !strings.HasPrefix(row["ErrorMsg"], "type:ETL_RUN_FAIL; msg:") || !strings.Contains(row["ErrorMsg"], tc.code) {
				t.Errorf("load: %v", row)
			}
			err := execErr(t, db, fmt.Sprintf(`CREATE REPOSITORY r_%s WITH BROKER ON LOCATION "%s" PROPERTIES (%s)`, label, tc.url, props))
			if !strings.HasPrefix(err, "Error 1064 (HY000): Failed to create repository: ") || !strings.Contains(err, tc.code) {
				t.Errorf("create repository: %q", err)
			}
			for _, text := range []string{row["ErrorMsg"], err} {
				if strings.Contains(text, badSecret) || strings.Contains(text, env.SecretKey) {
					t.Errorf("an error shows the secret key: %q", text)
				}
			}
		})
	}
}
