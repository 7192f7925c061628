package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/srplan/srplan/providers/s3/s3test"
	simsr "github.com/srplan/srplan/sim/starrocks"
)

// eventClaimLease is the claim lease of the event-driven loaders: a killed
// loader's partitions wait this long before another worker takes them.
// The default (30s) works too; the short lease keeps a round within the
// short form's time budget.
const eventClaimLease = "5s"

// TestCrashCampaignEvents runs the crash campaign with event-driven
// workers: the source exports to MinIO bucket "near", srplan copies to
// "far", and the loads are triggered by S3 events of "far" on a fauxqs
// queue (the test bridge publishes them, each twice, with replays of old
// messages and three malformed bodies); the state is in DynamoDB. Each
// attempt runs one `-role exporter` and three `-role loader` processes,
// each with its own local state file; a drawn part of them is killed at
// the moment, started again, and the whole fleet is killed a drawn while
// later. Each round ends with an apply of every role and the full check,
// and with the target's load jobs: one job per label and one finished
// load per partition version. The short form runs 3 rounds x 5 kill
// moments within 120 s; the long form 8 x 8.
func TestCrashCampaignEvents(t *testing.T) {
	t.Parallel()
	cc := campaignConfig{name: "event-driven exporter and 3 loaders, SQS, DynamoDB state", restart: true,
		extra:  []string{"-lock-timeout", "30s", "-reconcile-interval", "2s"},
		rounds: 3, kills: 5, budget: 120 * time.Second}
	if longCampaigns() {
		cc.rounds, cc.kills, cc.budget = 8, 8, 0
	}
	cc.rig = func(t *testing.T) *killRig {
		r := newEventRig(t, "")
		useExportMethod(t, r)
		// A killed exporter's lock lapses after SRPLAN_LEASE; the next
		// exporter waits for it (-lock-timeout).
		r.baseEnv = append(r.baseEnv, "SRPLAN_LEASE="+dynamoLease)
		r.src.ctl.setJobModel(t, killModel)
		r.dst.ctl.setJobModel(t, killModel)
		ctx, cancel := context.WithCancel(context.Background())
		sent := r.bridge(t, ctx, bridgeOptions{duplicate: true, malformed: true, replay: 0.25})
		t.Cleanup(func() { cancel(); sent() })
		cc.fleet = []fleetMember{{name: "exporter", w: r.worker("exporter"),
			args: []string{"apply", "-auto-approve", "-json", "-role", "exporter", "-lock-timeout", "30s"}}}
		for i := range 3 {
			name := fmt.Sprintf("loader%d", i)
			cc.fleet = append(cc.fleet, fleetMember{name: name, w: r.worker(name),
				args: []string{"apply", "-auto-approve", "-json", "-role", "loader", "-claim-lease", eventClaimLease, "-reconcile-interval", "2s"}})
		}
		k := &killRig{src: r.src, dst: r.dst, w: r.worker("final")}
		t.Cleanup(func() {
			if t.Failed() {
				k.mu.Lock()
				defer k.mu.Unlock()
				t.Logf("srplan processes were killed (SIGKILL) at:\n  %s", strings.Join(k.kills, "\n  "))
			}
		})
		return k
	}
	cc.check = func(t *testing.T, c *campaign, round int) {
		n, problems := loadLabelProblems(t, c.k.dst)
		c.fig.LoadLabels = n
		for _, p := range problems {
			t.Errorf("round %d: %s", round, p)
		}
	}
	runCampaign(t, cc, campaignSeed(t))
}

// loadLabelProblems reads the target's load jobs (information_schema.loads)
// and returns how many srplan labels it holds and what breaks the rule
// "one job per label, one finished load per partition version" (the
// labels are srplan_<table>_<partition>_v<version>_<attempt hash>).
func loadLabelProblems(t testing.TB, dst *cluster) (int, []string) {
	t.Helper()
	rows, err := dst.db.Query("SELECT LABEL, STATE FROM information_schema.loads")
	if err != nil {
		t.Fatalf("read the target's load jobs: %v", err)
	}
	defer rows.Close()
	jobs := map[string][]string{}     // label -> states
	finished := map[string][]string{} // partition version -> finished labels
	for rows.Next() {
		var label, st string
		if err := rows.Scan(&label, &st); err != nil {
			t.Fatalf("read the target's load jobs: %v", err)
		}
		if !strings.HasPrefix(label, "srplan_") {
			continue
		}
		jobs[label] = append(jobs[label], st)
		if st == "FINISHED" {
			version := label[:strings.LastIndexByte(label, '_')]
			finished[version] = append(finished[version], label)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("read the target's load jobs: %v", err)
	}
	var problems []string
	for label, states := range jobs {
		if len(states) != 1 {
			problems = append(problems, fmt.Sprintf("label %s has %d load jobs %v, want 1", label, len(states), states))
		}
	}
	for version, labels := range finished {
		if len(labels) != 1 {
			problems = append(problems, fmt.Sprintf("partition version %s was loaded %d times (%v), want once", version, len(labels), labels))
		}
	}
	if len(jobs) == 0 {
		problems = append(problems, "the target ran no srplan load job")
	}
	return len(jobs), problems
}

// sqsVisibilityProxy is a reverse proxy in front of the SQS server that
// shortens the visibility timeout every ReceiveMessage asks for, so that a
// message comes back while its handler still runs (as when renewals are
// lost), and counts the messages delivered more than once.
type sqsVisibilityProxy struct {
	url string

	mu           sync.Mutex
	receives     int
	redelivered  map[string]int // message id -> highest receive count
	visibilityTO int
}

func newSQSVisibilityProxy(t *testing.T, upstream string, visibility int) *sqsVisibilityProxy {
	t.Helper()
	u, err := url.Parse(upstream)
	if err != nil {
		t.Fatal(err)
	}
	x := &sqsVisibilityProxy{redelivered: map[string]int{}, visibilityTO: visibility}
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.ErrorLog = log.New(io.Discard, "", 0)
	rp.ModifyResponse = func(res *http.Response) error {
		if !strings.HasSuffix(res.Request.Header.Get("X-Amz-Target"), ".ReceiveMessage") || res.StatusCode != http.StatusOK {
			return nil
		}
		b, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil {
			return err
		}
		res.Body = io.NopCloser(bytes.NewReader(b))
		var out struct {
			Messages []struct {
				MessageID  string            `json:"MessageId"`
				Attributes map[string]string `json:"Attributes"`
			} `json:"Messages"`
		}
		if json.Unmarshal(b, &out) == nil {
			x.mu.Lock()
			for _, m := range out.Messages {
				if n, _ := strconv.Atoi(m.Attributes["ApproximateReceiveCount"]); n > 1 {
					x.redelivered[m.MessageID] = max(x.redelivered[m.MessageID], n)
				}
			}
			x.mu.Unlock()
		}
		return nil
	}
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, ErrorLog: log.New(io.Discard, "", 0),
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.Header.Get("X-Amz-Target"), ".ReceiveMessage") {
				b, err := io.ReadAll(r.Body)
				if err != nil {
					http.Error(w, err.Error(), http.StatusBadRequest)
					return
				}
				var in map[string]any
				if json.Unmarshal(b, &in) == nil {
					in["VisibilityTimeout"] = x.visibilityTO
					b, _ = json.Marshal(in)
				}
				x.mu.Lock()
				x.receives++
				x.mu.Unlock()
				r.Body = io.NopCloser(bytes.NewReader(b))
				r.ContentLength = int64(len(b))
				r.Header.Set("Content-Length", strconv.Itoa(len(b)))
			}
			rp.ServeHTTP(w, r)
		})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	x.url = "http://" + ln.Addr().String()
	return x
}

// redeliveries is how many messages were delivered more than once.
func (x *sqsVisibilityProxy) redeliveries() int {
	x.mu.Lock()
	defer x.mu.Unlock()
	return len(x.redelivered)
}

// TestFaultsSQSRedeliveryWhileLoading: the queue's visibility timeout is
// shorter than a load (2 s against loads of several seconds), so a
// partition's notification is delivered again, to another loader, while
// the first loader's load still runs. The other loader must leave the
// partition to the claim holder: exactly one load job per partition, every
// partition done and equal.
func TestFaultsSQSRedeliveryWhileLoading(t *testing.T) {
	t.Parallel()
	r := newEventRig(t, "")
	useExportMethod(t, r)
	want := r.partitions(t)
	// About 4 s per Broker Load of a seeded partition.
	r.dst.ctl.setJobModel(t, simsr.JobModel{ThroughputBytesPerSec: 2 << 10, TimeScale: 1})
	x := newSQSVisibilityProxy(t, s3test.SQSEndpoint(t), 2)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sent := r.bridge(t, ctx, bridgeOptions{})
	var loaders []*proc
	for i := range 3 {
		w := r.worker(fmt.Sprintf("loader%d", i))
		w.env = append(w.env, "AWS_ENDPOINT_URL_SQS="+x.url)
		loaders = append(loaders, w.start(t, "apply", "-auto-approve", "-json", "-role", "loader", "-reconcile-interval", "2s"))
	}
	r.worker("exporter").mustRun(t, "apply", "-auto-approve", "-json", "-role", "exporter")
	// message id -> loader -> outcomes of its notifications
	seen := map[string]map[int][]string{}
	for i, l := range loaders {
		if code := l.wait(); code != 0 {
			t.Fatalf("loader %d exited %d:\n%s", i, code, l.output())
		}
		for line := range strings.SplitSeq(l.output(), "\n") {
			var e struct {
				Type      string `json:"type"`
				MessageID string `json:"message_id"`
				Outcome   string `json:"outcome"`
			}
			if !strings.HasPrefix(line, "{") || json.Unmarshal([]byte(line), &e) != nil || e.Type != "notified" {
				continue
			}
			if seen[e.MessageID] == nil {
				seen[e.MessageID] = map[int][]string{}
			}
			seen[e.MessageID][i] = append(seen[e.MessageID][i], e.Outcome)
		}
	}
	cancel()
	sent()
	// A message handled by two loaders, one of which found the partition
	// claimed by the other: the redelivery hit a load in progress.
	crossed := 0
	for _, by := range seen {
		if len(by) < 2 {
			continue
		}
		for _, outs := range by {
			if strings.Contains(strings.Join(outs, "|"), "claimed by another worker") {
				crossed++
				break
			}
		}
	}
	if crossed == 0 {
		t.Errorf("no message came back to another loader while its load ran (%d messages redelivered, %d receives); the scenario proves nothing", x.redeliveries(), x.receives)
	}
	if got := r.loadJobs(t); got != int64(want) {
		t.Errorf("%d load jobs for %d partitions, want exactly one each", got, want)
	}
	if _, problems := loadLabelProblems(t, r.dst); len(problems) > 0 {
		t.Errorf("load jobs: %v", problems)
	}
	w := r.worker("all")
	w.assertAllDone(t, partitionsPerTable(t, r.src))
	assertSameData(t, r.src, r.dst, allTables...)
	if plan := w.plan(t); len(plan) != 0 {
		t.Errorf("after the loaders finished the plan still lists %v", plan)
	}
	recordFigures(t, faultFigures{Campaign: "fault", Scenario: "SQS redelivery while loading", Outcome: "converged",
		Faults:     map[string]int64{"sqs_redelivered": int64(x.redeliveries()), "sqs_redelivered_to_another_loader": int64(crossed)},
		comparison: compareData(t, r.src, r.dst)})
}

// useExportMethod makes every table of r's spec use method "export"
// (EXPORT, then Broker Load: jobs whose duration the simulators' job
// model sets, so that kills and redeliveries land while they run).
func useExportMethod(t *testing.T, r *eventRig) {
	t.Helper()
	b, err := os.ReadFile(r.spec)
	if err != nil {
		t.Fatal(err)
	}
	const block = "table \"shop.*\" {\n"
	if !strings.Contains(string(b), block) {
		t.Fatalf("the spec has no %q block:\n%s", block, b)
	}
	if err := os.WriteFile(r.spec, []byte(strings.Replace(string(b), block, block+"  method   = \"export\"\n", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}
