package dynamodb

import "sync"

// hints remember the newest log head and base a Store saw, to spare a
// write the query for the head and the read of the meta item. They are
// only hints: a write whose hinted serial is taken asks for the head, and
// a stale base at worst makes a write read the meta item it would have
// read anyway. Both only grow.
type hints struct {
	mu                   sync.Mutex
	headSerial, baseSer  uint64
	headKnown, baseKnown bool
}

// head returns the newest head seen and whether one was seen.
func (h *hints) head() (uint64, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.headSerial, h.headKnown
}

// base returns the newest base seen and whether one was seen.
func (h *hints) base() (uint64, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.baseSer, h.baseKnown
}

// sawHead records that the log's head is at least serial.
func (h *hints) sawHead(serial uint64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.headKnown || serial > h.headSerial {
		h.headSerial, h.headKnown = serial, true
	}
}

// sawBase records that the base is at least serial.
func (h *hints) sawBase(serial uint64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.baseKnown || serial > h.baseSer {
		h.baseSer, h.baseKnown = serial, true
	}
}
