// Package dynamodb is the DynamoDB state backend: a state.Store and
// state.Locker kept in one DynamoDB table that several srplan processes, on
// several hosts, share.
//
// DynamoDB transactions hold at most 100 items, and a Write may hold
// thousands of records, so the store does not update records in place.
// Every Write appends one entry to a log; a snapshot is a base generation of
// records plus the log entries after it. Appending an entry is a single
// conditional PutItem, which makes every Write atomic, whatever its size,
// and serialises concurrent writers. Now and then a writer compacts the log
// into a new base generation.
//
// # Item layout
//
// Every item has the string key attributes pk (partition key) and sk (sort
// key). <ws> is the workspace.
//
//	pk "<ws>#meta", sk "meta"
//	    The meta item, created on first open by a conditional put:
//	    lineage, format (state.FormatVersion), created (RFC 3339), gen (the
//	    current base generation, a random id), base (the serial the base
//	    holds) and base_version (srplan version of the base's last write).
//	pk "<ws>#base#<gen>", sk "t\x00<db.table>" or "p\x00<db.table>\x00<partition>"
//	    One record of base generation <gen>: attribute rec, the record's
//	    JSON. A generation is written in full before the meta item names it
//	    and is never changed afterwards; it is deleted once replaced.
//	pk "<ws>#log", sk "<serial>" (20 digits, zero padded)
//	    The entry that commits the Write at <serial>: txn (random id of
//	    the write), version (srplan version of the writer) and either data
//	    (the batch as JSON) or chunks (the number of chunk items holding
//	    it). Writes put the entry for head+1 with attribute_not_exists(pk),
//	    so exactly one writer commits each serial. Compaction strips the
//	    data of entries the base holds but keeps the items, so that a
//	    serial is never committed twice.
//	pk "<ws>#chunk", sk "<txn>#<index>" (6 digits)
//	    A piece of the batch of a large Write, written before its log
//	    entry; pieces of a Write that never committed are never read.
//	pk "<ws>#lock", sk "lock"
//	    The lock: id, holder (state.LockInfo JSON) and expires (Unix
//	    nanoseconds). See Lock.
package dynamodb

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/srplan/srplan/state"
)

// DefaultLease is the lock lease when WithLease is not given.
const DefaultLease = 30 * time.Second

// Option configures Open.
type Option func(*options)

type options struct {
	lease time.Duration
	clock func() time.Time
}

// WithLease sets how long a lock stays valid without renewal (default
// DefaultLease). The holder renews it every lease/3; a lock whose lease has
// run out can be taken by another holder. d <= 0 keeps the default.
func WithLease(d time.Duration) Option {
	return func(o *options) {
		if d > 0 {
			o.lease = d
		}
	}
}

// WithClock sets the clock lock leases are measured with (default
// time.Now). A nil clock keeps the default.
func WithClock(now func() time.Time) Option {
	return func(o *options) {
		if now != nil {
			o.clock = now
		}
	}
}

// Store is the DynamoDB state backend. It implements state.Store and
// state.Locker and is safe for concurrent use.
type Store struct {
	client    *dynamodb.Client
	table     string
	workspace string
	version   string
	lease     time.Duration
	clock     func() time.Time

	mu      sync.Mutex
	closed  bool
	renewal map[string]context.CancelFunc // lock ID -> stops its lease renewal
	wg      sync.WaitGroup

	// hints are the log head and base this Store last saw (see hint.go):
	// a write tries the serial after the head before asking for it, and
	// looks at the meta item for compaction only when the log may have
	// grown long enough.
	hints hints
}

var (
	_ state.Store  = (*Store)(nil)
	_ state.Locker = (*Store)(nil)
)

// errClosed is returned by a Store used after Close.
var errClosed = errors.New("state: dynamodb store is closed")

// Open opens the state of workspace in table, which must exist (see
// CreateTable). On first use of the workspace it creates the meta item with
// a new lineage at Serial 0. srplanVersion is recorded with every Write. A
// state written in a newer format is a *state.UnusableError.
func Open(ctx context.Context, client *dynamodb.Client, table, workspace, srplanVersion string, opts ...Option) (*Store, error) {
	if client == nil || table == "" || workspace == "" {
		return nil, errors.New("state: open dynamodb: client, table and workspace are required")
	}
	o := options{lease: DefaultLease, clock: time.Now}
	for _, opt := range opts {
		opt(&o)
	}
	s := &Store{
		client: client, table: table, workspace: workspace, version: srplanVersion,
		lease: o.lease, clock: o.clock, renewal: map[string]context.CancelFunc{},
	}
	m := meta{
		Lineage: newID(), Format: state.FormatVersion, Created: s.clock().UTC(),
		Gen: newID(), Base: 0, BaseVersion: srplanVersion,
	}
	_, err := client.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:           aws.String(table),
		Item:                m.item(s.metaKey()),
		ConditionExpression: aws.String("attribute_not_exists(pk)"),
	})
	if err != nil && !conditionFailed(err) {
		return nil, s.wrap("open", err)
	}
	got, err := s.readMeta(ctx)
	if err != nil {
		return nil, err
	}
	if got.Format > state.FormatVersion {
		return nil, &state.UnusableError{Path: s.location(), Err: fmt.Errorf("format %d is newer than this srplan's %d", got.Format, state.FormatVersion)}
	}
	return s, nil
}

// Close implements state.Store: later calls fail. It stops renewing the
// leases of locks taken through s but does not release them; they expire.
func (s *Store) Close() error {
	s.mu.Lock()
	s.closed = true
	for id, stop := range s.renewal {
		stop()
		delete(s.renewal, id)
	}
	s.mu.Unlock()
	s.wg.Wait()
	return nil
}

func (s *Store) usable(ctx context.Context) error {
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if closed {
		return errClosed
	}
	return ctx.Err()
}

// location names the state in errors.
func (s *Store) location() string {
	return fmt.Sprintf("dynamodb://%s/%s", s.table, s.workspace)
}

func (s *Store) wrap(op string, err error) error {
	return fmt.Errorf("state: %s %s: %w", op, s.location(), err)
}

func (s *Store) pk(kind string) string { return s.workspace + "#" + kind }

func (s *Store) metaKey() map[string]types.AttributeValue { return key(s.pk("meta"), "meta") }

func key(pk, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: pk},
		"sk": &types.AttributeValueMemberS{Value: sk},
	}
}

// conditionFailed reports whether err is a failed condition expression.
func conditionFailed(err error) bool {
	_, ok := errors.AsType[*types.ConditionalCheckFailedException](err)
	return ok
}

// newID returns a random id in the 8-4-4-4-12 hex form.
func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}
