package starrocks

import (
	"sort"
	"strings"
)

// CreateTable creates a table with its initial partitions. An unpartitioned
// table gets one partition named like the table.
func (s *Store) CreateTable(db string, st *createTableStmt) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.dbs[db]
	if !ok {
		return errUnknownDatabase(db)
	}
	if st.Like != "" {
		return s.createLike(d, db, st)
	}
	def := st.Def
	if _, exists := d.tables[def.Name]; exists {
		if st.IfNotExists {
			return nil
		}
		return newError(errTableExists, "Table '"+def.Name+"' already exists")
	}
	if err := validateProperties(def, s.prof); err != nil {
		return err
	}
	t := &tableEntry{ID: s.newID(), DB: db, Def: def, Created: s.nowTrunc()}
	if def.Partition.Kind == Unpartitioned {
		t.parts = []*Partition{s.newPartition(t, def.Name, 0)}
	}
	for _, spec := range st.Specs {
		if err := s.addPartition(t, spec, false); err != nil {
			return err
		}
	}
	d.tables[def.Name] = t
	return nil
}

// createLike copies the definition and the formal partition layout (without
// data) of another table.
func (s *Store) createLike(d *dbEntry, db string, st *createTableStmt) error {
	srcDB := st.LikeDB
	if srcDB == "" {
		srcDB = db
	}
	src, err := s.lookup(srcDB, st.Like)
	if err != nil {
		return err
	}
	name := st.Def.Name
	if _, exists := d.tables[name]; exists {
		if st.IfNotExists {
			return nil
		}
		return newError(errTableExists, "Table '"+name+"' already exists")
	}
	def := src.Def.clone()
	def.Name = name
	t := &tableEntry{ID: s.newID(), DB: db, Def: def, Created: s.nowTrunc()}
	for _, p := range src.parts {
		if def.Partition.Kind == ExprTimePartitioned || def.Partition.Kind == ExprColumnPartitioned {
			break
		}
		np := s.newPartition(t, p.Name, p.Buckets)
		if def.Partition.Kind == Unpartitioned {
			np.Name = name
		}
		np.Lower, np.Upper, np.Values = p.Lower, p.Upper, p.Values
		t.parts = append(t.parts, np)
	}
	d.tables[name] = t
	return nil
}

// newPartition builds an empty partition at version 1.
func (s *Store) newPartition(t *tableEntry, name string, buckets int) *Partition {
	return &Partition{
		ID:                 s.newID(),
		Name:               name,
		VisibleVersion:     1,
		VisibleVersionTime: s.nowTrunc(),
		Buckets:            t.bucketsFor(buckets),
	}
}

// DropTable drops a table (and its temporary partitions).
func (s *Store) DropTable(db, table string, ifExists bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.dbs[db]
	if !ok {
		return errUnknownDatabase(db)
	}
	if _, ok := d.tables[table]; !ok {
		if ifExists {
			return nil
		}
		return errTableNotFoundDDL(table)
	}
	delete(d.tables, table)
	return nil
}

// AddPartitions adds formal or temporary partitions, all or none.
func (s *Store) AddPartitions(db, table string, specs []partitionSpec, temp bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.lookup(db, table)
	if err != nil {
		return err
	}
	if t.Def.Partition.Kind == Unpartitioned {
		return errDDLf("Table[%s] is not a partitioned table", table)
	}
	saved := *t
	saved.parts = append([]*Partition(nil), t.parts...)
	saved.temps = append([]*Partition(nil), t.temps...)
	for _, spec := range specs {
		if err := s.addPartition(t, spec, temp); err != nil {
			t.parts, t.temps = saved.parts, saved.temps
			return err
		}
	}
	return nil
}

// addPartition resolves a spec against the existing partitions and adds it.
// Callers hold mu.
func (s *Store) addPartition(t *tableEntry, spec partitionSpec, temp bool) error {
	d := t.Def
	if findPartition(t.parts, spec.Name) >= 0 || findPartition(t.temps, spec.Name) >= 0 {
		if spec.IfNotExists && !temp && findPartition(t.parts, spec.Name) >= 0 {
			return nil
		}
		return newError(errDupPartition, "Duplicate partition name "+spec.Name)
	}
	set := t.parts
	if temp {
		set = t.temps
	}
	np := s.newPartition(t, spec.Name, spec.Buckets)
	np.Temp = temp
	cts := d.partitionColumnTypes()
	switch spec.Kind {
	case specLessThan, specFixed:
		if !d.isRangeLike() {
			return errDDLf("Table %s is not range partitioned", d.Name)
		}
		lo := spec.Lower
		if spec.Kind == specLessThan {
			lo = lowerFor(cts, set, spec.Upper)
		}
		if compareKey(cts, lo, spec.Upper) >= 0 {
			return errDDLf("Range %s is intersected with range: %s", rangeText(cts, lo, spec.Upper), rangeText(cts, lo, spec.Upper))
		}
		for _, e := range set {
			if compareKey(cts, lo, e.Upper) < 0 && compareKey(cts, e.Lower, spec.Upper) < 0 {
				return errDDLf("Range %s is intersected with range: %s", rangeText(cts, lo, spec.Upper), rangeText(cts, e.Lower, e.Upper))
			}
		}
		np.Lower, np.Upper = lo, spec.Upper
	case specList:
		if !d.isListLike() {
			return errDDLf("Table %s is not list partitioned", d.Name)
		}
		for _, e := range set {
			for _, ev := range e.Values {
				for _, nv := range spec.Values {
					if keysEqual(cts, ev, nv) {
						return errDDLf("Duplicate values %s in partition %s and partition %s", listText([][]keyVal{nv}), e.Name, spec.Name)
					}
				}
			}
		}
		np.Values = spec.Values
	}
	set = append(set, np)
	if d.isRangeLike() {
		sort.SliceStable(set, func(i, j int) bool { return compareKey(cts, set[i].Lower, set[j].Lower) < 0 })
	}
	if temp {
		t.temps = set
	} else {
		t.parts = set
	}
	return nil
}

// lowerFor computes the lower bound of a VALUES LESS THAN partition: the
// largest existing upper bound not above the new upper bound.
func lowerFor(cts []ColumnType, set []*Partition, upper rangeKey) rangeKey {
	lo := make(rangeKey, len(cts))
	for i, ct := range cts {
		lo[i] = minKeyVal(ct)
	}
	for _, e := range set {
		if compareKey(cts, e.Upper, upper) <= 0 && compareKey(cts, e.Upper, lo) > 0 {
			lo = e.Upper
		}
	}
	return lo
}

// DropPartition drops a formal or temporary partition. Dropped partitions
// are not recoverable in the simulator (RECOVER is not supported).
func (s *Store) DropPartition(db, table, name string, temp, ifExists bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.lookup(db, table)
	if err != nil {
		return err
	}
	set := &t.parts
	if temp {
		set = &t.temps
	}
	i := findPartition(*set, name)
	if i < 0 {
		if ifExists {
			return nil
		}
		return newError(errDropPartMissing, "Error in list of partitions to "+name)
	}
	if !temp && t.Def.Partition.Kind == Unpartitioned {
		return errDDLf("Table[%s] is not a partitioned table", table)
	}
	*set = append(append([]*Partition(nil), (*set)[:i]...), (*set)[i+1:]...)
	return nil
}

// Truncate empties a table or some of its formal partitions. Each truncated
// partition is replaced by a new empty one (new id, version 1), as StarRocks
// does; truncating the whole table also drops all temporary partitions.
func (s *Store) Truncate(db, table string, partitions []string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.lookup(db, table)
	if err != nil {
		return err
	}
	idx := map[int]bool{}
	if len(partitions) == 0 {
		for i := range t.parts {
			idx[i] = true
		}
	} else {
		for _, n := range partitions {
			i := findPartition(t.parts, n)
			if i < 0 {
				return errDDLf("Partition %s does not exist", n)
			}
			idx[i] = true
		}
	}
	parts := append([]*Partition(nil), t.parts...)
	for i := range idx {
		old := parts[i]
		np := s.newPartition(t, old.Name, old.Buckets)
		np.Lower, np.Upper, np.Values = old.Lower, old.Upper, old.Values
		parts[i] = np
	}
	t.parts = parts
	if len(partitions) == 0 {
		t.temps = nil
	}
	return nil
}

// ReplacePartitions atomically replaces formal partitions with temporary
// ones (ALTER TABLE ... REPLACE PARTITION ... WITH TEMPORARY PARTITION).
// strict requires the two sets to cover exactly the same ranges / values;
// without useTempName and with equal counts the new partitions take the
// replaced names in order.
func (s *Store) ReplacePartitions(db, table string, parts, temps []string, strict, useTempName bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.lookup(db, table)
	if err != nil {
		return err
	}
	d := t.Def
	if d.Partition.Kind == Unpartitioned {
		return errDDLf("Table[%s] is not a partitioned table", table)
	}
	var old, repl []*Partition
	for _, n := range parts {
		i := findPartition(t.parts, n)
		if i < 0 {
			return errDDLf("Partition[%s] does not exist", n)
		}
		old = append(old, t.parts[i])
	}
	for _, n := range temps {
		i := findPartition(t.temps, n)
		if i < 0 {
			return errDDLf("Temp partition[%s] does not exist", n)
		}
		repl = append(repl, t.temps[i])
	}
	cts := d.partitionColumnTypes()
	replaced := map[*Partition]bool{}
	for _, p := range old {
		replaced[p] = true
	}
	if d.isRangeLike() {
		if strict && !sameRanges(cts, old, repl) {
			return errDDLf("Range of partitions to be replaced does not equal the range of temporary partitions (strict_range is true)")
		}
		for _, e := range t.parts {
			if replaced[e] {
				continue
			}
			for _, r := range repl {
				if compareKey(cts, r.Lower, e.Upper) < 0 && compareKey(cts, e.Lower, r.Upper) < 0 {
					return errDDLf("Range %s is intersected with range: %s", rangeText(cts, r.Lower, r.Upper), rangeText(cts, e.Lower, e.Upper))
				}
			}
		}
	} else if strict && !sameValues(cts, old, repl) {
		return errDDLf("List values of partitions to be replaced do not equal the values of temporary partitions (strict_range is true)")
	}
	var newParts []*Partition
	for _, e := range t.parts {
		if !replaced[e] {
			newParts = append(newParts, e)
		}
	}
	for i, r := range repl {
		np := *r
		np.Temp = false
		if !useTempName && len(old) == len(repl) {
			np.Name = old[i].Name
		}
		newParts = append(newParts, &np)
	}
	if d.isRangeLike() {
		sort.SliceStable(newParts, func(i, j int) bool { return compareKey(cts, newParts[i].Lower, newParts[j].Lower) < 0 })
	}
	var newTemps []*Partition
	used := map[*Partition]bool{}
	for _, r := range repl {
		used[r] = true
	}
	for _, e := range t.temps {
		if !used[e] {
			newTemps = append(newTemps, e)
		}
	}
	t.parts, t.temps = newParts, newTemps
	return nil
}

// sameRanges compares the unions of two sets of ranges.
func sameRanges(cts []ColumnType, a, b []*Partition) bool {
	ma, mb := mergeRanges(cts, a), mergeRanges(cts, b)
	if len(ma) != len(mb) {
		return false
	}
	for i := range ma {
		if compareKey(cts, ma[i][0], mb[i][0]) != 0 || compareKey(cts, ma[i][1], mb[i][1]) != 0 {
			return false
		}
	}
	return true
}

func mergeRanges(cts []ColumnType, ps []*Partition) [][2]rangeKey {
	rs := make([][2]rangeKey, 0, len(ps))
	for _, p := range ps {
		rs = append(rs, [2]rangeKey{p.Lower, p.Upper})
	}
	sort.Slice(rs, func(i, j int) bool { return compareKey(cts, rs[i][0], rs[j][0]) < 0 })
	var out [][2]rangeKey
	for _, r := range rs {
		if n := len(out); n > 0 && compareKey(cts, out[n-1][1], r[0]) == 0 {
			out[n-1][1] = r[1]
			continue
		}
		out = append(out, r)
	}
	return out
}

// sameValues compares the value sets of two sets of list partitions.
func sameValues(cts []ColumnType, a, b []*Partition) bool {
	collect := func(ps []*Partition) []string {
		var out []string
		for _, p := range ps {
			for _, v := range p.Values {
				out = append(out, listText([][]keyVal{v}))
			}
		}
		sort.Strings(out)
		return out
	}
	x, y := collect(a), collect(b)
	return strings.Join(x, "\x00") == strings.Join(y, "\x00")
}

// SwapTables exchanges the names of two tables atomically
// (ALTER TABLE a SWAP WITH b).
func (s *Store) SwapTables(db, a, b string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	ta, err := s.lookup(db, a)
	if err != nil {
		return err
	}
	tb, err := s.lookup(db, b)
	if err != nil {
		return err
	}
	da, dbDef := ta.Def.clone(), tb.Def.clone()
	da.Name, dbDef.Name = b, a
	ta.Def, tb.Def = da, dbDef
	renameSingle := func(t *tableEntry, name string) {
		if t.Def.Partition.Kind == Unpartitioned && len(t.parts) == 1 {
			p := *t.parts[0]
			p.Name = name
			t.parts = []*Partition{&p}
		}
	}
	renameSingle(ta, b)
	renameSingle(tb, a)
	d := s.dbs[db]
	d.tables[a], d.tables[b] = tb, ta
	return nil
}
