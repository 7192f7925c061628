package state

import (
	"context"
	"fmt"
	"time"
)

// ClaimInfo describes the holder of a partition claim.
type ClaimInfo struct {
	// Holder identifies the worker (unique per process run, e.g. the
	// worker's lock-style ID "host/pid/random").
	Holder string `json:"holder"`
	// Host and PID of the holding process, for messages.
	Host string `json:"host"`
	PID  int    `json:"pid"`
	// Role is the holder's apply role ("exporter", "loader", "all").
	Role string `json:"role"`
	// Expires is when the claim lapses unless the holder renews it.
	Expires time.Time `json:"expires"`
}

// String describes the claim for messages.
func (c *ClaimInfo) String() string {
	return fmt.Sprintf("%s (%s, pid %d on %s) until %s", c.Holder, c.Role, c.PID, c.Host, c.Expires.UTC().Format(time.RFC3339))
}

// Claimer hands out leased, exclusive claims on partitions so that several
// apply workers sharing one state never work on the same partition at
// once. A claim is advisory to the state records: it does not change them.
type Claimer interface {
	// Claim takes key for info.Holder until info.Expires. It returns
	// (true, nil, nil) when the claim was taken, or renewed because
	// info.Holder already held it; (false, current, nil) when another
	// holder's unexpired claim exists; an expired claim of another holder
	// is taken over. Taking is atomic (a conditional write): of two
	// concurrent Claims for one key, at most one succeeds.
	Claim(ctx context.Context, key PartitionKey, info ClaimInfo) (ok bool, current *ClaimInfo, err error)
	// Release drops holder's claim on key. Releasing a claim that holder
	// does not hold (expired and taken over, or never taken) is a no-op.
	Release(ctx context.Context, key PartitionKey, holder string) error
}

// CheckClaim reports why (key, info) cannot be claimed: an invalid key or
// an empty Holder. Claimers call it before claiming.
func CheckClaim(key PartitionKey, info ClaimInfo) error {
	if err := checkPartitionKey(key); err != nil {
		return fmt.Errorf("state: claim: %w", err)
	}
	if info.Holder == "" {
		return fmt.Errorf("state: claim %s/%s: empty holder", key.Table, key.Partition)
	}
	return nil
}
