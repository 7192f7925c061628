package lang

import (
	"strings"
	"testing"
)

func TestConfigHash(t *testing.T) {
	t.Parallel()
	const spec = baseSpec + `
variable "pw" {
  sensitive = true
  default   = ""
}
target "starrocks" "other" {
  hosts    = ["fe3"]
  user     = "root"
  password = var.pw
}
table "sales.orders" {
  to = target.other
}
`
	hash := func(src string, opts LoadOptions) string {
		t.Helper()
		cfg, _, _ := mustLoad(t, src, opts)
		if len(cfg.Hash) != 64 {
			t.Fatalf("hash %q is not hex sha256", cfg.Hash)
		}
		return cfg.Hash
	}
	base := hash(spec, LoadOptions{Vars: map[string]string{"pw": "one"}})
	if got := hash(spec, LoadOptions{Vars: map[string]string{"pw": "two"}}); got != base {
		t.Error("the hash depends on the password's value")
	}
	reformatted := strings.ReplaceAll(spec, "  ", "      ") + "\n# a comment\n"
	if got := hash(reformatted, LoadOptions{Vars: map[string]string{"pw": "one"}}); got != base {
		t.Error("the hash depends on formatting")
	}
	if got := hash(spec, LoadOptions{}); got == base {
		t.Error("the hash does not tell a set password from none")
	}
	if got := hash(strings.Replace(spec, `user  = "root"`, `user  = "admin"`, 1), LoadOptions{Vars: map[string]string{"pw": "one"}}); got == base {
		t.Error("the hash ignores the user")
	}
	if got := hash(spec+`table "sales.items" {
  to = target.new
}`, LoadOptions{Vars: map[string]string{"pw": "one"}}); got == base {
		t.Error("the hash ignores a new table")
	}
}

// TestConfigHashRepositories: a saved plan is refused when only a
// repository changed, so every attribute of a repository block, and the
// table's choice of repository, is in the hash.
func TestConfigHashRepositories(t *testing.T) {
	t.Parallel()
	const spec = baseSpec + `
repository "bk" {
  storage    = storage.stage
  path       = "backups"
  properties = { "aws.s3.region" = "us-east-1" }
}
repository "other" {
  storage = storage.stage
}
table "sales.orders" {
  via        = storage.stage
  method     = "backup"
  repository = repository.bk
}
`
	hash := func(t *testing.T, src string) string {
		t.Helper()
		cfg, _, _ := mustLoad(t, src, LoadOptions{})
		return cfg.Hash
	}
	base := hash(t, spec)
	const far = "storage \"local\" \"far\" {\n  path = \"./far\"\n}\n"
	withFar := hash(t, spec+far)
	changes := map[string][2]string{
		"path":             {`path       = "backups"`, `path       = "backups/v2"`},
		"storage":          {`storage    = storage.stage`, `storage    = storage.far`},
		"properties":       {`"us-east-1"`, `"us-east-2"`},
		"cleanup":          {`path       = "backups"`, "path       = \"backups\"\n  cleanup    = true"},
		"table repository": {`repository = repository.bk`, `repository = repository.other`},
		"renamed":          {`repository "bk"`, `repository "bk2"`},
	}
	for name, c := range changes {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			src := strings.Replace(spec, c[0], c[1], 1) + far
			if name == "renamed" {
				src = strings.Replace(src, "repository.bk\n", "repository.bk2\n", 1)
			}
			if src == spec+far {
				t.Fatalf("the change %q did not apply", c[0])
			}
			if hash(t, src) == withFar {
				t.Errorf("the hash ignores a change of the repository's %s", name)
			}
		})
	}
	if got := hash(t, strings.ReplaceAll(spec, "  ", "    ")); got != base {
		t.Error("the hash depends on the repository block's formatting")
	}
	if got := hash(t, baseSpec+"table \"sales.orders\" {\n  via = storage.stage\n}\n"); got == base {
		t.Error("the hash ignores the repositories")
	}
}
