package state

// The bbolt state file, format 1 (FormatVersion). Every value is JSON.
//
//	meta          bucket
//	  format_version   number  the format of this file; read first, before anything else
//	  lineage          string  random id fixed at creation (8-4-4-4-12 hex digits)
//	  serial           number  grows by one with every committed Write; 0 when new
//	  srplan_version   string  the srplan release that last wrote the file
//	  created_at       string  RFC 3339 creation time; absent after an upgrade from format 0
//	  upgraded_at      string  RFC 3339 time of the last format upgrade; absent if never
//	tables        bucket
//	  "db.table"                  -> TableRecord
//	partitions    bucket
//	  "db.table" NUL "partition"  -> PartitionRecord
//	lock          bucket
//	  holder                      -> LockInfo of the state lock's holder; absent when unlocked
//
//	<path>.lock.json   sidecar file (0600): a copy of lock/holder, written by
//	                   Lock and removed by Unlock (see "Two locks" below)
//
// Older formats are upgraded by the chain in bolt_upgrade.go, which also
// describes format 0.
//
// Two locks guard the file:
//
//   - bbolt's file lock (flock): exclusive while a writable Bolt is open,
//     shared while a read-only one is. srplan keeps the file open for a
//     whole command, so a second srplan process waits in OpenBolt for up to
//     BoltOptions.Timeout and then fails with a *LockError.
//   - the state lock (Locker): the holder record in the lock bucket. It
//     outlives the process that took it when that process is killed, and is
//     then either taken over (its PID is dead on this host) or cleared with
//     force-unlock (Unlock with the holder's ID).
//
// A process waiting on the file lock cannot read the lock bucket, so Lock
// also writes the holder to the sidecar file. When OpenBolt times out it
// reads the sidecar and names that holder in its *LockError, unless the
// sidecar is missing, unreadable or left by a dead process on this host.

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"go.etcd.io/bbolt"
	bberrors "go.etcd.io/bbolt/errors"
)

// Bucket and key names of the layout above.
var (
	bucketMeta       = []byte("meta")
	bucketTables     = []byte("tables")
	bucketPartitions = []byte("partitions")
	bucketLock       = []byte("lock")

	keyFormatVersion = []byte("format_version")
	keyLineage       = []byte("lineage")
	keySerial        = []byte("serial")
	keySrplanVersion = []byte("srplan_version")
	keyCreatedAt     = []byte("created_at")
	keyUpgradedAt    = []byte("upgraded_at")
	keyHolder        = []byte("holder")
)

// DefaultBoltTimeout is how long OpenBolt waits for another process's file
// lock when BoltOptions.Timeout is zero.
const DefaultBoltTimeout = time.Second

// BoltOptions configure OpenBolt.
type BoltOptions struct {
	// Timeout is how long to wait for the file lock of another srplan
	// process; 0 means DefaultBoltTimeout. Negative is an error.
	Timeout time.Duration
	// SrplanVersion is this srplan's release; it is recorded with every
	// Write and named in errors about newer formats. Required.
	SrplanVersion string
	// ReadOnly opens the file with a shared file lock; Write, Lock and
	// Unlock fail. A file in an older format is upgraded in memory only
	// (see OpenBolt).
	ReadOnly bool
	// Create makes a missing file (mode 0600) and its missing directories
	// (mode 0700). Without it, or with ReadOnly, a missing file is
	// ErrNoState. The mode of an existing file is left as it is.
	Create bool
}

// Bolt is the bbolt state backend. It implements Store and Locker and is
// safe for concurrent use. Read sees the records of committed Writes only.
// Write does not consult the state lock: the command takes it first.
type Bolt struct {
	path          string
	db            *bbolt.DB
	readOnly      bool
	srplanVersion string
	// host is this host's name, to judge whether a lock holder is alive;
	// empty if unknown, and then no lock is ever taken over.
	host string
	// upgraded serves reads of a read-only Bolt over a file in an older
	// format: the records as the upgrade chain converts them. Nil otherwise.
	upgraded *Mem
}

var (
	_ Store  = (*Bolt)(nil)
	_ Locker = (*Bolt)(nil)
)

// OpenBolt opens the state file at path. The file stays open, holding
// bbolt's file lock, until Close.
//
// Errors:
//   - ErrNoState (wrapped) when the file is missing and opts.Create is off
//     or opts.ReadOnly is on;
//   - *LockError when another process keeps the file open beyond
//     opts.Timeout; its Holder is that process's state lock holder when the
//     sidecar names a live one, else nil;
//   - *UnusableError when the file is not a srplan state (not bbolt, a bad
//     meta value, a missing bucket, an undecodable record found while
//     upgrading) or was written in a newer format than FormatVersion.
//
// A file in an older format is upgraded. A writable open upgrades it on
// disk in one transaction and records meta upgraded_at. A read-only open
// leaves the file alone: it upgrades a temporary copy, keeps the result in
// memory and serves Read, Partition and Meta from it (Holder is nil, as no
// older format had a lock). Upgrades keep Serial, and a lineage that an
// older format lacked is derived from the file's content, so a plan saved
// from a read-only open still matches the state after the on-disk upgrade.
func OpenBolt(path string, opts BoltOptions) (*Bolt, error) {
	if opts.SrplanVersion == "" {
		return nil, fmt.Errorf("state: open %s: BoltOptions.SrplanVersion is required", path)
	}
	if opts.Timeout < 0 {
		return nil, fmt.Errorf("state: open %s: negative timeout %s", path, opts.Timeout)
	}
	timeout := cmp.Or(opts.Timeout, DefaultBoltTimeout)
	if err := prepareFile(path, opts); err != nil {
		return nil, err
	}
	if err := checkTruncated(path); err != nil {
		return nil, err
	}
	var db *bbolt.DB
	err := guard(path, func() error {
		var err error
		db, err = bbolt.Open(path, 0o600, &bbolt.Options{Timeout: timeout, ReadOnly: opts.ReadOnly})
		return err
	})
	if err != nil {
		return nil, openError(path, timeout, err)
	}
	host, _ := os.Hostname()
	b := &Bolt{path: path, db: db, readOnly: opts.ReadOnly, srplanVersion: opts.SrplanVersion, host: host}
	if err := guard(path, b.prepare); err != nil {
		_ = db.Close()
		return nil, err
	}
	return b, nil
}

// prepareFile checks path before bbolt opens it (bbolt would create any
// missing file) and makes its directory when asked to create the file.
func prepareFile(path string, opts BoltOptions) error {
	fi, err := os.Stat(path)
	switch {
	case err == nil && fi.IsDir():
		return fmt.Errorf("state: open %s: is a directory", path)
	case err == nil && fi.Size() == 0 && opts.ReadOnly:
		// bbolt writes a new file's first pages; nothing was ever stored.
		return fmt.Errorf("state: open %s: %w", path, ErrNoState)
	case err == nil:
		return nil
	case !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("state: open %s: %w", path, err)
	case opts.ReadOnly || !opts.Create:
		return fmt.Errorf("state: open %s: %w", path, ErrNoState)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("state: create %s: %w", path, err)
	}
	return nil
}

// openError classifies an error of bbolt.Open.
func openError(path string, waited time.Duration, err error) error {
	var pathErr *fs.PathError
	var errno syscall.Errno
	var unusable *UnusableError
	switch {
	case errors.As(err, &unusable):
		return err
	case errors.Is(err, bberrors.ErrTimeout):
		return inUseError(path, waited)
	case errors.As(err, &pathErr), errors.As(err, &errno):
		return fmt.Errorf("state: open %s: %w", path, err)
	default:
		// bbolt's own errors: invalid database, version mismatch,
		// checksum error, file size too small.
		return &UnusableError{Path: path, Err: fmt.Errorf("not a srplan state file: %w", err)}
	}
}

// Path returns the state file's path as given to OpenBolt.
func (b *Bolt) Path() string { return b.path }

// Meta returns the state's metadata.
func (b *Bolt) Meta(ctx context.Context) (Meta, error) {
	if err := ctx.Err(); err != nil {
		return Meta{}, err
	}
	if b.upgraded != nil {
		return b.upgraded.Meta(ctx)
	}
	var m Meta
	err := guard(b.path, func() error {
		return b.db.View(func(tx *bbolt.Tx) error {
			var err error
			m, err = readMeta(tx)
			return err
		})
	})
	return m, b.wrap("read meta of", err)
}

// Read implements Reader.
func (b *Bolt) Read(ctx context.Context) (*Snapshot, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if b.upgraded != nil {
		return b.upgraded.Read(ctx)
	}
	var s *Snapshot
	err := guard(b.path, func() error {
		return b.db.View(func(tx *bbolt.Tx) error {
			var err error
			s, err = readSnapshot(tx)
			return err
		})
	})
	if err != nil {
		return nil, b.wrap("read", err)
	}
	return s, nil
}

// Partition implements Reader.
func (b *Bolt) Partition(ctx context.Context, key PartitionKey) (*PartitionRecord, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if b.upgraded != nil {
		return b.upgraded.Partition(ctx, key)
	}
	var r *PartitionRecord
	err := guard(b.path, func() error {
		return b.db.View(func(tx *bbolt.Tx) error {
			raw := tx.Bucket(bucketPartitions).Get(partitionKey(key))
			if raw == nil {
				return fmt.Errorf("partition %s %s: %w", key.Table, key.Partition, ErrNotFound)
			}
			var err error
			r, err = decodePartition(partitionKey(key), raw)
			return err
		})
	})
	if errors.Is(err, ErrNotFound) {
		return nil, err
	}
	if err != nil {
		return nil, b.wrap("read", err)
	}
	return r, nil
}

// Write implements Writer: one bbolt transaction that applies the batch,
// increments meta serial by one and records this srplan as
// srplan_version. An empty (or nil) batch writes nothing and leaves Serial
// unchanged. An invalid batch (see Batch.Validate) writes nothing.
func (b *Bolt) Write(ctx context.Context, batch *Batch) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if b.readOnly {
		return fmt.Errorf("state: write %s: opened read-only", b.path)
	}
	if err := batch.Validate(); err != nil {
		return fmt.Errorf("state: write %s: %w", b.path, err)
	}
	if batch.Empty() {
		return nil
	}
	enc, err := encodeBatch(batch)
	if err != nil {
		return fmt.Errorf("state: write %s: %w", b.path, err)
	}
	err = guard(b.path, func() error {
		return b.db.Update(func(tx *bbolt.Tx) error {
			mb, tb, pb := tx.Bucket(bucketMeta), tx.Bucket(bucketTables), tx.Bucket(bucketPartitions)
			var serial uint64
			if err := getJSON(mb, keySerial, &serial, true); err != nil {
				return err
			}
			for _, t := range batch.DeleteTables {
				if err := tb.Delete(tableKey(t)); err != nil {
					return err
				}
			}
			for _, k := range batch.DeletePartitions {
				if err := pb.Delete(partitionKey(k)); err != nil {
					return err
				}
			}
			for _, kv := range enc.tables {
				if err := tb.Put(kv.key, kv.value); err != nil {
					return err
				}
			}
			for _, kv := range enc.partitions {
				if err := pb.Put(kv.key, kv.value); err != nil {
					return err
				}
			}
			if err := putJSON(mb, keySerial, serial+1); err != nil {
				return err
			}
			return putJSON(mb, keySrplanVersion, b.srplanVersion)
		})
	})
	return b.wrap("write", err)
}

// Close releases the file and its file lock. It does not release the
// state lock: Unlock first.
func (b *Bolt) Close() error {
	if err := b.db.Close(); err != nil {
		return fmt.Errorf("state: close %s: %w", b.path, err)
	}
	return nil
}

// wrap turns a transaction's error into the error reported for op: a
// *UnusableError for a bad file, else the error with context.
func (b *Bolt) wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	if _, unusable := errors.AsType[*UnusableError](err); unusable {
		return err
	}
	if _, bad := errors.AsType[*formatError](err); bad {
		return &UnusableError{Path: b.path, Err: err}
	}
	return fmt.Errorf("state: %s %s: %w", op, b.path, err)
}
