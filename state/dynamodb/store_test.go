package dynamodb_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/google/go-cmp/cmp"

	"github.com/srplan/srplan/providers/s3/s3test"
	"github.com/srplan/srplan/state"
	srdynamo "github.com/srplan/srplan/state/dynamodb"
	"github.com/srplan/srplan/state/statetest"
)

const testVersion = "0.1.0-test"

func TestMain(m *testing.M) { os.Exit(s3test.Main(m)) }

var (
	tableOnce sync.Once
	tableErr  error
	client    *dynamodb.Client
	tableName = "srplan-state-test"
)

// testTable returns the client and the shared test table, created once;
// tests keep apart by workspace.
func testTable(t *testing.T) *dynamodb.Client {
	t.Helper()
	endpoint := s3test.DynamoDBEndpoint(t)
	tableOnce.Do(func() {
		client = s3test.DynamoDBClient(endpoint)
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		tableErr = srdynamo.CreateTable(ctx, client, tableName)
	})
	if tableErr != nil {
		t.Fatalf("CreateTable: %v", tableErr)
	}
	return client
}

// workspace returns a workspace name unique to t and this run.
func workspace(t *testing.T) string {
	return strings.ReplaceAll(t.Name(), "/", "_") + "-" + time.Now().Format("150405.000000000")
}

func open(t *testing.T, ws string, opts ...srdynamo.Option) *srdynamo.Store {
	t.Helper()
	c := testTable(t)
	s, err := srdynamo.Open(t.Context(), c, tableName, ws, testVersion, opts...)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

func TestConformance(t *testing.T) {
	statetest.Run(t, func(t *testing.T) statetest.Backend {
		return open(t, workspace(t))
	})
}

func TestClaims(t *testing.T) {
	statetest.RunClaims(t, func(t *testing.T) state.Claimer {
		return open(t, workspace(t))
	})
}

func TestCreateTableIdempotent(t *testing.T) {
	c := testTable(t)
	if err := srdynamo.CreateTable(t.Context(), c, tableName); err != nil {
		t.Fatalf("second CreateTable: %v", err)
	}
}

func TestReopenKeepsState(t *testing.T) {
	ws := workspace(t)
	a := open(t, ws)
	p := &state.PartitionRecord{Table: "db.t", Partition: "p1", Stage: state.StageDone, Status: state.StatusOK}
	if err := a.Write(t.Context(), &state.Batch{PutPartitions: []*state.PartitionRecord{p}}); err != nil {
		t.Fatalf("Write: %v", err)
	}
	before, err := a.Read(t.Context())
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	after, err := open(t, ws).Read(t.Context())
	if err != nil {
		t.Fatalf("Read after reopen: %v", err)
	}
	if diff := cmp.Diff(before, after); diff != "" {
		t.Errorf("state after reopen (-before +after):\n%s", diff)
	}
}

// TestCompaction writes enough batches to fold the log into new bases
// several times and checks the state reads back as written.
func TestCompaction(t *testing.T) {
	s := open(t, workspace(t))
	const writes = 150
	want := map[state.PartitionKey]*state.PartitionRecord{}
	for i := range writes {
		p := &state.PartitionRecord{Table: "db.t", Partition: "p" + string(rune('a'+i%20)), Attempts: i}
		b := &state.Batch{PutPartitions: []*state.PartitionRecord{p}}
		want[p.Key()] = p
		if i%7 == 3 {
			k := state.PartitionKey{Table: "db.t", Partition: "p" + string(rune('a'+(i+5)%20))}
			if k != p.Key() {
				b.DeletePartitions = []state.PartitionKey{k}
				delete(want, k)
			}
		}
		if err := s.Write(t.Context(), b); err != nil {
			t.Fatalf("Write %d: %v", i, err)
		}
	}
	snap, err := s.Read(t.Context())
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	if snap.Meta.Serial != writes {
		t.Errorf("serial = %d, want %d", snap.Meta.Serial, writes)
	}
	if diff := cmp.Diff(want, snap.Partitions); diff != "" {
		t.Errorf("partitions (-want +got):\n%s", diff)
	}
	// Partition reads one record through the compacted base and the log
	// after it: the same answer as the whole state, deletions included.
	for i := range 20 {
		k := state.PartitionKey{Table: "db.t", Partition: "p" + string(rune('a'+i))}
		got, err := s.Partition(t.Context(), k)
		switch w := want[k]; {
		case w == nil && !errors.Is(err, state.ErrNotFound):
			t.Errorf("Partition(%v) = %v, %v; want not found", k, got, err)
		case w != nil && err != nil:
			t.Errorf("Partition(%v): %v", k, err)
		case w != nil:
			if diff := cmp.Diff(w, got); diff != "" {
				t.Errorf("Partition(%v) (-want +got):\n%s", k, diff)
			}
		}
	}
}

func holder(op string) *state.LockInfo {
	return &state.LockInfo{Who: "tester@host", PID: 1, Host: "host", Operation: op,
		Created: time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC), Version: testVersion}
}

func TestLockContention(t *testing.T) {
	ws := workspace(t)
	a, b := open(t, ws), open(t, ws)
	first := holder("apply")
	id, err := a.Lock(t.Context(), first)
	if err != nil {
		t.Fatalf("Lock: %v", err)
	}
	_, err = b.Lock(t.Context(), holder("plan"))
	le, ok := errors.AsType[*state.LockError](err)
	if !ok {
		t.Fatalf("second store's Lock = %v, want a *state.LockError", err)
	}
	if diff := cmp.Diff(first, le.Holder); diff != "" {
		t.Errorf("LockError.Holder (-want +got):\n%s", diff)
	}
	if !strings.Contains(err.Error(), id) {
		t.Errorf("error %q does not name the holder's ID %s", err, id)
	}
	err = b.Unlock(t.Context(), "0123456789abcdef")
	if err == nil || !strings.Contains(err.Error(), "lock ID mismatch: held by") {
		t.Errorf("Unlock with a wrong ID = %v, want a lock ID mismatch", err)
	}
	// force-unlock from the other store with the holder's ID.
	if err := b.Unlock(t.Context(), id); err != nil {
		t.Fatalf("Unlock from the second store: %v", err)
	}
	if _, err := b.Lock(t.Context(), holder("plan")); err != nil {
		t.Fatalf("Lock after force-unlock: %v", err)
	}
}

// TestLeaseTakeover: a holder that no longer renews (closed, as a killed
// process) loses the lock once its lease has run out.
func TestLeaseTakeover(t *testing.T) {
	ws := workspace(t)
	const lease = time.Minute
	dead := open(t, ws, srdynamo.WithLease(lease))
	first := holder("apply")
	oldID, err := dead.Lock(t.Context(), first)
	if err != nil {
		t.Fatalf("Lock: %v", err)
	}
	if err := dead.Close(); err != nil { // stops renewing, as a killed process would
		t.Fatalf("Close: %v", err)
	}
	var shift time.Duration
	var mu sync.Mutex
	clock := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		return time.Now().Add(shift)
	}
	other := open(t, ws, srdynamo.WithLease(lease), srdynamo.WithClock(clock))
	if _, err := other.Lock(t.Context(), holder("plan")); !isLockError(err) {
		t.Fatalf("Lock within the lease = %v, want a *state.LockError", err)
	}
	mu.Lock()
	shift = lease + time.Second
	mu.Unlock()
	second := holder("plan")
	newID, err := other.Lock(t.Context(), second)
	if err != nil {
		t.Fatalf("Lock after the lease ran out: %v", err)
	}
	if newID == oldID {
		t.Fatalf("takeover kept the old ID %s", oldID)
	}
	h, err := other.Holder(t.Context())
	if err != nil {
		t.Fatalf("Holder: %v", err)
	}
	if diff := cmp.Diff(second, h); diff != "" {
		t.Errorf("holder after takeover (-want +got):\n%s", diff)
	}
	if err := other.Unlock(t.Context(), oldID); err == nil {
		t.Error("Unlock with the expired holder's ID succeeded")
	}
}

// TestRenewalKeepsLock: a live holder's lock outlasts many leases.
func TestRenewalKeepsLock(t *testing.T) {
	ws := workspace(t)
	const lease = 900 * time.Millisecond
	a := open(t, ws, srdynamo.WithLease(lease))
	b := open(t, ws, srdynamo.WithLease(lease))
	first := holder("apply")
	id, err := a.Lock(t.Context(), first)
	if err != nil {
		t.Fatalf("Lock: %v", err)
	}
	for range 3 {
		time.Sleep(lease)
		if _, err := b.Lock(t.Context(), holder("plan")); !isLockError(err) {
			t.Fatalf("Lock while the holder renews = %v, want a *state.LockError", err)
		}
	}
	if err := a.Unlock(t.Context(), id); err != nil {
		t.Fatalf("Unlock: %v", err)
	}
	if _, err := b.Lock(t.Context(), holder("plan")); err != nil {
		t.Fatalf("Lock after Unlock: %v", err)
	}
}

func isLockError(err error) bool {
	_, ok := errors.AsType[*state.LockError](err)
	return ok
}

// TestReadsAreSnapshots: while writers commit batches (and compact the log
// into new bases), every Read shows whole batches only: each batch sets
// all partitions to the serial it commits at.
func TestReadsAreSnapshots(t *testing.T) {
	ws := workspace(t)
	w, r := open(t, ws), open(t, ws)
	const parts, writes = 5, 140
	done := make(chan struct{})
	var readErr error
	go func() {
		defer close(done)
		for {
			snap, err := r.Read(t.Context())
			if err != nil {
				readErr = err
				return
			}
			if snap.Meta.Serial > 0 && len(snap.Partitions) != parts {
				readErr = fmt.Errorf("serial %d: %d partitions, want %d", snap.Meta.Serial, len(snap.Partitions), parts)
				return
			}
			for k, p := range snap.Partitions {
				if uint64(p.Attempts) != snap.Meta.Serial {
					readErr = fmt.Errorf("serial %d: partition %s has attempts %d", snap.Meta.Serial, k.Partition, p.Attempts)
					return
				}
			}
			if snap.Meta.Serial == writes {
				return
			}
		}
	}()
	for i := range writes {
		b := &state.Batch{}
		for j := range parts {
			b.PutPartitions = append(b.PutPartitions, &state.PartitionRecord{Table: "db.t", Partition: fmt.Sprint("p", j), Attempts: i + 1})
		}
		if err := w.Write(t.Context(), b); err != nil {
			t.Fatalf("Write %d: %v", i, err)
		}
	}
	<-done
	if readErr != nil {
		t.Fatalf("Read: %v", readErr)
	}
}

// LiveHolder names a holder while its lease runs and nil once it stopped
// renewing (a process that is gone) or released the lock.
func TestLiveHolder(t *testing.T) {
	ws := workspace(t)
	c := testTable(t)
	a, err := srdynamo.Open(t.Context(), c, tableName, ws, testVersion, srdynamo.WithLease(600*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	b := open(t, ws)
	if h, err := b.LiveHolder(t.Context()); err != nil || h != nil {
		t.Fatalf("unlocked: LiveHolder = %v, %v; want nil", h, err)
	}
	if _, err := a.Lock(t.Context(), holder("apply")); err != nil {
		t.Fatal(err)
	}
	if h, err := b.LiveHolder(t.Context()); err != nil || h == nil || h.Operation != "apply" {
		t.Fatalf("locked: LiveHolder = %v, %v; want the apply", h, err)
	}
	_ = a.Close() // stops renewing, as a killed process would
	time.Sleep(time.Second)
	if h, err := b.LiveHolder(t.Context()); err != nil || h != nil {
		t.Errorf("after the lease ran out: LiveHolder = %v, %v; want nil", h, err)
	}
}
