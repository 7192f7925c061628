package lang

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// configFileSchema is the top level of a spec file.
var configFileSchema = &hcl.BodySchema{
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "variable", LabelNames: []string{"name"}},
		{Type: "locals"},
		{Type: "source", LabelNames: []string{"type", "name"}},
		{Type: "target", LabelNames: []string{"type", "name"}},
		{Type: "storage", LabelNames: []string{"type", "name"}},
		{Type: "state"},
		{Type: "throttle", LabelNames: []string{"name"}},
		{Type: "repository", LabelNames: []string{"name"}},
		{Type: "table", LabelNames: []string{"pattern"}},
	},
}

// decoder holds what one Load accumulates.
type decoder struct {
	opts    LoadOptions
	files   *Files
	specDir string
	scope   *scope
	diags   hcl.Diagnostics
}

func (d *decoder) add(diags hcl.Diagnostics) { d.diags = append(d.diags, diags...) }

// decode merges the files' top-level blocks and decodes them: variables
// first, then locals, then the blocks that expressions cannot refer to,
// and the tables last because they refer to the others.
func (d *decoder) decode(parsed []*hcl.File) *Config {
	var blocks hcl.Blocks
	for _, f := range parsed {
		content, diags := f.Body.Content(configFileSchema)
		d.add(diags)
		if content != nil {
			blocks = append(blocks, content.Blocks...)
		}
	}
	byType := blocks.ByType()
	cfg := &Config{
		Variables: map[string]*Variable{},
		Sources:   map[string]*Cluster{},
		Targets:   map[string]*Cluster{},
		Storages:  map[string]*Storage{},
		Throttles: map[string]*Throttle{},

		Repositories: map[string]*Repository{},
	}
	d.decodeVariables(byType["variable"], cfg)
	d.decodeLocals(byType["locals"])

	first := map[string]hcl.Range{}
	for _, b := range byType["source"] {
		if c := d.decodeCluster(b, SourceCluster, first); c != nil {
			cfg.Sources[c.Name] = c
		}
	}
	for _, b := range byType["target"] {
		if c := d.decodeCluster(b, TargetCluster, first); c != nil {
			cfg.Targets[c.Name] = c
		}
	}
	for _, b := range byType["storage"] {
		if s := d.decodeStorage(b, first); s != nil {
			cfg.Storages[s.Name] = s
		}
	}
	cfg.State = d.decodeState(byType["state"])
	for _, b := range byType["throttle"] {
		if t := d.decodeThrottle(b, first); t != nil {
			cfg.Throttles[t.Name] = t
		}
	}
	for _, b := range byType["repository"] {
		if r := d.decodeRepository(b, cfg, first); r != nil {
			cfg.Repositories[r.Name] = r
		}
	}
	d.decodeTables(byType["table"], cfg)
	cfg.Hash = configHash(cfg, d.specDir)
	return cfg
}

// blockName checks the name label of a block that tables refer to
// (source.NAME, storage.NAME, throttle.NAME) and that it is the first of
// its kind with that name. first maps "kind.name" to the first block's
// DefRange. It returns false when the block must be skipped.
func (d *decoder) blockName(b *hcl.Block, kind, name string, labelIdx int, first map[string]hcl.Range) bool {
	if !hclsyntax.ValidIdentifier(name) {
		d.add(hcl.Diagnostics{errorDiag("Invalid block name",
			fmt.Sprintf("The name %q is not valid: a %s name must start with a letter and contain only letters, digits, underscores and dashes, because it is referenced as %s.NAME.", name, kind, kind),
			b.LabelRanges[labelIdx])})
		return false
	}
	key := kind + "." + name
	if prev, dup := first[key]; dup {
		d.add(hcl.Diagnostics{errorDiag(fmt.Sprintf("Duplicate %s block", kind),
			fmt.Sprintf("A %s named %q was already declared at %s. Names of %s blocks must be unique; rename or remove one of them.", kind, name, prev, kind),
			b.DefRange)})
		return false
	}
	first[key] = b.DefRange
	return true
}

// require reports a missing required argument the way hcl does. gohcl
// never marks hcl.Expression fields as required (absence shows as a null
// expression), so the decoders call this for each required argument.
func (d *decoder) require(body hcl.Body, expr hcl.Expression, name string) bool {
	if !absent(expr) {
		return true
	}
	d.add(hcl.Diagnostics{&hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Missing required argument",
		Detail:   fmt.Sprintf("The argument %q is required, but no definition was found.", name),
		Subject:  body.MissingItemRange().Ptr(),
	}})
	return false
}
