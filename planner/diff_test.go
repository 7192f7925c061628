package planner_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/srplan/srplan/lang"
	"github.com/srplan/srplan/planner"
	"github.com/srplan/srplan/planner/plantest"
	"github.com/srplan/srplan/state"
)

// line is a compact view of a partition change for assertions.
type line struct {
	Addr   string
	Action string
}

func lines(p *planner.Plan) []line {
	var out []line
	for _, t := range p.Tables {
		for _, pc := range t.Partitions {
			out = append(out, line{pc.Addr.String(), pc.Action.String()})
		}
	}
	return out
}

func mustPlan(t *testing.T, in planner.Input) *planner.Plan {
	t.Helper()
	p, diags := planner.Compute(in)
	if diags.HasErrors() {
		t.Fatalf("unexpected errors: %v", diags)
	}
	return p
}

func TestFirstRunCopiesEverythingAndCreatesTables(t *testing.T) {
	t.Parallel()
	src := plantest.Source()
	p := mustPlan(t, plantest.Input(plantest.Config(), nil, src, plantest.EmptyTarget()))
	if got, want := p.Summary.Copy, 6; got != want {
		t.Errorf("copy = %d, want %d", got, want)
	}
	if got, want := p.Summary.CreateTables, 2; got != want {
		t.Errorf("create tables = %d, want %d", got, want)
	}
	for _, tc := range p.Tables {
		if tc.Action != planner.CreateTable {
			t.Errorf("%s: action %s, want create", tc.Source, tc.Action)
		}
		if !strings.HasPrefix(tc.CreateDDL, "CREATE TABLE IF NOT EXISTS `sales`.`"+tc.Source.Table+"`") {
			t.Errorf("%s: DDL head %q", tc.Source, tc.CreateDDL)
		}
		if tc.Method != lang.MethodFiles || tc.Format != "parquet" {
			t.Errorf("%s: method %s/%s, want files/parquet on a 3.3 source", tc.Source, tc.Method, tc.Format)
		}
	}
	// The exact block wins for sales.orders, the pattern takes customers.
	blocks := map[string]string{}
	for _, tc := range p.Tables {
		blocks[tc.Source.String()] = tc.Block
	}
	if diff := cmp.Diff(map[string]string{"sales.orders": "sales.orders", "sales.customers": "sales.*"}, blocks); diff != "" {
		t.Errorf("blocks (-want +got):\n%s", diff)
	}
	if p.Summary.CopyRows != 250+1000+2000+3000+4000+5000 {
		t.Errorf("copy rows = %d", p.Summary.CopyRows)
	}
}

func TestRerunWithEverythingDoneHasNoChanges(t *testing.T) {
	t.Parallel()
	src := plantest.Source()
	p := mustPlan(t, plantest.Input(plantest.Config(), plantest.DoneState(src), src, plantest.CopiedTarget(src)))
	if p.Summary.HasChanges() {
		t.Fatalf("expected no changes, got %+v: %v", p.Summary, lines(p))
	}
	if p.Summary.NoOp != 6 {
		t.Errorf("no-op = %d, want 6", p.Summary.NoOp)
	}
	if p.StateSerial != 42 || p.StateLineage != "lineage-1" {
		t.Errorf("state identity not recorded: %q/%d", p.StateLineage, p.StateSerial)
	}
}

func TestVersionMovedIsRecopiedAtomically(t *testing.T) {
	t.Parallel()
	src := plantest.Source()
	prior := plantest.DoneState(src)
	dst := plantest.CopiedTarget(src)
	src.Tables[planner.TableAddr{DB: "sales", Table: "orders"}].Partitions[2].VisibleVersion += 3
	p := mustPlan(t, plantest.Input(plantest.Config(), prior, src, dst))
	if diff := cmp.Diff([]line{{"sales.orders/p20240102", "recopy"}}, lines(p)); diff != "" {
		t.Fatalf("lines (-want +got):\n%s", diff)
	}
	pc := p.Tables[1].Partitions[0]
	if !strings.Contains(pc.Reason, "source version moved 4 -> 7") || !strings.Contains(pc.Reason, string(planner.ViaTempPartition)) {
		t.Errorf("reason %q", pc.Reason)
	}
	if pc.Prior == nil || pc.Prior.VisibleVersion != 4 {
		t.Errorf("prior %+v", pc.Prior)
	}
}

func TestRowCountChangeAloneIsNotAChange(t *testing.T) {
	t.Parallel()
	src := plantest.Source()
	prior := plantest.DoneState(src)
	src.Tables[planner.TableAddr{DB: "sales", Table: "orders"}].Partitions[0].RowCount = 999999
	p := mustPlan(t, plantest.Input(plantest.Config(), prior, src, plantest.CopiedTarget(src)))
	if p.Summary.HasChanges() {
		t.Fatalf("row count must not be a fingerprint: %v", lines(p))
	}
}

func TestSchemaDriftBlocksPartitions(t *testing.T) {
	t.Parallel()
	src := plantest.Source()
	dst := plantest.CopiedTarget(src)
	ot := dst.Tables[planner.TableAddr{DB: "sales", Table: "orders"}]
	ot.Columns = append([]planner.Column{}, ot.Columns...)
	ot.Columns[2] = planner.Column{Name: "amount", Type: "decimal(10,2)", Nullable: true}
	ot.Columns = append(ot.Columns, planner.Column{Name: "legacy", Type: "int(11)", Nullable: true})
	p := mustPlan(t, plantest.Input(plantest.Config(), nil, src, dst))
	var orders *planner.TableChange
	for _, tc := range p.Tables {
		if tc.Source.Table == "orders" {
			orders = tc
		}
	}
	if orders.Action != planner.SchemaDrift {
		t.Fatalf("action %s, want drift", orders.Action)
	}
	want := []planner.ColumnDiff{
		{Kind: "changed", Column: "amount", Source: "decimal(12,2) NULL", Target: "decimal(10,2) NULL"},
		{Kind: "removed", Column: "legacy", Target: "int(11) NULL"},
	}
	if diff := cmp.Diff(want, orders.Drift); diff != "" {
		t.Errorf("drift (-want +got):\n%s", diff)
	}
	for _, pc := range orders.Partitions {
		if pc.Action != planner.Blocked {
			t.Errorf("%s: %s, want blocked", pc.Addr, pc.Action)
		}
	}
	if p.Summary.Blocked != 5 || p.Summary.DriftTables != 1 {
		t.Errorf("summary %+v", p.Summary)
	}
}

func TestIntWidthIsNotDrift(t *testing.T) {
	t.Parallel()
	src := plantest.Source()
	dst := plantest.CopiedTarget(src)
	ot := dst.Tables[planner.TableAddr{DB: "sales", Table: "orders"}]
	ot.Columns = append([]planner.Column{}, ot.Columns...)
	ot.Columns[1].Type = "bigint"
	p := mustPlan(t, plantest.Input(plantest.Config(), plantest.DoneState(src), src, dst))
	if p.Summary.DriftTables != 0 {
		t.Fatalf("bigint vs bigint(20) reported as drift")
	}
}

func TestPartitionFilters(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		filter *lang.PartitionFilter
		want   []string
	}{
		"include": {&lang.PartitionFilter{Include: []string{"p2024*"}}, []string{"p20240101", "p20240102", "p20240103", "p20240229"}},
		"exclude": {&lang.PartitionFilter{Exclude: []string{"p20240229", "p2023*"}}, []string{"p20240101", "p20240102", "p20240103"}},
		"from-to": {&lang.PartitionFilter{From: "p20240101", To: "p20240103"}, []string{"p20240101", "p20240102"}},
		"all":     {&lang.PartitionFilter{Include: []string{"p2024*"}, Exclude: []string{"p20240102"}, From: "p20240102", To: "p20240300"}, []string{"p20240103", "p20240229"}},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			cfg := plantest.Config()
			cfg.Tables[0].Partitions = tt.filter
			cfg.Tables = cfg.Tables[:1]
			p := mustPlan(t, plantest.Input(cfg, nil, plantest.Source(), plantest.EmptyTarget()))
			var got []string
			for _, pc := range p.Tables[0].Partitions {
				got = append(got, pc.Addr.Partition)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("partitions (-want +got):\n%s", diff)
			}
		})
	}
}

func TestTargetAndReplace(t *testing.T) {
	t.Parallel()
	src := plantest.Source()
	in := plantest.Input(plantest.Config(), plantest.DoneState(src), src, plantest.CopiedTarget(src))
	in.Only = []planner.Addr{{Table: planner.TableAddr{DB: "sales", Table: "orders"}}}
	in.Replace = []planner.Addr{{Table: planner.TableAddr{DB: "sales", Table: "orders"}, Partition: "p20240103"},
		{Table: planner.TableAddr{DB: "sales", Table: "customers"}}}
	p := mustPlan(t, in)
	if len(p.Tables) != 1 || p.Tables[0].Source.Table != "orders" {
		t.Fatalf("-target did not restrict tables: %v", lines(p))
	}
	if diff := cmp.Diff([]line{{"sales.orders/p20240103", "recopy"}}, lines(p)); diff != "" {
		t.Errorf("lines (-want +got):\n%s", diff)
	}

	in.Only = []planner.Addr{{Table: planner.TableAddr{DB: "sales", Table: "customers"}}}
	p = mustPlan(t, in)
	if diff := cmp.Diff([]line{{"sales.customers/customers", "recopy"}}, lines(p)); diff != "" {
		t.Errorf("lines (-want +got):\n%s", diff)
	}
	if !strings.Contains(p.Tables[0].Partitions[0].Reason, string(planner.ViaShadowSwap)) {
		t.Errorf("unpartitioned recopy must name the shadow-table fallback: %q", p.Tables[0].Partitions[0].Reason)
	}
}

func TestInterruptedAndFailedCopies(t *testing.T) {
	t.Parallel()
	src := plantest.Source()
	prior := plantest.DoneState(src)
	key := func(p string) state.PartitionKey { return state.PartitionKey{Table: "sales.orders", Partition: p} }
	// Never completed, interrupted while loading.
	r := prior.Partitions[key("p20231231")]
	r.LastDone, r.Stage, r.Status = nil, state.StageLoading, state.StatusRunning
	// Completed before, recopy interrupted at export.
	r = prior.Partitions[key("p20240101")]
	r.Fingerprint.VisibleVersion++
	r.Stage, r.Status = state.StageExporting, state.StatusRunning
	src.Tables[planner.TableAddr{DB: "sales", Table: "orders"}].Partitions[1].VisibleVersion++
	// Verification failed.
	r = prior.Partitions[key("p20240102")]
	r.Stage, r.Status, r.LastError = state.StageVerifying, state.StatusFailed, "row count 10 != 9"
	// Load failed permanently.
	r = prior.Partitions[key("p20240103")]
	r.LastDone, r.Stage, r.Status, r.Attempts, r.LastError = nil, state.StageLoading, state.StatusFailed, 5, "Access denied"

	p := mustPlan(t, plantest.Input(plantest.Config(), prior, src, plantest.CopiedTarget(src)))
	got := map[string]string{}
	for _, tc := range p.Tables {
		for _, pc := range tc.Partitions {
			got[pc.Addr.Partition] = pc.Action.String() + ": " + pc.Reason
		}
	}
	want := map[string]string{
		"p20231231": "copy: resume: interrupted at loading",
		"p20240101": "recopy: resume: interrupted at exporting (via temporary partition + REPLACE PARTITION)",
		"p20240102": "recopy: last verification failed: row count 10 != 9 (via temporary partition + REPLACE PARTITION)",
		"p20240103": "copy: retry: failed at loading after 5 attempt(s): Access denied",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestMethodGates(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		src, dst    planner.ClusterInfo
		method      lang.Method
		where       string
		repo        string
		kind        planner.PartitionKind
		wantMethod  lang.Method
		wantBlocked string
		wantFormat  string
	}{
		"auto 3.1 shared-data exports csv":                       {src: ci("old", 3, 1, 11, planner.SharedData), dst: ci("new", 3, 3, 2, planner.SharedNothing), method: lang.MethodAuto, wantMethod: lang.MethodExport, wantFormat: "csv"},
		"auto 3.3 uses files parquet":                            {src: ci("old", 3, 3, 2, planner.SharedNothing), dst: ci("new", 3, 3, 2, planner.SharedNothing), method: lang.MethodAuto, wantMethod: lang.MethodFiles, wantFormat: "parquet"},
		"files on 3.1 blocked":                                   {src: ci("old", 3, 1, 11, planner.SharedData), dst: ci("new", 3, 3, 2, planner.SharedNothing), method: lang.MethodFiles, wantMethod: lang.MethodFiles, wantFormat: "parquet", wantBlocked: "available from StarRocks 3.2"},
		"where on 3.1 auto blocked":                              {src: ci("old", 3, 1, 11, planner.SharedData), dst: ci("new", 3, 3, 2, planner.SharedNothing), method: lang.MethodAuto, where: "x > 0", wantMethod: lang.MethodExport, wantFormat: "csv", wantBlocked: "EXPORT cannot filter"},
		"backup on shared-data blocked":                          {src: ci("old", 3, 3, 2, planner.SharedData), dst: ci("new", 3, 3, 2, planner.SharedNothing), method: lang.MethodBackup, wantMethod: lang.MethodBackup, wantBlocked: "needs shared-nothing clusters"},
		"backup expression 3.3.7 blocked":                        {src: ci("old", 3, 3, 7, planner.SharedNothing), dst: ci("new", 3, 4, 0, planner.SharedNothing), method: lang.MethodBackup, kind: planner.ExpressionPartitions, wantMethod: lang.MethodBackup, wantBlocked: "3.3.8"},
		"backup expression 3.3.8 passes gates":                   {src: ci("old", 3, 3, 8, planner.SharedNothing), dst: ci("new", 3, 4, 0, planner.SharedNothing), method: lang.MethodBackup, kind: planner.ExpressionPartitions, wantMethod: lang.MethodBackup},
		"backup expression 3.1.16 passes gates":                  {src: ci("old", 3, 1, 16, planner.SharedNothing), dst: ci("new", 3, 2, 13, planner.SharedNothing), method: lang.MethodBackup, kind: planner.ExpressionPartitions, wantMethod: lang.MethodBackup},
		"backup target 3.2.12 expression blocked":                {src: ci("old", 3, 4, 0, planner.SharedNothing), dst: ci("new", 3, 2, 12, planner.SharedNothing), method: lang.MethodBackup, kind: planner.ExpressionPartitions, wantMethod: lang.MethodBackup, wantBlocked: "3.2.13"},
		"auto with repository uses backup":                       {src: ci("old", 3, 3, 2, planner.SharedNothing), dst: ci("new", 3, 3, 2, planner.SharedNothing), method: lang.MethodAuto, repo: "bk", wantMethod: lang.MethodBackup},
		"auto with repository on shared-data uses files":         {src: ci("old", 3, 3, 2, planner.SharedNothing), dst: ci("new", 3, 3, 2, planner.SharedData), method: lang.MethodAuto, repo: "bk", wantMethod: lang.MethodFiles, wantFormat: "parquet"},
		"auto with repository below the expression gate exports": {src: ci("old", 3, 1, 11, planner.SharedNothing), dst: ci("new", 3, 3, 2, planner.SharedNothing), method: lang.MethodAuto, repo: "bk", kind: planner.ExpressionPartitions, wantMethod: lang.MethodExport, wantFormat: "csv"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			cfg := plantest.Config()
			cfg.Tables = cfg.Tables[:1]
			cfg.Tables[0].Method = tt.method
			cfg.Tables[0].Where = tt.where
			cfg.Tables[0].Repository = tt.repo
			src := plantest.Source()
			src.Cluster = tt.src
			if tt.kind != "" {
				src.Tables[planner.TableAddr{DB: "sales", Table: "orders"}].PartitionKind = tt.kind
			}
			dst := plantest.EmptyTarget()
			dst.Cluster = tt.dst
			p := mustPlan(t, plantest.Input(cfg, nil, src, dst))
			tc := p.Tables[0]
			if tc.Method != tt.wantMethod || tc.Format != tt.wantFormat {
				t.Errorf("method %s/%s, want %s/%s", tc.Method, tc.Format, tt.wantMethod, tt.wantFormat)
			}
			if tt.wantMethod == lang.MethodBackup && tt.wantBlocked == "" && (tc.Repository != tt.repo || tc.Recopy != planner.ViaRestoreTempPartition) {
				t.Errorf("repository %q recopy %q, want %q and %q", tc.Repository, tc.Recopy, tt.repo, planner.ViaRestoreTempPartition)
			}
			if tt.wantBlocked == "" {
				if tc.Action == planner.Blocked {
					t.Errorf("unexpectedly blocked: %s", tc.Reason)
				}
				return
			}
			if tc.Action != planner.Blocked || !strings.Contains(tc.Reason, tt.wantBlocked) {
				t.Errorf("action %s reason %q, want blocked containing %q", tc.Action, tc.Reason, tt.wantBlocked)
			}
			for _, pc := range tc.Partitions {
				if pc.Action != planner.Blocked {
					t.Errorf("%s not blocked", pc.Addr)
				}
			}
		})
	}
}

func ci(name string, ma, mi, pa int, m planner.Mode) planner.ClusterInfo {
	return planner.ClusterInfo{Name: name, Version: planner.Version{Major: ma, Minor: mi, Patch: pa}, Mode: m}
}

func TestOrphans(t *testing.T) {
	t.Parallel()
	src := plantest.Source()
	prior := plantest.DoneState(src)
	dst := plantest.CopiedTarget(src)
	orders := src.Tables[planner.TableAddr{DB: "sales", Table: "orders"}]
	orders.Partitions = orders.Partitions[1:] // p20231231 dropped on the source
	prior.Partitions[state.PartitionKey{Table: "sales.gone", Partition: "p1"}] = &state.PartitionRecord{Table: "sales.gone", Partition: "p1", Stage: state.StageDone, Status: state.StatusOK}
	p := mustPlan(t, plantest.Input(plantest.Config(), prior, src, dst))
	if diff := cmp.Diff([]line{{"sales.orders/p20231231", "orphan"}}, lines(p)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if len(p.Orphans) != 1 || p.Orphans[0].Addr.String() != "sales.gone/p1" {
		t.Errorf("state orphans %+v", p.Orphans)
	}
	if p.Summary.Orphan != 2 || p.Summary.HasChanges() {
		t.Errorf("summary %+v", p.Summary)
	}
}

func TestMissingExactTableIsAnErrorWithRange(t *testing.T) {
	t.Parallel()
	cfg := plantest.Config()
	cfg.Tables[0].Pattern, cfg.Tables[0].TablePattern = "sales.nope", "nope"
	_, diags := planner.Compute(plantest.Input(cfg, nil, plantest.Source(), plantest.EmptyTarget()))
	if !diags.HasErrors() {
		t.Fatal("expected an error")
	}
	d := diags[0]
	if d.Summary != "Source table not found" || d.Subject == nil || d.Subject.Start.Line != 10 {
		t.Errorf("diag %+v", d)
	}
}

func TestTwoSourcesOneTargetIsAnError(t *testing.T) {
	t.Parallel()
	cfg := plantest.Config()
	cfg.Tables[1].TargetTable = "sales.orders"
	cfg.Tables[1].TablePattern, cfg.Tables[1].Pattern = "customers", "sales.customers"
	_, diags := planner.Compute(plantest.Input(cfg, nil, plantest.Source(), plantest.EmptyTarget()))
	if !diags.HasErrors() || !strings.Contains(diags.Error(), "Two source tables map to one target") {
		t.Fatalf("diags %v", diags)
	}
}

func TestStaleSavedPlan(t *testing.T) {
	t.Parallel()
	src := plantest.Source()
	in := plantest.Input(plantest.Config(), plantest.DoneState(src), src, plantest.CopiedTarget(src))
	in.Replace = []planner.Addr{{Table: planner.TableAddr{DB: "sales", Table: "orders"}}}
	saved := mustPlan(t, in)
	if got := planner.Stale(saved, in); len(got) != 0 {
		t.Fatalf("fresh plan reported stale: %v", got)
	}
	moved := plantest.Source()
	moved.Tables[planner.TableAddr{DB: "sales", Table: "orders"}].Partitions[3].VisibleVersion = 99
	in2 := plantest.Input(plantest.Config(), plantest.DoneState(src), moved, plantest.CopiedTarget(src))
	in2.Prior.Meta.Serial++
	in2.Config.Hash = "other"
	want := []string{
		"the spec changed since the plan was saved",
		"the state changed since the plan was saved (serial 42, now 43): another apply or state command ran",
		"sales.orders/p20240103 moved on the source: version 5 -> 99",
	}
	if diff := cmp.Diff(want, planner.Stale(saved, in2)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestComputeIsPure(t *testing.T) {
	t.Parallel()
	src := plantest.Source()
	in := plantest.Input(plantest.Config(), plantest.DoneState(src), src, plantest.EmptyTarget())
	a, _ := planner.Compute(in)
	b, _ := planner.Compute(in)
	if diff := cmp.Diff(a, b); diff != "" {
		t.Errorf("two computations differ:\n%s", diff)
	}
}

// A plan saved before any state existed applies to the state file the
// apply creates (empty, with a lineage of its own), but not to one that
// recorded something since.
func TestStaleLineageOfAnEmptyState(t *testing.T) {
	t.Parallel()
	src := plantest.Source()
	in := plantest.Input(plantest.Config(), plantest.DoneState(src), src, plantest.CopiedTarget(src))
	in.Prior.Meta.Serial, in.Prior.Meta.Lineage = 0, "in-memory"
	saved := mustPlan(t, in)
	in.Prior.Meta.Lineage = "new-file"
	if got := planner.Stale(saved, in); len(got) != 0 {
		t.Errorf("plan made before any state reported stale against an empty state: %v", got)
	}
	in.Prior.Meta.Serial = 1
	want := []string{`the plan was made for state lineage "in-memory", but the state has lineage "new-file"`}
	if diff := cmp.Diff(want, planner.Stale(saved, in)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
