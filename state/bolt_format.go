package state

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"

	"go.etcd.io/bbolt"
)

// formatError marks a file whose content does not follow its format; Bolt
// reports it as *UnusableError.
type formatError struct{ err error }

func (e *formatError) Error() string { return e.err.Error() }
func (e *formatError) Unwrap() error { return e.err }

func formatErrorf(format string, args ...any) error {
	return &formatError{fmt.Errorf(format, args...)}
}

// getJSON decodes meta key into dst. A missing key is an error when
// required and leaves dst alone otherwise.
func getJSON(b *bbolt.Bucket, key []byte, dst any, required bool) error {
	raw := b.Get(key)
	if raw == nil {
		if required {
			return formatErrorf("meta has no %s", key)
		}
		return nil
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		return formatErrorf("meta %s: %w", key, err)
	}
	return nil
}

func putJSON(b *bbolt.Bucket, key []byte, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode meta %s: %w", key, err)
	}
	return b.Put(key, raw)
}

// fileFormat is what sniffFormat learns before anything else is read.
type fileFormat struct {
	// fresh is a file with no bucket: bbolt made it, srplan never wrote it.
	fresh   bool
	version int
	// writtenBy is the srplan that last wrote the file, if it says.
	writtenBy string
}

// sniffFormat reads the format version of the file and nothing that
// depends on it.
func sniffFormat(tx *bbolt.Tx) (fileFormat, error) {
	if k, _ := tx.Cursor().First(); k == nil {
		return fileFormat{fresh: true}, nil
	}
	mb := tx.Bucket(bucketMeta)
	if mb == nil {
		return fileFormat{}, formatErrorf("not a srplan state file: no %s bucket", bucketMeta)
	}
	var f fileFormat
	raw := mb.Get(keyFormatVersion)
	switch {
	case raw == nil && isV0(tx):
		_ = getJSON(mb, keyV0Version, &f.writtenBy, false) // only names the writer in messages
		return f, nil
	case raw == nil:
		return f, formatErrorf("not a srplan state file: meta has no %s", keyFormatVersion)
	}
	if err := json.Unmarshal(raw, &f.version); err != nil {
		return f, formatErrorf("meta %s: %w", keyFormatVersion, err)
	}
	if f.version < 0 {
		return f, formatErrorf("meta %s is negative: %d", keyFormatVersion, f.version)
	}
	_ = getJSON(mb, keySrplanVersion, &f.writtenBy, false) // only names the writer in messages
	return f, nil
}

// prepare brings an opened file to the current format, or refuses it.
func (b *Bolt) prepare() error {
	var f fileFormat
	err := b.db.View(func(tx *bbolt.Tx) error {
		var err error
		f, err = sniffFormat(tx)
		return err
	})
	if err != nil {
		return b.wrap("open", err)
	}
	env := upgradeEnv{now: now(), srplanVersion: b.srplanVersion}
	switch {
	case f.fresh && b.readOnly:
		return fmt.Errorf("state: open %s: %w", b.path, ErrNoState)
	case f.fresh:
		return b.wrap("create", b.db.Update(func(tx *bbolt.Tx) error { return initFormat(tx, env) }))
	case f.version > FormatVersion:
		writer := cmp.Or(f.writtenBy, "of an unknown version")
		return &UnusableError{Path: b.path, Err: fmt.Errorf(
			"it was written by srplan %s (format %d); this srplan %s reads format %d or older: upgrade srplan",
			writer, f.version, b.srplanVersion, FormatVersion)}
	case f.version < FormatVersion && b.readOnly:
		s, err := upgradeCopy(b.db, f.version, env)
		if err != nil {
			return b.wrap("upgrade a copy of", err)
		}
		b.upgraded = memFromSnapshot(s)
		return nil
	case f.version < FormatVersion:
		err := b.db.Update(func(tx *bbolt.Tx) error { return upgrade(tx, f.version, env) })
		if err != nil {
			return b.wrap("upgrade", err)
		}
	}
	return b.wrap("open", b.db.View(checkCurrent))
}

// initFormat lays out a new, empty state in the current format.
func initFormat(tx *bbolt.Tx, env upgradeEnv) error {
	for _, name := range [][]byte{bucketMeta, bucketTables, bucketPartitions, bucketLock} {
		if _, err := tx.CreateBucket(name); err != nil {
			return fmt.Errorf("create bucket %s: %w", name, err)
		}
	}
	mb := tx.Bucket(bucketMeta)
	for _, kv := range []struct {
		key []byte
		v   any
	}{
		{keyFormatVersion, FormatVersion},
		{keyLineage, newLineage()},
		{keySerial, uint64(0)},
		{keySrplanVersion, env.srplanVersion},
		{keyCreatedAt, env.now},
	} {
		if err := putJSON(mb, kv.key, kv.v); err != nil {
			return err
		}
	}
	return nil
}

// checkCurrent verifies that a file in the current format has its buckets
// and a decodable meta.
func checkCurrent(tx *bbolt.Tx) error {
	for _, name := range [][]byte{bucketMeta, bucketTables, bucketPartitions, bucketLock} {
		if tx.Bucket(name) == nil {
			return formatErrorf("no %s bucket", name)
		}
	}
	_, err := readMeta(tx)
	return err
}

// readMeta decodes the meta bucket of the current format.
func readMeta(tx *bbolt.Tx) (Meta, error) {
	var m Meta
	mb := tx.Bucket(bucketMeta)
	if mb == nil {
		return m, formatErrorf("no %s bucket", bucketMeta)
	}
	for _, f := range []struct {
		key      []byte
		dst      any
		required bool
	}{
		{keyFormatVersion, &m.FormatVersion, true},
		{keyLineage, &m.Lineage, true},
		{keySerial, &m.Serial, true},
		{keySrplanVersion, &m.SrplanVersion, true},
		{keyCreatedAt, &m.CreatedAt, false},
		{keyUpgradedAt, &m.UpgradedAt, false},
	} {
		if err := getJSON(mb, f.key, f.dst, f.required); err != nil {
			return m, err
		}
	}
	if m.Lineage == "" {
		return m, formatErrorf("meta %s is empty", keyLineage)
	}
	return m, nil
}

// readSnapshot decodes the whole state of the current format.
func readSnapshot(tx *bbolt.Tx) (*Snapshot, error) {
	m, err := readMeta(tx)
	if err != nil {
		return nil, err
	}
	s := newSnapshot(m)
	err = tx.Bucket(bucketTables).ForEach(func(k, v []byte) error {
		r, err := decodeTable(k, v)
		if err == nil {
			s.Tables[r.Table] = r
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	err = tx.Bucket(bucketPartitions).ForEach(func(k, v []byte) error {
		r, err := decodePartition(k, v)
		if err == nil {
			s.Partitions[r.Key()] = r
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

func decodeTable(k, v []byte) (*TableRecord, error) {
	r := new(TableRecord)
	if err := json.Unmarshal(v, r); err != nil {
		return nil, formatErrorf("table record %q: %w", k, err)
	}
	if !bytes.Equal(k, tableKey(r.Table)) {
		return nil, formatErrorf("table record %q names table %q", k, r.Table)
	}
	return r, nil
}

func decodePartition(k, v []byte) (*PartitionRecord, error) {
	r := new(PartitionRecord)
	if err := json.Unmarshal(v, r); err != nil {
		return nil, formatErrorf("partition record %q: %w", k, err)
	}
	if !bytes.Equal(k, partitionKey(r.Key())) {
		return nil, formatErrorf("partition record %q names %s %s", k, r.Table, r.Partition)
	}
	return r, nil
}

// decodeHolder decodes the lock bucket's holder; nil when unlocked.
func decodeHolder(tx *bbolt.Tx) (*LockInfo, error) {
	raw := tx.Bucket(bucketLock).Get(keyHolder)
	if raw == nil {
		return nil, nil
	}
	h := new(LockInfo)
	if err := json.Unmarshal(raw, h); err != nil {
		return nil, formatErrorf("lock holder: %w", err)
	}
	return h, nil
}
