package statetest

import (
	"fmt"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/srplan/srplan/state"
)

// RunClaims runs the conformance suite of state.Claimer as subtests of t.
// newClaimer returns a new claimer with no claims for each subtest and
// arranges its Close with t.Cleanup.
//
// Behaviour pinned beyond the interface comments:
//   - of N concurrent Claims of one key by N holders exactly one succeeds,
//     and every loser is told that winner as the current holder;
//   - a held claim is reported with every ClaimInfo field as claimed
//     (Expires compared as an instant);
//   - a claim whose Expires has passed is taken over, and its old holder
//     can then neither renew nor release it;
//   - claims on different keys are independent.
//
// Expiry is exercised with claims made already expired, so the suite needs
// no clock of the backend's.
func RunClaims(t *testing.T, newClaimer func(t *testing.T) state.Claimer) {
	t.Helper()
	tests := map[string]func(t *testing.T, c state.Claimer){
		"ConcurrentClaimOneWinner": testClaimRace,
		"HeldClaimReported":        testClaimHeld,
		"RenewByHolder":            testClaimRenew,
		"TakeoverAfterExpiry":      testClaimTakeover,
		"ReleaseThenClaim":         testClaimRelease,
		"ReleaseNotHeldIsNoop":     testReleaseNotHeld,
		"KeysIndependent":          testClaimKeys,
		"InvalidClaim":             testClaimInvalid,
	}
	for _, name := range slices.Sorted(maps.Keys(tests)) {
		t.Run(name, func(t *testing.T) {
			tests[name](t, newClaimer(t))
		})
	}
}

var claimKey = state.PartitionKey{Table: "sales.orders", Partition: "p20250301"}

// claimant returns the ClaimInfo of holder name with a lease of ttl from
// now (negative: already expired).
func claimant(name string, ttl time.Duration) state.ClaimInfo {
	return state.ClaimInfo{
		Holder: name, Host: "host-" + name, PID: 4000 + len(name), Role: "loader",
		Expires: time.Now().Add(ttl).Round(time.Millisecond),
	}
}

// claim claims key for info and fails t unless the outcome is wantOK.
func claim(t *testing.T, c state.Claimer, key state.PartitionKey, info state.ClaimInfo, wantOK bool) *state.ClaimInfo {
	t.Helper()
	ok, cur, err := c.Claim(t.Context(), key, info)
	if err != nil {
		t.Fatalf("Claim(%v) by %s: %v", key, info.Holder, err)
	}
	if ok != wantOK {
		t.Fatalf("Claim(%v) by %s = %v (current %v), want %v", key, info.Holder, ok, cur, wantOK)
	}
	if ok && cur != nil {
		t.Errorf("Claim(%v) by %s succeeded but reported a current holder %v", key, info.Holder, cur)
	}
	if !ok && cur == nil {
		t.Fatalf("Claim(%v) by %s failed without naming the current holder", key, info.Holder)
	}
	return cur
}

func release(t *testing.T, c state.Claimer, key state.PartitionKey, holder string) {
	t.Helper()
	if err := c.Release(t.Context(), key, holder); err != nil {
		t.Fatalf("Release(%v) by %s: %v", key, holder, err)
	}
}

// heldBy fails t unless key is held by want: a probing claim fails and
// names want.
func heldBy(t *testing.T, c state.Claimer, key state.PartitionKey, want state.ClaimInfo) {
	t.Helper()
	cur := claim(t, c, key, claimant("probe", time.Minute), false)
	if diff := cmp.Diff(&want, cur); diff != "" {
		t.Errorf("current claim on %v (-want +got):\n%s", key, diff)
	}
}

func testClaimRace(t *testing.T, c state.Claimer) {
	const n = 8
	type result struct {
		holder string
		ok     bool
		cur    *state.ClaimInfo
		err    error
	}
	results := make([]result, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			info := claimant(fmt.Sprint("w", i), time.Minute)
			ok, cur, err := c.Claim(t.Context(), claimKey, info)
			results[i] = result{info.Holder, ok, cur, err}
		})
	}
	close(start)
	wg.Wait()
	var winners []string
	for _, r := range results {
		if r.err != nil {
			t.Fatalf("Claim by %s: %v", r.holder, r.err)
		}
		if r.ok {
			winners = append(winners, r.holder)
		}
	}
	if len(winners) != 1 {
		t.Fatalf("%d concurrent claims succeeded (%v), want exactly 1", len(winners), winners)
	}
	for _, r := range results {
		if !r.ok && (r.cur == nil || r.cur.Holder != winners[0]) {
			t.Errorf("loser %s was told current %v, want holder %s", r.holder, r.cur, winners[0])
		}
	}
}

func testClaimHeld(t *testing.T, c state.Claimer) {
	a := claimant("a", time.Minute)
	claim(t, c, claimKey, a, true)
	heldBy(t, c, claimKey, a)
}

func testClaimRenew(t *testing.T, c state.Claimer) {
	a := claimant("a", time.Minute)
	claim(t, c, claimKey, a, true)
	renewed := claimant("a", 2*time.Minute)
	claim(t, c, claimKey, renewed, true)
	heldBy(t, c, claimKey, renewed)
}

func testClaimTakeover(t *testing.T, c state.Claimer) {
	a := claimant("a", -time.Minute) // a holder that stopped renewing
	claim(t, c, claimKey, a, true)
	b := claimant("b", time.Minute)
	claim(t, c, claimKey, b, true)
	t.Run("old holder cannot renew", func(t *testing.T) {
		cur := claim(t, c, claimKey, claimant("a", time.Minute), false)
		if cur.Holder != "b" {
			t.Errorf("current holder %s, want b", cur.Holder)
		}
	})
	t.Run("old holder cannot release", func(t *testing.T) {
		release(t, c, claimKey, "a")
		heldBy(t, c, claimKey, b)
	})
}

func testClaimRelease(t *testing.T, c state.Claimer) {
	claim(t, c, claimKey, claimant("a", time.Minute), true)
	release(t, c, claimKey, "a")
	b := claimant("b", time.Minute)
	claim(t, c, claimKey, b, true)
	heldBy(t, c, claimKey, b)
}

func testReleaseNotHeld(t *testing.T, c state.Claimer) {
	t.Run("never claimed", func(t *testing.T) {
		release(t, c, state.PartitionKey{Table: "db.t", Partition: "never"}, "a")
	})
	t.Run("held by another", func(t *testing.T) {
		a := claimant("a", time.Minute)
		claim(t, c, claimKey, a, true)
		release(t, c, claimKey, "b")
		heldBy(t, c, claimKey, a)
	})
	t.Run("released twice", func(t *testing.T) {
		k := state.PartitionKey{Table: "db.t", Partition: "twice"}
		claim(t, c, k, claimant("a", time.Minute), true)
		release(t, c, k, "a")
		release(t, c, k, "a")
		claim(t, c, k, claimant("b", time.Minute), true)
	})
}

func testClaimKeys(t *testing.T, c state.Claimer) {
	keys := []state.PartitionKey{
		{Table: "db.t", Partition: "p1"},
		{Table: "db.t", Partition: "p2"},
		{Table: "db.t2", Partition: "p1"},
		{Table: "db.t", Partition: "p1x"},
	}
	infos := make([]state.ClaimInfo, len(keys))
	for i, k := range keys {
		infos[i] = claimant(fmt.Sprint("h", i), time.Minute)
		claim(t, c, k, infos[i], true)
	}
	release(t, c, keys[0], infos[0].Holder)
	for i, k := range keys[1:] {
		heldBy(t, c, k, infos[i+1])
	}
	claim(t, c, keys[0], claimant("other", time.Minute), true)
}

func testClaimInvalid(t *testing.T, c state.Claimer) {
	tests := map[string]struct {
		key  state.PartitionKey
		info state.ClaimInfo
	}{
		"empty holder":    {claimKey, state.ClaimInfo{Expires: time.Now().Add(time.Minute)}},
		"empty table":     {state.PartitionKey{Partition: "p1"}, claimant("a", time.Minute)},
		"empty partition": {state.PartitionKey{Table: "db.t"}, claimant("a", time.Minute)},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if ok, _, err := c.Claim(t.Context(), tc.key, tc.info); err == nil || ok {
				t.Errorf("Claim = %v, %v; want an error", ok, err)
			}
		})
	}
	if err := c.Release(t.Context(), claimKey, ""); err == nil {
		t.Error("Release with an empty holder succeeded, want an error")
	}
}
