// Package e2e is srplan's end-to-end acceptance suite for apply. Its tests
// build the srplan binary and the StarRocks simulator binary (srsim), start
// simulated source and target clusters, seed them, write a spec and run
// srplan as a user would: plan, apply, status, demo, including apply
// processes killed with SIGKILL at chosen and at random moments. Every
// result is checked with SQL of the test's own on both clusters: row counts
// and checksums per partition, no duplicated keys, no temporary partitions
// or shadow tables left behind, and, from the simulator's counters, which
// jobs were submitted.
//
// The package has no non-test code; run it with
//
//	go test -race ./cmd/srplan/e2e/
//
// The S3 tests use the MinIO that scripts/test.sh starts, or start one from
// .cache/bin (see providers/s3/s3test).
package e2e
