// Package lang turns srplan spec files into a *Config and diagnostics.
//
// A spec is one .hcl file, or a directory whose *.hcl files are read in name
// order and merged. Load parses the files with hclsyntax, decodes the
// top-level blocks against hand-written hcl.BodySchema values and the static
// leaf blocks with gohcl, evaluates every expression in a scope holding
// var.NAME and local.NAME plus a curated function set, validates the result
// and returns it together with every diagnostic found: decoding goes on
// after an error, so one run reports all problems.
//
// Input variables take their values from, in rising precedence, the
// declaration's default, -var-file files, SRPLAN_VAR_name environment
// variables and -var flags. Values derived from a variable declared with
// sensitive = true carry a cty mark; values read with env() or file() carry
// another. Passwords and storage keys are decoded into Secret, which never
// prints its value, and a credential written literally in the spec is
// reported.
//
// lang performs no network I/O; file() reads local files only when
// LoadOptions.AllowFS is set.
//
// Sibling packages:
//   - planner: a pure function from a Config, recorded state and observed
//     catalogs to a Plan.
//   - executor: runs a Plan, honouring the throttles decoded here.
//   - state: the state File, its Locker and the bbolt and DynamoDB backends
//     that StateConfig selects.
//   - providers/starrocks, providers/s3, providers/sqs: the systems that
//     Cluster, Storage and Events describe.
//   - cmd/srplan: the command line, which calls Load and prints the
//     diagnostics with WriteDiagnostics.
package lang
