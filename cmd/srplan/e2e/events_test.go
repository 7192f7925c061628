package e2e

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	mrand "math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/srplan/srplan/providers/s3/s3test"
	simsr "github.com/srplan/srplan/sim/starrocks"
	statedynamo "github.com/srplan/srplan/state/dynamodb"
)

// eventRig is a migration whose source exports to bucket "near", copied by
// srplan to bucket "far" (both MinIO, standing for two clouds), from which
// the target loads when S3 events for "far" reach a fauxqs queue. MinIO
// cannot notify SQS, so a bridge in the test lists "far" and publishes S3
// event JSON for every new key.
type eventRig struct {
	src, dst      *cluster
	env           s3test.Env
	near, far     string
	queue, dlq    string
	sqsClient     *sqs.Client
	dir, spec     string
	baseEnv       []string
	jobsBefore    simsr.Counters
	bridgeStopped chan struct{}
	// manifestSent is when the bridge published each manifest's event, by
	// export directory key (written by the bridge, read after it stopped).
	manifestSent map[string]time.Time
}

func randomSuffix() string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func newEventRig(t *testing.T, copyBandwidth string) *eventRig {
	t.Helper()
	r := &eventRig{env: s3test.Endpoint(t)}
	r.src = startSim(t, hostOptions{Version: "3.3.8", Mode: simsr.SharedNothing, RootPassword: rootPassword})
	r.dst = startSim(t, hostOptions{Version: "3.5.2", Mode: simsr.SharedData, RootPassword: rootPassword + "-dst"})
	seedShop(t, r.src, seedRows)
	r.near, r.far = s3test.NewBucket(t, r.env), s3test.NewBucket(t, r.env)
	sqsEndpoint := s3test.SQSEndpoint(t)
	r.sqsClient = s3test.SQSClient(sqsEndpoint)
	name := "srplan-e2e-" + randomSuffix()
	r.queue, r.dlq = createQueue(t, r.sqsClient, name), createQueue(t, r.sqsClient, name+"-dlq")
	ddbEndpoint := s3test.DynamoDBEndpoint(t)
	table := "srplan-e2e-" + randomSuffix()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := statedynamo.CreateTable(ctx, s3test.DynamoDBClient(ddbEndpoint), table); err != nil {
		t.Fatalf("create the state table: %v", err)
	}
	r.dir = t.TempDir()
	r.spec = filepath.Join(r.dir, "migration.hcl")
	throttle := ""
	if copyBandwidth != "" {
		throttle = fmt.Sprintf("  copy_bandwidth = %q\n", copyBandwidth)
	}
	spec := fmt.Sprintf(`variable "src_password" {
  sensitive = true
}
variable "dst_password" {
  sensitive = true
}
variable "s3_access_key" {
  sensitive = true
}
variable "s3_secret_key" {
  sensitive = true
}
variable "state_path" {
  type = string
}
source "starrocks" "old" {
  hosts    = [%q]
  user     = "root"
  password = var.src_password
}
target "starrocks" "new" {
  hosts    = [%q]
  user     = "root"
  password = var.dst_password
}
state {
  path = var.state_path
  dynamodb {
    table    = %q
    region   = %q
    endpoint = %q
  }
}
throttle "default" {
  exports = 4
  loads   = 4
%s}
storage "s3" "near" {
  url        = "s3://%s/stage"
  endpoint   = %q
  region     = %q
  path_style = true
  access_key = var.s3_access_key
  secret_key = var.s3_secret_key
}
storage "s3" "far" {
  url        = "s3://%s/stage"
  endpoint   = %q
  region     = %q
  path_style = true
  access_key = var.s3_access_key
  secret_key = var.s3_secret_key
  events {
    sqs_queue_url         = %q
    dead_letter_queue_url = %q
  }
}
table "shop.*" {
  via      = storage.near
  load_via = storage.far
  throttle = throttle.default
}
`, r.src.addr, r.dst.addr, table, s3test.Region, ddbEndpoint, throttle,
		r.near, r.env.Endpoint, r.env.Region, r.far, r.env.Endpoint, r.env.Region, r.queue, r.dlq)
	if err := os.WriteFile(r.spec, []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	r.baseEnv = []string{
		"SRPLAN_VAR_src_password=" + rootPassword, "SRPLAN_VAR_dst_password=" + rootPassword + "-dst",
		"SRPLAN_VAR_s3_access_key=" + r.env.AccessKey, "SRPLAN_VAR_s3_secret_key=" + r.env.SecretKey,
		"AWS_ACCESS_KEY_ID=srplan-test", "AWS_SECRET_ACCESS_KEY=srplan-test", "AWS_REGION=" + s3test.Region,
		"AWS_ENDPOINT_URL_SQS=" + sqsEndpoint,
	}
	r.jobsBefore = r.dst.ctl.counters(t)
	return r
}

func createQueue(t *testing.T, c *sqs.Client, name string) string {
	t.Helper()
	out, err := c.CreateQueue(t.Context(), &sqs.CreateQueueInput{QueueName: aws.String(name)})
	if err != nil {
		t.Fatalf("create queue %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_, _ = c.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: out.QueueUrl})
	})
	return aws.ToString(out.QueueUrl)
}

// worker is one srplan process of the rig with its own local state file.
func (r *eventRig) worker(name string) *workspace {
	return &workspace{dir: r.dir, spec: r.spec,
		env: append(append([]string{}, r.baseEnv...), "SRPLAN_VAR_state_path="+filepath.Join(r.dir, name+".db"))}
}

// bridgeOptions shape what the bridge publishes.
type bridgeOptions struct {
	// duplicate publishes every notification twice.
	duplicate bool
	// malformed publishes malformed and foreign bodies first.
	malformed bool
	// replay re-publishes, after every new notification, one drawn
	// earlier notification with this probability (a redelivery of an old
	// message: its partition may have been loaded, or recopied, since).
	replay float64
}

// bridge lists the far bucket every 100ms until ctx ends and publishes one
// S3 ObjectCreated notification per new key: native JSON and, for every
// other key, wrapped in an SNS notification. It returns a function that
// waits for the bridge to stop and says how many messages it sent.
func (r *eventRig) bridge(t *testing.T, ctx context.Context, o bridgeOptions) func() int {
	client := s3test.Client(r.env)
	var mu sync.Mutex
	sent := 0
	r.manifestSent = map[string]time.Time{}
	send := func(body string) {
		if _, err := r.sqsClient.SendMessage(context.Background(), &sqs.SendMessageInput{QueueUrl: aws.String(r.queue), MessageBody: aws.String(body)}); err != nil {
			t.Errorf("bridge: send: %v", err)
			return
		}
		mu.Lock()
		sent++
		mu.Unlock()
	}
	if o.malformed {
		send("{not json")
		send(`{"hello":"world"}`)
		send(`{"Records":[{"eventName":"ObjectCreated:Put"}]}`)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		seen := map[string]bool{}
		var old []string
		replays := mrand.New(mrand.NewPCG(uint64(len(r.far)), 7))
		n := 0
		for ctx.Err() == nil {
			pages := s3.NewListObjectsV2Paginator(client, &s3.ListObjectsV2Input{Bucket: aws.String(r.far)})
			for pages.HasMorePages() {
				out, err := pages.NextPage(ctx)
				if err != nil {
					break
				}
				for _, obj := range out.Contents {
					k := aws.ToString(obj.Key)
					if seen[k] {
						continue
					}
					seen[k] = true
					body := s3Event(r.far, k, aws.ToInt64(obj.Size))
					if n++; n%2 == 0 {
						body = snsWrap(body)
					}
					send(body)
					if strings.HasSuffix(k, "/_manifest.json") {
						mu.Lock()
						r.manifestSent[strings.TrimSuffix(k, "_manifest.json")] = time.Now()
						mu.Unlock()
					}
					if o.duplicate {
						send(body)
					}
					if len(old) > 0 && replays.Float64() < o.replay {
						send(old[replays.IntN(len(old))])
					}
					old = append(old, body)
				}
			}
			select {
			case <-ctx.Done():
			case <-time.After(100 * time.Millisecond):
			}
		}
	}()
	return func() int {
		<-done
		mu.Lock()
		defer mu.Unlock()
		return sent
	}
}

// s3Event is the S3 notification JSON for one created object.
func s3Event(bucket, key string, size int64) string {
	rec := map[string]any{
		"eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": s3test.Region,
		"eventTime": time.Now().UTC().Format(time.RFC3339Nano), "eventName": "ObjectCreated:Put",
		"s3": map[string]any{
			"s3SchemaVersion": "1.0",
			"bucket":          map[string]any{"name": bucket, "arn": "arn:aws:s3:::" + bucket},
			"object":          map[string]any{"key": url.QueryEscape(key), "size": size},
		},
	}
	b, _ := json.Marshal(map[string]any{"Records": []any{rec}})
	return string(b)
}

func snsWrap(body string) string {
	b, _ := json.Marshal(map[string]any{"Type": "Notification", "MessageId": randomSuffix(),
		"TopicArn": "arn:aws:sns:us-east-1:000000000000:srplan", "Message": body})
	return string(b)
}

// loadJobs is the number of load jobs the target ran since the rig began.
func (r *eventRig) loadJobs(t *testing.T) int64 {
	d := counterDelta(r.jobsBefore, r.dst.ctl.counters(t))
	return d[simsr.KindLoad] + d[simsr.KindInsert]
}

// partitions is how many partitions the first plan copies.
func (r *eventRig) partitions(t *testing.T) int {
	var doc planDoc
	res := r.worker("planner").mustRun(t, "plan", "-json")
	if err := json.Unmarshal([]byte(res.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Summary.Copy
}

// TestEventDrivenCopyBetweenTwoBuckets: the files reach the load bucket
// only through srplan's copy step, and loads are triggered by their S3
// events (native and SNS-wrapped, every one delivered twice, after three
// malformed or foreign messages): every partition is loaded exactly once
// and verified, and the bad messages land in the dead-letter queue.
func TestEventDrivenCopyBetweenTwoBuckets(t *testing.T) {
	t.Parallel()
	r := newEventRig(t, "")
	want := r.partitions(t)
	ctx, cancel := context.WithCancel(context.Background())
	sent := r.bridge(t, ctx, bridgeOptions{duplicate: true, malformed: true})
	// The reconcile is pushed out of the test's reach: only events load.
	res := r.worker("all").run(t, "apply", "-auto-approve", "-json", "-reconcile-interval", "1h")
	cancel()
	n := sent()
	if res.code != 0 {
		t.Fatalf("%s", res)
	}
	if got := r.loadJobs(t); got != int64(want) {
		t.Errorf("%d load jobs for %d partitions, want exactly one each", got, want)
	}
	var dead, calls int
	var latencies []time.Duration
	for line := range strings.SplitSeq(res.stdout, "\n") {
		e, ok := parseEvent(line)
		switch {
		case !ok:
		case e.Type == "stage_started" && e.Stage == "loading":
			if d, ok := r.submissionLatency(t, line); ok {
				latencies = append(latencies, d)
			}
		case e.Type == "queue_message" && strings.Contains(line, "dead-lettered"):
			dead++
		case e.Type == "queue_calls":
			calls++
			t.Logf("figures: %d partitions, %d messages published, %s", want, n, line)
		}
	}
	if len(latencies) != want {
		t.Errorf("%d loads matched to their manifest's event, want %d", len(latencies), want)
	} else {
		slices.Sort(latencies)
		t.Logf("figures: event-to-load-submission latency over %d partitions: median %v, max %v",
			want, latencies[len(latencies)/2].Round(time.Millisecond), latencies[len(latencies)-1].Round(time.Millisecond))
	}
	if dead != 3 {
		t.Errorf("%d messages dead-lettered, want the 3 malformed or foreign ones", dead)
	}
	if calls != 1 {
		t.Errorf("%d queue_calls reports, want 1", calls)
	}
	assertNoSecrets(t, res, rootPassword, r.env.SecretKey)
	// A second apply has nothing to do.
	if plan := r.worker("all").plan(t); len(plan) != 0 {
		t.Errorf("after the apply the plan still lists %v", plan)
	}
}

// TestOneExporterThreeLoaders: one exporter and three loaders share the
// DynamoDB state and one queue; one loader is killed midway and the
// others take its partitions over once its claims lapse. Every partition
// is loaded exactly once and verified.
func TestOneExporterThreeLoaders(t *testing.T) {
	t.Parallel()
	r := newEventRig(t, "")
	want := r.partitions(t)
	r.dst.ctl.setJobModel(t, simsr.JobModel{ThroughputBytesPerSec: 64 << 10})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sent := r.bridge(t, ctx, bridgeOptions{})
	var loaders []*proc
	for i := range 3 {
		loaders = append(loaders, r.worker(fmt.Sprintf("loader%d", i)).start(t, "apply", "-auto-approve", "-json",
			"-role", "loader", "-claim-lease", "3s", "-reconcile-interval", "2s"))
	}
	r.worker("exporter").mustRun(t, "apply", "-auto-approve", "-json", "-role", "exporter")
	// Kill the first loader that starts a load (which one wins the claims
	// is up to the race between them).
	started := make(chan int, len(loaders))
	for i, l := range loaders {
		go func() {
			for line := range l.lines {
				if e, ok := parseEvent(line); ok && e.Type == "stage_started" && e.Stage == "loading" {
					started <- i
					break
				}
			}
		}()
	}
	var victim int
	select {
	case victim = <-started:
		loaders[victim].kill()
	case <-time.After(90 * time.Second):
		t.Fatalf("no loader started a load:\n%s", loaders[0].output())
	}
	for i, l := range loaders {
		if i == victim {
			continue
		}
		if code := l.wait(); code != 0 {
			t.Fatalf("loader %d exited %d:\n%s", i, code, l.output())
		}
	}
	cancel()
	sent()
	if got := r.loadJobs(t); got != int64(want) {
		t.Errorf("%d load jobs for %d partitions, want exactly one each", got, want)
	}
	if plan := r.worker("all").plan(t); len(plan) != 0 {
		t.Errorf("after the loaders finished the plan still lists %v", plan)
	}
}

// submissionLatency is the time from the bridge publishing the event of a
// partition's manifest (its last object) to the loader starting its load,
// for one stage_started(loading) JSON line.
func (r *eventRig) submissionLatency(t *testing.T, line string) (time.Duration, bool) {
	t.Helper()
	var e struct {
		Time time.Time `json:"time"`
		Addr string    `json:"addr"`
	}
	if err := json.Unmarshal([]byte(line), &e); err != nil {
		t.Fatalf("event %s: %v", line, err)
	}
	table, partition, ok := strings.Cut(e.Addr, "/")
	db, tbl, ok2 := strings.Cut(table, ".")
	if !ok || !ok2 {
		return 0, false
	}
	for dir, sent := range r.manifestSent {
		if strings.Contains(dir, "/"+db+"/"+tbl+"/"+partition+"/v") {
			return e.Time.Sub(sent), true
		}
	}
	return 0, false
}
