package sqs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/google/go-cmp/cmp"

	"github.com/srplan/srplan/providers/s3/s3test"
)

// testWait is the long-poll wait in tests: short, so Run ends promptly.
const testWait = time.Second

// newQueue creates a fresh queue and deletes it when t ends.
func newQueue(t *testing.T, client *sqs.Client) string {
	t.Helper()
	var b [6]byte
	rand.Read(b[:])
	out, err := client.CreateQueue(t.Context(), &sqs.CreateQueueInput{QueueName: aws.String("srplan-sqs-" + hex.EncodeToString(b[:]))})
	if err != nil {
		t.Fatalf("CreateQueue: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, err := client.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: out.QueueUrl}); err != nil {
			t.Errorf("DeleteQueue: %v", err)
		}
	})
	return aws.ToString(out.QueueUrl)
}

func send(t *testing.T, client *sqs.Client, queue, body string) {
	t.Helper()
	if _, err := client.SendMessage(t.Context(), &sqs.SendMessageInput{QueueUrl: aws.String(queue), MessageBody: aws.String(body)}); err != nil {
		t.Fatalf("SendMessage: %v", err)
	}
}

// putBody is an S3 notification of one object named key.
func putBody(key string) string {
	return fmt.Sprintf(`{"Records":[{"eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"stage"},"object":{"key":%q,"size":1}}}]}`, key)
}

// counts returns the visible and in-flight message counts of queue.
func counts(t *testing.T, client *sqs.Client, queue string) (visible, inFlight int) {
	t.Helper()
	out, err := client.GetQueueAttributes(t.Context(), &sqs.GetQueueAttributesInput{
		QueueUrl: aws.String(queue),
		AttributeNames: []types.QueueAttributeName{
			types.QueueAttributeNameApproximateNumberOfMessages,
			types.QueueAttributeNameApproximateNumberOfMessagesNotVisible,
		},
	})
	if err != nil {
		t.Fatalf("GetQueueAttributes: %v", err)
	}
	atoi := func(name types.QueueAttributeName) int {
		n, err := strconv.Atoi(out.Attributes[string(name)])
		if err != nil {
			t.Fatalf("attribute %s = %q: %v", name, out.Attributes[string(name)], err)
		}
		return n
	}
	return atoi(types.QueueAttributeNameApproximateNumberOfMessages), atoi(types.QueueAttributeNameApproximateNumberOfMessagesNotVisible)
}

// recorder collects handled keys and observer reports.
type recorder struct {
	mu      sync.Mutex
	keys    []string
	reports []Report
	seen    chan string // each handled key, also sent here
}

func newRecorder() *recorder { return &recorder{seen: make(chan string, 100)} }

func (r *recorder) observe(rep Report) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reports = append(r.reports, rep)
}

func (r *recorder) handled(ev Event) {
	r.mu.Lock()
	for _, o := range ev.Objects {
		r.keys = append(r.keys, o.Key)
	}
	r.mu.Unlock()
	for _, o := range ev.Objects {
		r.seen <- o.Key
	}
}

func (r *recorder) kinds() []ReportKind {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []ReportKind
	for _, rep := range r.reports {
		out = append(out, rep.Kind)
	}
	return out
}

// await waits for n handled keys and returns them in arrival order.
func (r *recorder) await(t *testing.T, n int) []string {
	t.Helper()
	var got []string
	timeout := time.After(10 * time.Second)
	for len(got) < n {
		select {
		case k := <-r.seen:
			got = append(got, k)
		case <-timeout:
			t.Fatalf("handled %d keys (%q), want %d", len(got), got, n)
		}
	}
	return got
}

// start runs c in the background; the returned function stops it and
// returns Run's error.
func start(t *testing.T, c *Consumer, handle func(context.Context, Event) error) (stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx, handle) }()
	var once sync.Once
	var err error
	stop = func() error {
		once.Do(func() {
			cancel()
			err = <-done
		})
		return err
	}
	t.Cleanup(func() { stop() })
	return stop
}

func TestConsumerDeletesOnlyAfterSuccess(t *testing.T) {
	client := s3test.SQSClient(s3test.SQSEndpoint(t))
	queue := newQueue(t, client)
	rec := newRecorder()
	release := make(chan struct{})
	stop := start(t, New(client, queue, WithWait(testWait), WithObserver(rec.observe)),
		func(ctx context.Context, ev Event) error {
			rec.handled(ev)
			<-release
			return nil
		})
	// A test event is deleted without reaching the handler.
	send(t, client, queue, s3Test)
	waitEmpty(t, client, queue)
	send(t, client, queue, putBody("job/db/t/p/v1/data.csv"))

	if diff := cmp.Diff([]string{"job/db/t/p/v1/data.csv"}, rec.await(t, 1)); diff != "" {
		t.Fatalf("handled (-want +got):\n%s", diff)
	}
	// While the handler runs the message is in flight, not deleted.
	if visible, inFlight := counts(t, client, queue); visible != 0 || inFlight != 1 {
		t.Errorf("while handling: %d visible, %d in flight; want 0 and 1", visible, inFlight)
	}
	close(release)
	waitEmpty(t, client, queue)
	if err := stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if diff := cmp.Diff([]ReportKind{Ignored}, rec.kinds()); diff != "" {
		t.Errorf("reports (-want +got):\n%s", diff)
	}
}

// waitEmpty waits until queue holds no message, visible or in flight.
func waitEmpty(t *testing.T, client *sqs.Client, queue string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		visible, inFlight := counts(t, client, queue)
		if visible == 0 && inFlight == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("queue still holds %d visible and %d in-flight messages", visible, inFlight)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestConsumerRedeliversAfterHandlerError(t *testing.T) {
	client := s3test.SQSClient(s3test.SQSEndpoint(t))
	queue := newQueue(t, client)
	rec := newRecorder()
	boom := errors.New("load failed")
	var mu sync.Mutex
	attempts := 0
	var receiveCounts []int
	stop := start(t, New(client, queue, WithWait(testWait), WithVisibility(time.Second), WithObserver(rec.observe)),
		func(ctx context.Context, ev Event) error {
			mu.Lock()
			attempts++
			n := attempts
			receiveCounts = append(receiveCounts, ev.ReceiveCount)
			mu.Unlock()
			rec.handled(ev)
			if n == 1 {
				return boom
			}
			return nil
		})
	send(t, client, queue, putBody("k"))

	if diff := cmp.Diff([]string{"k", "k"}, rec.await(t, 2)); diff != "" {
		t.Fatalf("handled (-want +got):\n%s", diff)
	}
	waitEmpty(t, client, queue)
	if err := stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	mu.Lock()
	if diff := cmp.Diff([]int{1, 2}, receiveCounts); diff != "" {
		t.Errorf("receive counts (-want +got):\n%s", diff)
	}
	mu.Unlock()
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.reports) != 1 || rec.reports[0].Kind != HandlerFailed || !errors.Is(rec.reports[0].Err, boom) {
		t.Errorf("reports = %+v, want one HandlerFailed carrying the handler's error", rec.reports)
	}
}

func TestConsumerExtendsVisibility(t *testing.T) {
	client := s3test.SQSClient(s3test.SQSEndpoint(t))
	queue := newQueue(t, client)
	rec := newRecorder()
	stop := start(t, New(client, queue, WithWait(testWait), WithVisibility(time.Second), WithConcurrency(2), WithObserver(rec.observe)),
		func(ctx context.Context, ev Event) error {
			rec.handled(ev)
			// Three visibility timeouts: without renewal the message would
			// come back to the idle second handler meanwhile.
			select {
			case <-time.After(3 * time.Second):
			case <-ctx.Done():
			}
			return nil
		})
	send(t, client, queue, putBody("slow"))
	rec.await(t, 1)
	waitEmpty(t, client, queue)
	if err := stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if diff := cmp.Diff([]string{"slow"}, rec.keys); diff != "" {
		t.Errorf("handled (-want +got):\n%s", diff)
	}
	if len(rec.reports) != 0 {
		t.Errorf("reports = %+v, want none", rec.reports)
	}
}

func TestConsumerDeadLettersMalformed(t *testing.T) {
	client := s3test.SQSClient(s3test.SQSEndpoint(t))
	queue := newQueue(t, client)
	dlq := newQueue(t, client)
	rec := newRecorder()
	stop := start(t, New(client, queue, WithWait(testWait), WithDeadLetter(dlq), WithObserver(rec.observe)),
		func(ctx context.Context, ev Event) error {
			rec.handled(ev)
			return nil
		})
	send(t, client, queue, "not json at all")
	send(t, client, queue, `{"order":42}`)
	send(t, client, queue, putBody("after"))

	if diff := cmp.Diff([]string{"after"}, rec.await(t, 1)); diff != "" {
		t.Fatalf("handled (-want +got):\n%s", diff)
	}
	waitEmpty(t, client, queue)
	if err := stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}

	got := map[string]string{} // body -> kind named by the error attribute
	for range 5 {
		out, err := client.ReceiveMessage(t.Context(), &sqs.ReceiveMessageInput{
			QueueUrl: aws.String(dlq), MaxNumberOfMessages: 10, WaitTimeSeconds: 1,
			MessageAttributeNames: []string{ErrorAttribute},
		})
		if err != nil {
			t.Fatalf("ReceiveMessage from dead-letter queue: %v", err)
		}
		for _, m := range out.Messages {
			reason := aws.ToString(m.MessageAttributes[ErrorAttribute].StringValue)
			for _, kind := range []string{"sqs: malformed message", "sqs: foreign message"} {
				if strings.HasPrefix(reason, kind+": ") {
					reason = kind
				}
			}
			got[aws.ToString(m.Body)] = reason
		}
		if len(got) == 2 {
			break
		}
	}
	want := map[string]string{
		"not json at all": "sqs: malformed message",
		`{"order":42}`:    "sqs: foreign message",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("dead-letter queue (-want +got):\n%s", diff)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	var malformed, foreign int
	for _, r := range rec.reports {
		switch {
		case r.Kind != DeadLettered:
			t.Errorf("report %+v, want only DeadLettered", r)
		case errors.Is(r.Err, ErrMalformed):
			malformed++
		case errors.Is(r.Err, ErrForeign):
			foreign++
		}
	}
	if malformed != 1 || foreign != 1 {
		t.Errorf("reports = %+v, want one malformed and one foreign", rec.reports)
	}
}

func TestConsumerLeavesMalformedWithoutDeadLetter(t *testing.T) {
	client := s3test.SQSClient(s3test.SQSEndpoint(t))
	queue := newQueue(t, client)
	rec := newRecorder()
	stop := start(t, New(client, queue, WithWait(testWait), WithVisibility(time.Second), WithObserver(rec.observe)),
		func(ctx context.Context, ev Event) error {
			rec.handled(ev)
			return nil
		})
	send(t, client, queue, "garbage")
	send(t, client, queue, putBody("good"))
	rec.await(t, 1)
	// The garbage comes back after each visibility timeout: it was not
	// deleted. Wait for a second sighting.
	deadline := time.Now().Add(10 * time.Second)
	for {
		n := 0
		for _, k := range rec.kinds() {
			if k == SetAside {
				n++
			}
		}
		if n >= 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("reports = %v, want the malformed message set aside twice", rec.kinds())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if visible, inFlight := counts(t, client, queue); visible+inFlight != 1 {
		t.Errorf("queue holds %d visible and %d in-flight messages, want the malformed one", visible, inFlight)
	}
}

func TestConsumerDeliversDuplicates(t *testing.T) {
	client := s3test.SQSClient(s3test.SQSEndpoint(t))
	queue := newQueue(t, client)
	rec := newRecorder()
	stop := start(t, New(client, queue, WithWait(testWait), WithConcurrency(3)),
		func(ctx context.Context, ev Event) error {
			rec.handled(ev)
			return nil
		})
	body := putBody("job/db/t/p/v1/_manifest.json")
	send(t, client, queue, body)
	send(t, client, queue, body)
	got := rec.await(t, 2)
	waitEmpty(t, client, queue)
	if err := stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if diff := cmp.Diff([]string{"job/db/t/p/v1/_manifest.json", "job/db/t/p/v1/_manifest.json"}, got); diff != "" {
		t.Errorf("handled (-want +got):\n%s", diff)
	}
}

func TestConsumerStopsWhenContextEnds(t *testing.T) {
	client := s3test.SQSClient(s3test.SQSEndpoint(t))
	queue := newQueue(t, client)
	rec := newRecorder()
	finished := make(chan struct{})
	stop := start(t, New(client, queue, WithWait(testWait)),
		func(ctx context.Context, ev Event) error {
			rec.handled(ev)
			<-ctx.Done()
			close(finished)
			return ctx.Err()
		})
	send(t, client, queue, putBody("k"))
	rec.await(t, 1)
	if err := stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	// Run returned only after the running handler did.
	select {
	case <-finished:
	default:
		t.Fatal("Run returned while a handler was still running")
	}
	if visible, inFlight := counts(t, client, queue); visible+inFlight != 1 {
		t.Errorf("queue holds %d visible and %d in-flight messages, want the unfinished one kept", visible, inFlight)
	}
}

func TestConsumerReceiveError(t *testing.T) {
	client := s3test.SQSClient(s3test.SQSEndpoint(t))
	queue := newQueue(t, client)
	missing := queue + "-missing"
	err := New(client, missing, WithWait(testWait)).Run(t.Context(), func(context.Context, Event) error { return nil })
	if err == nil {
		t.Fatal("Run on a missing queue returned nil, want an error")
	}
}
