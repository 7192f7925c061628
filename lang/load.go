package lang

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// LoadOptions controls Load.
type LoadOptions struct {
	// Vars are -var name=value flags, raw strings. A value for a variable
	// whose type is not string is parsed as an HCL expression, as Terraform
	// does; a name that is not declared is an error.
	Vars map[string]string
	// VarFiles are -var-file paths: HCL files of name = value, later files
	// overriding earlier ones. A name that is not declared is a warning.
	VarFiles []string
	// Env is the environment as "K=V" entries (os.Environ() in the CLI).
	// SRPLAN_VAR_name and env() read only this, never the process
	// environment.
	Env []string
	// AllowFS permits file(). The CLI sets it; contexts that must not read
	// the file system leave it false.
	AllowFS bool
}

// Files keeps the parsed sources (spec files and -var-file files) so that
// diagnostics can be printed with their snippets.
type Files struct {
	m map[string]*hcl.File
}

func newFiles() *Files { return &Files{m: map[string]*hcl.File{}} }

// Map returns the files by the name used in diagnostics ranges. The map is
// the Files' own; callers must not modify it.
func (f *Files) Map() map[string]*hcl.File {
	if f == nil {
		return nil
	}
	return f.m
}

// FilesFromSource returns Files holding one source, so that diagnostics
// about it (such as Format's syntax errors) print with snippets.
func FilesFromSource(filename string, src []byte) *Files {
	f := newFiles()
	f.m[filename] = &hcl.File{Bytes: src}
	return f
}

// parse reads and parses one HCL file, recording it. It returns nil when
// the file cannot be read.
func (f *Files) parse(filename string) (*hcl.File, hcl.Diagnostics) {
	src, err := os.ReadFile(filename)
	if err != nil {
		return nil, hcl.Diagnostics{sourcelessError("Failed to read file",
			fmt.Sprintf("The file %q could not be read: %s.", filename, pathErr(err)))}
	}
	file, diags := hclsyntax.ParseConfig(src, filename, hcl.InitialPos)
	if file != nil {
		f.m[filename] = file
	}
	return file, diags
}

// Load parses path: a single .hcl file, or a directory whose *.hcl files are
// read in name order and merged. It returns the best-effort Config and ALL
// diagnostics: decoding continues after errors. Config is nil only when
// nothing could be parsed (no readable spec file). Files is never nil.
func Load(path string, opts LoadOptions) (*Config, *Files, hcl.Diagnostics) {
	files := newFiles()
	names, specDir, diags := specFiles(path)
	var parsed []*hcl.File
	for _, name := range names {
		f, d := files.parse(name)
		diags = append(diags, d...)
		if f != nil {
			parsed = append(parsed, f)
		}
	}
	if len(parsed) == 0 {
		return nil, files, diags
	}
	d := &decoder{opts: opts, files: files, specDir: specDir, scope: newScope(specDir, opts)}
	cfg := d.decode(parsed)
	diags = append(diags, d.diags...)
	return cfg, files, diags
}

// specFiles lists the spec files of path and the absolute spec directory
// (relative paths in the spec are resolved against it).
func specFiles(path string) (names []string, specDir string, diags hcl.Diagnostics) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, "", hcl.Diagnostics{sourcelessError("Failed to read spec",
			fmt.Sprintf("The spec %q could not be read: %s. Pass a .hcl file or a directory of them.", path, pathErr(err)))}
	}
	dir := path
	if !fi.IsDir() {
		names = []string{path}
		dir = filepath.Dir(path)
	} else {
		entries, err := os.ReadDir(path)
		if err != nil {
			return nil, "", hcl.Diagnostics{sourcelessError("Failed to read spec directory",
				fmt.Sprintf("The directory %q could not be listed: %s.", path, pathErr(err)))}
		}
		for _, e := range entries {
			if !e.IsDir() && strings.HasSuffix(e.Name(), ".hcl") {
				names = append(names, filepath.Join(path, e.Name()))
			}
		}
		sort.Strings(names)
		if len(names) == 0 {
			diags = append(diags, sourcelessError("No spec files",
				fmt.Sprintf("The directory %q holds no *.hcl files. Write the migration spec in a file such as migration.hcl.", path)))
		}
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, "", append(diags, sourcelessError("Failed to resolve spec directory",
			fmt.Sprintf("The directory of %q could not be made absolute: %s.", path, err)))
	}
	return names, abs, diags
}

// resolvePath makes p absolute against the spec directory.
func resolvePath(specDir, p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(specDir, p)
}
