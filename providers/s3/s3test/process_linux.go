package s3test

import "syscall"

// sysProcAttr makes the kernel kill a started server when the thread that started it ends, which
// launch arranges to happen no earlier than the test binary's exit.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
