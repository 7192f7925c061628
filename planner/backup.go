package planner

// Recopy strategies of method "backup". RESTORE replaces the partitions it
// restores in place and a table cannot be read while its restore runs
// (STARROCKS.md 6.4), so srplan restores over live data never: a first
// copy restores straight into a partition the target does not have yet
// (or has only empty, as created), and a recopy restores into a staging
// table (RESTORE ... AS) and swaps the data in atomically.
const (
	// ViaRestoreTempPartition restores the batch into a staging table,
	// copies each partition into a temporary partition of the target
	// (a labelled INSERT ... SELECT) and replaces the partition with it
	// (REPLACE PARTITION), then drops the staging table.
	ViaRestoreTempPartition RecopyStrategy = "RESTORE AS staging table + temporary partition + REPLACE PARTITION"
	// ViaRestoreShadow restores an unpartitioned table into a shadow table
	// and replaces the table's rows from it in one labelled INSERT
	// OVERWRITE (rather than SWAP WITH: after a crash between a swap and
	// its state write the names cannot tell old data from new, while the
	// label of an overwrite can be looked up).
	ViaRestoreShadow RecopyStrategy = "RESTORE AS shadow table + INSERT OVERWRITE"
)
