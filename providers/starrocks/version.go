package starrocks

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/srplan/srplan/planner"
)

// DetectCluster reads the release and the architecture of the cluster q is
// connected to. name is the spec block name, copied into the result and
// used in errors. It runs three statements: SELECT current_version(),
// SHOW COMPUTE NODES and SHOW BACKENDS; the last two need the SYSTEM
// OPERATE privilege, as every SHOW PROC does.
func DetectCluster(ctx context.Context, q Querier, name string) (planner.ClusterInfo, error) {
	info := planner.ClusterInfo{Name: name}
	res, err := queryAll(ctx, q, CurrentVersionSQL)
	if err != nil {
		return info, fmt.Errorf("detect version of cluster %q: %w", name, err)
	}
	if len(res.rows) != 1 || len(res.cols) < 1 || !res.rows[0][0].Valid {
		return info, fmt.Errorf("detect version of cluster %q: %s returned %d rows, want one", name, CurrentVersionSQL, len(res.rows))
	}
	if info.Version, err = ParseVersion(res.rows[0][0].String); err != nil {
		return info, fmt.Errorf("detect version of cluster %q: %w", name, err)
	}
	cns, err := queryAll(ctx, q, ShowComputeNodesSQL)
	if err != nil {
		return info, fmt.Errorf("detect mode of cluster %q: %w: the user needs the SYSTEM OPERATE privilege", name, err)
	}
	bes, err := queryAll(ctx, q, ShowBackendsSQL)
	if err != nil {
		return info, fmt.Errorf("detect mode of cluster %q: %w: the user needs the SYSTEM OPERATE privilege", name, err)
	}
	info.Mode = InferMode(NodeList{Columns: cns.cols, Rows: len(cns.rows)}, NodeList{Columns: bes.cols, Rows: len(bes.rows)})
	return info, nil
}

// ParseVersion parses the text of SELECT current_version(): a release
// "major.minor[.patch]" optionally followed by a build suffix after '-' or
// a space ("3.3.2-6a3e29e", "3.1.11-ee-1a2b3c", "3.2.0 RELEASE"). Anything
// else is an error that quotes the text.
func ParseVersion(s string) (planner.Version, error) {
	t := strings.TrimSpace(s)
	rel := t
	if i := strings.IndexAny(t, "- "); i >= 0 {
		rel = t[:i]
	}
	parts := strings.Split(rel, ".")
	if len(parts) < 2 || len(parts) > 3 {
		return planner.Version{}, fmt.Errorf("unrecognised StarRocks version %q: want major.minor.patch", s)
	}
	var nums [3]int
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || p == "" || p[0] == '+' {
			return planner.Version{}, fmt.Errorf("unrecognised StarRocks version %q: want major.minor.patch", s)
		}
		nums[i] = n
	}
	return planner.Version{Major: nums[0], Minor: nums[1], Patch: nums[2]}, nil
}

// NodeList is the outcome of SHOW COMPUTE NODES or SHOW BACKENDS: the
// header and the number of rows.
type NodeList struct {
	Columns []string
	Rows    int
}

// sharedDataNodeColumns are the columns the FE adds to the BE and CN lists
// only when it runs in shared-data mode (STARROCKS.md 9.1 and 9.2, read in
// BackendsProcDir/ComputeNodeProcDir: "+ in shared-data mode: StarletPort,
// WorkerId[, WarehouseName]").
var sharedDataNodeColumns = []string{"StarletPort", "WorkerId"}

// InferMode tells the architecture from the node lists.
//
// The primary signal is the header, which is documented in STARROCKS.md
// from the FE source: in shared-data mode both lists carry StarletPort and
// WorkerId. It does not depend on how many nodes are registered, so it
// also holds for a cluster whose nodes are all down. When neither header
// has those columns (a release whose headers differ), the inference of
// STARROCKS.md 9.2 decides: compute nodes listed and no backends means
// shared-data. Everything else is shared-nothing.
func InferMode(computeNodes, backends NodeList) planner.Mode {
	for _, l := range []NodeList{computeNodes, backends} {
		for _, c := range l.Columns {
			for _, sd := range sharedDataNodeColumns {
				if strings.EqualFold(c, sd) {
					return planner.SharedData
				}
			}
		}
	}
	if computeNodes.Rows > 0 && backends.Rows == 0 {
		return planner.SharedData
	}
	return planner.SharedNothing
}
