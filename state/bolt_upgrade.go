package state

// Format 0, the layout before the format was versioned. Every value is JSON.
//
//	meta       bucket
//	  serial     number  grows by one with every write
//	  version    string  the srplan release that last wrote the file
//	tables     bucket
//	  "db.table"            -> v0Table
//	records    bucket
//	  "db.table/partition"  -> v0Partition
//
// It had no format_version, no lineage and no lock bucket: a meta bucket
// without format_version next to a records bucket is format 0.
//
// Upgrading runs upgradeSteps from the file's format up to FormatVersion in
// one bbolt transaction, so a failed upgrade leaves the file as it was.

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"go.etcd.io/bbolt"
)

// Format 0 names.
var (
	bucketV0Records = []byte("records")
	keyV0Version    = []byte("version")
)

// upgradeEnv is what an upgrade may record.
type upgradeEnv struct {
	now           time.Time
	srplanVersion string
}

// upgradeSteps[v] upgrades a file in format v to format v+1 within the
// caller's transaction.
var upgradeSteps = [...]func(tx *bbolt.Tx, env upgradeEnv) error{
	0: upgradeV0,
}

// Every format below FormatVersion has exactly one step.
var (
	_ [FormatVersion - len(upgradeSteps)]struct{}
	_ [len(upgradeSteps) - FormatVersion]struct{}
)

// upgrade brings a file in format from to FormatVersion and records the
// upgrade in meta. It leaves Serial alone: the records mean what they meant.
func upgrade(tx *bbolt.Tx, from int, env upgradeEnv) error {
	for v := from; v < FormatVersion; v++ {
		if err := upgradeSteps[v](tx, env); err != nil {
			return fmt.Errorf("upgrade from format %d to %d: %w", v, v+1, err)
		}
	}
	mb := tx.Bucket(bucketMeta)
	if err := putJSON(mb, keyFormatVersion, FormatVersion); err != nil {
		return err
	}
	if err := putJSON(mb, keySrplanVersion, env.srplanVersion); err != nil {
		return err
	}
	if err := putJSON(mb, keyUpgradedAt, env.now); err != nil {
		return err
	}
	if err := checkCurrent(tx); err != nil {
		return fmt.Errorf("upgraded state: %w", err)
	}
	_, err := readSnapshot(tx) // every record must decode in the new format
	return err
}

// upgradeCopy upgrades a temporary copy of db and returns its records; db
// is not modified.
func upgradeCopy(db *bbolt.DB, from int, env upgradeEnv) (*Snapshot, error) {
	f, err := os.CreateTemp("", "srplan-state-upgrade-*.db")
	if err != nil {
		return nil, err
	}
	name := f.Name()
	defer os.Remove(name)
	err = db.View(func(tx *bbolt.Tx) error {
		_, err := tx.WriteTo(f)
		return err
	})
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("copy to %s: %w", name, err)
	}
	cp, err := bbolt.Open(name, 0o600, &bbolt.Options{Timeout: DefaultBoltTimeout})
	if err != nil {
		return nil, fmt.Errorf("open copy %s: %w", name, err)
	}
	defer cp.Close()
	var s *Snapshot
	// The transaction is rolled back: the copy is thrown away anyway.
	err = cp.Update(func(tx *bbolt.Tx) error {
		if err := upgrade(tx, from, env); err != nil {
			return err
		}
		s, err = readSnapshot(tx)
		if err != nil {
			return err
		}
		return errRollback
	})
	if !errors.Is(err, errRollback) {
		return nil, err
	}
	return s, nil
}

// errRollback ends a transaction whose changes are not wanted.
var errRollback = errors.New("rollback")

// isV0 reports whether a file without meta format_version is in format 0.
func isV0(tx *bbolt.Tx) bool {
	return tx.Bucket(bucketV0Records) != nil && tx.Bucket(bucketMeta).Get(keySerial) != nil
}

// v0Table is a format 0 table record.
type v0Table struct {
	Source  string    `json:"source"`
	Target  string    `json:"target"`
	Created bool      `json:"created,omitempty"`
	Updated time.Time `json:"updated"`
}

// v0Partition is a format 0 partition record.
type v0Partition struct {
	Table       string    `json:"tbl"`
	Partition   string    `json:"part"`
	Version     int64     `json:"version"`
	VersionTime time.Time `json:"version_time,omitzero"`
	Method      string    `json:"method,omitempty"`
	Stage       string    `json:"stage"`
	// Status was "error" where format 1 says "failed".
	Status   string   `json:"status"`
	Attempts int      `json:"attempts,omitempty"`
	Error    string   `json:"error,omitempty"`
	Path     string   `json:"path,omitempty"`
	Labels   []string `json:"labels,omitempty"`
	Rows     int64    `json:"rows,omitempty"`
	Bytes    int64    `json:"bytes,omitempty"`
	// VerifiedRows is the row count both sides agreed on when verified
	// (format 0 verified by count only); nil when not verified.
	VerifiedRows *int64    `json:"verified_rows,omitempty"`
	Created      time.Time `json:"created"`
	Updated      time.Time `json:"updated"`
}

func (p *v0Partition) convert() *PartitionRecord {
	r := &PartitionRecord{
		Table:       p.Table,
		Partition:   p.Partition,
		Fingerprint: Fingerprint{VisibleVersion: p.Version, VisibleVersionTime: p.VersionTime},
		Method:      p.Method,
		Stage:       Stage(p.Stage),
		Status:      Status(p.Status),
		Attempts:    p.Attempts,
		LastError:   p.Error,
		ExportPath:  p.Path,
		Labels:      p.Labels,
		Rows:        p.Rows,
		Bytes:       p.Bytes,
		CreatedAt:   p.Created,
		UpdatedAt:   p.Updated,
	}
	if p.Status == "error" {
		r.Status = StatusFailed
	}
	if p.VerifiedRows != nil {
		r.VerifySource = &VerifyResult{Mode: "count", RowCount: *p.VerifiedRows, At: p.Updated}
		r.VerifyTarget = &VerifyResult{Mode: "count", RowCount: *p.VerifiedRows, At: p.Updated}
	}
	return r
}

// upgradeV0 rewrites format 0 as format 1.
func upgradeV0(tx *bbolt.Tx, env upgradeEnv) error {
	lineage := contentLineage(tx)
	mb := tx.Bucket(bucketMeta)
	var serial uint64
	if err := getJSON(mb, keySerial, &serial, true); err != nil {
		return err
	}
	var tables []*TableRecord
	if tb := tx.Bucket(bucketTables); tb != nil {
		err := tb.ForEach(func(k, v []byte) error {
			var t v0Table
			if err := json.Unmarshal(v, &t); err != nil {
				return formatErrorf("format 0 table %q: %w", k, err)
			}
			if t.Source != string(k) {
				return formatErrorf("format 0 table %q names table %q", k, t.Source)
			}
			tables = append(tables, &TableRecord{
				Table: t.Source, Target: t.Target, CreatedTarget: t.Created, UpdatedAt: t.Updated,
			})
			return nil
		})
		if err != nil {
			return err
		}
	}
	var parts []*PartitionRecord
	err := tx.Bucket(bucketV0Records).ForEach(func(k, v []byte) error {
		var p v0Partition
		if err := json.Unmarshal(v, &p); err != nil {
			return formatErrorf("format 0 record %q: %w", k, err)
		}
		if table, part, ok := strings.Cut(string(k), "/"); !ok || table != p.Table || part != p.Partition {
			return formatErrorf("format 0 record %q names %s %s", k, p.Table, p.Partition)
		}
		parts = append(parts, p.convert())
		return nil
	})
	if err != nil {
		return err
	}
	for _, name := range [][]byte{bucketTables, bucketV0Records} {
		if tx.Bucket(name) != nil {
			if err := tx.DeleteBucket(name); err != nil {
				return fmt.Errorf("delete bucket %s: %w", name, err)
			}
		}
	}
	for _, name := range [][]byte{bucketTables, bucketPartitions, bucketLock} {
		if _, err := tx.CreateBucket(name); err != nil {
			return fmt.Errorf("create bucket %s: %w", name, err)
		}
	}
	b := &Batch{PutTables: tables, PutPartitions: parts}
	if err := b.Validate(); err != nil {
		return formatErrorf("format 0 records: %w", err)
	}
	enc, err := encodeBatch(b)
	if err != nil {
		return err
	}
	for _, kv := range enc.tables {
		if err := tx.Bucket(bucketTables).Put(kv.key, kv.value); err != nil {
			return err
		}
	}
	for _, kv := range enc.partitions {
		if err := tx.Bucket(bucketPartitions).Put(kv.key, kv.value); err != nil {
			return err
		}
	}
	if err := mb.Delete(keyV0Version); err != nil {
		return err
	}
	if err := putJSON(mb, keyLineage, lineage); err != nil {
		return err
	}
	return putJSON(mb, keyFormatVersion, 1)
}

// contentLineage derives a lineage from every key and value in the file,
// for formats that had none: the same file yields the same lineage whether
// it is upgraded on disk or in memory, now or later.
func contentLineage(tx *bbolt.Tx) string {
	h := sha256.New()
	field := func(b []byte) {
		_ = binary.Write(h, binary.BigEndian, uint64(len(b))) // hash writes never fail
		h.Write(b)
	}
	_ = tx.ForEach(func(name []byte, b *bbolt.Bucket) error {
		field(name)
		return b.ForEach(func(k, v []byte) error {
			field(k)
			field(v)
			return nil
		})
	})
	var sum [16]byte
	copy(sum[:], h.Sum(nil))
	return formatLineage(sum)
}
