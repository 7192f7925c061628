package planner

import (
	"time"

	"github.com/srplan/srplan/lang"
	"github.com/srplan/srplan/state"
)

// Input is everything Compute reads. The planner never mutates it.
type Input struct {
	// Config is the decoded spec.
	Config *lang.Config
	// Prior is the recorded state; nil means an empty state.
	Prior *state.Snapshot
	// Sources and Targets are the observed catalogs by spec block name. A
	// cluster that the spec names but that is missing here is an error.
	Sources map[string]*Catalog
	Targets map[string]*Catalog
	// Only restricts the plan to these addresses (-target); empty = all.
	Only []Addr
	// Replace forces a recopy of these addresses (-replace).
	Replace []Addr
	// Verbose keeps no-op partitions in TableChange.Partitions.
	Verbose bool
	// Now stamps the plan.
	Now time.Time
	// SrplanVersion stamps the plan.
	SrplanVersion string
}
