package views

import (
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"

	"github.com/srplan/srplan/executor"
	"github.com/srplan/srplan/state"
)

// ProgressLines renders apply events as timestamped lines, for logs and
// non-terminal output.
type ProgressLines struct {
	W  io.Writer
	mu sync.Mutex
}

// Event implements executor.Observer.
func (v *ProgressLines) Event(e executor.Event) {
	line := Describe(e)
	if line == "" {
		return
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	fmt.Fprintf(v.W, "%s %s\n", stamp(e), line)
}

func stamp(e executor.Event) string {
	return eventTime(e).UTC().Format("2006-01-02T15:04:05Z")
}

func eventTime(e executor.Event) time.Time {
	v := reflect.ValueOf(e)
	return v.FieldByName("At").Interface().(executor.At).Time
}

// Describe is the one-line human text of an event ("" = not shown).
func Describe(e executor.Event) string {
	switch e := e.(type) {
	case executor.Started:
		return fmt.Sprintf("apply: %s to copy (%s, %s rows)", Plural(e.Partitions, "partition", "partitions"), Bytes(e.Bytes), Count(e.Rows))
	case executor.TableCreated:
		return fmt.Sprintf("created table %s", e.Table)
	case executor.StageStarted:
		return fmt.Sprintf("%s: %s", e.Addr, e.Stage)
	case executor.StageDone:
		return fmt.Sprintf("%s: %s done in %s", e.Addr, stageNoun(e.Stage), e.Duration.Round(time.Millisecond))
	case executor.Retrying:
		return fmt.Sprintf("%s: %s failed (attempt %d), retrying in %s: %s", e.Addr, stageNoun(e.Stage), e.Attempt, e.In.Round(time.Second), e.Err)
	case executor.PartitionDone:
		return fmt.Sprintf("%s: done (%s rows, %s)", e.Addr, Count(e.Rows), Bytes(e.Bytes))
	case executor.PartitionFailed:
		return fmt.Sprintf("%s: FAILED at %s: %s", e.Addr, e.Stage, e.Err)
	case executor.Throttled:
		name := e.Throttle
		if name == "" {
			name = "default"
		}
		window := "defaults"
		if e.Limits.Window != "" {
			window = "window " + e.Limits.Window
		}
		s := fmt.Sprintf("throttle %s: exports %d, loads %d (%s)", name, e.Limits.Exports, e.Limits.Loads, window)
		if e.Reason != "" {
			s += "; holding new work: " + e.Reason
		}
		return s
	case executor.OrderChanged:
		name := e.Throttle
		if name == "" {
			name = "default"
		}
		return fmt.Sprintf("throttle %s: loads take %s/s (%d at a time), exports deliver %s/s (%d at a time): the exports not started yet start largest first",
			name, Bytes(int64(e.LoadBytesPerSec)*int64(e.LoadSlots)), e.LoadSlots, Bytes(int64(e.ExportBytesPerSec)*int64(e.ExportSlots)), e.ExportSlots)
	case executor.Copied:
		return fmt.Sprintf("%s: copied %d files (%s; %s already there) from %s to %s", e.Addr, e.Files, Bytes(e.CopiedBytes), Bytes(e.SkippedBytes), e.From, e.To)
	case executor.HandedOff:
		return fmt.Sprintf("%s: %s, handed over to the loaders", e.Addr, e.Stage)
	case executor.Skipped:
		return fmt.Sprintf("%s: skipped: %s", e.Addr, e.Reason)
	case executor.Notified:
		if e.Addr.Partition == "" {
			return fmt.Sprintf("queue: message %s about %s: %s", e.MessageID, e.Key, e.Outcome)
		}
		s := fmt.Sprintf("%s: notified by message %s: %s", e.Addr, e.MessageID, e.Outcome)
		if e.Kept {
			s += " (kept for redelivery)"
		}
		return s
	case executor.QueueMessage:
		return fmt.Sprintf("queue: message %s %s: %s", e.MessageID, e.Kind, e.Err)
	case executor.QueueCalls:
		ops := make([]string, 0, len(e.Calls))
		for op, n := range e.Calls {
			ops = append(ops, fmt.Sprintf("%s %d", op, n))
		}
		sort.Strings(ops)
		return fmt.Sprintf("queue of storage %s: SQS calls: %s", e.Storage, strings.Join(ops, ", "))
	case executor.Finished:
		s := fmt.Sprintf("apply finished: %d done, %d failed, %d not started", e.Done, e.Failed, e.Skipped)
		if e.Interrupted {
			s += " (interrupted: run apply again to resume)"
		}
		return s
	}
	return ""
}

func stageNoun(s state.Stage) string {
	switch s {
	case state.StageExporting:
		return "export"
	case state.StageCopied:
		return "copy"
	case state.StageLoading:
		return "load"
	case state.StageVerifying:
		return "verification"
	}
	return string(s)
}

// ProgressJSON writes one JSON object per event (JSON lines): {"time",
// "type", ...fields}.
type ProgressJSON struct {
	W  io.Writer
	mu sync.Mutex
}

// Event implements executor.Observer.
func (v *ProgressJSON) Event(e executor.Event) {
	doc := map[string]any{"time": eventTime(e).UTC(), "type": snake(reflect.TypeOf(e).Name())}
	rv := reflect.ValueOf(e)
	for i := range rv.NumField() {
		f := rv.Type().Field(i)
		if f.Name == "At" {
			continue
		}
		val := rv.Field(i).Interface()
		if d, ok := val.(time.Duration); ok {
			val = d.Seconds()
		}
		doc[snake(f.Name)] = val
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	v.W.Write(append(b, '\n'))
}

func snake(s string) string {
	var b strings.Builder
	rs := []rune(s)
	for i, r := range rs {
		if r >= 'A' && r <= 'Z' {
			// A capital starts a word unless it continues an initialism
			// ("MessageID" -> message_id, "SQSQueue" -> sqs_queue).
			prevUpper := i > 0 && rs[i-1] >= 'A' && rs[i-1] <= 'Z'
			nextLower := i+1 < len(rs) && rs[i+1] >= 'a' && rs[i+1] <= 'z'
			if i > 0 && (!prevUpper || nextLower) {
				b.WriteByte('_')
			}
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// ProgressBars renders apply progress as bars on a terminal: one per
// stage with counts, plus data volume with rate and ETA; holds and
// failures are printed above the bars.
type ProgressBars struct {
	p                    *mpb.Progress
	export, load, verify *mpb.Bar
	data                 *mpb.Bar
	mu                   sync.Mutex
	rows                 atomic.Int64
	start                atomic.Int64 // unix nanoseconds
	hold                 string
}

// NewProgressBars starts the bars on w; call Close when the run ends.
func NewProgressBars(w io.Writer) *ProgressBars {
	return &ProgressBars{p: mpb.New(mpb.WithOutput(w), mpb.WithAutoRefresh(), mpb.WithWidth(40), mpb.WithRefreshRate(200*time.Millisecond))}
}

func (v *ProgressBars) bar(name string, total int64) *mpb.Bar {
	return v.p.AddBar(total,
		mpb.PrependDecorators(decor.Name(name, decor.WC{C: decor.DindentRight | decor.DextraSpace, W: 8}), decor.CountersNoUnit("%d/%d", decor.WCSyncWidth)),
		mpb.AppendDecorators(decor.Percentage(decor.WCSyncSpace)))
}

// Event implements executor.Observer.
func (v *ProgressBars) Event(e executor.Event) {
	v.mu.Lock()
	defer v.mu.Unlock()
	switch e := e.(type) {
	case executor.Started:
		v.start.Store(e.Time.UnixNano())
		v.export = v.bar("export", int64(e.Partitions))
		v.load = v.bar("load", int64(e.Partitions))
		v.verify = v.bar("verify", int64(e.Partitions))
		v.data = v.p.AddBar(max(e.Bytes, 1),
			mpb.PrependDecorators(decor.Name("data", decor.WC{C: decor.DindentRight | decor.DextraSpace, W: 8}),
				decor.Counters(decor.SizeB1024(0), "% .1f / % .1f", decor.WCSyncWidth)),
			mpb.AppendDecorators(decor.AverageSpeed(decor.SizeB1024(0), "% .1f", decor.WCSyncSpace),
				decor.Any(v.rowsPerSecond, decor.WCSyncSpace),
				decor.OnComplete(decor.AverageETA(decor.ET_STYLE_GO, decor.WCSyncSpace), "done")))
	case executor.StageDone:
		switch e.Stage {
		case state.StageExporting:
			v.incr(v.export)
		case state.StageLoading:
			v.incr(v.load)
		case state.StageVerifying:
			v.incr(v.verify)
			if v.data != nil {
				v.data.IncrInt64(e.Bytes)
			}
			v.rows.Add(e.Rows)
		}
	case executor.PartitionFailed, executor.Retrying, executor.TableCreated, executor.QueueMessage, executor.Skipped, executor.OrderChanged:
		fmt.Fprintf(v.p, "%s %s\n", stamp(e), Describe(e))
	case executor.Throttled:
		if e.Reason != v.hold || e.Reason == "" {
			fmt.Fprintf(v.p, "%s %s\n", stamp(e), Describe(e))
		}
		v.hold = e.Reason
	}
}

func (v *ProgressBars) incr(b *mpb.Bar) {
	if b != nil {
		b.Increment()
	}
}

func (v *ProgressBars) rowsPerSecond(decor.Statistics) string {
	start := v.start.Load()
	el := time.Since(time.Unix(0, start)).Seconds()
	if start == 0 || el <= 0 {
		return ""
	}
	return Count(int64(float64(v.rows.Load())/el)) + " rows/s"
}

// Close completes and removes the bars' refresh loop.
func (v *ProgressBars) Close() {
	v.mu.Lock()
	for _, b := range []*mpb.Bar{v.export, v.load, v.verify, v.data} {
		if b != nil && !b.Completed() {
			b.Abort(false)
		}
	}
	v.mu.Unlock()
	v.p.Wait()
}
