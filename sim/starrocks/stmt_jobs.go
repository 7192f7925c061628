package starrocks

// registerJobStatements installs the handlers of the asynchronous jobs
// (EXPORT, Broker Load, BACKUP / RESTORE), their SHOW and CANCEL
// statements, INSERT INTO FILES, and LAST_QUERY_ID().
func (c *Cluster) registerJobStatements() {
	r := &c.router
	r.Handle("EXPORT TABLE", "EXPORT", handleExport)
	r.Handle("SHOW EXPORT", "SHOW EXPORT", handleShowExport)
	r.Handle("CANCEL EXPORT", "CANCEL EXPORT", handleCancelExport)
	r.Handle("INSERT INTO FILES (", "INSERT", handleInsertIntoFiles)
	r.Handle("LOAD LABEL", "LOAD", handleBrokerLoad)
	r.Handle("SHOW LOAD", "SHOW LOAD", handleShowLoad)
	r.Handle("CANCEL LOAD", "CANCEL LOAD", handleCancelLoad)
	r.Handle("CREATE REPOSITORY", "CREATE REPOSITORY", handleCreateRepository)
	r.Handle("CREATE READ ONLY REPOSITORY", "CREATE REPOSITORY", handleCreateRepository)
	r.Handle("DROP REPOSITORY", "DROP REPOSITORY", handleDropRepository)
	r.Handle("SHOW REPOSITORIES", "SHOW REPOSITORIES", handleShowRepositories)
	r.Handle("BACKUP", "BACKUP", handleBackup)
	r.Handle("RESTORE", "RESTORE", handleRestore)
	r.Handle("SHOW BACKUP", "SHOW BACKUP", handleShowBackup)
	r.Handle("SHOW RESTORE", "SHOW RESTORE", handleShowRestore)
	r.Handle("SHOW SNAPSHOT", "SHOW SNAPSHOT", handleShowSnapshot)
	r.Handle("CANCEL BACKUP", "CANCEL BACKUP", handleCancelBackup)
	r.Handle("CANCEL RESTORE", "CANCEL RESTORE", handleCancelBackup)
	c.registerLastQueryID()
}

// registerJobInfoSchemaTables installs information_schema.loads.
func (c *Cluster) registerJobInfoSchemaTables() {
	c.registerLoadsTable()
}
