package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"github.com/srplan/srplan/cmd/srplan/views"
	"github.com/srplan/srplan/executor"
	"github.com/srplan/srplan/state"
)

// liveFile is the progress snapshot an apply keeps next to its state
// (<state>.progress.json, mode 0600), so that `srplan status` can show a
// running apply: the apply holds the state file open and locked.
type liveFile struct {
	PID      int            `json:"pid"`
	Host     string         `json:"host"`
	Started  time.Time      `json:"started"`
	Updated  time.Time      `json:"updated"`
	Finished bool           `json:"finished"`
	Total    int            `json:"total"`
	Done     int            `json:"done"`
	Failed   int            `json:"failed"`
	Running  []liveRunning  `json:"running"`
	Hold     string         `json:"hold,omitempty"`
	Limits   string         `json:"limits,omitempty"`
	Failures []liveFailure  `json:"failures,omitempty"`
	byAddr   map[string]int // index into Running; not serialised
}

type liveRunning struct {
	Addr  string      `json:"addr"`
	Stage state.Stage `json:"stage"`
	Since time.Time   `json:"since"`
}

type liveFailure struct {
	Addr  string `json:"addr"`
	Stage string `json:"stage"`
	Error string `json:"error"`
}

func livePath(statePath string) string { return statePath + ".progress.json" }

// liveWriter observes an apply and rewrites the progress file at most
// once a second (and at the end).
type liveWriter struct {
	mu      sync.Mutex
	path    string
	f       liveFile
	last    time.Time
	running map[string]liveRunning
}

func newLiveWriter(statePath string) *liveWriter {
	host, _ := os.Hostname()
	return &liveWriter{path: livePath(statePath), running: map[string]liveRunning{},
		f: liveFile{PID: os.Getpid(), Host: host, Started: time.Now().UTC()}}
}

// Event implements executor.Observer.
func (w *liveWriter) Event(e executor.Event) {
	w.mu.Lock()
	defer w.mu.Unlock()
	switch e := e.(type) {
	case executor.Started:
		w.f.Total = e.Partitions
	case executor.StageStarted:
		w.running[e.Addr.String()] = liveRunning{Addr: e.Addr.String(), Stage: e.Stage, Since: e.Time.UTC()}
	case executor.PartitionDone:
		delete(w.running, e.Addr.String())
		w.f.Done++
	case executor.PartitionFailed:
		delete(w.running, e.Addr.String())
		w.f.Failed++
		w.f.Failures = append(w.f.Failures, liveFailure{Addr: e.Addr.String(), Stage: string(e.Stage), Error: e.Err})
		if len(w.f.Failures) > 50 {
			w.f.Failures = w.f.Failures[len(w.f.Failures)-50:]
		}
	case executor.Throttled:
		w.f.Hold = e.Reason
		w.f.Limits = views.Describe(e)
	case executor.Finished:
		w.f.Finished = true
		w.flushLocked()
		return
	}
	if time.Since(w.last) >= time.Second {
		w.flushLocked()
	}
}

func (w *liveWriter) flushLocked() {
	w.last = time.Now()
	w.f.Updated = w.last.UTC()
	w.f.Running = w.f.Running[:0]
	for _, r := range w.running {
		w.f.Running = append(w.f.Running, r)
	}
	sort.Slice(w.f.Running, func(i, j int) bool { return w.f.Running[i].Addr < w.f.Running[j].Addr })
	b, err := json.MarshalIndent(w.f, "", "  ")
	if err != nil {
		return
	}
	tmp, err := os.CreateTemp(filepath.Dir(w.path), ".srplan-progress-*")
	if err != nil {
		return
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return
	}
	if tmp.Close() != nil {
		return
	}
	_ = os.Rename(tmp.Name(), w.path) // best effort: progress is informational
}

// readLive reads the progress file of the state at statePath.
func readLive(statePath string) (*liveFile, error) {
	b, err := os.ReadFile(livePath(statePath))
	if err != nil {
		return nil, err
	}
	var f liveFile
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, err
	}
	return &f, nil
}

// multiObserver fans events out.
type multiObserver []executor.Observer

func (m multiObserver) Event(e executor.Event) {
	for _, o := range m {
		o.Event(e)
	}
}
