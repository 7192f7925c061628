package sqs

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// Defaults of a Consumer.
const (
	// DefaultWait is the long-poll wait of each receive (the SQS maximum).
	DefaultWait = 20 * time.Second
	// DefaultVisibility is the visibility timeout a received message gets
	// and is extended to while its handler runs.
	DefaultVisibility = 60 * time.Second
	// DefaultConcurrency is how many handlers run at once.
	DefaultConcurrency = 4
	// maxBatch is the SQS limit on messages per receive.
	maxBatch = 10
	// bookkeepingTimeout bounds each delete, visibility change and
	// dead-letter send, which run even after Run's context ended.
	bookkeepingTimeout = 10 * time.Second
)

// ErrorAttribute is the message attribute a dead-lettered message carries,
// saying why it was set aside.
const ErrorAttribute = "srplan-error"

// Consumer delivers the events of one SQS queue to a handler. Create it
// with New. It holds no mutable state, so Run may be called from several
// goroutines, each one a separate set of receivers.
//
// Message fate:
//   - handler returned nil: the message is deleted.
//   - handler returned an error: the message is left in the queue and
//     comes back when its visibility timeout ends (the timeout acts as the
//     retry delay; the queue's redrive policy bounds the attempts).
//   - malformed or foreign body: reported to the Observer and set aside.
//     With WithDeadLetter the body is sent to that queue and then deleted
//     from the main queue, so the loader does not keep receiving it.
//     Without it the message is not deleted: it returns after its
//     visibility timeout until the queue's own redrive policy moves it to
//     its dead-letter queue. Nothing is ever deleted unrecorded.
//   - s3:TestEvent, or an event with no ObjectCreated records: deleted
//     without calling the handler (there is nothing to load), reported as
//     Ignored.
//
// Duplicates and redeliveries reach the handler as often as SQS delivers
// them; making them harmless is the caller's job.
type Consumer struct {
	client      *sqs.Client
	queueURL    string
	wait        time.Duration
	visibility  time.Duration
	concurrency int
	deadLetter  string
	observer    Observer
}

// Option configures a Consumer.
type Option func(*Consumer)

// WithWait sets the long-poll wait of each receive, in whole seconds from
// 1 to 20 (values outside are clamped; a wait of 0 would spin on an empty
// queue). Shorter waits mean more requests on an idle queue.
func WithWait(d time.Duration) Option {
	return func(c *Consumer) { c.wait = min(max(d.Truncate(time.Second), time.Second), DefaultWait) }
}

// WithVisibility sets the visibility timeout (whole seconds, at least one)
// requested on receive and renewed while the handler runs, every third of
// it. A handler error makes the message reappear after about this long.
func WithVisibility(d time.Duration) Option {
	return func(c *Consumer) { c.visibility = max(d.Truncate(time.Second), time.Second) }
}

// WithConcurrency bounds how many handlers run at once (at least one).
// A receive never asks for more messages than there are idle handlers.
func WithConcurrency(n int) Option {
	return func(c *Consumer) { c.concurrency = max(n, 1) }
}

// WithDeadLetter sets a queue (by URL) that malformed and foreign messages
// are sent to before they are deleted from the main queue.
func WithDeadLetter(queueURL string) Option {
	return func(c *Consumer) { c.deadLetter = queueURL }
}

// WithObserver sets a callback told about what happened to messages that
// did not simply succeed. It is called from several goroutines at once.
func WithObserver(o Observer) Option {
	return func(c *Consumer) { c.observer = o }
}

// New returns a Consumer of the queue at queueURL.
func New(client *sqs.Client, queueURL string, opts ...Option) *Consumer {
	c := &Consumer{
		client:      client,
		queueURL:    queueURL,
		wait:        DefaultWait,
		visibility:  DefaultVisibility,
		concurrency: DefaultConcurrency,
	}
	for _, o := range opts {
		o(c)
	}
	return c
}

// Run receives messages until ctx ends, handing each parsed Event to
// handle on its own goroutine (at most the configured concurrency at once).
// handle gets ctx, so it is cancelled together with Run; it should record
// the outcome before it returns nil, because the message is deleted then.
// When ctx ends Run stops receiving, waits for running handlers, and
// returns nil. A receive that fails (after the SDK's own retries) stops Run
// with that error, also after running handlers finished.
func (c *Consumer) Run(ctx context.Context, handle func(context.Context, Event) error) error {
	slots := make(chan struct{}, c.concurrency)
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		// Take one slot (waiting for it), then any more that are free.
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			return nil
		}
		n := 1
	more:
		for n < maxBatch {
			select {
			case slots <- struct{}{}:
				n++
			default:
				break more
			}
		}
		out, err := c.client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
			QueueUrl:                    aws.String(c.queueURL),
			MaxNumberOfMessages:         int32(n),
			WaitTimeSeconds:             int32(c.wait / time.Second),
			VisibilityTimeout:           int32(c.visibility / time.Second),
			MessageAttributeNames:       []string{"All"},
			MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameAll},
		})
		if ctx.Err() != nil {
			// Anything received in the same instant returns to the queue
			// when its visibility timeout ends.
			return nil
		}
		if err != nil {
			return fmt.Errorf("sqs: receive from %s: %w", c.queueURL, err)
		}
		for i := len(out.Messages); i < n; i++ {
			<-slots
		}
		for _, m := range out.Messages {
			wg.Go(func() {
				defer func() { <-slots }()
				c.process(ctx, m, handle)
			})
		}
	}
}

// process settles one message.
func (c *Consumer) process(ctx context.Context, m types.Message, handle func(context.Context, Event) error) {
	id := aws.ToString(m.MessageId)
	ev, err := Parse(aws.ToString(m.Body))
	if err != nil {
		c.setAside(ctx, m, err)
		return
	}
	ev.MessageID = id
	ev.ReceiveCount, _ = strconv.Atoi(m.Attributes[string(types.MessageSystemAttributeNameApproximateReceiveCount)])
	if ev.Test || len(ev.Objects) == 0 {
		c.report(Report{Kind: Ignored, MessageID: id})
		c.delete(ctx, m)
		return
	}

	stop := c.keepInvisible(ctx, m)
	err = handle(ctx, ev)
	stop()
	if err != nil {
		c.report(Report{Kind: HandlerFailed, MessageID: id, Err: err})
		return
	}
	c.delete(ctx, m)
}

// keepInvisible renews m's visibility every third of the timeout until the
// returned function is called (which waits for a renewal in flight).
func (c *Consumer) keepInvisible(ctx context.Context, m types.Message) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(c.visibility / 3)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
			}
			bctx, cancel := bookkeeping(ctx)
			_, err := c.client.ChangeMessageVisibility(bctx, &sqs.ChangeMessageVisibilityInput{
				QueueUrl:          aws.String(c.queueURL),
				ReceiptHandle:     m.ReceiptHandle,
				VisibilityTimeout: int32(c.visibility / time.Second),
			})
			cancel()
			if err != nil {
				c.report(Report{Kind: ExtendFailed, MessageID: aws.ToString(m.MessageId),
					Err: fmt.Errorf("sqs: extend visibility: %w", err)})
			}
		}
	})
	return func() {
		close(done)
		wg.Wait()
	}
}

// setAside handles a message that is not a usable notification.
func (c *Consumer) setAside(ctx context.Context, m types.Message, cause error) {
	id := aws.ToString(m.MessageId)
	if c.deadLetter == "" {
		c.report(Report{Kind: SetAside, MessageID: id, Err: cause})
		return
	}
	attrs := make(map[string]types.MessageAttributeValue, len(m.MessageAttributes)+1)
	for k, v := range m.MessageAttributes {
		attrs[k] = v
	}
	if len(attrs) < 10 { // SQS allows ten attributes per message.
		attrs[ErrorAttribute] = types.MessageAttributeValue{
			DataType: aws.String("String"), StringValue: aws.String(cause.Error()),
		}
	}
	in := &sqs.SendMessageInput{
		QueueUrl:          aws.String(c.deadLetter),
		MessageBody:       m.Body,
		MessageAttributes: attrs,
	}
	if strings.HasSuffix(c.deadLetter, ".fifo") {
		// A FIFO queue needs a group; keep the original one if any.
		group := m.Attributes[string(types.MessageSystemAttributeNameMessageGroupId)]
		if group == "" {
			group = "srplan-dead-letter"
		}
		in.MessageGroupId = aws.String(group)
		in.MessageDeduplicationId = m.MessageId
	}
	bctx, cancel := bookkeeping(ctx)
	_, err := c.client.SendMessage(bctx, in)
	cancel()
	if err != nil {
		// Not sent: keep it in the main queue rather than lose it.
		c.report(Report{Kind: SetAside, MessageID: id,
			Err: errors.Join(cause, fmt.Errorf("sqs: send to dead-letter queue: %w", err))})
		return
	}
	c.report(Report{Kind: DeadLettered, MessageID: id, Err: cause})
	c.delete(ctx, m)
}

// delete removes m from the main queue, even when ctx has ended.
func (c *Consumer) delete(ctx context.Context, m types.Message) {
	bctx, cancel := bookkeeping(ctx)
	defer cancel()
	_, err := c.client.DeleteMessage(bctx, &sqs.DeleteMessageInput{
		QueueUrl: aws.String(c.queueURL), ReceiptHandle: m.ReceiptHandle,
	})
	if err != nil {
		c.report(Report{Kind: DeleteFailed, MessageID: aws.ToString(m.MessageId),
			Err: fmt.Errorf("sqs: delete message: %w", err)})
	}
}

func (c *Consumer) report(r Report) {
	if c.observer != nil {
		c.observer(r)
	}
}

// bookkeeping is a context for queue housekeeping that outlives ctx's
// cancellation but is bounded in time.
func bookkeeping(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), bookkeepingTimeout)
}
