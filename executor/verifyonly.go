package executor

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/srplan/srplan/state"
)

// Verify re-verifies partitions that state records as done, without
// copying anything: every partition of cfg.Plan (plan it with
// Input.Verbose so up-to-date partitions are listed) whose record is done
// at the partition's current fingerprint. A mismatch is recorded as a
// failed verification, which the next plan shows as a recopy. Partitions
// not recorded done are skipped.
func Verify(ctx context.Context, cfg Config) (*Result, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	r := &run{cfg: cfg, now: cfg.Now, throttle: map[string]*throttleGates{}}
	if r.now == nil {
		r.now = time.Now
	}
	res := &Result{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	slots := make(chan struct{}, max(cfg.MaxInFlight/4, 1))
	var fatal error
	for _, tc := range cfg.Plan.Tables {
		for _, pc := range tc.Partitions {
			rec, err := cfg.State.Partition(ctx, state.PartitionKey{Table: tc.Source.String(), Partition: pc.Addr.Partition})
			if err != nil || !rec.Done() || !rec.Fingerprint.Equal(pc.Fingerprint) {
				res.Skipped++
				continue
			}
			if ctx.Err() != nil {
				res.Skipped++
				continue
			}
			slots <- struct{}{}
			wg.Go(func() {
				defer func() { <-slots }()
				p := &part{r: r, tc: tc, pc: pc, rec: rec, src: cfg.Sources[tc.SourceCluster], dst: cfg.Targets[tc.TargetCluster]}
				err := p.verify(ctx)
				mu.Lock()
				defer mu.Unlock()
				var fe *fatalError
				switch {
				case err == nil:
					res.Done++
					r.emit(PartitionDone{At: At{r.now()}, Addr: pc.Addr, Rows: pc.Rows, Bytes: pc.Bytes})
				case errors.As(err, &fe):
					fatal = fe.err
					res.Failed++
				default:
					res.Failed++
					r.emit(PartitionFailed{At: At{r.now()}, Addr: pc.Addr, Stage: state.StageVerifying, Err: err.Error()})
				}
			})
		}
	}
	wg.Wait()
	res.Interrupted = ctx.Err() != nil
	return res, fatal
}
