package state

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// FormatVersion is the state format this srplan writes.
const FormatVersion = 1

// Meta describes a state store.
type Meta struct {
	// FormatVersion of the stored records.
	FormatVersion int `json:"format_version"`
	// Lineage is a random id fixed when the state was created; a saved plan
	// from another lineage is refused.
	Lineage string `json:"lineage"`
	// Serial grows by one with every committed Write.
	Serial uint64 `json:"serial"`
	// SrplanVersion is the srplan release that last wrote the state.
	SrplanVersion string `json:"srplan_version"`
	// UpgradedAt is when the format was last upgraded; zero if never.
	UpgradedAt time.Time `json:"upgraded_at,omitzero"`
	// CreatedAt is when the state was created; zero when unknown (a state
	// upgraded from format 0, which did not record it).
	CreatedAt time.Time `json:"created_at,omitzero"`
}

// Snapshot is a consistent read of the whole state.
type Snapshot struct {
	Meta       Meta
	Tables     map[string]*TableRecord
	Partitions map[PartitionKey]*PartitionRecord
}

// Partition returns the record for (table, partition), or nil.
func (s *Snapshot) Partition(table, partition string) *PartitionRecord {
	if s == nil {
		return nil
	}
	return s.Partitions[PartitionKey{Table: table, Partition: partition}]
}

// Batch is a set of changes committed atomically by Writer.Write.
type Batch struct {
	PutTables        []*TableRecord
	PutPartitions    []*PartitionRecord
	DeleteTables     []string
	DeletePartitions []PartitionKey
}

// Empty reports whether the batch holds no change. A nil batch is empty.
func (b *Batch) Empty() bool {
	return b == nil || len(b.PutTables)+len(b.PutPartitions)+len(b.DeleteTables)+len(b.DeletePartitions) == 0
}

// Reader reads state.
type Reader interface {
	// Read returns a consistent snapshot. An empty store returns a snapshot
	// with no records and its Meta (a new store has Serial 0).
	Read(ctx context.Context) (*Snapshot, error)
	// Partition returns one record, or ErrNotFound.
	Partition(ctx context.Context, key PartitionKey) (*PartitionRecord, error)
}

// Writer commits changes.
type Writer interface {
	// Write commits every change in b in one transaction and increments
	// Meta.Serial by one; on error nothing is written. An empty or nil
	// batch is a no-op: nothing is written and Serial does not move. A
	// batch that fails Batch.Validate is an error.
	Write(ctx context.Context, b *Batch) error
}

// Store is a state backend.
type Store interface {
	Reader
	Writer
	// Close releases the backend; it does not release locks.
	Close() error
}

// LockInfo describes a lock holder.
type LockInfo struct {
	// ID is set by Lock; pass it to Unlock and force-unlock.
	ID string `json:"id"`
	// Who is "user@host".
	Who string `json:"who"`
	// PID of the holding process.
	PID int `json:"pid"`
	// Host the holder runs on.
	Host string `json:"host"`
	// Operation is "apply", "plan", ...
	Operation string    `json:"operation"`
	Created   time.Time `json:"created"`
	// Version is the holder's srplan version.
	Version string `json:"version"`
}

// String describes the holder for error messages.
func (l *LockInfo) String() string {
	return fmt.Sprintf("ID %s, held by %s (pid %d on %s) for %q since %s, srplan %s",
		l.ID, l.Who, l.PID, l.Host, l.Operation, l.Created.UTC().Format(time.RFC3339), l.Version)
}

// Locker takes and releases the state lock.
type Locker interface {
	// Lock takes the lock for info (ID is assigned) and returns the ID. If
	// another holder has it, Lock returns a *LockError naming that holder.
	Lock(ctx context.Context, info *LockInfo) (string, error)
	// Unlock releases the lock with the given ID. force-unlock passes the
	// holder's ID.
	Unlock(ctx context.Context, id string) error
}

// Sentinel errors.
var (
	// ErrNotFound is returned for a record that does not exist.
	ErrNotFound = errors.New("state: record not found")
	// ErrNoState is returned when a state file does not exist and the
	// caller asked not to create it.
	ErrNoState = errors.New("state: no state")
)

// LockError reports a lock held by someone else.
type LockError struct {
	Holder *LockInfo
	Err    error
}

func (e *LockError) Error() string {
	if e.Holder == nil {
		return fmt.Sprintf("state is locked: %v", e.Err)
	}
	return fmt.Sprintf("state is locked: %s", e.Holder)
}

// Unwrap returns the underlying error.
func (e *LockError) Unwrap() error { return e.Err }

// UnusableError reports a state that cannot be used: corrupt, or written by
// a newer srplan.
type UnusableError struct {
	Path string
	Err  error
}

func (e *UnusableError) Error() string { return fmt.Sprintf("state %s is unusable: %v", e.Path, e.Err) }

// Unwrap returns the underlying error.
func (e *UnusableError) Unwrap() error { return e.Err }
