package executor

import (
	"time"

	"github.com/srplan/srplan/planner"
	"github.com/srplan/srplan/state"
)

// Observer receives the executor's events. Event is called from many
// goroutines; implementations must be safe for concurrent use and return
// quickly (views print; they never block the pipeline for long).
type Observer interface {
	Event(Event)
}

// ObserverFunc adapts a function to Observer.
type ObserverFunc func(Event)

// Event implements Observer.
func (f ObserverFunc) Event(e Event) { f(e) }

// Event is one of the event types below.
type Event interface{ eventTime() time.Time }

// At stamps every event.
type At struct{ Time time.Time }

func (a At) eventTime() time.Time { return a.Time }

// Started is emitted once, before any work.
type Started struct {
	At
	Partitions int
	Rows       int64
	Bytes      int64
}

// OrderChanged reports that the exports of a throttle that have not
// started yet now start largest first: its loads, measured, can take more
// than its exports deliver (bytes per second per job, times the slots).
type OrderChanged struct {
	At
	Throttle                           string
	ExportBytesPerSec, LoadBytesPerSec float64
	ExportSlots, LoadSlots             int
}

// TableCreated reports a target table created from the plan's DDL.
type TableCreated struct {
	At
	Table planner.TableAddr
}

// StageStarted reports that a partition entered a stage (its job is
// being submitted).
type StageStarted struct {
	At
	Addr  planner.PartitionAddr
	Stage state.Stage
}

// StageDone reports that a partition finished a stage.
type StageDone struct {
	At
	Addr     planner.PartitionAddr
	Stage    state.Stage
	Duration time.Duration
	Rows     int64
	Bytes    int64
}

// Retrying reports a retryable failure and when the stage runs again.
type Retrying struct {
	At
	Addr    planner.PartitionAddr
	Stage   state.Stage
	Attempt int
	Err     string
	In      time.Duration
}

// PartitionDone reports a partition copied and verified.
type PartitionDone struct {
	At
	Addr  planner.PartitionAddr
	Rows  int64
	Bytes int64
}

// PartitionFailed reports a partition that stopped with an error; the
// message says what to do. The next plan shows it again.
type PartitionFailed struct {
	At
	Addr  planner.PartitionAddr
	Stage state.Stage
	Err   string
}

// Throttled reports a change of the effective limits or of a hold: Reason
// is "" when work may start again.
type Throttled struct {
	At
	Throttle string
	Limits   Limits
	Reason   string
}

// Finished is emitted once, last.
type Finished struct {
	At
	Done, Failed, Skipped int
	Interrupted           bool
}

// Copied reports a partition's export directory copied from its export
// storage to its load storage (the copy step of load_via). CopiedBytes
// were transferred now; SkippedBytes were already there from an earlier,
// interrupted run.
type Copied struct {
	At
	Addr         planner.PartitionAddr
	From, To     string
	Files        int
	Bytes        int64
	CopiedBytes  int64
	SkippedBytes int64
}

// HandedOff reports a partition an exporter finished: it is recorded at
// Stage (exported or copied) and a loader loads it.
type HandedOff struct {
	At
	Addr  planner.PartitionAddr
	Stage state.Stage
}

// Skipped reports a partition this worker leaves alone because another
// worker holds its claim (Holder describes it) or already finished it.
type Skipped struct {
	At
	Addr   planner.PartitionAddr
	Reason string
}

// Notified reports what a loader made of one queue notification for a
// partition: Outcome is one of the Outcome* constants. Kept is true when
// the message stays in the queue for redelivery.
type Notified struct {
	At
	MessageID string
	Key       string
	Addr      planner.PartitionAddr
	Outcome   string
	Kept      bool
}

// Notification outcomes (Notified.Outcome).
const (
	OutcomeLoaded      = "loaded"
	OutcomeFailed      = "failed"
	OutcomeDone        = "already done"
	OutcomeNotExported = "export not recorded yet"
	OutcomeWaiting     = "waiting for files"
	OutcomeClaimed     = "claimed by another worker"
	OutcomeForeign     = "not a partition of this plan"
)

// QueueMessage reports a queue message that was not a usable notification
// or could not be settled: Kind is what happened ("dead-lettered",
// "set-aside", "delete-failed", ...), Err why. It never holds the body.
type QueueMessage struct {
	At
	Queue     string
	MessageID string
	Kind      string
	Err       string
}

// QueueCalls reports, at the end of an apply, the SQS API calls made on
// the events queue of one load storage, by operation (ReceiveMessage,
// DeleteMessage, ChangeMessageVisibility, SendMessage).
type QueueCalls struct {
	At
	Storage string
	Queue   string
	Calls   map[string]int64
}
