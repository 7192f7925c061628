package e2e

import (
	"encoding/base64"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/srplan/srplan/providers/s3/s3test"
	simsr "github.com/srplan/srplan/sim/starrocks"
)

// Known secrets of TestSecretsStayOut: the clusters' passwords, and a
// wrong password that an error must not echo.
const (
	secretSrcPassword = "Src-S3cret-pw-4711"
	secretDstPassword = "Dst-S3cret-pw-0815"
	secretWrong       = "Wr0ng-S3cret-pw-2323"
)

// TestSecretsStayOut runs every command a user runs (validate, plan, plan
// -json, plan -out, show, apply from a saved plan and with -json, status,
// state list and show, verify) with known passwords and S3 keys passed as
// sensitive variables, and asserts that no output and no file under the
// workspace (the spec, the saved plan, the raw bbolt state, the progress
// file) holds any of them, raw, base64- or URL-encoded; that the state,
// the progress file and the saved plan are mode 0600; and that a wrong
// password and an unreachable host give errors without secrets.
func TestSecretsStayOut(t *testing.T) {
	t.Parallel()
	env := s3test.Endpoint(t)
	bucket := s3test.NewBucket(t, env)
	src := startSim(t, hostOptions{Version: "3.3.8", Mode: simsr.SharedNothing, RootPassword: secretSrcPassword})
	dst := startSim(t, hostOptions{Version: "3.5.2", Mode: simsr.SharedData, RootPassword: secretDstPassword})
	seedShop(t, src, 30)
	w := newWorkspace(t, specOptions{src: src, dst: dst, storage: &storageBlock{
		url: "s3://" + bucket + "/stage", endpoint: env.Endpoint, region: env.Region,
		accessKey: env.AccessKey, secretKey: env.SecretKey,
	}})
	secrets := map[string]string{
		"source password": secretSrcPassword, "target password": secretDstPassword,
		"S3 access key": env.AccessKey, "S3 secret key": env.SecretKey, "wrong password": secretWrong,
	}
	check := func(r result) {
		t.Helper()
		assertNoSecretForms(t, "srplan "+strings.Join(r.args, " "), r.stdout+r.stderr, secrets)
	}

	for _, args := range [][]string{{"validate"}, {"plan"}, {"plan", "-json"}, {"plan", "-out", "saved.plan"}} {
		check(w.mustRun(t, args...))
	}
	check(w.mustRunRaw(t, "show", "saved.plan"))
	check(w.mustRunRaw(t, "show", "-json", "saved.plan"))
	check(w.mustRun(t, "apply", "saved.plan"))
	addOrders(t, src, "2024-01-02", nextOrderID(t, src), 5)
	check(w.mustRun(t, "apply", "-json", "-auto-approve"))
	for _, args := range [][]string{{"status"}, {"status", "-json"}, {"verify"}, {"verify", "-json"}} {
		check(w.mustRun(t, args...))
	}
	for _, args := range [][]string{{"list"}, {"show"}, {"show", "-json"}, {"show", "shop.orders/p20240102"}} {
		check(w.mustRunRaw(t, append([]string{"state", args[0], "-f", w.spec}, args[1:]...)...))
	}
	assertSameData(t, src, dst, allTables...)

	// Error paths: a wrong password, an unreachable host.
	wrong := *w
	wrong.env = append(append([]string{}, w.env...), "SRPLAN_VAR_src_password="+secretWrong, "SRPLAN_VAR_dst_password="+secretWrong)
	for _, args := range [][]string{{"plan"}, {"apply", "-auto-approve"}, {"verify", "-json"}} {
		r := wrong.run(t, args...)
		if r.code != 1 || !strings.Contains(r.stderr, "check user and password") {
			t.Errorf("with a wrong password: want exit 1 and 'check user and password'\n%s", r)
		}
		check(r)
	}
	spec, err := os.ReadFile(w.spec)
	if err != nil {
		t.Fatal(err)
	}
	unreachable := *w
	unreachable.spec = filepath.Join(w.dir, "unreachable.hcl")
	if err := os.WriteFile(unreachable.spec, []byte(strings.Replace(string(spec), dst.addr, "127.0.0.1:1", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	r := unreachable.run(t, "apply", "-auto-approve")
	if r.code != 1 || !strings.Contains(r.stderr, `target "new" at 127.0.0.1:1`) {
		t.Errorf("with an unreachable target: want exit 1 naming the host\n%s", r)
	}
	check(r)

	// Every file of the workspace, raw bytes.
	modes := map[string]fs.FileMode{}
	err = filepath.WalkDir(w.dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(w.dir, p)
		assertNoSecretForms(t, rel, string(b), secrets)
		info, err := d.Info()
		if err != nil {
			return err
		}
		modes[rel] = info.Mode().Perm()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, rel := range []string{".srplan/state.db", ".srplan/state.db.progress.json", "saved.plan"} {
		if m, ok := modes[rel]; !ok || m != 0o600 {
			t.Errorf("%s: mode %v (present %v), want -rw-------", rel, m, ok)
		}
	}
}

// assertNoSecretForms fails t when text holds any secret, as it is, in
// base64 (standard or URL alphabet, with or without padding) or
// URL-encoded (query or path escaping).
func assertNoSecretForms(t *testing.T, where, text string, secrets map[string]string) {
	t.Helper()
	for name, s := range secrets {
		if s == "" {
			continue
		}
		forms := []string{s, url.QueryEscape(s), url.PathEscape(s),
			base64.StdEncoding.EncodeToString([]byte(s)), base64.RawStdEncoding.EncodeToString([]byte(s)),
			base64.URLEncoding.EncodeToString([]byte(s)), base64.RawURLEncoding.EncodeToString([]byte(s))}
		for _, f := range forms {
			if strings.Contains(text, f) {
				t.Errorf("%s: shows the %s (as %q)", where, name, strings.Repeat("*", len(f)))
				break
			}
		}
	}
}

// mustRunRaw runs srplan with exactly args in w and requires exit 0.
func (w *workspace) mustRunRaw(t *testing.T, args ...string) result {
	t.Helper()
	r := w.runRaw(t, args...)
	if r.code != 0 {
		t.Fatalf("%s", r)
	}
	return r
}
