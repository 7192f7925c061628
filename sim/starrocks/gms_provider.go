package starrocks

import (
	"sort"
	"strings"
	"sync"

	gsql "github.com/dolthub/go-mysql-server/sql"
	"github.com/dolthub/go-mysql-server/sql/information_schema"
)

// gmsProvider exposes the Store to the SQL engine: one sql.Database per
// store database, information_schema with the StarRocks system tables the
// profile has, and the StarRocks functions.
type gmsProvider struct {
	c  *Cluster
	is gsql.Database

	mu         sync.RWMutex
	infoTables map[string]infoSchemaTable // lower-case name -> table
}

// infoSchemaTable is a StarRocks information_schema table served by the
// simulator. Rows are computed at scan time.
type infoSchemaTable struct {
	Name   string
	Schema gsql.Schema
	// Available reports whether the profile has the table.
	Available func(profile) bool
	// Rows builds the current rows; the session's user and database are in ctx.
	Rows func(ctx *gsql.Context) ([]gsql.Row, error)
}

var _ gsql.DatabaseProvider = (*gmsProvider)(nil)
var _ gsql.FunctionProvider = (*gmsProvider)(nil)

func newGMSProvider(c *Cluster) *gmsProvider {
	p := &gmsProvider{c: c, infoTables: map[string]infoSchemaTable{}}
	p.is = &infoSchemaDB{Database: information_schema.NewInformationSchemaDatabase(), p: p}
	return p
}

// registerInfoSchemaTable adds (or replaces) an information_schema table.
func (p *gmsProvider) registerInfoSchemaTable(t infoSchemaTable) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.infoTables[strings.ToLower(t.Name)] = t
}

// Database implements sql.DatabaseProvider.
func (p *gmsProvider) Database(_ *gsql.Context, name string) (gsql.Database, error) {
	if strings.EqualFold(name, gsql.InformationSchemaDatabaseName) {
		return p.is, nil
	}
	if strings.EqualFold(name, filesDBName) {
		return filesDatabase{c: p.c}, nil
	}
	if p.c.store.HasDatabase(name) {
		return &gmsDatabase{c: p.c, name: name}, nil
	}
	return nil, gsql.ErrDatabaseNotFound.New(name)
}

// HasDatabase implements sql.DatabaseProvider.
func (p *gmsProvider) HasDatabase(_ *gsql.Context, name string) bool {
	return strings.EqualFold(name, gsql.InformationSchemaDatabaseName) || strings.EqualFold(name, filesDBName) || p.c.store.HasDatabase(name)
}

// AllDatabases implements sql.DatabaseProvider. information_schema is
// added by the engine's catalog.
func (p *gmsProvider) AllDatabases(_ *gsql.Context) []gsql.Database {
	var out []gsql.Database
	for _, n := range p.c.store.DatabaseNames() {
		if n == "information_schema" || n == "sys" {
			continue
		}
		out = append(out, &gmsDatabase{c: p.c, name: n})
	}
	return out
}

// Function implements sql.FunctionProvider: StarRocks functions and the
// version gates on them take precedence over the engine's built-ins.
func (p *gmsProvider) Function(_ *gsql.Context, name string) (gsql.Function, bool) {
	return p.c.functions.lookup(strings.ToLower(name))
}

// infoSchemaDB wraps the engine's information_schema and adds the
// StarRocks tables.
type infoSchemaDB struct {
	gsql.Database
	p *gmsProvider
}

// GetTableInsensitive implements sql.Database.
func (d *infoSchemaDB) GetTableInsensitive(ctx *gsql.Context, name string) (gsql.Table, bool, error) {
	d.p.mu.RLock()
	t, ok := d.p.infoTables[strings.ToLower(name)]
	d.p.mu.RUnlock()
	if ok {
		if !t.Available(d.p.c.prof) {
			return nil, false, nil
		}
		return &virtualTable{def: t}, true, nil
	}
	return d.Database.GetTableInsensitive(ctx, name)
}

// GetTableNames implements sql.Database.
func (d *infoSchemaDB) GetTableNames(ctx *gsql.Context) ([]string, error) {
	names, err := d.Database.GetTableNames(ctx)
	if err != nil {
		return nil, err
	}
	d.p.mu.RLock()
	defer d.p.mu.RUnlock()
	for _, t := range d.p.infoTables {
		if t.Available(d.p.c.prof) {
			names = append(names, t.Name)
		}
	}
	sort.Strings(names)
	return names, nil
}

// virtualTable serves an infoSchemaTable to the engine.
type virtualTable struct{ def infoSchemaTable }

func (t *virtualTable) Name() string                { return t.def.Name }
func (t *virtualTable) String() string              { return t.def.Name }
func (t *virtualTable) Schema() gsql.Schema         { return t.def.Schema }
func (t *virtualTable) Collation() gsql.CollationID { return gsql.Collation_Default }
func (t *virtualTable) Partitions(*gsql.Context) (gsql.PartitionIter, error) {
	return gsql.PartitionsToPartitionIter(rowsPartition{key: []byte("all")}), nil
}
func (t *virtualTable) PartitionRows(ctx *gsql.Context, _ gsql.Partition) (gsql.RowIter, error) {
	rows, err := t.def.Rows(ctx)
	if err != nil {
		return nil, err
	}
	return gsql.RowsToRowIter(rows...), nil
}

// rowsPartition is an engine partition carrying a snapshot of rows.
type rowsPartition struct {
	key  []byte
	rows []gsql.Row
}

func (p rowsPartition) Key() []byte { return p.key }
