package starrocks

import (
	"context"
	"errors"
	"strings"

	"github.com/go-sql-driver/mysql"

	"github.com/srplan/srplan/planner"
)

// The Target methods that shape tables and partitions (STARROCKS.md 7).
// Each is safe to repeat after an interruption: it checks before it acts
// or uses IF [NOT] EXISTS.

// CreateTable implements executor.Target: it runs ddl, a CREATE TABLE IF
// NOT EXISTS statement built by the planner.
func (j *Jobs) CreateTable(ctx context.Context, ddl string) error {
	return markf(j.exec(ctx, ddl), "create table")
}

// EnsurePartition implements executor.Target: it adds partition p to t
// with the bounds of value (the source's Range or List text) unless t has
// a partition of that name. Another process adding it at the same time is
// not an error.
func (j *Jobs) EnsurePartition(ctx context.Context, t planner.TableAddr, p, value string) error {
	err := j.ensurePartition(ctx, t, p, value)
	return markf(err, "add partition %s to %s", p, t)
}

func (j *Jobs) ensurePartition(ctx context.Context, t planner.TableAddr, p, value string) error {
	if ok, err := j.hasPartition(ctx, t, p, false); err != nil || ok {
		return err
	}
	v, err := ParsePartitionValue(value)
	if err != nil {
		return err
	}
	addErr := j.exec(ctx, AddPartitionSQL(t, p, v, false))
	if addErr == nil {
		return nil
	}
	if ok, err := j.hasPartition(ctx, t, p, false); err == nil && ok {
		return nil // added by someone else meanwhile
	}
	return addErr
}

// ResetTempPartition implements executor.Target: it drops temporary
// partition tp of t if it exists and adds it again, empty, with value's
// bounds.
func (j *Jobs) ResetTempPartition(ctx context.Context, t planner.TableAddr, tp, value string) error {
	err := func() error {
		v, err := ParsePartitionValue(value)
		if err != nil {
			return err
		}
		if err := j.exec(ctx, DropTempPartitionSQL(t, tp)); err != nil {
			return err
		}
		return j.exec(ctx, AddPartitionSQL(t, tp, v, true))
	}()
	return markf(err, "reset temporary partition %s of %s", tp, t)
}

// DropTempPartition implements executor.Target.
func (j *Jobs) DropTempPartition(ctx context.Context, t planner.TableAddr, tp string) error {
	return markf(j.exec(ctx, DropTempPartitionSQL(t, tp)), "drop temporary partition %s of %s", tp, t)
}

// TempPartitionExists implements executor.Target.
func (j *Jobs) TempPartitionExists(ctx context.Context, t planner.TableAddr, tp string) (bool, error) {
	ok, err := j.hasPartition(ctx, t, tp, true)
	return ok, markf(err, "look up temporary partition %s of %s", tp, t)
}

// PartitionExists implements executor.Target.
func (j *Jobs) PartitionExists(ctx context.Context, t planner.TableAddr, p string) (bool, error) {
	ok, err := j.hasPartition(ctx, t, p, false)
	return ok, markf(err, "look up partition %s of %s", p, t)
}

// hasPartition reports whether t has the (temporary) partition p.
func (j *Jobs) hasPartition(ctx context.Context, t planner.TableAddr, p string, temp bool) (bool, error) {
	parts, err := j.partition(ctx, t, p, temp)
	return len(parts) > 0, err
}

// ReplacePartition implements executor.Target: REPLACE PARTITION (p) WITH
// TEMPORARY PARTITION (tp), strict range, p keeping its name. The
// temporary partition is gone afterwards, which is how a rerun tells that
// the replace happened (TempPartitionExists).
func (j *Jobs) ReplacePartition(ctx context.Context, t planner.TableAddr, p, tp string) error {
	return markf(j.exec(ctx, ReplacePartitionSQL(t, p, tp)), "replace partition %s of %s", p, t)
}

// ResetShadowTable implements executor.Target: it drops db.shadow if it
// exists and creates it empty, LIKE t.
func (j *Jobs) ResetShadowTable(ctx context.Context, t planner.TableAddr, shadow string) error {
	s := planner.TableAddr{DB: t.DB, Table: shadow}
	err := j.exec(ctx, DropTableSQL(s))
	if err == nil {
		err = j.exec(ctx, CreateTableLikeSQL(s, t))
	}
	return markf(err, "reset shadow table %s", s)
}

// DropTable implements executor.Target: DROP TABLE IF EXISTS.
func (j *Jobs) DropTable(ctx context.Context, t planner.TableAddr) error {
	return markf(j.exec(ctx, DropTableSQL(t)), "drop table %s", t)
}

// TableExists implements executor.Target. It reads SHOW FULL TABLES FROM
// the database and compares names exactly (no LIKE pattern to escape); a
// missing database means a missing table.
func (j *Jobs) TableExists(ctx context.Context, t planner.TableAddr) (bool, error) {
	res, err := queryAll(ctx, j.db, ShowTablesSQL(t.DB))
	if err != nil {
		if isUnknownDatabase(err) {
			return false, nil
		}
		return false, markf(err, "look up table %s", t)
	}
	for i := range res.rows {
		if name, ok := res.cell(i, 0); ok && name == t.Table {
			return true, nil
		}
	}
	return false, nil
}

// SwapTable atomically swaps t with db.shadow (ALTER TABLE ... SWAP WITH),
// then drops shadow, which then holds t's old rows. It is not safe to
// repeat after the swap succeeded: a second call swaps back. srplan's
// executor replaces unpartitioned tables with OverwriteFromShadow instead.
func (j *Jobs) SwapTable(ctx context.Context, t planner.TableAddr, shadow string) error {
	err := j.exec(ctx, SwapTableSQL(t, shadow))
	if err == nil {
		err = j.exec(ctx, DropTableSQL(planner.TableAddr{DB: t.DB, Table: shadow}))
	}
	return markf(err, "swap %s with %s", t, shadow)
}

// isUnknownDatabase reports ER_BAD_DB_ERROR (1049) or its message.
func isUnknownDatabase(err error) bool {
	var me *mysql.MySQLError
	if !errors.As(err, &me) {
		return false
	}
	return me.Number == 1049 || strings.Contains(strings.ToLower(me.Message), "unknown database")
}
