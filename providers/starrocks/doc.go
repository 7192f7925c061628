// Package starrocks is srplan's StarRocks provider: it connects to a
// cluster and reads what the planner needs to know about it.
//
// Open connects to a cluster block (lang.Cluster), trying its FE hosts in
// order and failing over to the next FE when one stops answering. Every
// statement is literal SQL over the MySQL text protocol, because StarRocks
// 3.1 rejects prepared statements and later releases prepare only SELECT;
// the builders in sql.go quote names and literals, and their output is
// tested by exact comparison. Connection errors (*ConnectError) name the
// cluster block and each host tried, say what to check, and never carry
// the password.
//
// DetectCluster reads a cluster's release and architecture
// (planner.ClusterInfo). ReadCatalog reads the selected tables into a
// planner.Catalog: SHOW CREATE TABLE, parsed by ParseCreateTable for keys,
// columns, partitioning and properties; SHOW [TEMPORARY] PARTITIONS, read
// by column name so that the shared-nothing and shared-data column sets
// and future additions all parse; and information_schema.partitions_meta
// for the version times that shared-data tables do not show. The facts
// this package relies on are collected in the project's STARROCKS.md.
//
// Jobs (NewJobs) is the executor's Source and Target on one cluster:
// EXPORT (CSV, the only unload on 3.1 shared-data) and INSERT INTO FILES
// (Parquet, 3.2+, with row filters and split parts) to staging storage;
// Broker Load and INSERT ... FROM FILES() with deterministic labels, where
// "label already used" means wait for the existing job, never load twice;
// temporary partitions, REPLACE PARTITION, shadow tables and a labelled
// INSERT OVERWRITE for atomic recopies; COUNT plus a NULL-safe row
// checksum (or column sums) for verification; SHOW BACKENDS / COMPUTE
// NODES for health rules. A Watcher polls job states with one query per
// database per interval for all running jobs, backing off while nothing
// changes. Errors say whether a retry can help (IsRetryable) and carry
// statements only with storage credentials redacted (RedactSQL).
//
// Siblings: lang decodes the spec this package is configured from; the
// planner consumes the Catalog and never queries a cluster itself; the
// executor runs plans through the same Client; sim/starrocks is the
// simulator the integration tests run against.
package starrocks
