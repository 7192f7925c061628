package state_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/srplan/srplan/state"
)

// scriptedLocker fails its first fails calls with a *LockError whose
// holder's Operation is the call number, then succeeds.
type scriptedLocker struct {
	fails int
	calls int
	err   error // returned instead of a *LockError when set
}

func (l *scriptedLocker) Lock(ctx context.Context, info *state.LockInfo) (string, error) {
	l.calls++
	if l.err != nil {
		return "", l.err
	}
	if l.calls <= l.fails {
		return "", &state.LockError{Holder: &state.LockInfo{ID: "other", Operation: fmt.Sprint(l.calls)}}
	}
	return "id-1", nil
}

func (l *scriptedLocker) Unlock(ctx context.Context, id string) error { return nil }

func TestLockWithContext(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		locker    *scriptedLocker
		timeout   time.Duration
		wantID    string
		wantCalls int // 0: at least 2
		wantErr   string
	}{
		"free":               {locker: &scriptedLocker{}, timeout: time.Second, wantID: "id-1", wantCalls: 1},
		"freed while trying": {locker: &scriptedLocker{fails: 3}, timeout: time.Minute, wantID: "id-1", wantCalls: 4},
		"no timeout":         {locker: &scriptedLocker{fails: 1}, wantCalls: 1, wantErr: "lock"},
		"held past timeout":  {locker: &scriptedLocker{fails: 1 << 30}, timeout: 250 * time.Millisecond, wantErr: "lock"},
		"other error":        {locker: &scriptedLocker{err: errors.New("disk on fire")}, timeout: time.Minute, wantCalls: 1, wantErr: "disk on fire"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			id, err := state.LockWithContext(t.Context(), tc.locker, &state.LockInfo{}, tc.timeout)
			if id != tc.wantID {
				t.Errorf("id = %q, want %q", id, tc.wantID)
			}
			if tc.wantCalls > 0 && tc.locker.calls != tc.wantCalls || tc.wantCalls == 0 && tc.locker.calls < 2 {
				t.Errorf("Lock called %d times, want %d (0: at least 2)", tc.locker.calls, tc.wantCalls)
			}
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("err = %v", err)
			case tc.wantErr == "lock":
				le, ok := errors.AsType[*state.LockError](err)
				if !ok {
					t.Fatalf("err = %v, want *LockError", err)
				}
				if le.Holder.Operation != fmt.Sprint(tc.locker.calls) {
					t.Errorf("returned the LockError of call %s, want the last, %d", le.Holder.Operation, tc.locker.calls)
				}
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Errorf("err = %v, want %q", err, tc.wantErr)
			}
		})
	}
}

func TestLockWithContextCancel(t *testing.T) {
	t.Parallel()
	m := state.NewMem(testVersion)
	if _, err := m.Lock(t.Context(), state.NewLockInfo("apply", testVersion)); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		_, err := state.LockWithContext(ctx, m, state.NewLockInfo("plan", testVersion), time.Hour)
		done <- err
	}()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func TestLockWithContextOnMemRelease(t *testing.T) {
	t.Parallel()
	m := state.NewMem(testVersion)
	id, err := m.Lock(t.Context(), state.NewLockInfo("apply", testVersion))
	if err != nil {
		t.Fatal(err)
	}
	released := make(chan error, 1)
	go func() {
		time.Sleep(150 * time.Millisecond)
		released <- m.Unlock(context.Background(), id)
	}()
	id2, err := state.LockWithContext(t.Context(), m, state.NewLockInfo("plan", testVersion), time.Minute)
	if err != nil || id2 == "" || id2 == id {
		t.Fatalf("LockWithContext = %q, %v; want a new ID", id2, err)
	}
	if err := <-released; err != nil {
		t.Fatal(err)
	}
}

func TestNewLockInfo(t *testing.T) {
	t.Parallel()
	info := state.NewLockInfo("apply", "1.2.3")
	host, _ := os.Hostname()
	if info.ID != "" || info.PID != os.Getpid() || info.Host != host || info.Operation != "apply" ||
		info.Version != "1.2.3" || info.Created.IsZero() || !strings.HasSuffix(info.Who, "@"+host) || strings.HasPrefix(info.Who, "@") {
		t.Errorf("NewLockInfo = %+v", info)
	}
}
