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
