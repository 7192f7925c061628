package state

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"go.etcd.io/bbolt"
)

// Lock implements Locker. It takes the lock when no one holds it, and also
// takes over a stale lock: one whose holder ran on this host (Host equals
// os.Hostname) under a PID that no longer exists, that is a srplan killed
// while holding it. A holder on another host, or with a live PID, makes
// Lock fail with a *LockError naming it; clear a dead holder elsewhere with
// force-unlock. On success Lock sets info.ID, fills a zero info.Created,
// and writes the holder to the sidecar file <path>.lock.json.
func (b *Bolt) Lock(ctx context.Context, info *LockInfo) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	if info == nil {
		return "", errors.New("state: lock: no lock info")
	}
	if b.readOnly {
		return "", fmt.Errorf("state: lock %s: opened read-only", b.path)
	}
	h := *info
	h.ID = newLockID()
	if h.Created.IsZero() {
		h.Created = now()
	}
	raw, err := json.Marshal(&h)
	if err != nil {
		return "", fmt.Errorf("state: lock %s: %w", b.path, err)
	}
	wrote := false
	err = b.db.Update(func(tx *bbolt.Tx) error {
		cur, err := decodeHolder(tx)
		if err != nil {
			return err
		}
		if cur != nil && !staleHolder(cur, b.host) {
			return &LockError{Holder: cur, Err: errLockHeld}
		}
		if err := tx.Bucket(bucketLock).Put(keyHolder, raw); err != nil {
			return err
		}
		// Written inside the transaction so that a failure rolls back
		// the lock, and removed below if the commit fails.
		wrote = true
		return writeSidecar(b.path, raw)
	})
	if err != nil {
		if wrote {
			_ = os.Remove(sidecarPath(b.path)) // the lock was not taken; its copy must not name us
		}
		if le, held := errors.AsType[*LockError](err); held {
			return "", le
		}
		return "", b.wrap("lock", err)
	}
	info.ID, info.Created = h.ID, h.Created
	return h.ID, nil
}

// Unlock implements Locker. It fails when the state is not locked or id is
// not the holder's ID ("lock ID mismatch"); force-unlock passes the ID a
// *LockError reported. It removes the sidecar file.
func (b *Bolt) Unlock(ctx context.Context, id string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if b.readOnly {
		return fmt.Errorf("state: unlock %s: opened read-only", b.path)
	}
	err := b.db.Update(func(tx *bbolt.Tx) error {
		cur, err := decodeHolder(tx)
		if err != nil {
			return err
		}
		if err := checkUnlock(cur, id); err != nil {
			return err
		}
		return tx.Bucket(bucketLock).Delete(keyHolder)
	})
	if err != nil {
		if _, bad := errors.AsType[*formatError](err); bad {
			return b.wrap("unlock", err)
		}
		return err
	}
	if err := os.Remove(sidecarPath(b.path)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("state: unlock %s: the lock is released, but its sidecar file remains: %w", b.path, err)
	}
	return nil
}

// Holder returns the state lock's holder, or nil when the state is
// unlocked. A stale holder is returned as recorded.
func (b *Bolt) Holder(ctx context.Context) (*LockInfo, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if b.upgraded != nil {
		return nil, nil
	}
	var h *LockInfo
	err := b.db.View(func(tx *bbolt.Tx) error {
		var err error
		h, err = decodeHolder(tx)
		return err
	})
	if err != nil {
		return nil, b.wrap("read lock of", err)
	}
	return h, nil
}

// staleHolder reports whether h ran on host under a PID that is gone. An
// unknown host (empty) is never this host.
func staleHolder(h *LockInfo, host string) bool {
	return host != "" && h.Host == host && !processAlive(h.PID)
}

// sidecarPath is the file that mirrors the lock holder of the state file
// at path.
func sidecarPath(path string) string { return path + ".lock.json" }

// writeSidecar replaces the sidecar of path with holder, atomically and
// with mode 0600.
func writeSidecar(path string, holder []byte) error {
	dst := sidecarPath(path)
	f, err := os.CreateTemp(filepath.Dir(dst), filepath.Base(dst)+".*.tmp")
	if err != nil {
		return fmt.Errorf("write lock sidecar: %w", err)
	}
	_, err = f.Write(holder)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), dst)
	}
	if err != nil {
		_ = os.Remove(f.Name())
		return fmt.Errorf("write lock sidecar: %w", err)
	}
	return nil
}

// readSidecar returns the holder recorded next to path, or nil when there
// is no readable one.
func readSidecar(path string) *LockInfo {
	raw, err := os.ReadFile(sidecarPath(path))
	if err != nil {
		return nil
	}
	h := new(LockInfo)
	if err := json.Unmarshal(raw, h); err != nil || h.ID == "" {
		return nil
	}
	return h
}

// inUseError is OpenBolt's error when another process kept the file
// locked for waited. It names the state lock holder from the sidecar when
// that holder may still be alive.
func inUseError(path string, waited time.Duration) error {
	err := fmt.Errorf("state file %s is in use by another srplan process (waited %s)", path, waited)
	h := readSidecar(path)
	host, _ := os.Hostname()
	if h == nil || staleHolder(h, host) {
		return &LockError{Err: err}
	}
	return &LockError{Holder: h, Err: err}
}
