package starrocks

import (
	"sort"
	"time"
)

// BackupJobEntry is one BACKUP or RESTORE job as the cluster ran it: the
// simulator's job log, which outlives SHOW BACKUP / SHOW RESTORE (they
// show a database's last job only). Tests read it to check that jobs of
// one database never overlapped.
type BackupJobEntry struct {
	// Kind is KindBackup or KindRestore.
	Kind     string `json:"kind"`
	JobID    int64  `json:"job_id"`
	DB       string `json:"db"`
	Snapshot string `json:"snapshot"`
	// State is the job's state now (FINISHED, CANCELLED or a running one).
	State string `json:"state"`
	// Started is when the job was accepted; Ended when it finished or was
	// cancelled (zero while it runs).
	Started time.Time `json:"started"`
	Ended   time.Time `json:"ended,omitzero"`
}

// BackupJobs returns every BACKUP and RESTORE job the cluster accepted, in
// submission order.
func (c *Cluster) BackupJobs() []BackupJobEntry {
	r := c.jobs.backups
	r.mu.Lock()
	jobs := append([]brJob(nil), r.log...)
	r.mu.Unlock()
	out := make([]BackupJobEntry, 0, len(jobs))
	for _, j := range jobs {
		switch x := j.(type) {
		case *backupJob:
			x.mu.Lock()
			out = append(out, BackupJobEntry{Kind: KindBackup, JobID: x.ID, DB: x.DB, Snapshot: x.Snapshot, State: x.state, Started: x.created, Ended: x.end})
			x.mu.Unlock()
		case *restoreJob:
			x.mu.Lock()
			out = append(out, BackupJobEntry{Kind: KindRestore, JobID: x.ID, DB: x.DB, Snapshot: x.Snapshot, State: x.state, Started: x.created, Ended: x.end})
			x.mu.Unlock()
		}
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].JobID < out[b].JobID })
	return out
}
