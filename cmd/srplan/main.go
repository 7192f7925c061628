// Command srplan migrates table data between StarRocks clusters from a
// reviewed HCL spec: plan shows which partitions move and why, apply moves,
// verifies and records them. See README.md.
package main

import (
	"os"

	"github.com/srplan/srplan/cmd/srplan/cli"
)

func main() {
	os.Exit(cli.Run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
