package lang

import (
	"bytes"
	"fmt"
	"io"
	"maps"
	"sort"

	"github.com/hashicorp/hcl/v2"
)

// WriteDiagnostics prints diags sorted (warnings first, then sourceless
// ones, then by file, line and column) with the offending snippet. Each
// diagnostic that has a Subject starts with a "file:line:col: " location,
// so editors and CI logs can jump to it; the rest is the text written by
// hcl.NewDiagnosticTextWriter. width wraps long details (0 = no wrapping);
// color adds terminal colours. files may be nil (no snippets then). The
// subject of a diagnostic about a secret written in the spec is masked in
// the snippet, so that the value does not reach a terminal or CI log.
func WriteDiagnostics(w io.Writer, files *Files, diags hcl.Diagnostics, width uint, color bool) error {
	var m map[string]*hcl.File
	if files != nil {
		m = maskSecrets(files.Map(), diags)
	}
	var buf bytes.Buffer
	tw := hcl.NewDiagnosticTextWriter(&buf, m, width, color)
	for _, d := range SortDiagnostics(diags) {
		buf.Reset()
		if d.Subject != nil {
			s := d.Subject.Start
			fmt.Fprintf(&buf, "%s:%d:%d: ", d.Subject.Filename, s.Line, s.Column)
		}
		if err := tw.WriteDiagnostic(d); err != nil {
			return fmt.Errorf("lang: write diagnostics: %w", err)
		}
		if _, err := w.Write(buf.Bytes()); err != nil {
			return fmt.Errorf("lang: write diagnostics: %w", err)
		}
	}
	return nil
}

// secretSubject marks (in hcl.Diagnostic.Extra) a diagnostic whose
// subject is a secret's value.
type secretSubject struct{}

// maskSecrets returns files with the subject of every secretSubject
// diagnostic overwritten by '*' (quotes and line ends kept, so that every
// range still points where it did). Files without one are shared.
func maskSecrets(files map[string]*hcl.File, diags hcl.Diagnostics) map[string]*hcl.File {
	out := files
	cloned := false
	for _, d := range diags {
		if _, ok := d.Extra.(secretSubject); !ok || d.Subject == nil {
			continue
		}
		f := out[d.Subject.Filename]
		if f == nil || d.Subject.End.Byte > len(f.Bytes) || d.Subject.Start.Byte > d.Subject.End.Byte {
			continue
		}
		if !cloned {
			out, cloned = maps.Clone(files), true
		}
		masked := *f
		masked.Bytes = bytes.Clone(f.Bytes)
		for i := d.Subject.Start.Byte; i < d.Subject.End.Byte; i++ {
			if c := masked.Bytes[i]; c != '"' && c != '\n' && c != '\r' {
				masked.Bytes[i] = '*'
			}
		}
		out[d.Subject.Filename] = &masked
	}
	return out
}

// SortDiagnostics returns a sorted copy of diags: warnings before errors,
// sourceless before sourced, then by file name, line and column. The order
// among otherwise equal diagnostics is kept.
func SortDiagnostics(diags hcl.Diagnostics) hcl.Diagnostics {
	out := make(hcl.Diagnostics, 0, len(diags))
	for _, d := range diags {
		if d != nil {
			out = append(out, d)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Severity != b.Severity {
			return a.Severity == hcl.DiagWarning
		}
		if (a.Subject == nil) != (b.Subject == nil) {
			return a.Subject == nil
		}
		if a.Subject == nil {
			return false
		}
		sa, sb := a.Subject, b.Subject
		if sa.Filename != sb.Filename {
			return sa.Filename < sb.Filename
		}
		if sa.Start.Line != sb.Start.Line {
			return sa.Start.Line < sb.Start.Line
		}
		return sa.Start.Column < sb.Start.Column
	})
	return out
}

// errorDiag builds an error diagnostic at subject.
func errorDiag(summary, detail string, subject hcl.Range) *hcl.Diagnostic {
	return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: detail, Subject: subject.Ptr()}
}

// warningDiag builds a warning diagnostic at subject.
func warningDiag(summary, detail string, subject hcl.Range) *hcl.Diagnostic {
	return &hcl.Diagnostic{Severity: hcl.DiagWarning, Summary: summary, Detail: detail, Subject: subject.Ptr()}
}

// sourcelessError builds an error diagnostic that has no place in a file,
// such as a -var flag or a file that cannot be read.
func sourcelessError(summary, detail string) *hcl.Diagnostic {
	return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: detail}
}

// didYouMean returns ` Did you mean "x"?` for the closest of names within a
// small edit distance of given, or "".
func didYouMean(given string, names []string) string {
	best, bestDist := "", 3
	for _, n := range names {
		if d := EditDistance(given, n); d < bestDist {
			best, bestDist = n, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" Did you mean %q?", best)
}

// EditDistance is the Levenshtein distance between a and b in runes; the
// did-you-mean suggestions of srplan's diagnostics rank names by it.
func EditDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// sortedKeys returns the keys of m in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
