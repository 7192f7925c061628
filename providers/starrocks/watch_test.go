package starrocks

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// manualClock drives a Watcher step by step: every timer the poller asks
// for is handed to the test, which fires it.
type manualClock struct {
	mu     sync.Mutex
	t      time.Time
	timers chan *manualTimer
}

type manualTimer struct {
	d time.Duration
	c chan time.Time
}

func newManualClock(w *Watcher) *manualClock {
	m := &manualClock{t: time.Unix(1700000000, 0), timers: make(chan *manualTimer)}
	w.after = func(d time.Duration) (<-chan time.Time, func() bool) {
		tm := &manualTimer{d: d, c: make(chan time.Time, 1)}
		m.timers <- tm
		return tm.c, func() bool { return true }
	}
	w.now = func() time.Time {
		m.mu.Lock()
		defer m.mu.Unlock()
		return m.t
	}
	return m
}

// next returns the poller's next timer, failing after a while.
func (m *manualClock) next(t *testing.T) *manualTimer {
	t.Helper()
	select {
	case tm := <-m.timers:
		return tm
	case <-time.After(10 * time.Second):
		t.Fatal("the poller asked for no timer")
		return nil
	}
}

// fire advances the clock by the timer's duration and fires it.
func (m *manualClock) fire(tm *manualTimer) {
	m.mu.Lock()
	m.t = m.t.Add(tm.d)
	now := m.t
	m.mu.Unlock()
	tm.c <- now
}

// loadTable is a scripted information_schema.loads: label -> state.
type loadTable struct {
	mu     sync.Mutex
	states map[string]string
	errMsg map[string]string
}

func (l *loadTable) set(label, state string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.states[label] = state
}

func (l *loadTable) reply(q string) jobReply {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !strings.HasPrefix(q, "SELECT * FROM information_schema.loads") {
		return jobReply{err: fmt.Errorf("unexpected %s", q)}
	}
	var rows [][]string
	for label, st := range l.states {
		if strings.Contains(q, "'"+label+"'") {
			rows = append(rows, []string{"1", label, "d", st, "", "BROKER", "NORMAL", l.errMsg[label]})
		}
	}
	return reply(loadsCols31, rows...)
}

func TestWatcherBatchesOneQueryPerInterval(t *testing.T) {
	t.Parallel()
	const jobs = 20
	tbl := &loadTable{states: map[string]string{}}
	for i := range jobs {
		tbl.set(fmt.Sprintf("l%02d", i), "LOADING")
	}
	tbl.set("other_db_job", "LOADING")
	db, f := newJobDB(t, tbl.reply)
	w := NewWatcher(db, time.Second, 30*time.Second)
	clock := newManualClock(w)

	var wg sync.WaitGroup
	results := make(chan JobStatus, jobs)
	for i := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st, err := w.Wait(context.Background(), JobKey{Kind: LoadJob, DB: "d", ID: fmt.Sprintf("l%02d", i)}, WaitOptions{})
			if err != nil {
				t.Error(err)
			}
			results <- st
		}()
	}
	// Fire timers until the last poll asked for every job.
	for {
		tm := clock.next(t)
		clock.fire(tm)
		if strings.Count(lastStatement(f), "'l") == jobs {
			break
		}
	}
	// Every poll is done once the poller asks for its next timer. A wake
	// left over from the last registrations may shorten one sleep without
	// a poll, so five intervals give four or five polls; what matters is
	// that each poll is one query for all the jobs.
	tm := clock.next(t)
	before := len(f.statements())
	for range 5 {
		clock.fire(tm)
		tm = clock.next(t)
	}
	steady := f.statements()[before:]
	if len(steady) < 4 || len(steady) > 5 {
		t.Errorf("%d jobs in one database: %d status queries in 5 intervals, want one per interval", jobs, len(steady))
	}
	for _, q := range steady {
		if strings.Count(q, "'l") != jobs || strings.Contains(q, "other_db_job") {
			t.Errorf("status query does not cover exactly the %d jobs: %s", jobs, q)
		}
	}
	for i := range jobs {
		tbl.set(fmt.Sprintf("l%02d", i), "FINISHED")
	}
	clock.fire(tm)
	wg.Wait()
	close(results)
	for st := range results {
		if !st.Finished() {
			t.Errorf("status %+v, want FINISHED", st)
		}
	}
	if got, want := w.Queries(), int64(f.count("SELECT")); got != want {
		t.Errorf("Queries() = %d, statements sent = %d", got, want)
	}
	if w.waiting("d") != 0 {
		t.Error("waiters left behind")
	}
}

// waiting returns how many jobs of db the Watcher follows (test helper).
func (w *Watcher) waiting(db string) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	g := w.groups[groupKey{kind: LoadJob, db: db}]
	if g == nil {
		return 0
	}
	return len(g.waiters)
}

func lastStatement(f *jobDB) string {
	s := f.statements()
	if len(s) == 0 {
		return ""
	}
	return s[len(s)-1]
}

func TestWatcherAdaptiveInterval(t *testing.T) {
	t.Parallel()
	tbl := &loadTable{states: map[string]string{"a": "PENDING"}}
	db, _ := newJobDB(t, tbl.reply)
	w := NewWatcher(db, time.Second, 5*time.Second)
	clock := newManualClock(w)
	done := make(chan JobStatus, 1)
	go func() {
		st, err := w.Wait(context.Background(), JobKey{Kind: LoadJob, DB: "d", ID: "a"}, WaitOptions{})
		if err != nil {
			t.Error(err)
		}
		done <- st
	}()
	// Each timer is asked for once a poll is done; the job's state is
	// changed only then, so the poll after the fire sees it.
	var got []time.Duration
	for i := range 8 {
		tm := clock.next(t)
		got = append(got, tm.d)
		switch i {
		case 5:
			tbl.set("a", "LOADING")
		case 7:
			tbl.set("a", "FINISHED")
		}
		clock.fire(tm)
	}
	st := <-done
	want := []time.Duration{
		time.Second, 1500 * time.Millisecond, 2250 * time.Millisecond, 3375 * time.Millisecond, 5 * time.Second, 5 * time.Second,
		time.Second, 1500 * time.Millisecond, // reset by the change to LOADING

	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("poll intervals (-want +got):\n%s", diff)
	}
	if !st.Finished() {
		t.Errorf("status %+v, want FINISHED", st)
	}
}

func TestWatcherDatabasesPolledSeparately(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	perDB := map[string]int{}
	db, _ := newJobDB(t, func(q string) jobReply {
		if !strings.HasPrefix(q, "SHOW EXPORT FROM") {
			return jobReply{err: fmt.Errorf("unexpected %s", q)}
		}
		dbName := strings.Split(q, "`")[1]
		mu.Lock()
		perDB[dbName]++
		mu.Unlock()
		return reply(exportCols, exportRow("1", "q-"+dbName, "FINISHED", "s3://x/", "N/A"))
	})
	w := NewWatcher(db, time.Millisecond, time.Millisecond)
	var wg sync.WaitGroup
	for _, d := range []string{"a", "b"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st, err := w.Wait(context.Background(), JobKey{Kind: ExportJob, DB: d, ID: "q-" + d}, WaitOptions{})
			if err != nil || !st.Finished() {
				t.Errorf("db %s: %+v, %v", d, st, err)
			}
		}()
	}
	wg.Wait()
	if perDB["a"] != 1 || perDB["b"] != 1 {
		t.Errorf("queries per database = %v, want one each", perDB)
	}
}

func TestWatcherNotFoundCancelAndFallback(t *testing.T) {
	t.Parallel()
	t.Run("not found after grace", func(t *testing.T) {
		t.Parallel()
		tbl := &loadTable{states: map[string]string{}}
		db, _ := newJobDB(t, tbl.reply)
		w := NewWatcher(db, time.Second, time.Second)
		clock := newManualClock(w)
		done := make(chan JobStatus, 1)
		go func() {
			st, _ := w.Wait(context.Background(), JobKey{Kind: LoadJob, DB: "d", ID: "gone"}, WaitOptions{NotFoundAfter: 2500 * time.Millisecond})
			done <- st
		}()
		for range 3 {
			clock.fire(clock.next(t))
		}
		if st := <-done; st.Found {
			t.Errorf("status %+v, want not found", st)
		}
	})
	t.Run("context ends the wait and the poller", func(t *testing.T) {
		t.Parallel()
		tbl := &loadTable{states: map[string]string{"a": "LOADING"}}
		db, _ := newJobDB(t, tbl.reply)
		w := NewWatcher(db, time.Second, time.Second)
		clock := newManualClock(w)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() {
			_, err := w.Wait(ctx, JobKey{Kind: LoadJob, DB: "d", ID: "a"}, WaitOptions{})
			done <- err
		}()
		tm := clock.next(t)
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("Wait = %v, want context.Canceled", err)
		}
		clock.fire(tm)
		deadline := time.Now().Add(10 * time.Second)
		for {
			w.mu.Lock()
			n := len(w.groups)
			w.mu.Unlock()
			if n == 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the poller did not stop after its last waiter left")
			}
			time.Sleep(time.Millisecond)
		}
	})
	t.Run("SHOW LOAD when the view is missing", func(t *testing.T) {
		t.Parallel()
		db, f := newJobDB(t, func(q string) jobReply {
			switch {
			case strings.HasPrefix(q, "SELECT * FROM information_schema.loads"):
				return sqlErr(1064, "Getting analyzing error. Detail message: Unknown table 'information_schema.loads'.")
			case q == "SHOW LOAD FROM `d` WHERE LABEL = 'a'":
				return reply([]string{"JobId", "Label", "State", "ErrorMsg"}, []string{"5", "a", "CANCELLED", "type:ETL_RUN_FAIL; msg:bad"})
			}
			return jobReply{err: fmt.Errorf("unexpected %s", q)}
		})
		w := NewWatcher(db, time.Millisecond, time.Millisecond)
		for range 2 {
			st, err := w.Wait(context.Background(), JobKey{Kind: LoadJob, DB: "d", ID: "a"}, WaitOptions{})
			if err != nil || !st.Cancelled() || st.ErrorMsg != "type:ETL_RUN_FAIL; msg:bad" {
				t.Errorf("Wait = %+v, %v", st, err)
			}
		}
		if n := f.count("SELECT * FROM information_schema.loads"); n != 1 {
			t.Errorf("the missing view was asked %d times, want once", n)
		}
	})
	t.Run("a failing status query reaches the waiter", func(t *testing.T) {
		t.Parallel()
		db, _ := newJobDB(t, func(string) jobReply { return sqlErr(5203, "Access denied; you need the OPERATE privilege") })
		w := NewWatcher(db, time.Millisecond, time.Millisecond)
		_, err := w.Wait(context.Background(), JobKey{Kind: ExportJob, DB: "d", ID: "q"}, WaitOptions{})
		if err == nil || !strings.Contains(err.Error(), "Access denied") {
			t.Errorf("Wait error = %v", err)
		}
	})
}
