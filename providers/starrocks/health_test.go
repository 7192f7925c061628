package starrocks

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/srplan/srplan/executor"
	"github.com/srplan/srplan/planner"
)

func TestHealth(t *testing.T) {
	t.Parallel()
	backends := reply([]string{"BackendId", "IP", "HeartbeatPort", "Alive", "MemUsedPct", "CpuUsedPct", "Location"},
		[]string{"10001", "10.0.0.1", "9050", "true", "45.67 %", "12.3 %", ""},
		[]string{"10002", "10.0.0.2", "9050", "false", "99.00 %", "99.0 %", ""},
		[]string{"10003", "10.0.0.3", "9050", "true", "N/A", "0.0 %", ""},
	)
	cns := reply([]string{"ComputeNodeId", "IP", "HeartbeatPort", "Alive", "CpuUsedPct", "MemUsedPct", "WarehouseName"},
		[]string{"1", "10.0.1.1", "9050", "true", "80.5 %", "10.00 %", "default"},
	)
	tests := map[string]struct {
		mode planner.Mode
		want []executor.NodeLoad
	}{
		"shared-nothing reads backends": {planner.SharedNothing, []executor.NodeLoad{
			{Node: "10.0.0.1:9050", CPUPct: 12.3, MemPct: 45.67},
			{Node: "10.0.0.3:9050", CPUPct: 0, MemPct: 0},
		}},
		"shared-data reads compute nodes": {planner.SharedData, []executor.NodeLoad{{Node: "10.0.1.1:9050", CPUPct: 80.5, MemPct: 10}}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			db, _ := newJobDB(t, func(q string) jobReply {
				switch q {
				case ShowBackendsSQL:
					return backends
				case ShowComputeNodesSQL:
					return cns
				}
				return sqlErr(1064, "unexpected")
			})
			info := v33
			info.Mode = tc.mode
			got, err := testJobs(t, db, info).Health(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Health (-want +got):\n%s", diff)
			}
		})
	}
	bad, _ := newJobDB(t, func(string) jobReply {
		return reply([]string{"IP", "CpuUsedPct", "MemUsedPct"}, []string{"x", "lots", "1 %"})
	})
	if _, err := testJobs(t, bad, v33).Health(context.Background()); err == nil {
		t.Error("Health accepted CpuUsedPct \"lots\"")
	}
}
