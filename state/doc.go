// Package state records what srplan did, so that the next plan moves only
// what is new or changed and an interrupted apply resumes without copying
// a row twice.
//
// The records are a TableRecord per migrated table and a PartitionRecord per
// partition (its source fingerprint, pipeline stage, labels, manifest and
// verification results), plus Meta: the format version, a lineage fixed at
// creation and a serial that grows by one with every committed Write. Saved
// plans carry lineage and serial, and apply refuses a plan whose state has
// moved on.
//
// Interfaces, kept small so each caller asks for what it uses:
//   - Reader (Read a consistent Snapshot, or one Partition) and Writer
//     (Write a Batch atomically), together with Close a Store;
//   - Locker (Lock, Unlock): one holder at a time, described by LockInfo; a
//     held lock is a *LockError naming its holder, whose ID force-unlock
//     passes to Unlock. LockWithContext retries until a timeout.
//
// Backends:
//   - Bolt, a bbolt file (OpenBolt): the default and the only local one.
//     Its file layout, format upgrades and its two locks are described in
//     bolt.go and bolt_upgrade.go. A file from a newer srplan, or one that
//     is not a state file, is refused with *UnusableError.
//   - Mem (NewMem), in memory, for tests of the code around state.
//   - The DynamoDB backend, for several apply workers sharing progress,
//     implements the same interfaces.
//
// Package statetest holds the conformance suite every backend passes:
// statetest.Run(t, newBackend).
//
// Siblings: lang decodes the spec; planner turns the spec, a Snapshot and
// the observed catalogs into a plan; executor runs the plan and Writes
// each step's outcome here before the next starts; providers talk to
// StarRocks, object storage, queues and DynamoDB; cmd/srplan wires them
// together, takes the lock around apply and offers `srplan state show`,
// `state list`, `state rm` and `force-unlock`.
package state
