package views

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"

	"github.com/srplan/srplan/planner"
)

// PlanHuman renders a plan for people.
type PlanHuman struct {
	// Color enables ANSI colours (a TTY without NO_COLOR or -no-color).
	Color bool
	// Verbose also lists up-to-date partitions (the plan must have been
	// computed with Input.Verbose to hold them).
	Verbose bool
}

// Render writes the plan: the clusters, a legend, per-table changes with a
// reason on every line, a per-table summary table, and the summary line.
func (v PlanHuman) Render(w io.Writer, p *planner.Plan) error {
	c := Colorizer{Enabled: v.Color}
	ew := &errWriter{w: w}
	v.renderClusters(ew, p)
	if !p.Summary.HasChanges() && p.Summary.Blocked == 0 && p.Summary.Orphan == 0 && p.Summary.DriftTables == 0 {
		fmt.Fprintf(ew, "\n%s %s\n", c.Green(c.Bold("No changes.")),
			fmt.Sprintf("%s up to date.", Plural(p.Summary.NoOp, "partition is", "partitions are")))
		return ew.err
	}
	fmt.Fprintf(ew, "\nSymbols: %s copy / create table   %s recopy / schema drift   %s blocked   %s orphan (never deleted unless allowed)\n",
		c.Green("+"), c.Yellow("~"), c.Red("!"), c.Red("-"))
	newDBs := map[string]bool{}
	for _, t := range p.Tables {
		if t.Action == planner.NoOp && len(t.Partitions) == 0 {
			continue
		}
		v.renderTable(ew, c, t, newDBs)
	}
	if len(p.Orphans) > 0 {
		fmt.Fprintf(ew, "\n%s\n", c.Bold("# recorded partitions no longer selected"))
		for _, pc := range p.Orphans {
			fmt.Fprintf(ew, "  %s %s  %s\n", symbol(c, pc.Action), pc.Addr, c.Dim(pc.Reason))
		}
	}
	if len(p.Tables) > 1 {
		fmt.Fprintln(ew)
		if err := summaryTable(ew, p); err != nil && ew.err == nil {
			ew.err = err
		}
	}
	fmt.Fprintf(ew, "\n%s\n", c.Bold(SummaryLine(p.Summary)))
	return ew.err
}

func (v PlanHuman) renderClusters(w io.Writer, p *planner.Plan) {
	line := func(kind string, m map[string]planner.ClusterInfo) {
		names := make([]string, 0, len(m))
		for n := range m {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			ci := m[n]
			fmt.Fprintf(w, "%s %q: StarRocks %s, %s\n", kind, n, ci.Version, ci.Mode)
		}
	}
	line("source", p.Sources)
	line("target", p.Targets)
}

// renderTable writes one table's changes; newDBs remembers the databases
// whose creation was already shown.
func (v PlanHuman) renderTable(w io.Writer, c Colorizer, t *planner.TableChange, newDBs map[string]bool) {
	how := string(t.Method)
	if t.Format != "" {
		how += ", " + t.Format
	}
	via := t.Storage
	if t.LoadStorage != "" {
		via += " -> " + t.LoadStorage
	}
	fmt.Fprintf(w, "\n%s\n", c.Bold(fmt.Sprintf("# %s -> %s  (%s -> %s via %s; %s)",
		t.Source, t.Target, t.SourceCluster, t.TargetCluster, via, how)))
	switch t.Action {
	case planner.CreateTable:
		if t.CreateDatabase && !newDBs[t.Target.DB] {
			newDBs[t.Target.DB] = true
			fmt.Fprintf(w, "  %s create database %s\n", c.Green("+"), t.Target.DB)
		}
		fmt.Fprintf(w, "  %s create table %s  %s\n", c.Green("+"), t.Target, c.Dim(t.Reason))
		for _, n := range t.Notes {
			fmt.Fprintf(w, "      %s\n", c.Yellow("note: "+n))
		}
		for _, l := range strings.Split(t.CreateDDL, "\n") {
			fmt.Fprintf(w, "      %s\n", c.Dim(l))
		}
	case planner.SchemaDrift:
		fmt.Fprintf(w, "  %s schema drift on %s\n", c.Yellow("~"), t.Target)
		for _, d := range t.Drift {
			switch d.Kind {
			case "added":
				fmt.Fprintf(w, "      %s %s %s (on the source only)\n", c.Green("+"), d.Column, d.Source)
			case "removed":
				fmt.Fprintf(w, "      %s %s %s (on the target only)\n", c.Red("-"), d.Column, d.Target)
			default:
				fmt.Fprintf(w, "      %s %s: target has %s, source has %s\n", c.Yellow("~"), d.Column, d.Target, d.Source)
			}
		}
	case planner.Blocked:
		fmt.Fprintf(w, "  %s table blocked: %s\n", c.Red("!"), t.Reason)
	}
	width := 0
	for _, pc := range t.Partitions {
		width = max(width, len(pc.Addr.Partition))
	}
	for _, pc := range t.Partitions {
		reason := pc.Reason
		if pc.Action == planner.Blocked && (t.Action == planner.Blocked || t.Action == planner.SchemaDrift) {
			reason = "table blocked (see above)"
		}
		fmt.Fprintf(w, "  %s %-*s  %-7s %12s rows %10s  %s\n",
			symbol(c, pc.Action), width, pc.Addr.Partition, pc.Action, Count(pc.Rows), Bytes(pc.Bytes), c.Dim(reason))
	}
	if t.NoOps > 0 && !v.Verbose {
		fmt.Fprintf(w, "    %s\n", c.Dim(fmt.Sprintf("(%s up to date)", Plural(t.NoOps, "partition", "partitions"))))
	}
}

func symbol(c Colorizer, a planner.Action) string {
	switch a {
	case planner.Copy, planner.CreateTable:
		return c.Green(a.Symbol())
	case planner.Recopy, planner.SchemaDrift:
		return c.Yellow(a.Symbol())
	case planner.Blocked, planner.Orphan:
		return c.Red(a.Symbol())
	}
	return a.Symbol()
}

// summaryTable renders one row per table with changes.
func summaryTable(w io.Writer, p *planner.Plan) error {
	tbl := tablewriter.NewTable(w,
		tablewriter.WithRendition(tw.Rendition{Symbols: tw.NewSymbols(tw.StyleASCII)}),
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithRowAlignmentConfig(tw.CellAlignment{PerColumn: []tw.Align{
			tw.AlignLeft, tw.AlignRight, tw.AlignRight, tw.AlignRight, tw.AlignRight, tw.AlignRight, tw.AlignRight, tw.AlignRight,
		}}),
	)
	tbl.Header("table", "copy", "recopy", "blocked", "orphan", "up to date", "rows", "size")
	for _, t := range p.Tables {
		var cp, rc, bl, or int
		var rows, size int64
		for _, pc := range t.Partitions {
			switch pc.Action {
			case planner.Copy:
				cp++
			case planner.Recopy:
				rc++
			case planner.Blocked:
				bl++
			case planner.Orphan:
				or++
			}
			if pc.Action == planner.Copy || pc.Action == planner.Recopy {
				rows += pc.Rows
				size += pc.Bytes
			}
		}
		if err := tbl.Append([]string{t.Source.String(), fmt.Sprint(cp), fmt.Sprint(rc), fmt.Sprint(bl), fmt.Sprint(or),
			fmt.Sprint(t.NoOps), Count(rows), Bytes(size)}); err != nil {
			return err
		}
	}
	return tbl.Render()
}

// SummaryLine is the plan's last line, e.g. "Plan: 120 partitions to copy
// (38.2 GiB, 1.1 B rows), 3 to recopy, 1 table to create, 0 blocked."
func SummaryLine(s planner.Summary) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Plan: %s to copy (%s, %s rows), %d to recopy",
		Plural(s.Copy, "partition", "partitions"), Bytes(s.CopyBytes), Count(s.CopyRows), s.Recopy)
	if s.Recopy > 0 {
		fmt.Fprintf(&b, " (%s, %s rows)", Bytes(s.RecopyBytes), Count(s.RecopyRows))
	}
	fmt.Fprintf(&b, ", %s to create", Plural(s.CreateTables, "table", "tables"))
	if s.DriftTables > 0 {
		fmt.Fprintf(&b, ", %s with schema drift", Plural(s.DriftTables, "table", "tables"))
	}
	fmt.Fprintf(&b, ", %d blocked", s.Blocked)
	if s.Orphan > 0 {
		fmt.Fprintf(&b, ", %d orphaned", s.Orphan)
	}
	b.WriteString(".")
	return b.String()
}

// errWriter remembers the first write error so rendering code stays flat.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return len(p), nil
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, nil
}
