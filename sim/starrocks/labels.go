package starrocks

import (
	"sort"
	"sync"
	"time"
)

// Label states. A label that belongs to a job in any state but Cancelled
// cannot be reused (STARROCKS.md 5.5).
const (
	LabelPending   = "PENDING"
	LabelLoading   = "LOADING"
	LabelFinished  = "FINISHED"
	LabelCancelled = "CANCELLED"
)

// LabelEntry is one label of a database and the job that holds it.
type LabelEntry struct {
	DB         string
	Label      string
	Kind       string // job type: "INSERT", "BROKER", "EXPORT", ...
	State      string // one of the Label* states
	TxnID      int64
	JobID      int64
	CreatedAt  time.Time
	FinishedAt time.Time
	ErrorMsg   string
}

// LabelRegistry enforces label uniqueness per database. It is safe for
// concurrent use. Entries are kept until Purge removes them.
type LabelRegistry struct {
	mu      sync.Mutex
	now     func() time.Time
	entries map[string]*LabelEntry // key: db + "\x00" + label
}

func newLabelRegistry(now func() time.Time) *LabelRegistry {
	return &LabelRegistry{now: now, entries: map[string]*LabelEntry{}}
}

func labelKey(db, label string) string { return db + "\x00" + label }

// Reserve registers a label for a new job in state Pending. It fails with
// "Label [x] has already been used." when the label is held by a job that
// is not Cancelled; a Cancelled label is taken over.
func (r *LabelRegistry) Reserve(db, label, kind string, jobID int64) (LabelEntry, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	k := labelKey(db, label)
	if e, ok := r.entries[k]; ok && e.State != LabelCancelled {
		return LabelEntry{}, errLabelUsed(label)
	}
	e := &LabelEntry{DB: db, Label: label, Kind: kind, State: LabelPending, JobID: jobID, CreatedAt: r.now()}
	r.entries[k] = e
	return *e, nil
}

// Update changes the state (and optionally txn id and error) of a label.
// Terminal states set FinishedAt. It returns false if the label is unknown.
func (r *LabelRegistry) Update(db, label, state string, txnID int64, errMsg string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	e, ok := r.entries[labelKey(db, label)]
	if !ok {
		return false
	}
	e.State = state
	if txnID != 0 {
		e.TxnID = txnID
	}
	e.ErrorMsg = errMsg
	if state == LabelFinished || state == LabelCancelled {
		e.FinishedAt = r.now()
	}
	return true
}

// Lookup returns a copy of a label entry.
func (r *LabelRegistry) Lookup(db, label string) (LabelEntry, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	e, ok := r.entries[labelKey(db, label)]
	if !ok {
		return LabelEntry{}, false
	}
	return *e, true
}

// List returns the entries of a database (all when db is ""), oldest first.
func (r *LabelRegistry) List(db string) []LabelEntry {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []LabelEntry
	for _, e := range r.entries {
		if db == "" || e.DB == db {
			out = append(out, *e)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].CreatedAt.Equal(out[j].CreatedAt) {
			return out[i].CreatedAt.Before(out[j].CreatedAt)
		}
		return out[i].JobID < out[j].JobID
	})
	return out
}

// Purge removes finished or cancelled entries for which keep returns false
// and reports how many were removed. Running jobs are never purged.
func (r *LabelRegistry) Purge(keep func(LabelEntry) bool) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for k, e := range r.entries {
		if e.State != LabelFinished && e.State != LabelCancelled {
			continue
		}
		if !keep(*e) {
			delete(r.entries, k)
			n++
		}
	}
	return n
}
