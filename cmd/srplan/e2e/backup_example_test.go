package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// sandboxAddrLine matches the source and target lines `srplan sandbox`
// prints: "  source  StarRocks 3.3.8 shared-nothing simulator  127.0.0.1:PORT".
var sandboxAddrLine = regexp.MustCompile(`^\s+(source|target)\s+StarRocks \S+ (\S+) simulator\s+(127\.0\.0\.1:\d+)`)

// startSandbox runs `srplan sandbox` with args in a new directory, as a
// user would in a second terminal, and returns the source's and target's
// addresses once it printed them. The sandbox is interrupted (Ctrl-C) when
// t ends.
func startSandbox(t *testing.T, args ...string) (srcAddr, dstAddr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	cmd := exec.CommandContext(ctx, srplanBin, append([]string{"sandbox", "-dir", t.TempDir()}, args...)...)
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	cmd.WaitDelay = 5 * time.Second
	var stderr lockedBuffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("start srplan sandbox: %v", err)
	}
	done := make(chan struct{})
	lines := make(chan string, 64)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			default:
			}
		}
		close(lines)
		_ = cmd.Wait()
		close(done)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGINT)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		cancel()
	})
	var printed strings.Builder
	for line := range lines {
		printed.WriteString(line + "\n")
		m := sandboxAddrLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		if m[1] == "source" {
			srcAddr = m[3]
		} else {
			dstAddr = m[3]
		}
		if srcAddr != "" && dstAddr != "" {
			return srcAddr, dstAddr
		}
	}
	t.Fatalf("srplan sandbox did not print both addresses:\n%s--- stderr\n%s", printed.String(), stderr.String())
	return "", ""
}

// TestBackupExampleInSandbox runs examples/backup-restore as its README
// says: `srplan sandbox -target-mode shared-nothing` in one terminal, then
// plan and apply of the example with the printed addresses. Everything is
// moved by BACKUP/RESTORE and verified; a second apply has nothing to do.
func TestBackupExampleInSandbox(t *testing.T) {
	t.Parallel()
	srcAddr, dstAddr := startSandbox(t, "-target-mode", "shared-nothing", "-rows", "50")

	// The example, copied as a user would check it out (its repository
	// and state live next to the spec).
	example, err := os.ReadFile(filepath.Join("..", "..", "..", "examples", "backup-restore", "migration.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	w := &workspace{dir: dir, spec: filepath.Join(dir, "migration.hcl")}
	if err := os.WriteFile(w.spec, example, 0o644); err != nil {
		t.Fatal(err)
	}
	vars := []string{"-var", fmt.Sprintf(`src_hosts=[%q]`, srcAddr), "-var", fmt.Sprintf(`dst_hosts=[%q]`, dstAddr)}

	plan := w.mustRun(t, append([]string{"plan", "-json"}, vars...)...)
	var doc struct {
		Tables []struct {
			Source     string `json:"source"`
			Method     string `json:"method"`
			Partitions []struct {
				Addr   string `json:"addr"`
				Action string `json:"action"`
			} `json:"partitions"`
		} `json:"tables"`
	}
	if err := json.Unmarshal([]byte(plan.stdout), &doc); err != nil {
		t.Fatalf("plan -json: %v\n%s", err, plan)
	}
	methods := map[string]string{}
	copies := 0
	for _, tb := range doc.Tables {
		methods[tb.Source] = tb.Method
		for _, p := range tb.Partitions {
			if p.Action != "copy" {
				t.Errorf("plan: %s %s, want copy", p.Addr, p.Action)
			}
			copies++
		}
	}
	want := map[string]string{"demo.customers": "backup", "demo.events": "backup", "demo.orders": "backup"}
	if fmt.Sprint(methods) != fmt.Sprint(want) || copies == 0 {
		t.Fatalf("plan: methods %v (want %v), %d partitions to copy\n%s", methods, want, copies, plan.stdout)
	}

	apply := w.mustRun(t, append([]string{"apply", "-auto-approve"}, vars...)...)
	if wantLine := fmt.Sprintf("Apply complete: %d partitions copied and verified", copies); !strings.Contains(apply.stdout, wantLine) {
		t.Errorf("apply output lacks %q:\n%s", wantLine, apply)
	}
	st := w.mustRun(t, append([]string{"status"}, vars...)...)
	for _, tb := range []string{"demo.customers", "demo.events", "demo.orders"} {
		if !strings.Contains(st.stdout, tb+": ") || !strings.Contains(st.stdout, "in repository srplan_demo (timestamp ") {
			t.Errorf("status lacks %s or its snapshot:\n%s", tb, st.stdout)
		}
	}
	if strings.Contains(st.stdout, "failed\n  !") {
		t.Errorf("status shows failures:\n%s", st.stdout)
	}
	again := w.mustRun(t, append([]string{"apply", "-auto-approve"}, vars...)...)
	if wantLine := fmt.Sprintf("No changes. %d partitions are up to date.", copies); !strings.Contains(again.stdout, wantLine) {
		t.Errorf("second apply lacks %q:\n%s", wantLine, again)
	}
	// The repository lives next to the spec, as the example says.
	if m, _ := filepath.Glob(filepath.Join(dir, "repo", "backups", "__starrocks_repository_srplan_demo", "__ss_srplan_*")); len(m) != 3 {
		t.Errorf("snapshots in ./repo/backups: %v, want one per table", m)
	}
}
