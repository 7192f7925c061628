package lang

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestLocalsEvaluatedInDependencyOrder(t *testing.T) {
	t.Parallel()
	// Declared in reverse order and spread over two blocks.
	cfg, _, _ := mustLoad(t, `
variable "env" { default = "prod" }
locals {
  url = "s3://${local.bucket}/${local.prefix}"
}
locals {
  prefix = join("/", [local.name, "stage"])
  bucket = "${local.name}-bucket"
  name   = "srplan-${var.env}"
  hosts  = [for h in ["a", "b"] : "${h}.${local.name}:9031"]
}
source "starrocks" "old" {
  hosts = local.hosts
  user  = "root"
}
storage "s3" "stage" {
  url = local.url
}`, LoadOptions{})
	if got, want := cfg.Storages["stage"].URL, "s3://srplan-prod-bucket/srplan-prod/stage"; got != want {
		t.Errorf("url = %q, want %q", got, want)
	}
	if diff := cmp.Diff([]string{"a.srplan-prod:9031", "b.srplan-prod:9031"}, cfg.Sources["old"].Hosts); diff != "" {
		t.Errorf("hosts (-want +got):\n%s", diff)
	}
}

func TestLocalsCycle(t *testing.T) {
	t.Parallel()
	_, diags, _ := loadSrc(t, `
locals {
  a = local.b
  b = local.a
  c = "${local.a}-c"
  d = local.d
  e = "fine"
}
storage "s3" "stage" {
  url = "s3://${local.c}/${local.e}"
}`, LoadOptions{})
	var lines []int
	for _, d := range diags {
		if d.Summary != "Cycle in local values" {
			t.Errorf("unexpected diagnostic (uses of a cycle must stay quiet): %s", describe(diags))
			continue
		}
		lines = append(lines, d.Subject.Start.Line)
		if !strings.Contains(d.Detail, "->") {
			t.Errorf("detail does not show the cycle: %q", d.Detail)
		}
	}
	if diff := cmp.Diff([]int{3, 4, 6}, sortedInts(lines)); diff != "" {
		t.Errorf("cycle diagnostic lines (-want +got):\n%s", diff)
	}
}

func TestDuplicateLocal(t *testing.T) {
	t.Parallel()
	_, diags, _ := loadSrc(t, `
locals { a = 1 }
locals { a = 2 }`, LoadOptions{})
	if !errorsContaining(diags, "Duplicate local value") {
		t.Errorf("got:\n%s", describe(diags))
	}
}

func sortedInts(in []int) []int {
	out := append([]int(nil), in...)
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j] < out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}
