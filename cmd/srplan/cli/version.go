package cli

import (
	"fmt"
	"runtime"

	"github.com/srplan/srplan/state"
)

func init() {
	register(command{name: "version", synopsis: "Print the srplan version", run: runVersion})
}

func runVersion(e *env, args []string) int {
	fs := newFlagSet("version", e.stderr, "Prints the srplan version and the state format it writes.")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	fmt.Fprintf(e.stdout, "srplan %s (state format %d, %s %s/%s)\n", Version, state.FormatVersion, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return ExitOK
}
