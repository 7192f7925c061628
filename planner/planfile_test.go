package planner_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/srplan/srplan/planner"
	"github.com/srplan/srplan/planner/plantest"
)

func TestPlanFileRoundTrip(t *testing.T) {
	t.Parallel()
	src := plantest.Source()
	src.Tables[planner.TableAddr{DB: "sales", Table: "orders"}].Partitions[1].VisibleVersion++
	p := mustPlan(t, plantest.Input(plantest.Config(), plantest.DoneState(src), plantest.Source(), plantest.EmptyTarget()))
	path := filepath.Join(t.TempDir(), "plan.json")
	if err := planner.WritePlanFile(path, p); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("plan file mode %v, want 0600", st.Mode().Perm())
	}
	got, err := planner.ReadPlanFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(p, got); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	b, _ := os.ReadFile(path)
	for _, secret := range []string{"s3cret-src", "s3cret-dst"} {
		if strings.Contains(string(b), secret) {
			t.Error("plan file contains a password")
		}
	}
}

func TestReadPlanFileRefusesBadFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cases := map[string]struct{ content, want string }{
		"not json":     {"hello", "not a saved srplan plan"},
		"no version":   {`{"tables": []}`, "no format_version"},
		"newer format": {`{"format_version": "2.0", "srplan_version": "9.0.0"}`, "written by srplan 9.0.0"},
	}
	for name, c := range cases {
		path := filepath.Join(dir, strings.ReplaceAll(name, " ", "_"))
		if err := os.WriteFile(path, []byte(c.content), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := planner.ReadPlanFile(path)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err %v, want %q", name, err, c.want)
		}
	}
	if _, err := planner.ReadPlanFile(filepath.Join(dir, "missing")); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("missing file: %v", err)
	}
}
