package s3test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

func TestSQSSendReceive(t *testing.T) {
	client := SQSClient(SQSEndpoint(t))
	ctx := t.Context()
	name := "srplan-test-" + randomHex(6)

	created, err := client.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name)})
	if err != nil {
		t.Fatalf("CreateQueue: %v", err)
	}
	queue := created.QueueUrl
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
		defer cancel()
		if _, err := client.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: queue}); err != nil {
			t.Errorf("DeleteQueue: %v", err)
		}
	})

	const body = `{"Records":[{"eventName":"ObjectCreated:Put"}]}`
	if _, err := client.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: queue, MessageBody: aws.String(body)}); err != nil {
		t.Fatalf("SendMessage: %v", err)
	}
	got, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
		QueueUrl: queue, MaxNumberOfMessages: 10, WaitTimeSeconds: 1,
	})
	if err != nil {
		t.Fatalf("ReceiveMessage: %v", err)
	}
	if len(got.Messages) != 1 || aws.ToString(got.Messages[0].Body) != body {
		t.Fatalf("received %d messages (%+v), want exactly the one sent", len(got.Messages), got.Messages)
	}
	if _, err := client.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: queue, ReceiptHandle: got.Messages[0].ReceiptHandle}); err != nil {
		t.Fatalf("DeleteMessage: %v", err)
	}

	// The queue is empty now: a long poll ends without a message.
	again, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: queue, WaitTimeSeconds: 1})
	if err != nil {
		t.Fatalf("second ReceiveMessage: %v", err)
	}
	if len(again.Messages) != 0 {
		t.Errorf("received %d messages from an emptied queue", len(again.Messages))
	}
}
