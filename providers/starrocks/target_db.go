package starrocks

import "context"

// CreateDatabase implements executor.Target: CREATE DATABASE IF NOT EXISTS.
func (j *Jobs) CreateDatabase(ctx context.Context, db string) error {
	return markf(j.exec(ctx, "CREATE DATABASE IF NOT EXISTS "+QuoteIdent(db)), "create database")
}
