//go:build !linux

package s3test

import "syscall"

// sysProcAttr has nothing to add outside Linux: servers are stopped by Main only.
func sysProcAttr() *syscall.SysProcAttr {
	return nil
}
