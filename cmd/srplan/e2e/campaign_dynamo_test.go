package e2e

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/srplan/srplan/providers/s3/s3test"
)

// dynamoLease is the state lock lease the DynamoDB configurations run
// with (SRPLAN_LEASE): a killed apply's lock is taken over after it, so
// every attempt waits for it with -lock-timeout.
const dynamoLease = "2s"

// TestCrashCampaignDynamoDB runs the crash campaign with the state in
// DynamoDB (dynalite, with the local bbolt file as its mirror) and a
// MinIO stage. The short form kills apply 3 rounds x 6 times; the long
// form 8 x 10. The claims run with the default lease (30s): every apply
// waits out the claims a killed apply left and takes them over, so no
// round waits before its last apply.
func TestCrashCampaignDynamoDB(t *testing.T) {
	t.Parallel()
	cc := campaignConfig{name: "MinIO stage, DynamoDB state", storage: minioStage,
		extra:  []string{"-lock-timeout", "30s"},
		rounds: 3, kills: 6, budget: 120 * time.Second}
	if longCampaigns() {
		cc.rounds, cc.kills, cc.budget = 8, 10, 0
	}
	cc.prepare = func(t *testing.T, w *workspace) { useDynamoState(t, w, s3test.DynamoDBEndpoint(t)) }
	runCampaign(t, cc, campaignSeed(t))
}

// useDynamoState adds a dynamodb block for a new table at endpoint to w's
// state block, with test credentials and a short lock lease, and creates
// the table with `srplan init`.
func useDynamoState(t *testing.T, w *workspace, endpoint string) {
	t.Helper()
	b, err := os.ReadFile(w.spec)
	if err != nil {
		t.Fatal(err)
	}
	const block = "state {\n  path = \".srplan/state.db\"\n"
	if !strings.Contains(string(b), block) {
		t.Fatalf("the spec has no state block %q:\n%s", block, b)
	}
	suffix := make([]byte, 4)
	_, _ = rand.Read(suffix)
	table := "srplan-campaign-" + hex.EncodeToString(suffix)
	spec := strings.Replace(string(b), block, block+fmt.Sprintf("  dynamodb {\n    table    = %q\n    endpoint = %q\n    region   = \"us-east-1\"\n  }\n", table, endpoint), 1)
	if err := os.WriteFile(w.spec, []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	w.env = append(w.env, "AWS_ACCESS_KEY_ID=srplan-test", "AWS_SECRET_ACCESS_KEY=srplan-test", "AWS_EC2_METADATA_DISABLED=true",
		"SRPLAN_LEASE="+dynamoLease)
	w.mustRun(t, "init")
}
