// Package planner computes what a migration run will do. Plan is a pure
// function of the decoded spec (package lang), the recorded state (package
// state) and the catalogs observed on the source and target clusters
// (read beforehand by providers/starrocks): it never touches a network.
//
// The result is a Plan value: per table a TableChange (create, schema drift,
// blocked) and per partition a PartitionChange (+ copy, ~ recopy, ! blocked,
// - orphan), each with a reason. Views in cmd/srplan/views render plans; the
// executor runs them.
package planner
