// Package statetest is the conformance suite of state backends: every
// backend (bbolt, in-memory, DynamoDB) runs Run and so behaves alike for
// the code above it. The suite assumes nothing about storage: it drives
// only the state.Store and state.Locker methods.
//
// Behaviour a backend must show beyond the interface comments, pinned here:
//   - a new store reads at Serial 0 with a non-empty lineage that never
//     changes;
//   - an empty (or nil) Batch writes nothing and does not bump Serial;
//   - a Batch that fails state.Batch.Validate, or holds a record that does
//     not encode (a Manifest that is not JSON), writes nothing;
//   - records read back equal to what was written, every field, times
//     compared as instants;
//   - DeleteTables removes table records only, never partitions;
//   - deleting a missing record is not an error;
//   - records returned by Read are the caller's: changing them changes
//     nothing stored, and neither does changing a record after Write.
//
// Liveness-based takeover of a stale lock is backend specific and is
// tested with the backend that does it.
package statetest

import (
	"maps"
	"slices"
	"testing"

	"github.com/srplan/srplan/state"
)

// Backend is what the suite drives: a state.Store that is also a
// state.Locker.
type Backend interface {
	state.Store
	state.Locker
}

// Run runs the suite as subtests of t. newBackend returns a new, empty
// backend for each subtest and arranges its Close with t.Cleanup.
func Run(t *testing.T, newBackend func(t *testing.T) Backend) {
	t.Helper()
	tests := map[string]func(t *testing.T, b Backend){
		"EmptyRead":                 testEmptyRead,
		"PutAndRead":                testPutAndRead,
		"PartitionNotFound":         testPartitionNotFound,
		"Overwrite":                 testOverwrite,
		"Delete":                    testDelete,
		"InvalidBatchWritesNothing": testInvalidBatch,
		"SerialPerWrite":            testSerialPerWrite,
		"EmptyBatch":                testEmptyBatch,
		"RoundTripEveryField":       testRoundTrip,
		"CallerOwnsRecords":         testCallerOwnsRecords,
		"ConcurrentWriters":         testConcurrentWriters,
		"LargeBatch":                testLargeBatch,
		"LockHeld":                  testLockHeld,
		"UnlockWrongID":             testUnlockWrongID,
		"UnlockThenLock":            testUnlockThenLock,
		"UnlockNotLocked":           testUnlockNotLocked,
		"LockFillsCreated":          testLockFillsCreated,
	}
	for _, name := range slices.Sorted(maps.Keys(tests)) {
		t.Run(name, func(t *testing.T) {
			tests[name](t, newBackend(t))
		})
	}
}
