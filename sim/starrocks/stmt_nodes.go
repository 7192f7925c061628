package starrocks

import (
	"context"
	"fmt"

	"github.com/dolthub/vitess/go/sqltypes"
)

// Simulated node hardware.
const (
	nodeCPUCores     = 16
	nodeMemLimit     = int64(64) << 30
	nodeDiskTotal    = int64(2) << 40
	nodeHeartbeat    = 9050
	nodeBePort       = 9060
	nodeHTTPPort     = 8040
	nodeBrpcPort     = 8060
	nodeStarletPort  = 9070
	defaultWarehouse = "default_warehouse"
)

// backendColumns is the SHOW BACKENDS header of STARROCKS.md 9.1 for the
// profile. [unconfirmed] MemLimit/Location from 3.3, StatusCode from 3.4;
// shared-data appends StarletPort, WorkerId, WarehouseName.
func backendColumns(prof profile) []string {
	cols := []string{"BackendId", "IP", "HeartbeatPort", "BePort", "HttpPort", "BrpcPort", "LastStartTime",
		"LastHeartbeat", "Alive", "SystemDecommissioned", "ClusterDecommissioned", "TabletNum", "DataUsedCapacity",
		"AvailCapacity", "TotalCapacity", "UsedPct", "MaxDiskUsedPct", "ErrMsg", "Version", "Status",
		"DataTotalCapacity", "DataUsedPct", "CpuCores"}
	if prof.backendsHasMemLimit() {
		cols = append(cols, "MemLimit")
	}
	cols = append(cols, "NumRunningQueries", "MemUsedPct", "CpuUsedPct", "DataCacheMetrics")
	if prof.backendsHasMemLimit() {
		cols = append(cols, "Location")
	}
	if prof.backendsHasStatusCode() {
		cols = append(cols, "StatusCode")
	}
	if prof.sharedData() {
		cols = append(cols, "StarletPort", "WorkerId", "WarehouseName")
	}
	return cols
}

// computeNodeColumns is the SHOW COMPUTE NODES header of STARROCKS.md 9.2.
// [unconfirmed] the newer layout is used from 3.3.
func computeNodeColumns(prof profile) []string {
	cols := []string{"ComputeNodeId", "IP", "HeartbeatPort", "BePort", "HttpPort", "BrpcPort", "LastStartTime",
		"LastHeartbeat", "Alive", "SystemDecommissioned", "ClusterDecommissioned", "ErrMsg", "Version", "CpuCores"}
	if prof.computeNodesNewLayout() {
		cols = append(cols, "MemLimit", "NumRunningQueries", "MemUsedPct", "CpuUsedPct", "DataCacheMetrics",
			"HasStoragePath", "StatusCode")
		if prof.sharedData() {
			cols = append(cols, "StarletPort", "WorkerId", "WarehouseName", "TabletNum")
		}
		return cols
	}
	cols = append(cols, "NumRunningQueries", "MemUsedPct", "CpuUsedPct", "HasStoragePath")
	if prof.sharedData() {
		cols = append(cols, "StarletPort", "WorkerId")
	}
	return cols
}

// nodeValues are the per-node values by column name.
func (c *Cluster) nodeValues(i int) map[string]any {
	cpu, mem := c.controls.nodeLoad()
	started := c.store.now().Add(-24 * 3600e9).Format(datetimeLayout)
	used := c.dataBytes() / int64(nodeCount)
	id := int64(firstNodeID + i)
	return map[string]any{
		"BackendId": id, "ComputeNodeId": id, "IP": fmt.Sprintf("127.0.0.%d", i+1),
		"HeartbeatPort": int64(nodeHeartbeat), "BePort": int64(nodeBePort), "HttpPort": int64(nodeHTTPPort),
		"BrpcPort": int64(nodeBrpcPort), "LastStartTime": started, "LastHeartbeat": c.store.now().Format(datetimeLayout),
		"Alive": "true", "SystemDecommissioned": "false", "ClusterDecommissioned": "false",
		"TabletNum": c.tabletCount() / int64(nodeCount), "DataUsedCapacity": capacityString(used),
		"AvailCapacity": capacityString(nodeDiskTotal - used), "TotalCapacity": capacityString(nodeDiskTotal),
		"UsedPct":        fmt.Sprintf("%.2f %%", float64(used)*100/float64(nodeDiskTotal)),
		"MaxDiskUsedPct": fmt.Sprintf("%.2f %%", float64(used)*100/float64(nodeDiskTotal)), "ErrMsg": "",
		"Version":           c.prof.buildVersion(),
		"Status":            fmt.Sprintf(`{"lastSuccessReportTabletsTime":"%s","lastStreamLoadTime":-1,"isQueryDisabled":false,"isLoadDisabled":false}`, c.store.now().Format(datetimeLayout)),
		"DataTotalCapacity": capacityString(nodeDiskTotal),
		"DataUsedPct":       fmt.Sprintf("%.2f %%", float64(used)*100/float64(nodeDiskTotal)),
		"CpuCores":          int64(nodeCPUCores), "MemLimit": capacityString(nodeMemLimit), "NumRunningQueries": int64(0),
		"MemUsedPct": fmt.Sprintf("%.2f %%", mem), "CpuUsedPct": fmt.Sprintf("%.1f %%", cpu),
		"DataCacheMetrics": "N/A", "Location": "", "StatusCode": "OK", "HasStoragePath": "true",
		"StarletPort": int64(nodeStarletPort), "WorkerId": int64(i + 1), "WarehouseName": defaultWarehouse,
	}
}

// dataBytes is the total DataSize of all partitions.
func (c *Cluster) dataBytes() int64 {
	var n int64
	for _, t := range c.store.Tables("") {
		for _, p := range t.Partitions {
			n += p.DataSize
		}
	}
	return n
}

// tabletCount is the number of tablets (buckets over all partitions).
func (c *Cluster) tabletCount() int64 {
	var n int64
	for _, t := range c.store.Tables("") {
		for _, p := range t.Partitions {
			n += int64(p.Buckets)
		}
	}
	return n
}

func nodeRows(c *Cluster, cols []string) [][]any {
	var rows [][]any
	for i := 0; i < nodeCount; i++ {
		vals := c.nodeValues(i)
		row := make([]any, len(cols))
		for j, col := range cols {
			row[j] = vals[col]
		}
		rows = append(rows, row)
	}
	return rows
}

// handleShowBackends lists the backends of a shared-nothing cluster; a
// shared-data cluster has none (its data nodes are compute nodes).
func handleShowBackends(_ context.Context, s *Session, st *Statement) (*sqltypes.Result, error) {
	if err := (&parser{src: st.SQL, toks: st.Toks, i: 2}).expectEnd(); err != nil {
		return nil, err
	}
	if err := s.require("OPERATE", "SYSTEM", "", "SHOW BACKENDS"); err != nil {
		return nil, err
	}
	cols := backendColumns(s.c.prof)
	if s.c.prof.sharedData() {
		return textResult(cols, nil), nil
	}
	return textResult(cols, nodeRows(s.c, cols)), nil
}

// handleShowComputeNodes lists the compute nodes of a shared-data cluster;
// a shared-nothing cluster has none.
func handleShowComputeNodes(_ context.Context, s *Session, st *Statement) (*sqltypes.Result, error) {
	if err := (&parser{src: st.SQL, toks: st.Toks, i: 3}).expectEnd(); err != nil {
		return nil, err
	}
	if err := s.require("OPERATE", "SYSTEM", "", "SHOW COMPUTE NODES"); err != nil {
		return nil, err
	}
	cols := computeNodeColumns(s.c.prof)
	if !s.c.prof.sharedData() {
		return textResult(cols, nil), nil
	}
	return textResult(cols, nodeRows(s.c, cols)), nil
}
