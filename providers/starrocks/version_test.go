package starrocks

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/srplan/srplan/planner"
)

func TestParseVersion(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		in      string
		want    planner.Version
		wantErr bool
	}{
		"with commit":      {in: "3.3.2-6a3e29e", want: planner.Version{Major: 3, Minor: 3, Patch: 2}},
		"two digit patch":  {in: "3.1.11-34f131b", want: planner.Version{Major: 3, Minor: 1, Patch: 11}},
		"plain":            {in: "3.5.0", want: planner.Version{Major: 3, Minor: 5}},
		"enterprise":       {in: "3.2.8-ee-1a2b3c4", want: planner.Version{Major: 3, Minor: 2, Patch: 8}},
		"space suffix":     {in: "2.5.21 RELEASE", want: planner.Version{Major: 2, Minor: 5, Patch: 21}},
		"no patch":         {in: "4.0-rc01", want: planner.Version{Major: 4}},
		"padded":           {in: " 3.3.2-abc\n", want: planner.Version{Major: 3, Minor: 3, Patch: 2}},
		"mysql version":    {in: "5.1.0", want: planner.Version{Major: 5, Minor: 1}},
		"empty":            {in: "", wantErr: true},
		"major only":       {in: "3", wantErr: true},
		"four parts":       {in: "3.3.2.1", wantErr: true},
		"letters":          {in: "v3.3.2", wantErr: true},
		"empty part":       {in: "3..2", wantErr: true},
		"signed":           {in: "3.+3.2", wantErr: true},
		"suffix only":      {in: "-6a3e29e", wantErr: true},
		"word":             {in: "unknown", wantErr: true},
		"trailing dot":     {in: "3.3.", wantErr: true},
		"non-digit patch":  {in: "3.3.x", wantErr: true},
		"commit then dots": {in: "abc-3.3.2", wantErr: true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseVersion(tc.in)
			if tc.wantErr {
				if err == nil {
					t.Fatalf("ParseVersion(%q) = %v, want an error", tc.in, got)
				}
				if !strings.Contains(err.Error(), "version") {
					t.Errorf("error %q does not say what failed", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseVersion(%q): %v", tc.in, err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ParseVersion(%q) (-want +got):\n%s", tc.in, diff)
			}
		})
	}
}

var (
	beColumns   = []string{"BackendId", "IP", "HeartbeatPort", "BePort", "Alive", "TabletNum", "CpuUsedPct"}
	cnColumns   = []string{"ComputeNodeId", "IP", "HeartbeatPort", "BePort", "Alive", "HasStoragePath"}
	cnSDColumns = append(append([]string(nil), cnColumns...), "StarletPort", "WorkerId")
	beSDColumns = append(append([]string(nil), beColumns...), "StarletPort", "WorkerId", "WarehouseName")
)

func TestInferMode(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		cn, be NodeList
		want   planner.Mode
	}{
		"backends only":              {NodeList{cnColumns, 0}, NodeList{beColumns, 3}, planner.SharedNothing},
		"backends and compute nodes": {NodeList{cnColumns, 2}, NodeList{beColumns, 3}, planner.SharedNothing},
		"shared-data header":         {NodeList{cnSDColumns, 3}, NodeList{beSDColumns, 0}, planner.SharedData},
		"shared-data header no rows": {NodeList{cnSDColumns, 0}, NodeList{beSDColumns, 0}, planner.SharedData},
		"header only on backends":    {NodeList{cnColumns, 0}, NodeList{beSDColumns, 0}, planner.SharedData},
		"header case differs":        {NodeList{[]string{"starletport"}, 1}, NodeList{beColumns, 0}, planner.SharedData},
		"inference: only CNs":        {NodeList{cnColumns, 2}, NodeList{beColumns, 0}, planner.SharedData},
		"nothing registered":         {NodeList{cnColumns, 0}, NodeList{beColumns, 0}, planner.SharedNothing},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if got := InferMode(tc.cn, tc.be); got != tc.want {
				t.Errorf("InferMode = %s, want %s", got, tc.want)
			}
		})
	}
}

func TestDetectCluster(t *testing.T) {
	t.Parallel()
	const (
		cnSN = `
| ComputeNodeId | IP | HasStoragePath |`
		cnSD = `
| ComputeNodeId | IP        | HasStoragePath | StarletPort | WorkerId |
| 10001         | 10.0.0.5  | true           | 9070        | 1        |`
		beSN = `
| BackendId | IP       | Alive |
| 10002     | 10.0.0.6 | true  |`
		beSD = `
| BackendId | IP | Alive | StarletPort | WorkerId | WarehouseName |`
	)
	tests := map[string]struct {
		version, cn, be string
		want            planner.ClusterInfo
	}{
		"3.3 shared-nothing": {
			version: "| current_version() |\n| 3.3.2-6a3e29e |", cn: cnSN, be: beSN,
			want: planner.ClusterInfo{Name: "old", Version: planner.Version{Major: 3, Minor: 3, Patch: 2}, Mode: planner.SharedNothing},
		},
		"3.1 shared-data": {
			version: "| current_version() |\n| 3.1.11-34f131b |", cn: cnSD, be: beSD,
			want: planner.ClusterInfo{Name: "old", Version: planner.Version{Major: 3, Minor: 1, Patch: 11}, Mode: planner.SharedData},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			db, f := newFakeDB(t)
			f.on(t, CurrentVersionSQL, tc.version)
			f.on(t, ShowComputeNodesSQL, tc.cn)
			f.on(t, ShowBackendsSQL, tc.be)
			got, err := DetectCluster(context.Background(), db, "old")
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("DetectCluster (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDetectClusterErrors(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		setup   func(t *testing.T, f *fakeDB)
		wantSub []string
	}{
		"bad version": {
			setup: func(t *testing.T, f *fakeDB) {
				f.on(t, CurrentVersionSQL, "| v |\n| banana |")
			},
			wantSub: []string{`cluster "old"`, `"banana"`},
		},
		"no version row": {
			setup: func(t *testing.T, f *fakeDB) {
				f.on(t, CurrentVersionSQL, "| v |")
			},
			wantSub: []string{`cluster "old"`, "0 rows"},
		},
		"no privilege": {
			setup: func(t *testing.T, f *fakeDB) {
				f.on(t, CurrentVersionSQL, "| v |\n| 3.3.2 |")
				f.onErr(ShowComputeNodesSQL, errors.New("Access denied; you need (at least one of) the OPERATE privilege(s)"))
			},
			wantSub: []string{`detect mode of cluster "old"`, "SHOW COMPUTE NODES", "Access denied", "SYSTEM OPERATE"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			db, f := newFakeDB(t)
			tc.setup(t, f)
			_, err := DetectCluster(context.Background(), db, "old")
			if err == nil {
				t.Fatal("DetectCluster succeeded, want an error")
			}
			for _, s := range tc.wantSub {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not contain %q", err, s)
				}
			}
		})
	}
}
