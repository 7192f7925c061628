package executor_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/srplan/srplan/executor"
	"github.com/srplan/srplan/planner"
	"github.com/srplan/srplan/providers/starrocks"
	"github.com/srplan/srplan/state"
)

// benchCluster is one side of the scheduler benchmark: its exports and
// loads last as long as the workload says and nothing else costs time.
//
// Watched, a job is submitted to a benchFE and waited for through a real
// starrocks.Watcher polling it, as providers/starrocks does (LabelState
// goes through the Watcher too), so the Watcher's query count is the
// figure srplan's provider would produce and a job's end is seen one poll
// late, as it would be. Exact (no FE), a job is a sleep of its duration:
// that isolates the scheduler.
type benchCluster struct {
	w     *schedWorkload
	fe    *benchFE
	db    *sql.DB
	watch *starrocks.Watcher

	mu      sync.Mutex
	labels  map[string]executor.LabelState // exact mode
	running int
	peak    int
	// wall is each partition's job time as run, from submission to the
	// end the caller saw (timer slack and poll lag included).
	wall []time.Duration
	jobs atomic.Int64
	// lagNS sums, over watched jobs, the time from a job's end to the
	// Watcher reporting it.
	lagNS atomic.Int64
}

// newBenchCluster returns an exact cluster, or a watched one polling with
// the provider's default intervals (1 s to 30 s, or -sched.maxpoll) at
// the workload's scale.
func newBenchCluster(w *schedWorkload, watched bool) *benchCluster {
	c := &benchCluster{w: w, labels: map[string]executor.LabelState{}, wall: make([]time.Duration, len(w.names))}
	if watched {
		c.fe = newBenchFE()
		c.db = c.fe.db()
		lo := time.Duration(float64(starrocks.MinPollInterval) * w.scale)
		hi := time.Duration(float64(*schedMaxPoll) * w.scale)
		c.watch = starrocks.NewWatcher(c.db, lo, hi)
	}
	return c
}

// close releases the pool.
func (c *benchCluster) close() {
	if c.db != nil {
		c.db.Close()
	}
}

// walls returns the job times as run, by partition.
func (c *benchCluster) walls() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.wall)
}

// queries returns the Watcher's status queries (0 when exact).
func (c *benchCluster) queries() int64 {
	if c.watch == nil {
		return 0
	}
	return c.watch.Queries()
}

// run runs partition i's job of kind and returns its id.
func (c *benchCluster) run(ctx context.Context, i int, kind starrocks.JobKind, db, label, path string) (string, error) {
	d := c.w.load[i]
	if kind == starrocks.ExportJob {
		d = c.w.export[i]
	}
	c.mu.Lock()
	c.running++
	c.peak = max(c.peak, c.running)
	c.mu.Unlock()
	start := time.Now()
	defer func() {
		c.jobs.Add(1)
		c.mu.Lock()
		c.wall[i] += time.Since(start)
		c.running--
		c.mu.Unlock()
	}()
	if c.watch == nil {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-t.C:
		}
		if kind == starrocks.LoadJob {
			c.mu.Lock()
			c.labels[label] = executor.LabelFinished
			c.mu.Unlock()
		}
		return label, nil
	}
	id, end := c.fe.submit(kind, db, label, path, d)
	st, err := c.watch.Wait(ctx, starrocks.JobKey{Kind: kind, DB: db, ID: id}, starrocks.WaitOptions{})
	if err != nil {
		return "", err
	}
	c.lagNS.Add(int64(time.Since(end)))
	if !st.Finished() {
		return "", fmt.Errorf("%s job %s ended %s", kind, id, st.State)
	}
	return id, nil
}

// Export runs the partition's export job, then writes its one staged
// file, which names the partition (so that Load knows its duration).
func (c *benchCluster) Export(ctx context.Context, req executor.ExportRequest) (executor.ExportResult, error) {
	i, ok := c.w.byName[req.Partition]
	if !ok {
		return executor.ExportResult{}, fmt.Errorf("export: unknown partition %q", req.Partition)
	}
	if req.Prepare != nil {
		if err := req.Prepare(ctx); err != nil {
			return executor.ExportResult{}, err
		}
	}
	id, err := c.run(ctx, i, starrocks.ExportJob, req.Table.DB, req.Label, req.DirURL)
	if err != nil {
		return executor.ExportResult{}, err
	}
	dir := strings.TrimPrefix(req.DirURL, "file://")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return executor.ExportResult{}, err
	}
	return executor.ExportResult{Job: id}, os.WriteFile(filepath.Join(dir, "data_0.csv"), []byte(req.Partition), 0o644)
}

// Load runs the load job of the partition the staged file names.
func (c *benchCluster) Load(ctx context.Context, req executor.LoadRequest) error {
	if len(req.FileURLs) != 1 {
		return fmt.Errorf("load %s: %d files, want 1", req.Label, len(req.FileURLs))
	}
	b, err := os.ReadFile(strings.TrimPrefix(req.FileURLs[0], "file://"))
	if err != nil {
		return err
	}
	i, ok := c.w.byName[string(b)]
	if !ok {
		return fmt.Errorf("load %s: unknown partition %q", req.Label, b)
	}
	_, err = c.run(ctx, i, starrocks.LoadJob, req.Table.DB, req.Label, "")
	return err
}

// LabelState asks the Watcher, as the provider does, or the exact record.
func (c *benchCluster) LabelState(ctx context.Context, db, label string) (executor.LabelState, string, error) {
	if c.watch == nil {
		c.mu.Lock()
		defer c.mu.Unlock()
		if s, ok := c.labels[label]; ok {
			return s, "", nil
		}
		return executor.LabelUnknown, "", nil
	}
	st, err := c.watch.Status(ctx, starrocks.JobKey{Kind: starrocks.LoadJob, DB: db, ID: label})
	switch {
	case err != nil:
		return executor.LabelUnknown, "", err
	case !st.Found:
		return executor.LabelUnknown, "", nil
	case st.Finished():
		return executor.LabelFinished, st.State, nil
	case st.Cancelled():
		return executor.LabelCancelled, st.State, nil
	}
	return executor.LabelRunning, st.State, nil
}

// Verify counts the partition's rows on either side: the same number.
func (c *benchCluster) Verify(_ context.Context, req executor.VerifyRequest) (*state.VerifyResult, error) {
	i, ok := c.w.byName[req.Partition]
	if !ok {
		return nil, fmt.Errorf("verify: unknown partition %q", req.Partition)
	}
	return &state.VerifyResult{Mode: "count", RowCount: c.w.bytes[i] / 100}, nil
}

// PartitionVersion is the version the plan recorded.
func (c *benchCluster) PartitionVersion(context.Context, planner.TableAddr, string) (int64, error) {
	return 1, nil
}

func (c *benchCluster) Health(context.Context) ([]executor.NodeLoad, error) { return nil, nil }

// The statements around a load cost nothing here.

func (c *benchCluster) CreateDatabase(context.Context, string) error { return nil }
func (c *benchCluster) CreateTable(context.Context, string) error    { return nil }
func (c *benchCluster) EnsurePartition(context.Context, planner.TableAddr, string, string) error {
	return nil
}
func (c *benchCluster) ResetTempPartition(context.Context, planner.TableAddr, string, string) error {
	return nil
}
func (c *benchCluster) DropTempPartition(context.Context, planner.TableAddr, string) error {
	return nil
}
func (c *benchCluster) TempPartitionExists(context.Context, planner.TableAddr, string) (bool, error) {
	return false, nil
}
func (c *benchCluster) ReplacePartition(context.Context, planner.TableAddr, string, string) error {
	return nil
}
func (c *benchCluster) ResetShadowTable(context.Context, planner.TableAddr, string) error { return nil }
func (c *benchCluster) TableExists(context.Context, planner.TableAddr) (bool, error) {
	return true, nil
}
func (c *benchCluster) OverwriteFromShadow(context.Context, planner.TableAddr, string, string) error {
	return nil
}
func (c *benchCluster) DropTable(context.Context, planner.TableAddr) error { return nil }
func (c *benchCluster) PartitionExists(context.Context, planner.TableAddr, string) (bool, error) {
	return true, nil
}

var (
	_ executor.Source = (*benchCluster)(nil)
	_ executor.Target = (*benchCluster)(nil)
)
