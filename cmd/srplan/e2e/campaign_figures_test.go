package e2e

import (
	"bytes"
	"encoding/json"
	"os"
	"sync"
	"testing"
	"time"
)

// Environment of the reliability campaigns (see RELIABILITY.md).
const (
	// envLong set to 1 (scripts/test.sh --long) runs the long form of
	// every campaign.
	envLong = "SRPLAN_TEST_LONG"
	// envCampaignSeed replays a campaign: its value is the seed a failed
	// run printed.
	envCampaignSeed = "SRPLAN_CAMPAIGN_SEED"
	// envReliabilityOut names a file the campaigns append their figures
	// to, one JSON object a line.
	envReliabilityOut = "SRPLAN_RELIABILITY_OUT"
)

// longCampaigns reports whether the long form of the campaigns runs.
func longCampaigns() bool { return os.Getenv(envLong) == "1" }

// comparison is what one end-of-round check compared: rows and
// partitions of the source, rows the target lacks and rows it has too
// many of (by partition), and duplicated keys of DUPLICATE KEY tables.
type comparison struct {
	Rows          int64 `json:"rows_compared"`
	Partitions    int   `json:"partitions_compared"`
	Lost          int64 `json:"lost_rows"`
	Duplicated    int64 `json:"duplicated_rows"`
	DuplicateKeys int   `json:"duplicate_keys"`
}

func (c *comparison) add(o comparison) {
	c.Rows += o.Rows
	c.Partitions += o.Partitions
	c.Lost += o.Lost
	c.Duplicated += o.Duplicated
	c.DuplicateKeys += o.DuplicateKeys
}

// compareData counts, for every sample table, the source rows compared,
// the rows missing on the target and the extra rows there (per partition),
// and the duplicated keys on the target. It does not fail t: the
// assertions are assertSameData's; these are the figures.
func compareData(t testing.TB, src, dst *cluster) comparison {
	t.Helper()
	var c comparison
	for _, tb := range allTables {
		want, got := digests(t, src, tb), digests(t, dst, tb)
		for p, w := range want {
			c.Rows += w.Rows
			c.Partitions++
			g := got[p]
			if g.Rows < w.Rows {
				c.Lost += w.Rows - g.Rows
			} else {
				c.Duplicated += g.Rows - w.Rows
			}
		}
		for p, g := range got {
			if _, ok := want[p]; !ok {
				c.Duplicated += g.Rows
			}
		}
		if tb.key != nil {
			c.DuplicateKeys += len(duplicateKeys(t, dst, tb))
		}
	}
	return c
}

// figuresMu serialises appends to the figures file within this process.
var figuresMu sync.Mutex

// recordFigures logs v (one campaign's figures) and, when
// SRPLAN_RELIABILITY_OUT names a file, appends it there as one JSON line
// stamped with the time.
func recordFigures(t testing.TB, v any) {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Errorf("encode figures: %v", err)
		return
	}
	t.Logf("figures: %s", b)
	path := os.Getenv(envReliabilityOut)
	if path == "" {
		return
	}
	var line map[string]any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber() // seeds are uint64
	if err := dec.Decode(&line); err != nil {
		t.Errorf("encode figures: %v", err)
		return
	}
	line["time"] = time.Now().UTC().Format(time.RFC3339)
	line["test"] = t.Name()
	if b, err = json.Marshal(line); err != nil {
		t.Errorf("encode figures: %v", err)
		return
	}
	figuresMu.Lock()
	defer figuresMu.Unlock()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		t.Errorf("%s: %v", envReliabilityOut, err)
		return
	}
	defer f.Close()
	if _, err := f.Write(append(b, '\n')); err != nil {
		t.Errorf("%s: %v", envReliabilityOut, err)
	}
}
