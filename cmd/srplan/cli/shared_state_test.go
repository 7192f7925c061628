package cli

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/srplan/srplan/lang"
	"github.com/srplan/srplan/state"
	srdynamo "github.com/srplan/srplan/state/dynamodb"
)

// Environment variables of the local service stack (scripts/test.sh).
const (
	envTestDynamoDB = "SRPLAN_TEST_DYNAMODB_ENDPOINT"
	envTestSQS      = "SRPLAN_TEST_SQS_ENDPOINT"
)

// serviceEndpoint returns the endpoint in the environment variable name,
// skipping t when it is unset (a unit run without the service stack).
func serviceEndpoint(t *testing.T, name string) string {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		t.Skipf("%s is not set: run scripts/test.sh, or source the local stack's environment, to test against DynamoDB and SQS servers", name)
	}
	// The AWS SDK reads credentials from the process environment; the
	// local servers accept any.
	t.Setenv("AWS_ACCESS_KEY_ID", "srplan-test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "srplan-test")
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	return v
}

// uniqueName returns a resource name unique to t and this run.
func uniqueName(t *testing.T, prefix string) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	name := strings.NewReplacer("/", "-", "_", "-").Replace(t.Name())
	return fmt.Sprintf("%s-%s-%s", prefix, strings.ToLower(name), hex.EncodeToString(b[:]))
}

// sharedSpec writes a spec whose state is table/workspace at endpoint, and
// returns its path and the local state file's path.
func sharedSpec(t *testing.T, endpoint, table, workspace, extra string) (spec, local string) {
	t.Helper()
	dir := t.TempDir()
	spec = filepath.Join(dir, "m.hcl")
	text := fmt.Sprintf(`storage "local" "s" {
  path = "./x"
}
state {
  path = "./state.db"
  dynamodb {
    table     = %q
    region    = "us-east-1"
    endpoint  = %q
    workspace = %q
  }
}
%s`, table, endpoint, workspace, extra)
	if err := os.WriteFile(spec, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return spec, filepath.Join(dir, "state.db")
}

func testDynamoClient(endpoint string) *dynamodb.Client {
	return dynamodb.New(dynamodb.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(endpoint),
		Credentials: credentials.NewStaticCredentialsProvider("srplan-test", "srplan-test", ""),
	})
}

// sharedTable creates the test table once per run of this test binary.
func sharedTable(t *testing.T, endpoint string) string {
	t.Helper()
	const table = "srplan-cli-test"
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := srdynamo.CreateTable(ctx, testDynamoClient(endpoint), table); err != nil {
		t.Fatalf("CreateTable: %v", err)
	}
	return table
}

func openTestDynamo(t *testing.T, endpoint, table, ws string) *srdynamo.Store {
	t.Helper()
	s, err := srdynamo.Open(t.Context(), testDynamoClient(endpoint), table, ws, "test")
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func donePartition(tbl, part string) *state.PartitionRecord {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	return &state.PartitionRecord{Table: tbl, Partition: part, Fingerprint: state.Fingerprint{VisibleVersion: 7},
		Stage: state.StageDone, Status: state.StatusOK, CreatedAt: at, UpdatedAt: at}
}

func readBolt(t *testing.T, path string) *state.Snapshot {
	t.Helper()
	b, err := state.OpenBolt(path, state.BoltOptions{SrplanVersion: Version, ReadOnly: true})
	if err != nil {
		t.Fatalf("OpenBolt(%s): %v", path, err)
	}
	defer b.Close()
	s, err := b.Read(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestSharedStateTrustsDynamoDBAndMirrors: with a dynamodb block, the
// commands read DynamoDB, say so when the local file differs, refresh the
// file, and write to both.
func TestSharedStateTrustsDynamoDBAndMirrors(t *testing.T) {
	endpoint := serviceEndpoint(t, envTestDynamoDB)
	table := sharedTable(t, endpoint)
	ws := uniqueName(t, "ws")
	spec, local := sharedSpec(t, endpoint, table, ws, "")
	ddb := openTestDynamo(t, endpoint, table, ws)
	if err := ddb.Write(t.Context(), &state.Batch{PutPartitions: []*state.PartitionRecord{donePartition("db.t", "p1"), donePartition("db.t", "p2")}}); err != nil {
		t.Fatal(err)
	}

	r := srplan(t, "", nil, "state", "list", "-f", spec)
	if r.code != ExitOK || r.stdout != "db.t/p1\tdone\tok\tv7\ndb.t/p2\tdone\tok\tv7\n" {
		t.Fatalf("state list: %d %q %q", r.code, r.stdout, r.stderr)
	}
	wantLine := fmt.Sprintf("State: DynamoDB table %s (workspace %s, serial 1) and the local file %s (serial 0) differ in 2 partition records; using DynamoDB, the shared state.\n", table, ws, local)
	if r.stderr != wantLine {
		t.Errorf("stderr = %q, want %q", r.stderr, wantLine)
	}
	if got := readBolt(t, local); len(got.Partitions) != 2 {
		t.Errorf("the local file holds %d partitions after the refresh, want 2", len(got.Partitions))
	}

	r = srplan(t, "", nil, "state", "list", "-f", spec)
	if r.code != ExitOK || r.stderr != "" {
		t.Errorf("second state list: %d, stderr %q; want no divergence line", r.code, r.stderr)
	}

	r = srplan(t, "", nil, "state", "rm", "-f", spec, "db.t/p1")
	if r.code != ExitOK {
		t.Fatalf("state rm: %d %q", r.code, r.stderr)
	}
	snap, err := ddb.Read(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := snap.Partitions[state.PartitionKey{Table: "db.t", Partition: "p1"}]; ok || len(snap.Partitions) != 1 {
		t.Errorf("DynamoDB holds %d partitions after rm (p1 present %v), want only p2", len(snap.Partitions), ok)
	}
	if d := state.Compare(snap, readBolt(t, local)); !d.Empty() {
		t.Errorf("the local file differs from DynamoDB after rm in %s", d)
	}

	r = srplan(t, "", nil, "status", "-f", spec)
	if r.code != ExitOK || !strings.Contains(r.stdout, "db.t: 1 done, 0 in progress, 0 failed") {
		t.Errorf("status: %d %q %q", r.code, r.stdout, r.stderr)
	}
}

// TestSharedStateSeedsFromLocalFile: a DynamoDB workspace never written
// takes the records of an existing local file instead of erasing them.
func TestSharedStateSeedsFromLocalFile(t *testing.T) {
	endpoint := serviceEndpoint(t, envTestDynamoDB)
	table := sharedTable(t, endpoint)
	ws := uniqueName(t, "ws")
	spec, local := sharedSpec(t, endpoint, table, ws, "")
	b, err := state.OpenBolt(local, state.BoltOptions{SrplanVersion: Version, Create: true})
	if err != nil {
		t.Fatal(err)
	}
	err = b.Write(t.Context(), &state.Batch{PutPartitions: []*state.PartitionRecord{donePartition("db.t", "p1")}})
	b.Close()
	if err != nil {
		t.Fatal(err)
	}
	r := srplan(t, "", nil, "state", "list", "-f", spec)
	if r.code != ExitOK || r.stdout != "db.t/p1\tdone\tok\tv7\n" || !strings.Contains(r.stderr, "was empty; copied the 1 record(s) of the local file") {
		t.Fatalf("state list: %d %q %q", r.code, r.stdout, r.stderr)
	}
	snap, err := openTestDynamo(t, endpoint, table, ws).Read(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Partitions) != 1 || snap.Meta.Serial != 1 {
		t.Errorf("DynamoDB holds %d partitions at serial %d, want 1 at 1", len(snap.Partitions), snap.Meta.Serial)
	}
}

// TestSharedStateLockAndForceUnlock: the DynamoDB lock is the state lock:
// a held one names its holder, force-unlock releases it.
func TestSharedStateLockAndForceUnlock(t *testing.T) {
	endpoint := serviceEndpoint(t, envTestDynamoDB)
	table := sharedTable(t, endpoint)
	ws := uniqueName(t, "ws")
	spec, _ := sharedSpec(t, endpoint, table, ws, "")
	ddb := openTestDynamo(t, endpoint, table, ws)
	info := state.NewLockInfo("apply", Version)
	id, err := ddb.Lock(t.Context(), info)
	if err != nil {
		t.Fatal(err)
	}
	r := srplan(t, "", nil, "state", "list", "-f", spec, "-lock-timeout", "200ms")
	if r.code != ExitError || !strings.Contains(r.stderr, "Error: State is locked") ||
		!strings.Contains(r.stderr, fmt.Sprintf("pid %d", os.Getpid())) || !strings.Contains(r.stderr, "srplan force-unlock "+id) {
		t.Errorf("locked state: %d\n%s", r.code, r.stderr)
	}
	r = srplan(t, "", nil, "force-unlock", "-f", spec, "wrong-id")
	if r.code != ExitError || !strings.Contains(r.stderr, "lock ID mismatch") {
		t.Errorf("force-unlock with a wrong id: %d %q", r.code, r.stderr)
	}
	r = srplan(t, "", nil, "force-unlock", "-f", spec, id)
	if r.code != ExitOK {
		t.Fatalf("force-unlock: %d %q", r.code, r.stderr)
	}
	if h, err := ddb.Holder(t.Context()); err != nil || h != nil {
		t.Errorf("after force-unlock the holder is %v (%v), want none", h, err)
	}
	if r = srplan(t, "", nil, "state", "list", "-f", spec); r.code != ExitOK {
		t.Errorf("after force-unlock: %d %q", r.code, r.stderr)
	}
}

// TestSharedStateUnreachable: a DynamoDB that cannot be reached fails with
// where it is, what to check and how to plan from the local file.
func TestSharedStateUnreachable(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "srplan-test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "srplan-secret-value")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_MAX_ATTEMPTS", "1")
	spec, local := sharedSpec(t, "http://127.0.0.1:1", "srplan-state", "w", "")
	r := srplan(t, "", nil, "plan", "-f", spec)
	for _, want := range []string{
		"DynamoDB table srplan-state (endpoint http://127.0.0.1:1, region us-east-1), workspace w",
		"Check that the table exists",
		"-state " + local,
	} {
		if r.code != ExitError || !strings.Contains(r.stderr, want) {
			t.Errorf("plan with an unreachable DynamoDB: %d, stderr lacks %q:\n%s", r.code, want, r.stderr)
		}
	}
	if strings.Contains(r.stderr+r.stdout, "srplan-secret-value") {
		t.Error("the output shows the secret key")
	}
}

// TestOpenStateForRole: loaders take no lock but get claims and need
// DynamoDB; exporters take the lock.
func TestOpenStateForRole(t *testing.T) {
	t.Run("loader needs dynamodb", func(t *testing.T) {
		e := &env{ctx: t.Context(), stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}}
		cfg := &lang.Config{State: &lang.StateConfig{Path: filepath.Join(t.TempDir(), "state.db")}}
		if _, err := e.openStateForRole(cfg, "", roleLoader, 0); err == nil || !strings.Contains(err.Error(), "needs the shared state") {
			t.Errorf("loader without dynamodb: %v", err)
		}
		h, err := e.openStateForRole(cfg, "", roleExporter, 0)
		if err != nil {
			t.Fatalf("exporter on a local file: %v", err)
		}
		// The file does not exist yet: nothing is created or locked until
		// the apply is about to write.
		if !h.missing || h.lockID != "" {
			t.Errorf("exporter on a missing local file: missing %v, lock %q; want missing, unlocked", h.missing, h.lockID)
		}
		if _, err := os.Stat(cfg.State.Path); err == nil {
			t.Errorf("opening created %s", cfg.State.Path)
		}
		if err := e.materialize(h); err != nil {
			t.Fatalf("materialize: %v", err)
		}
		if h.shared || h.claims != nil || h.lockID == "" || h.missing {
			t.Errorf("exporter on a local file: shared %v, claims %v, lock %q; want local, no claims, locked", h.shared, h.claims, h.lockID)
		}
		h.release()
		if _, err := e.openStateForRole(cfg, "", "bogus", 0); err == nil {
			t.Error("an unknown role was accepted")
		}
	})
	endpoint := serviceEndpoint(t, envTestDynamoDB)
	table := sharedTable(t, endpoint)
	ws := uniqueName(t, "ws")
	spec, _ := sharedSpec(t, endpoint, table, ws, "")
	var stderr bytes.Buffer
	e := &env{ctx: t.Context(), stdout: &bytes.Buffer{}, stderr: &stderr}
	cfg := e.loadSpec(&specArgs{path: spec})
	if cfg == nil {
		t.Fatalf("spec: %s", stderr.String())
	}
	ddb := openTestDynamo(t, endpoint, table, ws)
	exp, err := e.openStateForRole(cfg, "", roleExporter, 0)
	if err != nil {
		t.Fatalf("exporter: %v", err)
	}
	if !exp.shared || exp.claims == nil || exp.lockID == "" {
		t.Errorf("exporter: shared %v, claims %v, lock %q; want shared, claims, locked", exp.shared, exp.claims, exp.lockID)
	}
	if h, err := ddb.Holder(t.Context()); err != nil || h == nil || h.Operation != "apply (exporter)" {
		t.Errorf("holder while the exporter runs: %v, %v", h, err)
	}
	// A loader on the same host runs beside the exporter: no lock, and the
	// local file the exporter holds is skipped.
	ld, err := e.openStateForRole(cfg, "", roleLoader, 0)
	if err != nil {
		t.Fatalf("loader beside an exporter: %v", err)
	}
	if !ld.shared || ld.claims == nil || ld.lockID != "" {
		t.Errorf("loader: shared %v, claims %v, lock %q; want shared, claims, no lock", ld.shared, ld.claims, ld.lockID)
	}
	key := state.PartitionKey{Table: "db.t", Partition: "p1"}
	if ok, _, err := ld.claims.Claim(t.Context(), key, state.ClaimInfo{Holder: "loader-1", Expires: time.Now().Add(time.Minute)}); !ok || err != nil {
		t.Errorf("loader claim: %v %v", ok, err)
	}
	if ok, cur, err := exp.claims.Claim(t.Context(), key, state.ClaimInfo{Holder: "loader-2", Expires: time.Now().Add(time.Minute)}); ok || err != nil || cur.Holder != "loader-1" {
		t.Errorf("second claim: %v %v %v; want refused naming loader-1", ok, cur, err)
	}
	if _, err := e.openStateForRole(cfg, "", roleAll, 0); err == nil {
		t.Error("a second exclusive apply opened the state while the exporter holds the lock")
	}
	ld.release()
	exp.release()
	if h, err := ddb.Holder(t.Context()); err != nil || h != nil {
		t.Errorf("holder after release: %v, %v", h, err)
	}
}
