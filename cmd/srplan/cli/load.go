package cli

import (
	"github.com/srplan/srplan/lang"
)

// loadSpec decodes the spec named by a, printing every diagnostic. It
// returns nil when there are errors.
func (e *env) loadSpec(a *specArgs) *lang.Config {
	vars, err := a.varMap()
	if err != nil {
		e.fail("Invalid -var option", err)
		return nil
	}
	cfg, files, diags := lang.Load(a.path, lang.LoadOptions{
		Vars:     vars,
		VarFiles: a.varFiles,
		Env:      e.environ,
		AllowFS:  true,
	})
	e.files = files
	e.printDiags(diags, a.noColor)
	if diags.HasErrors() || cfg == nil {
		return nil
	}
	return cfg
}
