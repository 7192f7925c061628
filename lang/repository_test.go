package lang

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
)

func TestDecodeRepository(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		src  string
		want *Repository
	}{
		"defaults": {
			src:  `repository "bk" {}`,
			want: &Repository{Name: "bk", Storage: "stage", Path: DefaultRepositoryPath, Properties: map[string]string{}},
		},
		"path and properties": {
			src: `repository "bk" {
  storage    = storage.stage
  path       = "prod/backups/"
  properties = { "aws.s3.region" = "us-east-2" }
}`,
			want: &Repository{Name: "bk", Storage: "stage", Path: "prod/backups", Properties: map[string]string{"aws.s3.region": "us-east-2"}},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			cfg, diags, _ := mustLoad(t, baseSpec+tc.src, LoadOptions{})
			if len(diags) != 0 {
				t.Errorf("unexpected diagnostics:\n%s", describe(diags))
			}
			if diff := cmp.Diff(tc.want, cfg.Repositories["bk"], cmpConfig); diff != "" {
				t.Errorf("repository (-want +got):\n%s", diff)
			}
		})
	}
}

func TestTableRepositoryWithAuto(t *testing.T) {
	t.Parallel()
	cfg, diags, _ := mustLoad(t, baseSpec+`
repository "bk" {}
table "a.b" {
  repository = repository.bk
}`, LoadOptions{})
	if len(diags) != 0 {
		t.Errorf("unexpected diagnostics:\n%s", describe(diags))
	}
	if got := cfg.Tables[0]; got.Method != MethodAuto || got.Repository != "bk" {
		t.Errorf("table: method %q, repository %q; want auto, bk", got.Method, got.Repository)
	}
}

func TestRepositoryCleanup(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		attr string
		want bool
		diag string // summary of the expected error; "" = none
	}{
		"default off":  {attr: "", want: false},
		"on":           {attr: "cleanup = true", want: true},
		"off":          {attr: "cleanup = false", want: false},
		"not a bool":   {attr: `cleanup = "always"`, diag: "Incorrect value type"},
		"not a scalar": {attr: `cleanup = ["yes"]`, diag: "Incorrect value type"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			src := baseSpec + "repository \"bk\" {\n  storage = storage.stage\n  " + tc.attr + "\n}\n"
			line := strings.Count(baseSpec, "\n") + 3 // the attribute's line
			if tc.diag != "" {
				_, diags, _ := loadSrc(t, src, LoadOptions{})
				var found bool
				for _, d := range diags {
					found = found || (d.Severity == hcl.DiagError && d.Summary == tc.diag && d.Subject != nil && d.Subject.Start.Line == line &&
						strings.Contains(d.Detail, "cleanup"))
				}
				if !found {
					t.Errorf("want error %q on line %d naming cleanup, got:\n%s", tc.diag, line, describe(diags))
				}
				return
			}
			cfg, diags, _ := mustLoad(t, src, LoadOptions{})
			if len(diags) != 0 {
				t.Errorf("unexpected diagnostics:\n%s", describe(diags))
			}
			if got := cfg.Repositories["bk"].Cleanup; got != tc.want {
				t.Errorf("Cleanup = %v, want %v", got, tc.want)
			}
		})
	}
}
