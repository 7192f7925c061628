package starrocks

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/srplan/srplan/planner"
)

// catalogConcurrency bounds how many tables ReadCatalog reads at once, so
// that planning never loads an FE with more than a few SHOW statements.
const catalogConcurrency = 4

// ReadCatalog reads the tables sel selects on the cluster q is connected
// to, as the planner needs them: DDL, key type, columns, partitioning and
// the formal and temporary partitions with their versions.
//
// Queries: SHOW DATABASES; SHOW FULL TABLES per selected database; per
// table SHOW CREATE TABLE, SHOW PARTITIONS and SHOW TEMPORARY PARTITIONS
// (at most catalogConcurrency tables at once); and, for tables whose SHOW
// PARTITIONS has no VisibleVersionTime (shared-data, STARROCKS.md 1.3), one
// information_schema.partitions_meta query per database and 100 tables.
// That view exists from 3.3 and is not confirmed before (STARROCKS.md 1.4),
// so the first query probes it; if the cluster says the table does not
// exist, no other database is asked and the times stay zero.
//
// Views, materialized views and non-OLAP tables are not part of the
// catalog. A table dropped while the catalog is read is left out. Columns
// are read from the CREATE TABLE text (see ParseCreateTable), which is the
// documented shape and the text the planner compares, so the two cannot
// disagree.
func ReadCatalog(ctx context.Context, q Querier, info planner.ClusterInfo, sel Selector) (*planner.Catalog, error) {
	r := &catalogReader{q: q, info: info}
	cat := &planner.Catalog{Cluster: info, Tables: map[planner.TableAddr]*planner.Table{}}
	dbs, err := r.databases(ctx, sel)
	if err != nil {
		return nil, r.wrap(err)
	}
	cat.Databases = dbs
	var addrs []planner.TableAddr
	for _, db := range dbs {
		names, err := r.tables(ctx, db, sel)
		if err != nil {
			return nil, r.wrap(err)
		}
		for _, n := range names {
			addrs = append(addrs, planner.TableAddr{DB: db, Table: n})
		}
	}

	read := make([]tableRead, len(addrs))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(catalogConcurrency)
	for i, a := range addrs {
		g.Go(func() error {
			var err error
			read[i], err = r.readTable(gctx, a)
			if err != nil {
				return fmt.Errorf("table %s: %w", a, err)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, r.wrap(err)
	}
	for _, tr := range read {
		if tr.table != nil {
			cat.Tables[tr.table.Addr] = tr.table
		}
	}
	if err := r.fillVersionTimes(ctx, read); err != nil {
		return nil, r.wrap(err)
	}
	return cat, nil
}

// catalogReader holds what one ReadCatalog call shares between steps.
type catalogReader struct {
	q    Querier
	info planner.ClusterInfo
	// metaAbsent records that the cluster has no partitions_meta view.
	metaAbsent bool
}

// tableRead is one table as read, with whether its partition lists lacked
// VisibleVersionTime.
type tableRead struct {
	table         *planner.Table
	lacksTime     bool
	lacksTempTime bool
}

func (r *catalogReader) wrap(err error) error {
	return fmt.Errorf("read catalog of cluster %q: %w", r.info.Name, err)
}

// databases returns the sorted names of the databases that exist and match
// one of sel's database patterns.
func (r *catalogReader) databases(ctx context.Context, sel Selector) ([]string, error) {
	patterns := sel.Databases()
	if len(patterns) == 0 {
		return nil, nil
	}
	res, err := queryAll(ctx, r.q, ShowDatabasesSQL)
	if err != nil {
		return nil, err
	}
	var out []string
	for i := range res.rows {
		name, ok := res.cell(i, 0)
		if !ok {
			continue
		}
		for _, p := range patterns {
			if p == name || isGlob(p) && globMatch(p, name) {
				out = append(out, name)
				break
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// tables returns the sorted names of the tables (not views) of db that sel
// selects. The name column of SHOW TABLES is "Tables_in_<db>", so it is the
// one column read by position.
func (r *catalogReader) tables(ctx context.Context, db string, sel Selector) ([]string, error) {
	res, err := queryAll(ctx, r.q, ShowTablesSQL(db))
	if err != nil {
		return nil, err
	}
	typeCol, hasType := res.col("Table_type")
	var out []string
	for i := range res.rows {
		name, ok := res.cell(i, 0)
		if !ok || !sel.Match(db, name) {
			continue
		}
		if typ, ok := cellIf(res, i, typeCol, hasType); ok && strings.Contains(strings.ToUpper(typ), "VIEW") {
			continue
		}
		out = append(out, name)
	}
	slices.Sort(out)
	return out, nil
}

// olapEngines are the ENGINE values of native tables.
var olapEngines = map[string]bool{"": true, "OLAP": true, "CLOUD_NATIVE": true}

// readTable reads one table with three statements. It returns a zero
// tableRead for a table that vanished or is not a native table.
func (r *catalogReader) readTable(ctx context.Context, a planner.TableAddr) (tableRead, error) {
	res, err := queryAll(ctx, r.q, ShowCreateTableSQL(a))
	if err != nil {
		if isMissingTable(err) {
			return tableRead{}, nil
		}
		return tableRead{}, err
	}
	ddlCol, ok := res.col("Create Table")
	if !ok {
		// SHOW CREATE TABLE on a view or materialized view answers with
		// "Create View" or "Create Materialized View".
		return tableRead{}, nil
	}
	if len(res.rows) != 1 {
		return tableRead{}, fmt.Errorf("%s returned %d rows, want one", ShowCreateTableSQL(a), len(res.rows))
	}
	ddl, _ := res.cell(0, ddlCol)
	def, err := ParseCreateTable(ddl)
	if err != nil {
		return tableRead{}, err
	}
	if !olapEngines[def.Engine] {
		return tableRead{}, nil
	}
	t := &planner.Table{
		Addr:             a,
		CreateSQL:        ddl,
		KeysType:         def.KeysType,
		Columns:          def.Columns,
		PartitionKind:    def.PartitionKind,
		PartitionColumns: def.PartitionColumns,
		Properties:       def.Properties,
	}
	parts, err := readPartitions(ctx, r.q, a, false)
	if err != nil {
		return tableRead{}, err
	}
	temps, err := readPartitions(ctx, r.q, a, true)
	if err != nil {
		return tableRead{}, err
	}
	t.Partitions, t.TempPartitions = parts.parts, temps.parts
	return tableRead{
		table:         t,
		lacksTime:     !parts.hasVersionTime && len(parts.parts) > 0,
		lacksTempTime: !temps.hasVersionTime && len(temps.parts) > 0,
	}, nil
}

// fillVersionTimes sets VisibleVersionTime from partitions_meta for the
// tables whose SHOW PARTITIONS lacked it. Where partitions_meta reports a
// newer version than SHOW PARTITIONS did (a load committed in between), its
// version and time are taken together, so a fingerprint never pairs one
// version with another version's time.
func (r *catalogReader) fillVersionTimes(ctx context.Context, read []tableRead) error {
	byDB := map[string][]*tableRead{}
	var dbs []string
	for i := range read {
		tr := &read[i]
		if tr.table == nil || !tr.lacksTime && !tr.lacksTempTime {
			continue
		}
		db := tr.table.Addr.DB
		if _, ok := byDB[db]; !ok {
			dbs = append(dbs, db)
		}
		byDB[db] = append(byDB[db], tr)
	}
	for _, db := range dbs {
		if r.metaAbsent {
			return nil
		}
		trs := byDB[db]
		names := make([]string, len(trs))
		for i, tr := range trs {
			names[i] = tr.table.Addr.Table
		}
		meta, err := readPartitionsMeta(ctx, r.q, db, names)
		if err != nil {
			if isMissingTable(err) {
				r.metaAbsent = true
				return nil
			}
			return fmt.Errorf("database %s: %w", db, err)
		}
		for _, tr := range trs {
			applyMeta(meta, tr.table.Addr.Table, tr.table.Partitions, false)
			applyMeta(meta, tr.table.Addr.Table, tr.table.TempPartitions, true)
		}
	}
	return nil
}

// applyMeta copies the version pairs of meta onto the partitions of table.
func applyMeta(meta map[metaKey]metaVersion, table string, parts []planner.Partition, temp bool) {
	for i := range parts {
		p := &parts[i]
		mv, ok := meta[metaKey{table: table, partition: p.Name, temp: temp}]
		if !ok || mv.time.IsZero() || mv.version < p.VisibleVersion {
			continue
		}
		p.VisibleVersion, p.VisibleVersionTime = mv.version, mv.time
	}
}
