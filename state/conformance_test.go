package state_test

import (
	"path/filepath"
	"testing"

	"github.com/srplan/srplan/state"
	"github.com/srplan/srplan/state/statetest"
)

const testVersion = "0.1.0-test"

func TestMemConformance(t *testing.T) {
	t.Parallel()
	statetest.Run(t, func(t *testing.T) statetest.Backend {
		m := state.NewMem(testVersion)
		t.Cleanup(func() { _ = m.Close() })
		return m
	})
}

func TestBoltConformance(t *testing.T) {
	t.Parallel()
	statetest.Run(t, func(t *testing.T) statetest.Backend {
		return openBolt(t, filepath.Join(t.TempDir(), "state.db"), state.BoltOptions{Create: true})
	})
}

// openBolt opens path with opts (SrplanVersion defaults to testVersion)
// and closes it at the end of the test.
func openBolt(t *testing.T, path string, opts state.BoltOptions) *state.Bolt {
	t.Helper()
	if opts.SrplanVersion == "" {
		opts.SrplanVersion = testVersion
	}
	b, err := state.OpenBolt(path, opts)
	if err != nil {
		t.Fatalf("OpenBolt(%s): %v", path, err)
	}
	t.Cleanup(func() {
		if err := b.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return b
}

func TestMemClaims(t *testing.T) {
	t.Parallel()
	statetest.RunClaims(t, func(t *testing.T) state.Claimer {
		m := state.NewMem(testVersion)
		t.Cleanup(func() { _ = m.Close() })
		return m
	})
}
