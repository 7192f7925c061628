package starrocks

import (
	"math/rand"
	"strings"
	"sync"
	"time"
)

// Fault kinds accepted by Controls.FailNext.
const (
	KindExport  = "EXPORT"
	KindLoad    = "LOAD"
	KindInsert  = "INSERT"
	KindBackup  = "BACKUP"
	KindRestore = "RESTORE"
	KindQuery   = "QUERY"
)

// JobModel is the duration model of asynchronous jobs (EXPORT, LOAD,
// BACKUP, RESTORE): a job moving b bytes runs for
// b / ThroughputBytesPerSec seconds, multiplied by TimeScale.
type JobModel struct {
	// ThroughputBytesPerSec is the simulated data rate; <= 0 means instant.
	ThroughputBytesPerSec float64
	// TimeScale multiplies simulated durations: 1 is real time, 0.01 runs
	// a hundred times faster, 0 makes jobs instant.
	TimeScale float64
}

// Duration is the wall-clock duration of a job moving bytes.
func (m JobModel) Duration(bytes int64) time.Duration {
	if m.ThroughputBytesPerSec <= 0 || m.TimeScale <= 0 || bytes <= 0 {
		return 0
	}
	secs := float64(bytes) / m.ThroughputBytesPerSec * m.TimeScale
	return time.Duration(secs * float64(time.Second))
}

// defaultJobModel moves 100 MiB/s in real time.
var defaultJobModel = JobModel{ThroughputBytesPerSec: 100 << 20, TimeScale: 1}

// Controls are the fault-injection and test controls of a cluster. All
// methods are safe for concurrent use.
type Controls struct {
	mu          sync.Mutex
	failures    map[string][]string // kind -> queued error texts
	cancelRate  float64
	rng         *rand.Rand
	cpuPct      float64
	memPct      float64
	jobs        JobModel
	closeConns  func()
	purgeLabels func() int
}

func newControls() *Controls {
	return &Controls{failures: map[string][]string{}, rng: rand.New(rand.NewSource(1)), jobs: defaultJobModel}
}

// FailNext makes the next n statements or jobs of a kind (KindExport,
// KindLoad, KindInsert, KindBackup, KindRestore, KindQuery) fail with
// errText. Statements (INSERT, queries) fail with errText as their error;
// asynchronous jobs (EXPORT, Broker Load, BACKUP, RESTORE) are accepted
// and end CANCELLED with errText in their error message. Calls queue up;
// n <= 0 clears the queue of that kind.
func (c *Controls) FailNext(kind string, n int, errText string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	kind = strings.ToUpper(kind)
	if n <= 0 {
		delete(c.failures, kind)
		return
	}
	for i := 0; i < n; i++ {
		c.failures[kind] = append(c.failures[kind], errText)
	}
}

// takeFailure consumes one queued failure of a kind.
func (c *Controls) takeFailure(kind string) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	q := c.failures[kind]
	if len(q) == 0 {
		return "", false
	}
	c.failures[kind] = q[1:]
	return q[0], true
}

// SetCancelRate sets the probability in [0, 1] that an asynchronous job is
// cancelled by the cluster, drawn from a generator seeded with seed.
func (c *Controls) SetCancelRate(rate float64, seed int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.cancelRate = min(max(rate, 0), 1)
	c.rng = rand.New(rand.NewSource(seed))
}

// drawCancel reports whether the next job should be cancelled.
func (c *Controls) drawCancel() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cancelRate <= 0 {
		return false
	}
	return c.rng.Float64() < c.cancelRate
}

// CloseConnections drops every client connection now.
func (c *Controls) CloseConnections() {
	c.mu.Lock()
	f := c.closeConns
	c.mu.Unlock()
	if f != nil {
		f()
	}
}

// PurgeLabels removes, now, the finished and cancelled load labels (and
// their SHOW LOAD rows) that are older than the label keep time
// (Options.LabelKeep) or beyond the newest Options.LabelKeepMaxNum, as
// StarRocks' label cleaner does every label_clean_interval_second. It
// returns how many labels were removed.
func (c *Controls) PurgeLabels() int {
	c.mu.Lock()
	f := c.purgeLabels
	c.mu.Unlock()
	if f == nil {
		return 0
	}
	return f()
}

// SetNodeLoad sets the CPU and memory use, in percent, that SHOW BACKENDS
// and SHOW COMPUTE NODES report for every node.
func (c *Controls) SetNodeLoad(cpuPct, memPct float64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.cpuPct, c.memPct = cpuPct, memPct
}

func (c *Controls) nodeLoad() (float64, float64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cpuPct, c.memPct
}

// SetJobModel sets the job duration model.
func (c *Controls) SetJobModel(m JobModel) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.jobs = m
}

// SetTimeScale changes only the time scale of the job model.
func (c *Controls) SetTimeScale(scale float64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.jobs.TimeScale = scale
}

// JobModel returns the current job duration model.
func (c *Controls) JobModel() JobModel {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.jobs
}
