package state

// A damaged state file must end a command with an *UnusableError, never
// crash it. bbolt maps the file into memory and trusts the page ids it
// finds there: a file cut short (a copy that stopped, a full disk) makes
// it touch memory past the end of the mapping, which is a SIGBUS that no
// recover catches; scrambled pages make it panic. Two defences:
//
//   - checkTruncated compares the file's size with the size its newest
//     valid meta page claims, before bbolt maps anything;
//   - guard runs bbolt calls with debug.SetPanicOnFault, so that a fault
//     on the mapping becomes a panic, and turns any panic into an
//     *UnusableError.

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"runtime/debug"
)

// bbolt's on-disk meta page, as laid out by go.etcd.io/bbolt (format 2):
// a 16-byte page header, then magic, version, page size, flags (4 bytes
// each), the root bucket (16), the freelist page id, the high-water page
// id, the transaction id and a FNV-64a checksum of the 56 bytes before it
// (8 each), in the host's byte order.
const (
	boltMagic         = 0xED0CDAED
	boltPageHeader    = 16
	boltMetaSize      = 64
	boltMetaChecksum  = 56
	boltMetaPageSize  = 8
	boltMetaHighWater = 40
	boltMetaTxID      = 48
)

// boltMeta is what checkTruncated reads of one meta page.
type boltMeta struct {
	pageSize  uint64
	highWater uint64 // pages in use: the file must hold at least this many
	txID      uint64
}

// readBoltMeta decodes the meta page at off of f; ok is false when there is
// none or it is not valid (wrong magic or checksum).
func readBoltMeta(f io.ReaderAt, off int64) (boltMeta, bool) {
	buf := make([]byte, boltPageHeader+boltMetaSize)
	if _, err := f.ReadAt(buf, off); err != nil {
		return boltMeta{}, false
	}
	m := buf[boltPageHeader:]
	order := binary.NativeEndian
	if order.Uint32(m) != boltMagic {
		return boltMeta{}, false
	}
	h := fnv.New64a()
	_, _ = h.Write(m[:boltMetaChecksum])
	if h.Sum64() != order.Uint64(m[boltMetaChecksum:]) {
		return boltMeta{}, false
	}
	return boltMeta{
		pageSize:  uint64(order.Uint32(m[boltMetaPageSize:])),
		highWater: order.Uint64(m[boltMetaHighWater:]),
		txID:      order.Uint64(m[boltMetaTxID:]),
	}, true
}

// checkTruncated fails with an *UnusableError when the file at path is
// shorter than the pages its newest valid meta page says are in use. A
// file without a valid meta page is left to bbolt, which reports it.
func checkTruncated(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return nil // bbolt reports it with its own context
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || fi.Size() == 0 {
		return nil
	}
	var newest boltMeta
	found := false
	m0, ok0 := readBoltMeta(f, 0)
	if ok0 {
		newest, found = m0, true
	}
	second := int64(os.Getpagesize())
	if ok0 && m0.pageSize > 0 {
		second = int64(m0.pageSize)
	}
	if m1, ok := readBoltMeta(f, second); ok && (!found || m1.txID > newest.txID) {
		newest, found = m1, true
	}
	if !found || newest.pageSize == 0 {
		return nil
	}
	want := newest.highWater * newest.pageSize
	if uint64(fi.Size()) < want {
		return &UnusableError{Path: path, Err: fmt.Errorf(
			"the file is truncated: it is %d bytes, but its pages reach %d bytes; restore it from a copy or backup", fi.Size(), want)}
	}
	return nil
}

// guard runs fn, which reads or writes the state file at path, turning a
// panic in it (including a memory fault on the file's mapping) into an
// *UnusableError. A transaction that panics is rolled back by bbolt.
func guard(path string, fn func() error) (err error) {
	old := debug.SetPanicOnFault(true)
	defer debug.SetPanicOnFault(old)
	defer func() {
		if r := recover(); r != nil {
			err = &UnusableError{Path: path, Err: fmt.Errorf("the file is damaged (%v); restore it from a copy or backup", r)}
		}
	}()
	return fn()
}
