package views_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/srplan/srplan/cmd/srplan/views"
	"github.com/srplan/srplan/lang"
	"github.com/srplan/srplan/planner"
	"github.com/srplan/srplan/planner/plantest"
)

var update = flag.Bool("update", false, "rewrite golden files")

// scenarios are the plans covered by golden files, named after the subtest.
func scenarios() map[string]planner.Input {
	out := map[string]planner.Input{}

	src := plantest.Source()
	out["first_run"] = plantest.Input(plantest.Config(), nil, src, plantest.EmptyTarget())

	src = plantest.Source()
	out["rerun_no_changes"] = plantest.Input(plantest.Config(), plantest.DoneState(src), src, plantest.CopiedTarget(src))

	src = plantest.Source()
	prior := plantest.DoneState(src)
	dst := plantest.CopiedTarget(src)
	src.Tables[planner.TableAddr{DB: "sales", Table: "orders"}].Partitions[2].VisibleVersion += 2
	src.Tables[planner.TableAddr{DB: "sales", Table: "customers"}].Partitions[0].VisibleVersion++
	out["version_moved"] = plantest.Input(plantest.Config(), prior, src, dst)

	src = plantest.Source()
	dst = plantest.CopiedTarget(src)
	ot := dst.Tables[planner.TableAddr{DB: "sales", Table: "orders"}]
	ot.Columns = []planner.Column{ot.Columns[0], ot.Columns[1], {Name: "amount", Type: "double", Nullable: true}}
	out["schema_drift"] = plantest.Input(plantest.Config(), plantest.DoneState(src), src, dst)

	cfg := plantest.Config()
	cfg.Tables[0].Partitions = &lang.PartitionFilter{Include: []string{"p2024*"}, Exclude: []string{"p20240229"}, From: "p20240102"}
	out["filters"] = plantest.Input(cfg, nil, plantest.Source(), plantest.EmptyTarget())

	src = plantest.Source()
	in := plantest.Input(plantest.Config(), plantest.DoneState(src), src, plantest.CopiedTarget(src))
	in.Only = []planner.Addr{{Table: planner.TableAddr{DB: "sales", Table: "orders"}}}
	in.Replace = []planner.Addr{{Table: planner.TableAddr{DB: "sales", Table: "orders"}, Partition: "p20240101"}}
	out["target_and_replace"] = in

	src = plantest.Source()
	src.Cluster = planner.ClusterInfo{Name: "old", Version: planner.Version{Major: 3, Minor: 1, Patch: 11}, Mode: planner.SharedData}
	cfg = plantest.Config()
	cfg.Tables[1].Method = lang.MethodBackup
	out["blocked_method"] = plantest.Input(cfg, nil, src, plantest.EmptyTarget())

	cfg = plantest.Config()
	cfg.Storages["s3side"] = &lang.Storage{Type: lang.StorageLocal, Name: "s3side", URL: "file:///tmp/s3side"}
	cfg.Tables[0].LoadVia = "s3side"
	out["load_via"] = plantest.Input(cfg, nil, plantest.Source(), plantest.EmptyTarget())
	return out
}

func TestPlanGolden(t *testing.T) {
	for name, in := range scenarios() {
		t.Run(name, func(t *testing.T) {
			p, diags := planner.Compute(in)
			if diags.HasErrors() {
				t.Fatalf("plan errors: %v", diags)
			}
			var human, js bytes.Buffer
			if err := (views.PlanHuman{}).Render(&human, p); err != nil {
				t.Fatal(err)
			}
			if err := (views.PlanJSON{}).Render(&js, p); err != nil {
				t.Fatal(err)
			}
			golden(t, filepath.Join("testdata", name+".txt"), human.Bytes())
			golden(t, filepath.Join("testdata", name+".json"), js.Bytes())
			for _, secret := range []string{"s3cret-src", "s3cret-dst"} {
				if strings.Contains(human.String()+js.String(), secret) {
					t.Errorf("plan output contains a password")
				}
			}
		})
	}
}

func TestPlanHumanColor(t *testing.T) {
	src := plantest.Source()
	p, _ := planner.Compute(plantest.Input(plantest.Config(), nil, src, plantest.EmptyTarget()))
	var plain, color bytes.Buffer
	_ = views.PlanHuman{}.Render(&plain, p)
	_ = views.PlanHuman{Color: true}.Render(&color, p)
	if strings.Contains(plain.String(), "\x1b[") {
		t.Error("plain output has ANSI escapes")
	}
	if !strings.Contains(color.String(), "\x1b[32m+\x1b[0m") {
		t.Error("colour output lacks a green +")
	}
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("missing golden file (run go test -update): %v", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s (-want +got):\n%s", path, diff)
	}
}

func TestUnits(t *testing.T) {
	t.Parallel()
	bytesCases := map[int64]string{0: "0 B", 1023: "1023 B", 1024: "1.0 KiB", 64 << 10: "64.0 KiB", 38 << 30: "38.0 GiB", 1 << 40: "1.0 TiB"}
	for n, want := range bytesCases {
		if got := views.Bytes(n); got != want {
			t.Errorf("Bytes(%d) = %q, want %q", n, got, want)
		}
	}
	countCases := map[int64]string{0: "0", 999: "999", 1000: "1,000", 123456: "123,456", 1_100_000_000: "1.1 B", 2_500_000: "2.5 M"}
	for n, want := range countCases {
		if got := views.Count(n); got != want {
			t.Errorf("Count(%d) = %q, want %q", n, got, want)
		}
	}
}
