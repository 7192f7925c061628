package main

import (
	"bufio"
	"database/sql"
	"io"
	"net/http"
	"os"
	"strings"
	"syscall"
	"testing"

	_ "github.com/go-sql-driver/mysql"
)

func TestRun(t *testing.T) {
	pr, pw := io.Pipe()
	stop := make(chan os.Signal, 1)
	done := make(chan int, 1)
	go func() {
		done <- run([]string{"-version", "3.5.0", "-mode", "shared-data", "-quiet"}, pw, io.Discard, stop)
		pw.Close()
	}()
	sc := bufio.NewScanner(pr)
	var dsn, ctl string
	for (dsn == "" || ctl == "") && sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "dsn: "):
			dsn = strings.TrimPrefix(line, "dsn: ")
		case strings.HasPrefix(line, "control: "):
			ctl = strings.TrimPrefix(line, "control: ")
		}
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var v string
	if err := db.QueryRow("SELECT current_version()").Scan(&v); err != nil || !strings.HasPrefix(v, "3.5.0") {
		t.Errorf("current_version = %q, %v", v, err)
	}
	resp, err := http.Get(ctl + "/counters")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("control endpoint status %d", resp.StatusCode)
	}
	stop <- syscall.SIGTERM
	if code := <-done; code != 0 {
		t.Errorf("exit code %d", code)
	}
}

func TestRunBadFlags(t *testing.T) {
	if code := run([]string{"-version", "2.5.0"}, io.Discard, io.Discard, nil); code != 1 {
		t.Errorf("unsupported version: exit code %d, want 1", code)
	}
	if code := run([]string{"-nope"}, io.Discard, io.Discard, nil); code != 2 {
		t.Errorf("unknown flag: exit code %d, want 2", code)
	}
}
