package starrocks

import (
	"fmt"
	"net"
	"strings"
	"time"
)

// Options configure a simulated cluster.
type Options struct {
	// Version is the StarRocks version imitated, "3.1.11" .. "3.5.x"
	// (major.minor.patch; required).
	Version string
	// Mode is the architecture; empty means SharedNothing.
	Mode Mode
	// Addr is the MySQL-protocol listen address; empty means "127.0.0.1:0".
	// Only loopback addresses are accepted.
	Addr string
	// RootPassword is the password of user root ("" for none).
	RootPassword string
	// Users are extra accounts.
	Users []User
	// Now is the clock for VisibleVersionTime and job times; nil means time.Now.
	Now func() time.Time
	// Quiet suppresses the simulator's statement log on standard error.
	// The embedded SQL engine's own logging is always silenced.
	Quiet bool
	// LabelKeep is how long finished and cancelled load labels are kept
	// (FE label_keep_max_second); 0 means 259200 s (3 days).
	LabelKeep time.Duration
	// LabelKeepMaxNum is how many finished labels are kept at most (FE
	// label_keep_max_num); 0 means 1000.
	LabelKeepMaxNum int
	// LabelCleanInterval is how often expired labels are purged (FE
	// label_clean_interval_second); 0 means 4 h. Controls.PurgeLabels
	// purges at once.
	LabelCleanInterval time.Duration
	// ExportRowsPerFile is the number of rows after which EXPORT starts a
	// new file (file_no + 1); 0 means 1048576. StarRocks splits by size;
	// a row count keeps the simulator's splitting predictable.
	ExportRowsPerFile int
}

// User is an extra account of the simulated cluster.
type User struct {
	Name     string
	Password string
	// Denied lists statement families refused with StarRocks' privilege
	// error, e.g. "SELECT", "INSERT", "EXPORT", "LOAD", "CREATE", "ALTER",
	// "DROP", "TRUNCATE", "BACKUP", "RESTORE". A family also matches the
	// statements that need that privilege (SELECT denies SHOW PARTITIONS).
	Denied []string
}

// normalize validates the options and fills defaults.
func (o Options) normalize() (Options, profile, error) {
	prof, err := parseProfile(o.Version, o.Mode)
	if err != nil {
		return o, profile{}, err
	}
	o.Mode = prof.Mode
	if o.Addr == "" {
		o.Addr = "127.0.0.1:0"
	}
	if err := checkLoopback(o.Addr); err != nil {
		return o, profile{}, err
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.LabelKeep <= 0 {
		o.LabelKeep = 259200 * time.Second
	}
	if o.LabelKeepMaxNum <= 0 {
		o.LabelKeepMaxNum = 1000
	}
	if o.LabelCleanInterval <= 0 {
		o.LabelCleanInterval = 4 * time.Hour
	}
	if o.ExportRowsPerFile <= 0 {
		o.ExportRowsPerFile = 1 << 20
	}
	seen := map[string]bool{"root": true}
	for _, u := range o.Users {
		if u.Name == "" || seen[u.Name] {
			return o, profile{}, fmt.Errorf("starrocks sim: user name %q is empty or duplicated", u.Name)
		}
		seen[u.Name] = true
		for _, f := range u.Denied {
			if strings.TrimSpace(f) == "" {
				return o, profile{}, fmt.Errorf("starrocks sim: user %q has an empty denied family", u.Name)
			}
		}
	}
	return o, prof, nil
}

// checkLoopback refuses listen addresses outside the loopback interface.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("starrocks sim: listen address %q: %w", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("starrocks sim: listen address %q is not a loopback address", addr)
	}
	return nil
}
