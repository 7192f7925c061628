package views_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/srplan/srplan/cmd/srplan/views"
	"github.com/srplan/srplan/executor"
	"github.com/srplan/srplan/planner"
	"github.com/srplan/srplan/state"
)

var (
	t0   = time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	addr = planner.PartitionAddr{Table: planner.TableAddr{DB: "sales", Table: "orders"}, Partition: "p1"}
)

func events() []executor.Event {
	at := executor.At{Time: t0}
	return []executor.Event{
		executor.Started{At: at, Partitions: 1, Rows: 1000, Bytes: 64 << 10},
		executor.Throttled{At: at, Throttle: "default", Limits: executor.Limits{Exports: 4, Loads: 4, Window: "night"}, Reason: "target node n1 CPU 95.0% > target_max_cpu_pct 70"},
		executor.StageStarted{At: at, Addr: addr, Stage: state.StageExporting},
		executor.Retrying{At: at, Addr: addr, Stage: state.StageLoading, Attempt: 1, Err: "timeout", In: 2 * time.Second},
		executor.StageDone{At: at, Addr: addr, Stage: state.StageVerifying, Duration: 1500 * time.Millisecond, Rows: 1000, Bytes: 64 << 10},
		executor.PartitionDone{At: at, Addr: addr, Rows: 1000, Bytes: 64 << 10},
		executor.OrderChanged{At: at, ExportBytesPerSec: 60 << 20, LoadBytesPerSec: 100 << 20, ExportSlots: 4, LoadSlots: 4},
		executor.Finished{At: at, Done: 1},
	}
}

func TestProgressLines(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	v := &views.ProgressLines{W: &buf}
	for _, e := range events() {
		v.Event(e)
	}
	want := `2026-11-21T12:00:00Z apply: 1 partition to copy (64.0 KiB, 1,000 rows)
2026-11-21T12:00:00Z throttle default: exports 4, loads 4 (window night); holding new work: target node n1 CPU 95.0% > target_max_cpu_pct 70
2026-11-21T12:00:00Z sales.orders/p1: exporting
2026-11-21T12:00:00Z sales.orders/p1: load failed (attempt 1), retrying in 2s: timeout
2026-11-21T12:00:00Z sales.orders/p1: verification done in 1.5s
2026-11-21T12:00:00Z sales.orders/p1: done (1,000 rows, 64.0 KiB)
2026-11-21T12:00:00Z throttle default: loads take 400.0 MiB/s (4 at a time), exports deliver 240.0 MiB/s (4 at a time): the exports not started yet start largest first
2026-11-21T12:00:00Z apply finished: 1 done, 0 failed, 0 not started
`
	if buf.String() != want {
		t.Errorf("got\n%s\nwant\n%s", buf.String(), want)
	}
}

func TestProgressJSONIsOneObjectPerEvent(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	v := &views.ProgressJSON{W: &buf}
	for _, e := range events() {
		v.Event(e)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != len(events()) {
		t.Fatalf("%d lines for %d events", len(lines), len(events()))
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(lines[4]), &doc); err != nil {
		t.Fatal(err)
	}
	if doc["type"] != "stage_done" || doc["stage"] != "verifying" || doc["duration"] != 1.5 || doc["addr"] != "sales.orders/p1" {
		t.Errorf("stage_done event: %v", doc)
	}
}

func TestProgressBarsRender(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	v := views.NewProgressBars(&buf)
	for _, e := range events() {
		v.Event(e)
	}
	v.Close()
	out := buf.String()
	for _, want := range []string{"export", "load", "verify", "data", "holding new work: target node n1 CPU 95.0%", "retrying in 2s"} {
		if !strings.Contains(out, want) {
			t.Errorf("bars output lacks %q:\n%s", want, out)
		}
	}
}
