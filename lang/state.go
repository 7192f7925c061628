package lang

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/gohcl"
)

// DefaultStatePath is the bbolt file used when the spec has no state block
// or its state block has no path, relative to the spec directory.
const DefaultStatePath = ".srplan/state.db"

// stateBody is the body of the state block.
type stateBody struct {
	Path     hcl.Expression `hcl:"path,optional"`
	DynamoDB *dynamoBody    `hcl:"dynamodb,block"`
}

// dynamoBody is the dynamodb block inside state.
type dynamoBody struct {
	Table     hcl.Expression `hcl:"table"`
	Region    hcl.Expression `hcl:"region,optional"`
	Endpoint  hcl.Expression `hcl:"endpoint,optional"`
	Workspace hcl.Expression `hcl:"workspace,optional"`
	Body      hcl.Body       `hcl:",body"`
}

// decodeState decodes the state block; at most one is allowed across all
// files. It never returns nil.
func (d *decoder) decodeState(blocks hcl.Blocks) *StateConfig {
	st := &StateConfig{Path: resolvePath(d.specDir, DefaultStatePath)}
	if len(blocks) == 0 {
		return st
	}
	for _, dup := range blocks[1:] {
		d.add(hcl.Diagnostics{errorDiag("Duplicate state block",
			fmt.Sprintf("A state block was already declared at %s. A spec has at most one state block; merge them.", blocks[0].DefRange),
			dup.DefRange)})
	}
	b := blocks[0]
	st.DeclRange = b.DefRange
	var raw stateBody
	d.add(gohcl.DecodeBody(b.Body, nil, &raw))
	s := d.scope
	p, ok, diags := s.str(raw.Path, "path")
	d.add(diags)
	if ok && p == "" {
		d.add(hcl.Diagnostics{errorDiag("Empty path",
			fmt.Sprintf("The state path must name a file; leave path out to use %q.", DefaultStatePath), raw.Path.Range())})
	} else if ok {
		st.Path = resolvePath(d.specDir, p)
	}
	if raw.DynamoDB == nil {
		return st
	}
	ddb := &DynamoDB{Workspace: "default"}
	d.require(raw.DynamoDB.Body, raw.DynamoDB.Table, "table")
	table, ok, diags := s.str(raw.DynamoDB.Table, "table")
	d.add(diags)
	if ok && table == "" {
		d.add(hcl.Diagnostics{errorDiag("Empty table",
			"The dynamodb block needs the name of the DynamoDB table, such as \"srplan-state\".", raw.DynamoDB.Table.Range())})
	}
	ddb.Table = table
	ddb.Region, _, diags = s.str(raw.DynamoDB.Region, "region")
	d.add(diags)
	endpoint, ok, diags := s.str(raw.DynamoDB.Endpoint, "endpoint")
	d.add(diags)
	if ok && endpoint != "" {
		if msg := checkHTTPURL(endpoint); msg != "" {
			d.add(hcl.Diagnostics{errorDiag("Invalid endpoint",
				fmt.Sprintf("The endpoint %s Give the DynamoDB API URL, such as \"http://127.0.0.1:8000\", or leave it out to use AWS.", msg),
				raw.DynamoDB.Endpoint.Range())})
		}
		ddb.Endpoint = endpoint
	}
	ws, ok, diags := s.str(raw.DynamoDB.Workspace, "workspace")
	d.add(diags)
	if ok {
		if ws == "" || strings.ContainsAny(ws, "#/ \t") {
			d.add(hcl.Diagnostics{errorDiag("Invalid workspace",
				"A workspace is a non-empty name without '#', '/' or spaces; it separates migrations that share one DynamoDB table.",
				raw.DynamoDB.Workspace.Range())})
		} else {
			ddb.Workspace = ws
		}
	}
	st.DynamoDB = ddb
	return st
}
