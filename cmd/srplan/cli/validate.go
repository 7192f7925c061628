package cli

import "fmt"

func init() {
	register(command{name: "validate", synopsis: "Check a spec: syntax, types, references", run: runValidate})
}

func runValidate(e *env, args []string) int {
	fs := newFlagSet("validate [options]", e.stderr, "Checks the spec without contacting any cluster.")
	var a specArgs
	addSpecFlags(fs, &a)
	if code, ok := parse(fs, args); !ok {
		return code
	}
	cfg := e.loadSpec(&a)
	if cfg == nil {
		return ExitError
	}
	fmt.Fprintf(e.stdout, "Success! The spec is valid: %d table block(s), %d source(s), %d target(s), %d storage(s).\n",
		len(cfg.Tables), len(cfg.Sources), len(cfg.Targets), len(cfg.Storages))
	return ExitOK
}
