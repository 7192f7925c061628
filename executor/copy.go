package executor

import (
	"context"
	"encoding/json"
	"fmt"
	"sync/atomic"

	"github.com/srplan/srplan/providers/s3"
	"github.com/srplan/srplan/state"
)

// copyThrottle bounds the storage-to-storage copies of one throttle: how
// many partitions copy at once, and (lang.Throttle.CopyBandwidth) one
// token bucket shared by all their transfers, so the limit is aggregate.
type copyThrottle struct {
	gate *gate
	lim  s3.Limiter // nil: no bandwidth limit
}

// copyGates returns the copy throttle of throttle name, made on first use.
func (r *run) copyGates(name string) *copyThrottle {
	r.copyMu.Lock()
	defer r.copyMu.Unlock()
	if ct, ok := r.copies[name]; ok {
		return ct
	}
	ct := &copyThrottle{gate: newGate(r.cfg.CopyParallel)}
	if th := r.cfg.Spec.Throttles[name]; th != nil && th.CopyBandwidth > 0 {
		ct.lim = s3.NewBandwidthLimiter(th.CopyBandwidth)
	}
	if r.copies == nil {
		r.copies = map[string]*copyThrottle{}
	}
	r.copies[name] = ct
	return ct
}

// needsCopy reports whether the table loads from another storage than
// the one it exports to.
func (p *part) needsCopy() bool { return p.tc.LoadFrom() != p.tc.Storage }

// copyStage copies the partition's export directory (the files its
// manifest lists, then the manifest) from the export storage to the load
// storage and records StageCopied. s3.Copy skips objects already copied
// and verifies each transfer, so a copy interrupted at any point is
// finished by the next run.
func (p *part) copyStage(ctx context.Context) error {
	if !p.needsCopy() {
		return nil
	}
	ct := p.r.copyGates(p.tc.Throttle)
	return p.stage(ctx, state.StageCopied, ct.gate, func(ctx context.Context) error {
		var m s3.Manifest
		if err := json.Unmarshal(p.rec.Manifest, &m); err != nil {
			return fmt.Errorf("copy %s: the recorded manifest is unusable (%v): run apply with -replace %s", p.pc.Addr, err, p.pc.Addr)
		}
		keys := make([]string, 0, len(m.Files)+1)
		var total int64
		for _, f := range m.Files {
			keys = append(keys, f.Key)
			total += f.Size
		}
		keys = append(keys, s3.ManifestKey(p.exportDir()))
		var copied, skipped atomic.Int64
		err := s3.Copy(ctx, p.st, p.ld, keys, s3.CopyOptions{
			Parallel: p.r.cfg.CopyParallel, Limiter: ct.lim,
			Progress: func(o s3.Object, did bool) {
				if did {
					copied.Add(o.Size)
				} else {
					skipped.Add(o.Size)
				}
			},
		})
		if err != nil {
			return fmt.Errorf("copy %s from storage %q to %q: %w", p.pc.Addr, p.tc.Storage, p.tc.LoadFrom(), err)
		}
		p.r.emit(Copied{At: At{p.r.now()}, Addr: p.pc.Addr, From: p.tc.Storage, To: p.tc.LoadFrom(),
			Files: len(m.Files), Bytes: total, CopiedBytes: copied.Load(), SkippedBytes: skipped.Load()})
		p.rec.Attempts = 0
		return p.save(ctx, state.StageCopied, state.StatusOK, "")
	})
}
