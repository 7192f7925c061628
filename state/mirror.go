package state

import (
	"context"
	"errors"
	"fmt"
)

// Mirror is a Store over two stores: a primary one, the shared truth
// (DynamoDB), and a local one (the bbolt file) that keeps a copy of it.
// Reads go to the primary. A Write commits to the primary first and is
// then repeated on the local store; a failure of that second write is
// reported to the warn function and is not an error, since the primary
// holds the change (Reconcile repairs the copy later). Mirror is safe for
// concurrent use when both stores are.
type Mirror struct {
	primary Store
	local   Store
	warn    func(error)
}

var _ Store = (*Mirror)(nil)

// NewMirror returns a Mirror writing to primary and copying into local.
// local may be nil: the Mirror is then the primary alone. warn receives
// mirror-write failures; nil discards them.
func NewMirror(primary, local Store, warn func(error)) *Mirror {
	if warn == nil {
		warn = func(error) {}
	}
	return &Mirror{primary: primary, local: local, warn: warn}
}

// Primary returns the primary store.
func (m *Mirror) Primary() Store { return m.primary }

// Local returns the local store, or nil.
func (m *Mirror) Local() Store { return m.local }

// Read implements Reader: it reads the primary.
func (m *Mirror) Read(ctx context.Context) (*Snapshot, error) { return m.primary.Read(ctx) }

// Partition implements Reader: it reads the primary.
func (m *Mirror) Partition(ctx context.Context, key PartitionKey) (*PartitionRecord, error) {
	return m.primary.Partition(ctx, key)
}

// Write implements Writer: b is committed to the primary (its error is
// returned, and then nothing was mirrored) and then to the local store,
// even when ctx has been cancelled meanwhile, since the primary holds it.
func (m *Mirror) Write(ctx context.Context, b *Batch) error {
	if err := m.primary.Write(ctx, b); err != nil {
		return err
	}
	if m.local == nil || b.Empty() {
		return nil
	}
	if err := m.local.Write(context.WithoutCancel(ctx), b); err != nil {
		m.warn(fmt.Errorf("state: copy a write into the local state failed (the shared state has it; the next command refreshes the copy): %w", err))
	}
	return nil
}

// Close implements Store: it closes both stores.
func (m *Mirror) Close() error {
	err := m.primary.Close()
	if m.local != nil {
		err = errors.Join(err, m.local.Close())
	}
	return err
}

// Reconciled is the outcome of Mirror.Reconcile.
type Reconciled struct {
	// Primary is the snapshot read from the primary store.
	Primary *Snapshot
	// LocalMeta is the local store's meta before the refresh; zero
	// without a local store.
	LocalMeta Meta
	// Divergence is how the local records differed from the primary's.
	Divergence *Divergence
}

// Reconcile reads both stores, compares their records and, when they
// differ, rewrites the local copy to equal the primary (the primary is
// trusted: it is shared and written first). An error reading the primary
// is returned; an error reading or refreshing the local copy goes to warn
// and leaves Divergence nil. Without a local store, only the primary is
// read.
func (m *Mirror) Reconcile(ctx context.Context) (*Reconciled, error) {
	p, err := m.primary.Read(ctx)
	if err != nil {
		return nil, err
	}
	r := &Reconciled{Primary: p}
	if m.local == nil {
		return r, nil
	}
	l, err := m.local.Read(ctx)
	if err != nil {
		m.warn(fmt.Errorf("state: read the local copy of the state: %w", err))
		return r, nil
	}
	r.LocalMeta = l.Meta
	d := Compare(p, l)
	r.Divergence = d
	if d.Empty() {
		return r, nil
	}
	if err := m.local.Write(ctx, d.Refresh); err != nil {
		m.warn(fmt.Errorf("state: refresh the local copy of the state: %w", err))
	}
	return r, nil
}
