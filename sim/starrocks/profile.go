package starrocks

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"regexp"
	"strconv"
)

// Mode is the cluster architecture.
type Mode string

// The two StarRocks architectures.
const (
	SharedNothing Mode = "shared-nothing"
	SharedData    Mode = "shared-data"
)

// profile is the version and mode a simulated cluster imitates. All version
// gates of the simulator are methods here, so they can be read in one place
// next to STARROCKS.md Appendix A.
type profile struct {
	Major, Minor, Patch int
	Version             string // as given, e.g. "3.3.2"
	Mode                Mode
}

var versionRe = regexp.MustCompile(`^(\d+)\.(\d+)\.(\d+)(-[0-9A-Za-z.]+)?$`)

// parseProfile validates a version string and mode. Versions 3.1 to 3.5 are
// supported; a patch is required ("3.3.2", "3.5.0", "3.1.11-rc1").
func parseProfile(version string, mode Mode) (profile, error) {
	m := versionRe.FindStringSubmatch(version)
	if m == nil {
		return profile{}, fmt.Errorf("starrocks sim: version %q is not of the form major.minor.patch", version)
	}
	p := profile{Version: version, Mode: mode}
	p.Major, _ = strconv.Atoi(m[1])
	p.Minor, _ = strconv.Atoi(m[2])
	p.Patch, _ = strconv.Atoi(m[3])
	if p.Major != 3 || p.Minor < 1 || p.Minor > 5 {
		return profile{}, fmt.Errorf("starrocks sim: version %q is outside the supported 3.1 to 3.5 range", version)
	}
	switch mode {
	case "":
		p.Mode = SharedNothing
	case SharedNothing, SharedData:
	default:
		return profile{}, fmt.Errorf("starrocks sim: unknown mode %q (want %q or %q)", mode, SharedNothing, SharedData)
	}
	return p, nil
}

// atLeast reports whether the profile is minor.patch or newer within 3.x.
func (p profile) atLeast(minor, patch int) bool {
	if p.Minor != minor {
		return p.Minor > minor
	}
	return p.Patch >= patch
}

// sharedData reports whether the cluster is a shared-data one.
func (p profile) sharedData() bool { return p.Mode == SharedData }

// commitHash is a stable fake build hash for the version.
func (p profile) commitHash() string {
	h := sha1.Sum([]byte("srsim-" + p.Version))
	return hex.EncodeToString(h[:])[:7]
}

// currentVersion is what SELECT current_version() returns.
// [unconfirmed] the function docs show "<version> <hash>" (space separated);
// clients should match the leading major.minor.patch only.
func (p profile) currentVersion() string { return p.Version + " " + p.commitHash() }

// versionComment is @@version_comment. [unconfirmed]
func (p profile) versionComment() string { return "StarRocks version " + p.Version }

// buildVersion is the Version column of SHOW BACKENDS / COMPUTE NODES.
func (p profile) buildVersion() string { return p.Version + "-" + p.commitHash() }

// Version gates (STARROCKS.md Appendix A, section 8.1, 11).

// preparedSelect: COM_STMT_PREPARE accepted for SELECT from 3.2.
func (p profile) preparedSelect() bool { return p.atLeast(2, 0) }

// hasXXHash3: xx_hash3_64 from 3.2.0 (its page says so).
func (p profile) hasXXHash3() bool { return p.atLeast(2, 0) }

// hasCRC32: crc32 from 3.3.
func (p profile) hasCRC32() bool { return p.atLeast(3, 0) }

// hasPartitionsMeta: information_schema.partitions_meta confirmed from 3.3;
// [unconfirmed] for 3.1/3.2, where the simulator chooses "absent".
func (p profile) hasPartitionsMeta() bool { return p.atLeast(3, 0) }

// pkPartialUpdateOnColumnList: from 3.3.1 an INSERT with an explicit column
// list into a Primary Key table is a partial update.
func (p profile) pkPartialUpdateOnColumnList() bool { return p.atLeast(3, 1) }

// backendsHasMemLimit: [unconfirmed] MemLimit and Location columns in SHOW
// BACKENDS from 3.3; StatusCode from 3.4.
func (p profile) backendsHasMemLimit() bool   { return p.atLeast(3, 0) }
func (p profile) backendsHasStatusCode() bool { return p.atLeast(4, 0) }

// computeNodesNewLayout: [unconfirmed] newer SHOW COMPUTE NODES column set
// (MemLimit, DataCacheMetrics, StatusCode, WarehouseName, TabletNum) from 3.3.
func (p profile) computeNodesNewLayout() bool { return p.atLeast(3, 0) }

// hasSysDatabase: [unconfirmed] the sys database is listed from 3.2.
func (p profile) hasSysDatabase() bool { return p.atLeast(2, 0) }
