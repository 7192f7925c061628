package starrocks

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/srplan/srplan/executor"
	"github.com/srplan/srplan/planner"
)

// Health implements executor.Source and executor.Target: the CPU and
// memory use of every live data node, from SHOW COMPUTE NODES on a
// shared-data cluster and SHOW BACKENDS otherwise (STARROCKS.md 9). Both
// need the SYSTEM OPERATE privilege. Columns are read by name: CpuUsedPct
// ("12.3 %"), MemUsedPct ("45.67 %"), IP, HeartbeatPort and Alive; a node
// is named "IP:HeartbeatPort". Nodes reported not alive are left out: they
// take no work.
func (j *Jobs) Health(ctx context.Context) ([]executor.NodeLoad, error) {
	q := ShowBackendsSQL
	if j.info.Mode == planner.SharedData {
		q = ShowComputeNodesSQL
	}
	res, err := queryAll(ctx, j.db, q)
	if err != nil {
		return nil, markf(err, "health of cluster %q", j.info.Name)
	}
	nodes, err := parseNodeLoads(res)
	if err != nil {
		return nil, mark(fmt.Errorf("health of cluster %q: %s: %w", j.info.Name, q, err))
	}
	return nodes, nil
}

// parseNodeLoads reads the rows of SHOW BACKENDS or SHOW COMPUTE NODES.
func parseNodeLoads(res *resultSet) ([]executor.NodeLoad, error) {
	var out []executor.NodeLoad
	for i := range res.rows {
		if alive := rowText(res, i, []string{"Alive"}); strings.EqualFold(alive, "false") {
			continue
		}
		node := rowText(res, i, []string{"IP", "Host"})
		if port := rowText(res, i, []string{"HeartbeatPort"}); port != "" {
			node += ":" + port
		}
		if node == "" {
			node = rowText(res, i, []string{"BackendId", "ComputeNodeId"})
		}
		cpu, err := parsePct(rowText(res, i, []string{"CpuUsedPct"}))
		if err != nil {
			return nil, fmt.Errorf("node %s: CpuUsedPct: %w", node, err)
		}
		mem, err := parsePct(rowText(res, i, []string{"MemUsedPct"}))
		if err != nil {
			return nil, fmt.Errorf("node %s: MemUsedPct: %w", node, err)
		}
		out = append(out, executor.NodeLoad{Node: node, CPUPct: cpu, MemPct: mem})
	}
	return out, nil
}

// parsePct reads "12.3 %", "12.3%" or "12.3"; "" and "N/A" read as 0.
func parsePct(s string) (float64, error) {
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "%"))
	if s == "" || strings.EqualFold(s, "N/A") {
		return 0, nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not a percentage", s)
	}
	return v, nil
}
