package planner

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
	"github.com/srplan/srplan/lang"
	"github.com/srplan/srplan/state"
)

// Compute computes the plan for in. It is a pure function: the same input
// gives the same plan. Diagnostics carry the spec range they concern; a
// plan is returned even with errors (best effort), and callers must not
// apply a plan whose diagnostics have errors.
func Compute(in Input) (*Plan, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	cfg := in.Config
	p := &Plan{
		FormatVersion: PlanFormatVersion,
		SrplanVersion: in.SrplanVersion,
		CreatedAt:     in.Now.UTC(),
		ConfigHash:    cfg.Hash,
	}
	p.Sources, p.Targets = clusterInfos(in.Sources), clusterInfos(in.Targets)
	prior := in.Prior
	if prior == nil {
		prior = &state.Snapshot{}
	}
	p.StateLineage, p.StateSerial = prior.Meta.Lineage, prior.Meta.Serial

	for _, b := range cfg.Tables {
		if in.Sources[b.From] == nil {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Source not observed",
				Detail:   fmt.Sprintf("No catalog was read for source %q, which table %q uses.", b.From, b.Pattern),
				Subject:  b.DeclRange.Ptr(),
			})
		}
		if in.Targets[b.To] == nil {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Target not observed",
				Detail:   fmt.Sprintf("No catalog was read for target %q, which table %q uses.", b.To, b.Pattern),
				Subject:  b.DeclRange.Ptr(),
			})
		}
	}
	if diags.HasErrors() {
		return p, diags
	}

	sel, notFound, overlaps := selectTables(cfg, in.Sources)
	for _, b := range notFound {
		if isPattern(b) {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagWarning,
				Summary:  "Table pattern matches nothing",
				Detail:   fmt.Sprintf("No table on source %q matches %q.", b.From, b.Pattern),
				Subject:  b.DeclRange.Ptr(),
			})
			continue
		}
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Source table not found",
			Detail:   fmt.Sprintf("Table %s does not exist on source %q. Check the name (names are case-sensitive) or remove the block.", b.Pattern, b.From),
			Subject:  b.DeclRange.Ptr(),
		})
	}
	for _, o := range overlaps {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagWarning,
			Summary:  "Table patterns overlap",
			Detail: fmt.Sprintf("Tables matched by %q are also matched by %q (%s); the first block wins. Add an exact table block to make the choice explicit.",
				o[0].Pattern, o[1].Pattern, o[0].DeclRange.String()),
			Subject: o[1].DeclRange.Ptr(),
		})
	}
	diags = append(diags, targetDiagnostics(in.Only, sel, in.Sources)...)

	targets := map[TableAddr]TableAddr{}
	selectedSrc := map[string]bool{}
	for _, s := range sel {
		tgt := targetAddr(s.block, s.addr)
		if prev, dup := targets[tgt]; dup {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Two source tables map to one target",
				Detail:   fmt.Sprintf("Source tables %s and %s would both be copied into %s. Give one of them a different target_table.", prev, s.addr, tgt),
				Subject:  s.block.DeclRange.Ptr(),
			})
			continue
		}
		targets[tgt] = s.addr
		selectedSrc[s.addr.String()] = true
		if !onlySelectsTable(in.Only, s.addr) {
			continue
		}
		tc, d := planTable(in, prior, s, tgt)
		diags = append(diags, d...)
		p.Tables = append(p.Tables, tc)
	}
	p.Orphans = stateOrphans(in, prior, selectedSrc)
	p.Summary = summarize(p)
	return p, diags
}

// onlySelectsTable reports whether -target addresses select table t.
func onlySelectsTable(only []Addr, t TableAddr) bool {
	if len(only) == 0 {
		return true
	}
	for _, a := range only {
		if a.MatchesTable(t) {
			return true
		}
	}
	return false
}

func onlySelectsPartition(only []Addr, t TableAddr, part string) bool {
	if len(only) == 0 {
		return true
	}
	for _, a := range only {
		if a.MatchesPartition(t, part) {
			return true
		}
	}
	return false
}

func planTable(in Input, prior *state.Snapshot, s selected, tgt TableAddr) (*TableChange, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	b := s.block
	srcCat, dstCat := in.Sources[b.From], in.Targets[b.To]
	st := srcCat.Tables[s.addr]
	dt := dstCat.Tables[tgt]

	tc := &TableChange{
		Source: s.addr, Target: tgt, Block: b.Pattern,
		SourceCluster: b.From, TargetCluster: b.To, Storage: b.Via, LoadStorage: b.LoadVia,
		Throttle:      b.Throttle,
		Columns:       st.Columns,
		PartitionKind: st.PartitionKind,
		Recopy:        recopyStrategy(st),
	}
	method, format, blocked := resolveMethod(b, srcCat.Cluster, dstCat.Cluster, st)
	tc.Method, tc.Format = method, format
	if method == lang.MethodBackup {
		tc.Recopy, tc.Repository = recopyStrategyFor(method, st), b.Repository
	}
	switch {
	case blocked != "":
		tc.Action, tc.Reason = Blocked, blocked
	case dt == nil && !b.Schema.Create:
		tc.Action = Blocked
		tc.Reason = fmt.Sprintf("target table %s does not exist and schema.create = false: create it on %q or set schema { create = true }", tgt, b.To)
	case dt == nil:
		ddl, n, err := RewriteCreateTable(st.CreateSQL, tgt, b.Schema, dstCat.Cluster.Mode)
		if err != nil {
			tc.Action, tc.Reason = Blocked, err.Error()
			break
		}
		tc.Action, tc.CreateDDL, tc.Notes = CreateTable, ddl, n
		tc.Reason = "target table does not exist"
		tc.CreateDatabase = !slices.Contains(dstCat.Databases, tgt.DB)
	default:
		if drift := columnDrift(st.Columns, dt.Columns); len(drift) > 0 {
			tc.Action, tc.Drift = SchemaDrift, drift
			tc.Reason = fmt.Sprintf("schema drift: %s; alter %s on %q to match the source (or recreate it), then plan again", describeDrift(drift), tgt, b.To)
		}
	}

	tableBlocked := ""
	if tc.Action == Blocked || tc.Action == SchemaDrift {
		tableBlocked = tc.Reason
	}
	srcName := s.addr.String()
	seen := make(map[string]bool, len(st.Partitions))
	for i := range st.Partitions {
		sp := &st.Partitions[i]
		if st.PartitionKind != Unpartitioned && !partitionSelected(b.Partitions, sp.Name) {
			continue
		}
		seen[sp.Name] = true
		if !onlySelectsPartition(in.Only, s.addr, sp.Name) {
			continue
		}
		rec := prior.Partition(srcName, sp.Name)
		if !in.Verbose && tableBlocked == "" && upToDate(rec, sp) && !replaced(in.Replace, s.addr, sp.Name) {
			tc.NoOps++ // the common case on reruns: no allocation
			continue
		}
		pc := planPartition(in, rec, s.addr, sp, tableBlocked, tc.Recopy)
		if pc.Action == NoOp {
			tc.NoOps++
			if !in.Verbose {
				continue
			}
		}
		tc.Partitions = append(tc.Partitions, pc)
	}
	// Partitions on the target that the source no longer has.
	if dt != nil && st.PartitionKind != Unpartitioned {
		for i := range dt.Partitions {
			name := dt.Partitions[i].Name
			if seen[name] || !partitionSelected(b.Partitions, name) || !onlySelectsPartition(in.Only, s.addr, name) {
				continue
			}
			if hasPartition(st, name) {
				continue // exists on the source but filtered out
			}
			reason := "exists on the target only; kept (set allow_delete = true to drop it)"
			if b.AllowOrphanDelete {
				reason = "exists on the target only; will be dropped (allow_delete = true)"
			}
			var pf *Fingerprint
			if r := prior.Partition(srcName, name); r != nil {
				f := r.Fingerprint
				pf = &f
				reason = "dropped on the source after it was copied; " + reason[len("exists on the target only; "):]
			}
			tc.Partitions = append(tc.Partitions, &PartitionChange{
				Addr: PartitionAddr{Table: s.addr, Partition: name}, Action: Orphan, Reason: reason,
				Rows: dt.Partitions[i].RowCount, Bytes: dt.Partitions[i].DataSize, Prior: pf,
			})
		}
	}
	return tc, diags
}

func hasPartition(t *Table, name string) bool {
	for i := range t.Partitions {
		if t.Partitions[i].Name == name {
			return true
		}
	}
	return false
}

// planPartition decides one partition's action. rec is the recorded state
// (nil if never seen).
func planPartition(in Input, rec *state.PartitionRecord, t TableAddr, sp *Partition, tableBlocked string, strategy RecopyStrategy) *PartitionChange {
	pc := &PartitionChange{
		Addr:        PartitionAddr{Table: t, Partition: sp.Name},
		Rows:        sp.RowCount,
		Bytes:       sp.DataSize,
		Fingerprint: sp.Fingerprint(),
		Value:       sp.Value,
	}
	replace := replaced(in.Replace, t, sp.Name)
	copied := rec != nil && rec.LastDone != nil
	if rec != nil {
		pf := rec.Fingerprint
		if copied {
			pf = *rec.LastDone
		}
		pc.Prior = &pf
	}
	if tableBlocked != "" {
		pc.Action, pc.Reason = Blocked, tableBlocked
		return pc
	}
	switch {
	case rec == nil:
		pc.Action, pc.Reason = Copy, "never copied"
	case replace && copied:
		pc.Action, pc.Reason = Recopy, "-replace requested"
	case replace:
		pc.Action, pc.Reason = Copy, "-replace requested; never completely copied"
	case rec.Done() && rec.Fingerprint.Equal(pc.Fingerprint):
		pc.Action, pc.Reason = NoOp, "up to date"
	case rec.Done():
		pc.Action = Recopy
		pc.Reason = fmt.Sprintf("source version moved %d -> %d since the copy", rec.Fingerprint.VisibleVersion, pc.Fingerprint.VisibleVersion)
	case rec.Status == state.StatusFailed && rec.Stage == state.StageVerifying:
		pc.Action = actionFor(copied)
		pc.Reason = "last verification failed: " + oneLine(rec.LastError)
	case !rec.Fingerprint.Equal(pc.Fingerprint):
		pc.Action = actionFor(copied)
		pc.Reason = fmt.Sprintf("source version moved %d -> %d during an unfinished copy; starting over",
			rec.Fingerprint.VisibleVersion, pc.Fingerprint.VisibleVersion)
	case rec.Status == state.StatusFailed:
		pc.Action = actionFor(copied)
		pc.Resume = string(rec.Stage)
		pc.Reason = fmt.Sprintf("retry: failed at %s after %d attempt(s): %s", rec.Stage, rec.Attempts, oneLine(rec.LastError))
	default:
		pc.Action = actionFor(copied)
		pc.Resume = string(rec.Stage)
		pc.Reason = fmt.Sprintf("resume: interrupted at %s", rec.Stage)
	}
	if pc.Action == Recopy {
		pc.Reason += " (via " + string(strategy) + ")"
	}
	return pc
}

// upToDate reports whether rec records a completed copy of sp's current content.
func upToDate(rec *state.PartitionRecord, sp *Partition) bool {
	return rec != nil && rec.Done() && rec.Fingerprint.Equal(sp.Fingerprint())
}

func replaced(replace []Addr, t TableAddr, part string) bool {
	for _, a := range replace {
		if a.MatchesPartition(t, part) {
			return true
		}
	}
	return false
}

func actionFor(copied bool) Action {
	if copied {
		return Recopy
	}
	return Copy
}

// oneLine flattens a recorded error for a plan reason. A long error keeps
// its beginning (what srplan was doing) and its end: a wrapped error ends
// with the cluster's own message (e.g. "Access denied; you need the
// INSERT privilege ...") and srplan's advice, while the middle is mostly
// the statement text, which is elided.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if s == "" {
		return "no error recorded"
	}
	const head, tail = 100, 400
	if len(s) <= head+tail {
		return s
	}
	h, t := head, len(s)-tail
	for h > 0 && !utf8.RuneStart(s[h]) {
		h--
	}
	for t < len(s) && !utf8.RuneStart(s[t]) {
		t++
	}
	return s[:h] + " ... " + s[t:]
}

func describeDrift(d []ColumnDiff) string {
	parts := make([]string, 0, len(d))
	for _, c := range d {
		switch c.Kind {
		case "added":
			parts = append(parts, fmt.Sprintf("column %s added on the source", c.Column))
		case "removed":
			parts = append(parts, fmt.Sprintf("column %s exists only on the target", c.Column))
		default:
			parts = append(parts, fmt.Sprintf("column %s changed (%s -> %s)", c.Column, c.Target, c.Source))
		}
	}
	return strings.Join(parts, ", ")
}

// stateOrphans reports recorded partitions whose table the spec no longer
// selects or the source no longer has.
func stateOrphans(in Input, prior *state.Snapshot, selectedSrc map[string]bool) []*PartitionChange {
	var out []*PartitionChange
	for k, r := range prior.Partitions {
		if selectedSrc[k.Table] {
			continue
		}
		t, err := ParseTableAddr(k.Table)
		if err != nil || !onlySelectsPartition(in.Only, t, k.Partition) {
			continue
		}
		f := r.Fingerprint
		out = append(out, &PartitionChange{
			Addr:   PartitionAddr{Table: t, Partition: k.Partition},
			Action: Orphan,
			Reason: "recorded in state but its table is no longer selected by the spec or no longer on the source; kept",
			Prior:  &f,
		})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Addr.String() < out[j].Addr.String() })
	return out
}

func summarize(p *Plan) Summary {
	var s Summary
	for _, t := range p.Tables {
		switch t.Action {
		case CreateTable:
			s.CreateTables++
		case SchemaDrift:
			s.DriftTables++
		}
		s.NoOp += t.NoOps
		for _, pc := range t.Partitions {
			switch pc.Action {
			case Copy:
				s.Copy++
				s.CopyRows += pc.Rows
				s.CopyBytes += pc.Bytes
			case Recopy:
				s.Recopy++
				s.RecopyRows += pc.Rows
				s.RecopyBytes += pc.Bytes
			case Blocked:
				s.Blocked++
			case Orphan:
				s.Orphan++
			}
		}
	}
	s.Orphan += len(p.Orphans)
	return s
}

func clusterInfos(cats map[string]*Catalog) map[string]ClusterInfo {
	out := make(map[string]ClusterInfo, len(cats))
	for name, c := range cats {
		if c != nil {
			out[name] = c.Cluster
		}
	}
	return out
}
