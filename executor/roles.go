package executor

import (
	"fmt"
	"time"

	"github.com/srplan/srplan/state"
)

// Role is the part of the pipeline an apply worker runs (apply --role).
type Role string

// Roles. The zero value is RoleAll.
const (
	// RoleAll runs every stage. When a table's load storage has a
	// Notifier, the load half runs as an event-driven loader in the same
	// process; otherwise each partition is loaded right after its export.
	RoleAll Role = "all"
	// RoleExporter exports (and copies to the load storage) and stops
	// with the record at exported or copied: a loader loads it.
	RoleExporter Role = "exporter"
	// RoleLoader loads and verifies partitions whose shared state record
	// says the export (and copy) is done, once the manifest and every file
	// it lists are in the load storage.
	RoleLoader Role = "loader"
)

// ParseRole returns the Role named s ("" is RoleAll).
func ParseRole(s string) (Role, error) {
	switch r := Role(s); r {
	case "", RoleAll:
		return RoleAll, nil
	case RoleExporter, RoleLoader:
		return r, nil
	}
	return "", fmt.Errorf("unknown role %q: use all, exporter or loader", s)
}

// Defaults of the role settings in Config.
const (
	// DefaultClaimLease is how long a partition claim lasts unless renewed;
	// it is renewed every third of it while the worker is busy. It is no
	// longer than the state lock's default lease (30s), so that an apply
	// taking over a killed apply's lock finds that apply's claims lapsed
	// too, instead of skipping its partitions.
	DefaultClaimLease = 30 * time.Second
	// DefaultReconcileInterval is how often a loader re-reads state for
	// partitions that became ready without a notification reaching it.
	DefaultReconcileInterval = 30 * time.Second
	// DefaultCopyParallel is how many partitions of one throttle are
	// copied between storages at once.
	DefaultCopyParallel = 4
)

// eventDriven reports whether the load half runs as a loader fed by
// state and notifications rather than right after each export.
func (c *Config) eventDriven() bool {
	return c.Role == RoleLoader || c.Role == RoleAll && len(c.Notifiers) > 0
}

// workerInfo is the claim description of this worker with its lease from now.
func (r *run) workerInfo() state.ClaimInfo {
	info := r.cfg.Worker
	if info.Role == "" {
		info.Role = string(r.cfg.Role)
	}
	info.Expires = r.now().Add(r.cfg.ClaimLease)
	return info
}
