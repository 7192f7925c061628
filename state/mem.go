package state

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
)

// Mem is an in-memory Store and Locker for tests of the logic around state.
// It keeps records JSON-encoded, as the bbolt backend does, so a record
// reads back exactly as it would from a file (times lose their monotonic
// reading, a Manifest must be valid JSON) and callers never share memory
// with the store. It is safe for concurrent use. The lock is a plain
// record: Mem never takes over a lock, whoever held it. Mem is also a
// Claimer; its claims expire by the wall clock.
type Mem struct {
	mu         sync.Mutex
	meta       Meta
	tables     map[string][]byte
	partitions map[PartitionKey][]byte
	holder     *LockInfo
	claims     map[PartitionKey]ClaimInfo
	closed     bool
}

var (
	_ Store   = (*Mem)(nil)
	_ Locker  = (*Mem)(nil)
	_ Claimer = (*Mem)(nil)
)

// errClosed is returned by a Mem used after Close.
var errClosed = errors.New("state: store is closed")

// NewMem returns an empty store at Serial 0 with a new lineage.
// srplanVersion is recorded as Meta.SrplanVersion.
func NewMem(srplanVersion string) *Mem {
	return &Mem{
		meta: Meta{
			FormatVersion: FormatVersion,
			Lineage:       newLineage(),
			SrplanVersion: srplanVersion,
			CreatedAt:     now(),
		},
		tables:     map[string][]byte{},
		partitions: map[PartitionKey][]byte{},
	}
}

// memFromSnapshot returns a Mem holding s's records and meta.
func memFromSnapshot(s *Snapshot) *Mem {
	m := &Mem{meta: s.Meta, tables: map[string][]byte{}, partitions: map[PartitionKey][]byte{}}
	b := &Batch{}
	for _, r := range s.Tables {
		b.PutTables = append(b.PutTables, r)
	}
	for _, r := range s.Partitions {
		b.PutPartitions = append(b.PutPartitions, r)
	}
	enc, err := encodeBatch(b)
	if err != nil {
		// The records were just decoded from JSON, so they encode.
		panic(fmt.Sprintf("state: re-encode decoded records: %v", err))
	}
	for i, kv := range enc.tables {
		m.tables[b.PutTables[i].Table] = kv.value
	}
	for i, kv := range enc.partitions {
		m.partitions[b.PutPartitions[i].Key()] = kv.value
	}
	return m
}

// Meta returns the store's metadata.
func (m *Mem) Meta(ctx context.Context) (Meta, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.usable(ctx); err != nil {
		return Meta{}, err
	}
	return m.meta, nil
}

// Read implements Reader.
func (m *Mem) Read(ctx context.Context) (*Snapshot, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.usable(ctx); err != nil {
		return nil, err
	}
	s := newSnapshot(m.meta)
	for k, raw := range m.tables {
		r := new(TableRecord)
		if err := json.Unmarshal(raw, r); err != nil {
			return nil, fmt.Errorf("state: decode table %s: %w", k, err)
		}
		s.Tables[k] = r
	}
	for k, raw := range m.partitions {
		r := new(PartitionRecord)
		if err := json.Unmarshal(raw, r); err != nil {
			return nil, fmt.Errorf("state: decode partition %s %s: %w", k.Table, k.Partition, err)
		}
		s.Partitions[k] = r
	}
	return s, nil
}

// Partition implements Reader.
func (m *Mem) Partition(ctx context.Context, key PartitionKey) (*PartitionRecord, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.usable(ctx); err != nil {
		return nil, err
	}
	raw, ok := m.partitions[key]
	if !ok {
		return nil, fmt.Errorf("partition %s %s: %w", key.Table, key.Partition, ErrNotFound)
	}
	r := new(PartitionRecord)
	if err := json.Unmarshal(raw, r); err != nil {
		return nil, fmt.Errorf("state: decode partition %s %s: %w", key.Table, key.Partition, err)
	}
	return r, nil
}

// Write implements Writer. An empty (or nil) batch writes nothing and
// leaves Serial unchanged.
func (m *Mem) Write(ctx context.Context, b *Batch) error {
	if err := b.Validate(); err != nil {
		return fmt.Errorf("state: write: %w", err)
	}
	enc, err := encodeBatch(b)
	if err != nil {
		return fmt.Errorf("state: write: %w", err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.usable(ctx); err != nil {
		return err
	}
	if b.Empty() {
		return nil
	}
	for _, t := range b.DeleteTables {
		delete(m.tables, t)
	}
	for _, k := range b.DeletePartitions {
		delete(m.partitions, k)
	}
	for i, kv := range enc.tables {
		m.tables[b.PutTables[i].Table] = kv.value
	}
	for i, kv := range enc.partitions {
		m.partitions[b.PutPartitions[i].Key()] = kv.value
	}
	m.meta.Serial++
	return nil
}

// Close implements Store; later calls fail. It does not release the lock.
func (m *Mem) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.closed = true
	return nil
}

// Lock implements Locker: it fails with a *LockError naming the holder
// while anyone holds the lock.
func (m *Mem) Lock(ctx context.Context, info *LockInfo) (string, error) {
	if info == nil {
		return "", errors.New("state: lock: no lock info")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.usable(ctx); err != nil {
		return "", err
	}
	if m.holder != nil {
		h := *m.holder
		return "", &LockError{Holder: &h, Err: errLockHeld}
	}
	info.ID = newLockID()
	if info.Created.IsZero() {
		info.Created = now()
	}
	h := *info
	h.Created = h.Created.Round(0)
	m.holder = &h
	return info.ID, nil
}

// Unlock implements Locker.
func (m *Mem) Unlock(ctx context.Context, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.usable(ctx); err != nil {
		return err
	}
	if err := checkUnlock(m.holder, id); err != nil {
		return err
	}
	m.holder = nil
	return nil
}

// Holder returns the current lock holder, or nil when the state is unlocked.
func (m *Mem) Holder(ctx context.Context) (*LockInfo, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.usable(ctx); err != nil {
		return nil, err
	}
	if m.holder == nil {
		return nil, nil
	}
	h := *m.holder
	return &h, nil
}

// Claim implements Claimer. A claim whose Expires has passed (by the wall
// clock) is taken over by any holder.
func (m *Mem) Claim(ctx context.Context, key PartitionKey, info ClaimInfo) (bool, *ClaimInfo, error) {
	if err := CheckClaim(key, info); err != nil {
		return false, nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.usable(ctx); err != nil {
		return false, nil, err
	}
	if cur, ok := m.claims[key]; ok && cur.Holder != info.Holder && !cur.Expires.Before(now()) {
		return false, &cur, nil
	}
	if m.claims == nil {
		m.claims = map[PartitionKey]ClaimInfo{}
	}
	info.Expires = info.Expires.Round(0)
	m.claims[key] = info
	return true, nil, nil
}

// Release implements Claimer.
func (m *Mem) Release(ctx context.Context, key PartitionKey, holder string) error {
	if holder == "" {
		return errors.New("state: release claim: empty holder")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.usable(ctx); err != nil {
		return err
	}
	if cur, ok := m.claims[key]; ok && cur.Holder == holder {
		delete(m.claims, key)
	}
	return nil
}

func (m *Mem) usable(ctx context.Context) error {
	if m.closed {
		return errClosed
	}
	return ctx.Err()
}

// checkUnlock reports why id may not release the lock held by holder (nil
// when unlocked), or nil.
func checkUnlock(holder *LockInfo, id string) error {
	switch {
	case id == "":
		return errors.New("state: unlock: empty lock ID")
	case holder == nil:
		return fmt.Errorf("state: unlock %s: the state is not locked", id)
	case holder.ID != id:
		return fmt.Errorf("state: unlock %s: lock ID mismatch: held by %s", id, holder)
	}
	return nil
}
