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
