package starrocks

import (
	"sort"
	"strings"
	"sync"
	"time"

	gsql "github.com/dolthub/go-mysql-server/sql"
)

// Store holds the catalog and data of one simulated cluster: databases,
// tables (definition + partitions), partition rows and versions.
//
// Layout:
//
//	Store.dbs[name] -> dbEntry{ID, tables[name] -> tableEntry}
//	tableEntry{ID, Def, parts []*Partition (formal), temps []*Partition}
//	Partition{ID, Name, bounds, VisibleVersion, VisibleVersionTime, Rows}
//
// Concurrency: one RWMutex guards everything. Readers copy what they need
// under the read lock (Partition values; the Rows slices they point to are
// never mutated after publication), so a reader sees a table either before
// or after any DDL or load transaction, never half of one. Writers build new
// Partition values and swap them in under the write lock.
//
// Database and table names are case-sensitive, partition and column names
// are not, as in StarRocks.
type Store struct {
	mu     sync.RWMutex
	prof   profile
	now    func() time.Time
	nextID int64
	txnSeq int64
	dbs    map[string]*dbEntry
	// Labels is the per-database label registry shared by INSERT and the
	// asynchronous jobs.
	Labels *LabelRegistry
}

type dbEntry struct {
	ID     int64
	Name   string
	tables map[string]*tableEntry
}

type tableEntry struct {
	ID      int64
	DB      string
	Def     *TableDef
	Created time.Time
	parts   []*Partition
	temps   []*Partition
}

// Partition is one formal or temporary partition. Values handed out by the
// Store are copies; Rows is shared and must be treated as read-only.
type Partition struct {
	ID                 int64
	Name               string
	Temp               bool
	Lower, Upper       rangeKey   // range-like tables
	Values             [][]keyVal // list-like tables
	VisibleVersion     int64
	VisibleVersionTime time.Time
	Buckets            int
	Rows               []gsql.Row
	DataSize           int64
}

// TableSnapshot is a consistent copy of a table's metadata and partitions.
type TableSnapshot struct {
	ID         int64
	DB         string
	Def        *TableDef // shared, immutable
	Created    time.Time
	Partitions []Partition
	Temps      []Partition
}

// systemDatabases are listed by SHOW DATABASES but hold no user tables.
var systemDatabases = []string{"_statistics_", "information_schema"}

// newStore returns an empty store. The id sequence starts above the node
// ids, like StarRocks' single FE id generator.
func newStore(prof profile, now func() time.Time) *Store {
	s := &Store{prof: prof, now: now, nextID: firstNodeID + nodeCount + 1000, txnSeq: 1000, dbs: map[string]*dbEntry{}}
	s.Labels = newLabelRegistry(now)
	s.dbs["_statistics_"] = &dbEntry{ID: s.newID(), Name: "_statistics_", tables: map[string]*tableEntry{}}
	return s
}

// newID allocates a catalog id; callers hold mu or are single-threaded.
func (s *Store) newID() int64 {
	s.nextID++
	return s.nextID
}

// nowTrunc is the store clock truncated to seconds (versions are shown to
// the second).
func (s *Store) nowTrunc() time.Time { return s.now().Truncate(time.Second) }

// CreateDatabase creates a database.
func (s *Store) CreateDatabase(name string, ifNotExists bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.dbs[name]; ok || strings.EqualFold(name, "information_schema") {
		if ifNotExists {
			return nil
		}
		return newError(errDBExists, "Can't create database '"+name+"'; database exists")
	}
	s.dbs[name] = &dbEntry{ID: s.newID(), Name: name, tables: map[string]*tableEntry{}}
	return nil
}

// DropDatabase drops a database and its tables.
func (s *Store) DropDatabase(name string, ifExists bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.dbs[name]; !ok {
		if ifExists {
			return nil
		}
		return newError(errDBDropMissing, "Can't drop database '"+name+"'; database doesn't exist")
	}
	delete(s.dbs, name)
	return nil
}

// HasDatabase reports whether a user or system database exists.
func (s *Store) HasDatabase(name string) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	_, ok := s.dbs[name]
	return ok || name == "information_schema"
}

// DatabaseNames lists databases as SHOW DATABASES does (sorted).
func (s *Store) DatabaseNames() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	names := []string{"information_schema"}
	if s.prof.hasSysDatabase() {
		names = append(names, "sys")
	}
	for n := range s.dbs {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// TableNames lists the tables of a database, sorted.
func (s *Store) TableNames(db string) ([]string, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	d, ok := s.dbs[db]
	if !ok {
		return nil, errUnknownDatabase(db)
	}
	var out []string
	for n := range d.tables {
		out = append(out, n)
	}
	sort.Strings(out)
	return out, nil
}

// lookup finds a table; callers hold mu.
func (s *Store) lookup(db, table string) (*tableEntry, error) {
	d, ok := s.dbs[db]
	if !ok {
		return nil, errUnknownDatabase(db)
	}
	t, ok := d.tables[table]
	if !ok {
		return nil, errTableNotFoundDDL(table)
	}
	return t, nil
}

// Table returns a snapshot of a table, or a DDL-style unknown table error.
func (s *Store) Table(db, table string) (*TableSnapshot, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	t, err := s.lookup(db, table)
	if err != nil {
		return nil, err
	}
	return t.snapshot(), nil
}

// TableIfExists returns a snapshot or nil without an error.
func (s *Store) TableIfExists(db, table string) *TableSnapshot {
	snap, err := s.Table(db, table)
	if err != nil {
		return nil
	}
	return snap
}

// Tables returns snapshots of every table of a database (all databases when
// db is empty), ordered by database and table name.
func (s *Store) Tables(db string) []*TableSnapshot {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []*TableSnapshot
	for dn, d := range s.dbs {
		if db != "" && dn != db {
			continue
		}
		for _, t := range d.tables {
			out = append(out, t.snapshot())
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].DB != out[j].DB {
			return out[i].DB < out[j].DB
		}
		return out[i].Def.Name < out[j].Def.Name
	})
	return out
}

func (t *tableEntry) snapshot() *TableSnapshot {
	snap := &TableSnapshot{ID: t.ID, DB: t.DB, Def: t.Def, Created: t.Created}
	for _, p := range t.parts {
		snap.Partitions = append(snap.Partitions, *p)
	}
	for _, p := range t.temps {
		snap.Temps = append(snap.Temps, *p)
	}
	return snap
}

// findPartition returns the index of a partition by case-insensitive name.
func findPartition(ps []*Partition, name string) int {
	for i, p := range ps {
		if strings.EqualFold(p.Name, name) {
			return i
		}
	}
	return -1
}

// Partition returns a copy of one partition (formal or temporary).
func (snap *TableSnapshot) Partition(name string, temp bool) (Partition, bool) {
	list := snap.Partitions
	if temp {
		list = snap.Temps
	}
	for _, p := range list {
		if strings.EqualFold(p.Name, name) {
			return p, true
		}
	}
	return Partition{}, false
}

// PartitionRows returns the rows of one partition and its metadata. The
// rows must not be modified.
func (s *Store) PartitionRows(db, table, partition string, temp bool) ([]gsql.Row, Partition, error) {
	snap, err := s.Table(db, table)
	if err != nil {
		return nil, Partition{}, err
	}
	p, ok := snap.Partition(partition, temp)
	if !ok {
		return nil, Partition{}, errUnknownPartition(partition, table)
	}
	return p.Rows, p, nil
}

// RowCount is the number of rows of the partition.
func (p *Partition) RowCount() int64 { return int64(len(p.Rows)) }

// errUnknownPartition: MySQL ER_UNKNOWN_PARTITION as StarRocks reuses it.
func errUnknownPartition(partition, table string) error {
	return newError(errUnknownPart, "Unknown partition '"+partition+"' in table '"+table+"'")
}

// defaultBuckets is the bucket count of automatic bucketing. [inference]
// StarRocks derives it from the node count; the simulator uses 2 per node.
func defaultBuckets() int { return 2 * nodeCount }

// bucketsFor returns the bucket count of a new partition.
func (t *tableEntry) bucketsFor(explicit int) int {
	if explicit > 0 {
		return explicit
	}
	if t.Def.Distribution.Buckets > 0 {
		return t.Def.Distribution.Buckets
	}
	return defaultBuckets()
}

// NewID allocates an id from the cluster's id sequence (catalog objects,
// jobs).
func (s *Store) NewID() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.newID()
}
