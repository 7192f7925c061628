// Package cli implements srplan's commands. Run is the whole program: it
// parses arguments, runs one command and returns the process exit code; it
// never calls os.Exit. Views (package views) do the printing of results.
package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/srplan/srplan/lang"
)

// Version is srplan's release, stamped into plans and state.
var Version = "0.1.0"

// Exit codes.
const (
	ExitOK      = 0
	ExitError   = 1
	ExitChanges = 2 // plan -detailed-exitcode: the plan has changes
)

// env is what a command runs with: its streams and the process environment.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	environ        []string
	ctx            context.Context
	// files are the spec sources loaded by loadSpec, for diagnostics.
	files *lang.Files
	// finishView stops the progress view of an apply or verify.
	finishView func()
}

// getenv reads a variable from the command's environment.
func (e *env) getenv(key string) string {
	for i := len(e.environ) - 1; i >= 0; i-- {
		if k, v, ok := strings.Cut(e.environ[i], "="); ok && k == key {
			return v
		}
	}
	return ""
}

type command struct {
	name     string
	synopsis string
	run      func(e *env, args []string) int
}

var commands = map[string]command{}

func register(c command) { commands[c.name] = c }

// Run runs srplan with args (without the program name) and returns the
// exit code. Ctrl-C and SIGTERM are handled by interruptContext.
func Run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	name := ""
	if len(args) > 0 {
		name = args[0]
	}
	ctx, stop := interruptContext(stderr, interruptMessage(name))
	defer stop()
	return run(ctx, args, stdin, stdout, stderr, os.Environ())
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, environ []string) int {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr, environ: environ, ctx: ctx}
	if len(args) == 0 {
		usage(stderr)
		return ExitError
	}
	name := args[0]
	switch name {
	case "-h", "-help", "--help", "help":
		usage(stdout)
		return ExitOK
	case "-v", "-version", "--version":
		name = "version"
	}
	c, ok := commands[name]
	if !ok {
		fmt.Fprintf(stderr, "srplan: unknown command %q\n\n", name)
		usage(stderr)
		return ExitError
	}
	return c.run(e, args[1:])
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Usage: srplan <command> [options]")
	fmt.Fprintln(w, "\nsrplan moves table data between StarRocks clusters from a reviewed HCL spec.")
	fmt.Fprintln(w, "\nCommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-13s %s\n", n, commands[n].synopsis)
	}
	fmt.Fprintln(w, "\nRun 'srplan <command> -help' for a command's options.")
}
