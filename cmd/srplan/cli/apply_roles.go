package cli

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmw "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/config"
	awssqs "github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go/middleware"

	"github.com/srplan/srplan/executor"
	"github.com/srplan/srplan/lang"
	"github.com/srplan/srplan/planner"
	"github.com/srplan/srplan/providers/sqs"
	"github.com/srplan/srplan/state"
)

// configureRole sets the worker role of xc: claims from the shared state,
// this worker's identity, and a queue consumer for every load storage of
// the plan that has an events block (only when loads run here). The
// returned queues count the SQS calls made.
func (e *env) configureRole(xc *executor.Config, cfg *lang.Config, p *planner.Plan, st *stateHandle, ra *roleArgs) (*queueSet, error) {
	qs := &queueSet{}
	if ra == nil {
		return qs, nil
	}
	xc.Role = ra.parsed
	xc.ClaimLease, xc.ReconcileInterval = ra.claimLease, ra.reconcile
	if st.claims != nil {
		xc.Claims = st.claims
		xc.Worker = workerIdentity(string(ra.parsed))
	}
	if xc.Role == executor.RoleExporter {
		return qs, nil
	}
	// An exporter (or an apply of every role) holds the shared state's
	// lock while it runs: a loader alone gives up on failed exports.
	if lh, ok := st.locker.(interface {
		LiveHolder(context.Context) (*state.LockInfo, error)
	}); ok && xc.Role == executor.RoleLoader {
		xc.ExporterAlive = func(ctx context.Context) (bool, error) {
			h, err := lh.LiveHolder(ctx)
			return h != nil && strings.HasPrefix(h.Operation, "apply"), err
		}
	}
	for _, t := range p.Tables {
		name := t.LoadFrom()
		sc := cfg.Storages[name]
		if sc == nil || sc.Events == nil || qs.has(name) {
			continue
		}
		if xc.Claims == nil {
			return nil, fmt.Errorf("storage %q has an events block: event-driven loads need the shared state (a dynamodb block in the spec's state block), "+
				"so that the loaders and the exporter see one another's records and claims", name)
		}
		q, err := newQueue(e.ctx, sc, xc.Observer)
		if err != nil {
			return nil, err
		}
		qs.add(name, q)
	}
	if len(qs.byStorage) > 0 {
		xc.Notifiers = map[string]executor.Notifier{}
		for name, q := range qs.byStorage {
			xc.Notifiers[name] = q
		}
	}
	return qs, nil
}

// workerIdentity is this process's claim holder: host/pid/random, unique
// per run.
func workerIdentity(role string) state.ClaimInfo {
	host, _ := os.Hostname()
	var b [4]byte
	_, _ = rand.Read(b[:])
	return state.ClaimInfo{Holder: fmt.Sprintf("%s/%d/%s", host, os.Getpid(), hex.EncodeToString(b[:])), Host: host, PID: os.Getpid(), Role: role}
}

// queue is the SQS consumer of one storage's events, adapted to
// executor.Notifier.
type queue struct {
	url      string
	consumer *sqs.Consumer
	calls    *callCounter
}

// Run implements executor.Notifier.
func (q *queue) Run(ctx context.Context, handle func(context.Context, executor.Notification) error) error {
	return q.consumer.Run(ctx, func(ctx context.Context, ev sqs.Event) error {
		n := executor.Notification{ID: ev.MessageID}
		for _, o := range ev.Objects {
			n.URLs = append(n.URLs, "s3://"+o.Bucket+"/"+o.Key)
		}
		return handle(ctx, n)
	})
}

// newQueue opens the consumer of sc's events queue: the default AWS
// credential chain, the storage's region (else the one in the queue URL,
// else the AWS configuration's); reports about messages that are not
// usable notifications go to obs.
func newQueue(ctx context.Context, sc *lang.Storage, obs executor.Observer) (*queue, error) {
	ev := sc.Events
	region := sc.Region
	if region == "" {
		region = queueRegion(ev.SQSQueueURL)
	}
	var load []func(*config.LoadOptions) error
	if region != "" {
		load = append(load, config.WithRegion(region))
	}
	awsCfg, err := config.LoadDefaultConfig(ctx, load...)
	if err != nil {
		return nil, fmt.Errorf("load the AWS configuration for the events queue of storage %q: %w", sc.Name, err)
	}
	if awsCfg.Region == "" {
		return nil, fmt.Errorf("events queue of storage %q: no region: set region in the storage block or AWS_REGION", sc.Name)
	}
	calls := &callCounter{n: map[string]int64{}}
	client := awssqs.NewFromConfig(awsCfg, func(o *awssqs.Options) {
		o.APIOptions = append(o.APIOptions, calls.middleware)
		if ev.Endpoint != "" {
			o.BaseEndpoint = aws.String(ev.Endpoint)
		}
	})
	opts := []sqs.Option{sqs.WithObserver(func(r sqs.Report) {
		msg := ""
		if r.Err != nil {
			msg = r.Err.Error()
		}
		obs.Event(executor.QueueMessage{At: executor.At{Time: time.Now()}, Queue: ev.SQSQueueURL, MessageID: r.MessageID, Kind: r.Kind.String(), Err: msg})
	})}
	if ev.DeadLetterQueueURL != "" {
		opts = append(opts, sqs.WithDeadLetter(ev.DeadLetterQueueURL))
	}
	return &queue{url: ev.SQSQueueURL, consumer: sqs.New(client, ev.SQSQueueURL, opts...), calls: calls}, nil
}

// queueRegion reads the region out of an SQS queue URL host such as
// sqs.us-east-2.amazonaws.com; "" when it has none.
func queueRegion(queueURL string) string {
	u, err := url.Parse(queueURL)
	if err != nil {
		return ""
	}
	parts := strings.Split(u.Hostname(), ".")
	if len(parts) >= 3 && parts[0] == "sqs" {
		return parts[1]
	}
	return ""
}

// callCounter counts SQS API calls by operation.
type callCounter struct {
	mu sync.Mutex
	n  map[string]int64
}

func (c *callCounter) middleware(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("srplanCountCalls",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			c.mu.Lock()
			c.n[awsmw.GetOperationName(ctx)]++
			c.mu.Unlock()
			return next.HandleInitialize(ctx, in)
		}), middleware.After)
}

// queueSet is the queues of one apply, by storage name.
type queueSet struct {
	byStorage map[string]*queue
}

func (s *queueSet) has(name string) bool { _, ok := s.byStorage[name]; return ok }

func (s *queueSet) add(name string, q *queue) {
	if s.byStorage == nil {
		s.byStorage = map[string]*queue{}
	}
	s.byStorage[name] = q
}

// report emits the SQS calls each queue made (executor.QueueCalls).
func (s *queueSet) report(obs executor.Observer) {
	if s == nil {
		return
	}
	names := make([]string, 0, len(s.byStorage))
	for n := range s.byStorage {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		q := s.byStorage[n]
		q.calls.mu.Lock()
		calls := make(map[string]int64, len(q.calls.n))
		for k, v := range q.calls.n {
			calls[k] = v
		}
		q.calls.mu.Unlock()
		obs.Event(executor.QueueCalls{At: executor.At{Time: time.Now()}, Storage: n, Queue: q.url, Calls: calls})
	}
}
