// Command srsim runs the StarRocks simulator: a MySQL-protocol stand-in for a
// StarRocks cluster used by srplan's tests, demo and sandbox. It prints the
// DSN of user root and the control endpoint address, and stops on SIGINT or
// SIGTERM. It is not StarRocks.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/srplan/srplan/sim/starrocks"
)

func main() {
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM)
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr, stop))
}

// run parses flags, starts the simulator, prints how to reach it and
// blocks until stop delivers a signal. It returns the exit code.
func run(args []string, stdout, stderr io.Writer, stop <-chan os.Signal) int {
	fs := flag.NewFlagSet("srsim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	version := fs.String("version", "3.3.2", "StarRocks version to imitate (3.1.x to 3.5.x)")
	mode := fs.String("mode", string(starrocks.SharedNothing), "architecture: shared-nothing or shared-data")
	addr := fs.String("addr", "127.0.0.1:0", "MySQL-protocol listen address (loopback only)")
	controlAddr := fs.String("control-addr", "127.0.0.1:0", "HTTP control endpoint address (loopback only)")
	quiet := fs.Bool("quiet", false, "do not log statements to standard error")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	c, err := starrocks.Start(starrocks.Options{
		Version: *version,
		Mode:    starrocks.Mode(*mode),
		Addr:    *addr,
		Quiet:   *quiet,
	})
	if err != nil {
		fmt.Fprintf(stderr, "srsim: %v\n", err)
		return 1
	}
	defer c.Close()
	ctl, err := c.ServeControl(*controlAddr)
	if err != nil {
		fmt.Fprintf(stderr, "srsim: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "StarRocks simulator %s (%s), not a real StarRocks cluster\n", *version, c.Mode())
	fmt.Fprintf(stdout, "dsn: %s\n", c.DSN("root", "", ""))
	fmt.Fprintf(stdout, "control: http://%s\n", ctl)
	<-stop
	return 0
}
