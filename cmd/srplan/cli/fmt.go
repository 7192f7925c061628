package cli

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/srplan/srplan/lang"
)

func init() {
	register(command{name: "fmt", synopsis: "Rewrite spec files in the canonical format", run: runFmt})
}

func runFmt(e *env, args []string) int {
	fs := newFlagSet("fmt [options] [path ...]", e.stderr,
		"Rewrites *.hcl files in the canonical format. With -check, lists the files that\nare not formatted and exits 1 without changing them (for CI).")
	check := fs.Bool(flagCheck, false, "only check; exit 1 if a file needs formatting")
	noColor := fs.Bool(flagNoColor, false, "disable colour")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	paths := fs.Args()
	if len(paths) == 0 {
		paths = []string{"."}
	}
	var files []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return e.fail("Cannot read "+p, err)
		}
		if !st.IsDir() {
			files = append(files, p)
			continue
		}
		m, err := filepath.Glob(filepath.Join(p, "*.hcl"))
		if err != nil {
			return e.fail("Cannot list "+p, err)
		}
		files = append(files, m...)
	}
	sort.Strings(files)
	code := ExitOK
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			return e.fail("Cannot read "+f, err)
		}
		out, diags := lang.Format(f, src)
		if diags.HasErrors() {
			e.files = lang.FilesFromSource(f, src)
			e.printDiags(diags, *noColor)
			code = ExitError
			continue
		}
		if bytes.Equal(src, out) {
			continue
		}
		fmt.Fprintln(e.stdout, f)
		if *check {
			code = ExitError
			continue
		}
		st, _ := os.Stat(f)
		if err := os.WriteFile(f, out, st.Mode().Perm()); err != nil {
			return e.fail("Cannot write "+f, err)
		}
	}
	return code
}
