package starrocks

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"sync"
	"time"
)

// jobManager owns the asynchronous jobs of a cluster (EXPORT, Broker Load,
// BACKUP, RESTORE) and the registries SHOW statements read. Every job runs
// in a goroutine started by goJob; stop cancels them all and waits, which
// Cluster.Close does before it returns.
type jobManager struct {
	c      *Cluster
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu        sync.Mutex
	submitted map[string]int64 // job kind -> jobs submitted

	exports *exportRegistry
	loads   *loadRegistry
	backups *backupRegistry
	repos   *repoRegistry
	files   *filesRegistry

	// beforeExportRename, when set (by tests, before any job starts), is
	// called before an export job renames each of its files into place.
	beforeExportRename func(queryID, tmpKey string)
}

func newJobManager(c *Cluster) *jobManager {
	ctx, cancel := context.WithCancel(context.Background())
	return &jobManager{
		c: c, ctx: ctx, cancel: cancel, submitted: map[string]int64{},
		exports: &exportRegistry{byID: map[int64]*exportJob{}},
		loads:   &loadRegistry{byID: map[int64]*loadJob{}},
		backups: &backupRegistry{last: map[string]brJob{}},
		repos:   &repoRegistry{byName: map[string]*repository{}},
		files:   &filesRegistry{byID: map[int64]*filesTable{}},
	}
}

// goJob runs fn in a goroutine owned by the manager. fn must return soon
// after ctx is done.
func (m *jobManager) goJob(fn func(ctx context.Context)) {
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		fn(m.ctx)
	}()
}

// stop cancels every running job and waits for them.
func (m *jobManager) stop() {
	m.cancel()
	m.wg.Wait()
}

// countSubmit counts one job submitted of a kind (KindExport, ...).
func (m *jobManager) countSubmit(kind string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.submitted[kind]++
}

// submittedCounts returns a copy of the per-kind job counters.
func (m *jobManager) submittedCounts() map[string]int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make(map[string]int64, len(m.submitted))
	for k, v := range m.submitted {
		out[k] = v
	}
	return out
}

// jobFault is what the fault controls decide for a job about to run: a
// queued FailNext text, or a cancellation drawn from the cancel rate.
type jobFault struct {
	failText  string
	cancelled bool
}

// cancelRateMsg is the error of a job the cancel rate cancels: what
// StarRocks reports when a backend running a job's task goes away.
const cancelRateMsg = "Backend node not found. Check if any backend node is down."

// drawFault consumes the next queued failure of kind, or draws from the
// cancel rate.
func (m *jobManager) drawFault(kind string) jobFault {
	if msg, ok := m.c.controls.takeFailure(kind); ok {
		return jobFault{failText: msg}
	}
	return jobFault{cancelled: m.c.controls.drawCancel()}
}

// pace sleeps for the job model's duration of moving bytes, in slices of
// at most paceSlice so that a model changed while the job runs takes
// effect at once, calling progress with the fraction done. It returns
// false when ctx ends or stopCh is closed first.
func (m *jobManager) pace(ctx context.Context, stopCh <-chan struct{}, bytes int64, progress func(float64)) bool {
	done := 0.0
	for done < 1 {
		d := m.c.controls.JobModel().Duration(bytes)
		remaining := time.Duration(float64(d) * (1 - done))
		if remaining < time.Microsecond {
			break
		}
		slice := min(remaining, paceSlice)
		t := time.NewTimer(slice)
		select {
		case <-ctx.Done():
			t.Stop()
			return false
		case <-stopCh:
			t.Stop()
			return false
		case <-t.C:
		}
		done += float64(slice) / float64(d)
		if progress != nil {
			progress(min(done, 1))
		}
	}
	select {
	case <-ctx.Done():
		return false
	case <-stopCh:
		return false
	default:
	}
	return true
}

// withJobTimeout bounds a job by its timeout, scaled like job durations
// (no bound when the time scale is 0). timedOut tells, after the job
// stopped, whether the timeout (and not the cluster) stopped it.
func (m *jobManager) withJobTimeout(ctx context.Context, timeoutSec int64) (context.Context, context.CancelFunc, func() bool) {
	scale := m.c.controls.JobModel().TimeScale
	if scale <= 0 || timeoutSec <= 0 {
		c, cancel := context.WithCancel(ctx)
		return c, cancel, func() bool { return false }
	}
	c, cancel := context.WithTimeout(ctx, time.Duration(float64(timeoutSec)*scale*float64(time.Second)))
	return c, cancel, func() bool { return ctx.Err() == nil && errors.Is(c.Err(), context.DeadlineExceeded) }
}

// paceSlice is the longest single sleep of a job.
const paceSlice = 10 * time.Millisecond

// jobNow is the cluster clock for job times.
func (c *Cluster) jobNow() time.Time { return c.opts.Now() }

// jobTime renders a job time as SHOW statements do (TimeUtils
// longToTimeString): "2006-01-02 15:04:05", or "N/A" when unset.
func jobTime(t time.Time) string {
	if t.IsZero() {
		return "N/A"
	}
	return t.Format(datetimeLayout)
}

// jobTimeValue is a job time for information_schema (NULL when unset).
func jobTimeValue(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.Truncate(time.Second)
}

// newQueryID returns a random query id in the UUID form StarRocks prints.
func newQueryID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
