package starrocks

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"testing"

	"github.com/go-sql-driver/mysql"
)

func TestIsRetryable(t *testing.T) {
	t.Parallel()
	me := func(n uint16, msg string) error { return &mysql.MySQLError{Number: n, Message: msg} }
	tests := map[string]struct {
		err  error
		want bool
	}{
		"nil":                   {nil, false},
		"canceled":              {context.Canceled, false},
		"deadline":              {fmt.Errorf("x: %w", context.DeadlineExceeded), false},
		"bad conn":              {driver.ErrBadConn, true},
		"invalid conn":          {fmt.Errorf("q: %w", mysql.ErrInvalidConn), true},
		"eof":                   {io.ErrUnexpectedEOF, true},
		"reset":                 {&net.OpError{Op: "read", Err: syscall.ECONNRESET}, true},
		"net timeout":           {&net.DNSError{IsTimeout: true}, true},
		"connect network":       {&ConnectError{Hosts: []HostError{{Err: syscall.ECONNREFUSED}}}, true},
		"connect login refused": {&ConnectError{Hosts: []HostError{{Err: me(1045, "Access denied")}}}, false},
		"too many tasks":        {me(1064, "Too many tasks in queue, please try later"), true},
		"timeout":               {me(1064, "Export job timeout"), true},
		"no leader":             {me(1064, "Failed to get leader FE"), true},
		"too many versions":     {me(1064, "Too many versions. tablet_id: 1, version_count: 1001"), true},
		"backend node down":     {me(1064, "Backend node not found. Check if any backend node is down."), true},
		"syntax":                {me(1064, "Getting syntax error at line 1, column 5"), false},
		"privilege by number":   {me(5203, "Access denied; you need the INSERT privilege"), false},
		"unknown table":         {me(1064, "Getting analyzing error. Detail message: Unknown table 'd.t'"), false},
		"unknown db":            {me(1049, "Unknown database 'x'"), false},
		"label used":            {me(1064, "Label [l] has already been used."), false},
		"unknown message":       {me(1064, "something odd happened"), false},
		"missing wins":          {me(1064, "Table t does not exist (timeout while looking)"), false},
		"marked yes":            {&retryError{err: errors.New("x"), retry: true}, true},
		"marked no wins":        {&retryError{err: driver.ErrBadConn, retry: false}, false},
		"job timeout":           {&JobError{retry: true}, true},
		"plain":                 {errors.New("boom"), false},
		"job lost":              {fmt.Errorf("load x: %w", ErrJobNotFound), true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if got := IsRetryable(tc.err); got != tc.want {
				t.Errorf("IsRetryable(%v) = %v, want %v", tc.err, got, tc.want)
			}
		})
	}
}

func TestRetryableJobMessage(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		msg  string
		want bool
	}{
		"timeout":         {"type:TIMEOUT; msg:load timeout", true},
		"txn unknown":     {"type:TXN_UNKNOWN; msg:x", true},
		"user cancel":     {"type:USER_CANCEL; msg:Cancelled by user", false},
		"bad data":        {"type:ETL_QUALITY_UNSATISFIED; msg:quality not good enough to cancel", false},
		"file missing":    {"type:ETL_RUN_FAIL; msg:No such file or directory", false},
		"run fail busy":   {"type:LOAD_RUN_FAIL; msg:Too many versions", true},
		"export fe":       {"type:RUN_FAIL; msg:FE restart, job is cancelled", true},
		"backend down":    {"type:LOAD_RUN_FAIL; msg:Backend node not found. Check if any backend node is down.", true},
		"empty":           {"", false},
		"unknown message": {"type:ETL_RUN_FAIL; msg:odd", false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if got := retryableJobMessage(tc.msg); got != tc.want {
				t.Errorf("retryableJobMessage(%q) = %v, want %v", tc.msg, got, tc.want)
			}
		})
	}
}

func TestMarkAndAmbiguous(t *testing.T) {
	t.Parallel()
	m := mark(driver.ErrBadConn)
	var r interface{ Retryable() bool }
	if !errors.As(m, &r) || !r.Retryable() || !errors.Is(m, driver.ErrBadConn) {
		t.Errorf("mark(ErrBadConn) = %#v", m)
	}
	if mark(nil) != nil || markf(nil, "x") != nil {
		t.Error("mark(nil) is not nil")
	}
	if got := markf(errBase, "load %s", "l").Error(); got != "load l: base" {
		t.Errorf("markf text = %q", got)
	}
	tests := map[string]struct {
		err  error
		want bool
	}{
		"broken connection": {mysql.ErrInvalidConn, true},
		"server answered":   {&mysql.MySQLError{Number: 1064, Message: "timeout"}, false},
		"never connected":   {&ConnectError{Hosts: []HostError{{Err: syscall.ECONNREFUSED}}}, false},
		"canceled":          {context.Canceled, false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := isAmbiguous(tc.err); got != tc.want {
				t.Errorf("isAmbiguous(%v) = %v, want %v", tc.err, got, tc.want)
			}
		})
	}
}
