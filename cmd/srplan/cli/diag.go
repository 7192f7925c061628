package cli

import (
	"fmt"
	"os"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/mattn/go-isatty"

	"github.com/srplan/srplan/lang"
)

// colorEnabled reports whether w is a terminal and colour is not disabled
// by -no-color or NO_COLOR.
func (e *env) colorEnabled(w any, noColor bool) bool {
	if noColor || e.getenv("NO_COLOR") != "" {
		return false
	}
	return isTerminal(w)
}

// isTerminal reports whether w is an *os.File open on a terminal.
func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	return ok && isatty.IsTerminal(f.Fd())
}

// printDiags prints diagnostics with snippets from the loaded spec files.
func (e *env) printDiags(diags hcl.Diagnostics, noColor bool) {
	if len(diags) == 0 {
		return
	}
	_ = lang.WriteDiagnostics(e.stderr, e.files, diags, 100, e.colorEnabled(e.stderr, noColor))
}

// fail prints a sourceless error (a failed connection, a held lock) in the
// same shape as diagnostics and returns ExitError.
func (e *env) fail(summary string, err error) int {
	fmt.Fprintf(e.stderr, "Error: %s\n", summary)
	if err != nil {
		msg := err.Error()
		fmt.Fprintf(e.stderr, "\n  %s\n", strings.ReplaceAll(msg, "\n", "\n  "))
	}
	return ExitError
}
