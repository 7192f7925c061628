package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	stypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/google/go-cmp/cmp"
)

func testSQSClient(endpoint string) *sqs.Client {
	return sqs.New(sqs.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(endpoint),
		Credentials: credentials.NewStaticCredentialsProvider("srplan-test", "srplan-test", ""),
	})
}

// TestInitCreatesTableAndQueues: init creates the state table and the
// queues (the main one redriving to the dead-letter queue), prints the
// notification configuration, and a second run changes nothing.
func TestInitCreatesTableAndQueues(t *testing.T) {
	ddbEndpoint := serviceEndpoint(t, envTestDynamoDB)
	sqsEndpoint := serviceEndpoint(t, envTestSQS)
	table := uniqueName(t, "tbl")
	queue, dlq := uniqueName(t, "q"), uniqueName(t, "dlq")
	storage := fmt.Sprintf(`storage "s3" "stage" {
  url    = "s3://srplan-bucket/exports/run1"
  region = "us-east-1"
  events {
    sqs_queue_url         = "https://sqs.us-east-1.amazonaws.com/000000000000/%s"
    dead_letter_queue_url = "https://sqs.us-east-1.amazonaws.com/000000000000/%s"
    endpoint              = %q
  }
}
`, queue, dlq, sqsEndpoint)
	spec, _ := sharedSpec(t, ddbEndpoint, table, "w", storage)
	dc, qc := testDynamoClient(ddbEndpoint), testSQSClient(sqsEndpoint)
	t.Cleanup(func() {
		_, _ = dc.DeleteTable(t.Context(), &dynamodb.DeleteTableInput{TableName: aws.String(table)})
		for _, name := range []string{queue, dlq} {
			if out, err := qc.GetQueueUrl(t.Context(), &sqs.GetQueueUrlInput{QueueName: aws.String(name)}); err == nil {
				_, _ = qc.DeleteQueue(t.Context(), &sqs.DeleteQueueInput{QueueUrl: out.QueueUrl})
			}
		}
	})

	t.Run("dry run creates nothing", func(t *testing.T) {
		r := srplan(t, "", nil, "init", "-dry-run", "-f", spec)
		if r.code != ExitOK {
			t.Fatalf("init -dry-run: %d %s", r.code, r.stderr)
		}
		for _, want := range []string{
			"DynamoDB table " + table + " (endpoint " + ddbEndpoint + ", region us-east-1): would be created",
			fmt.Sprintf("SQS dead-letter queue %s (storage \"stage\"): would be created.", dlq),
			fmt.Sprintf("SQS queue %s (storage \"stage\"): would be created, sending messages received 5 times to arn:aws:sqs:us-east-1:000000000000:%s.", queue, dlq),
		} {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("init -dry-run output lacks %q:\n%s", want, r.stdout)
			}
		}
		_, err := dc.DescribeTable(t.Context(), &dynamodb.DescribeTableInput{TableName: aws.String(table)})
		if _, missing := errors.AsType[*dtypes.ResourceNotFoundException](err); !missing {
			t.Errorf("after -dry-run DescribeTable = %v, want not found", err)
		}
		_, err = qc.GetQueueUrl(t.Context(), &sqs.GetQueueUrlInput{QueueName: aws.String(queue)})
		if _, missing := errors.AsType[*stypes.QueueDoesNotExist](err); !missing {
			t.Errorf("after -dry-run GetQueueUrl = %v, want no queue", err)
		}
	})

	first := srplan(t, "", nil, "init", "-f", spec)
	if first.code != ExitOK {
		t.Fatalf("init: %d\n%s%s", first.code, first.stdout, first.stderr)
	}
	for _, want := range []string{
		"DynamoDB table " + table + " (endpoint " + ddbEndpoint + ", region us-east-1): created; it is active.",
		fmt.Sprintf("SQS dead-letter queue %s (storage \"stage\"): created.", dlq),
		fmt.Sprintf("SQS queue %s (storage \"stage\"): created, sending messages received 5 times to ", queue),
	} {
		if !strings.Contains(first.stdout, want) {
			t.Errorf("init output lacks %q:\n%s", want, first.stdout)
		}
	}
	out, err := dc.DescribeTable(t.Context(), &dynamodb.DescribeTableInput{TableName: aws.String(table)})
	if err != nil || out.Table.TableStatus != dtypes.TableStatusActive {
		t.Fatalf("DescribeTable after init: %v", err)
	}
	arn := func(name string) string {
		t.Helper()
		u, err := qc.GetQueueUrl(t.Context(), &sqs.GetQueueUrlInput{QueueName: aws.String(name)})
		if err != nil {
			t.Fatalf("queue %s: %v", name, err)
		}
		a, err := qc.GetQueueAttributes(t.Context(), &sqs.GetQueueAttributesInput{QueueUrl: u.QueueUrl, AttributeNames: []stypes.QueueAttributeName{stypes.QueueAttributeNameAll}})
		if err != nil {
			t.Fatalf("queue %s attributes: %v", name, err)
		}
		if name == queue {
			var rp struct {
				Target string `json:"deadLetterTargetArn"`
				Max    any    `json:"maxReceiveCount"`
			}
			if err := json.Unmarshal([]byte(a.Attributes["RedrivePolicy"]), &rp); err != nil || !strings.HasSuffix(rp.Target, ":"+dlq) || fmt.Sprint(rp.Max) != "5" {
				t.Errorf("redrive policy of %s = %q (%v), want the dead-letter queue %s after 5 receives", name, a.Attributes["RedrivePolicy"], err, dlq)
			}
		}
		return a.Attributes["QueueArn"]
	}
	queueARN := arn(queue)
	arn(dlq)

	// The notification configuration is the JSON document at the end.
	doc := first.stdout[strings.Index(first.stdout, "\n{")+1:]
	var got notificationDoc
	if err := json.Unmarshal([]byte(doc), &got); err != nil {
		t.Fatalf("notification configuration: %v\n%s", err, doc)
	}
	want := notificationDoc{QueueConfigurations: []queueConfiguration{{
		ID: "srplan-stage", QueueArn: queueARN, Events: []string{"s3:ObjectCreated:*"},
		Filter: &notificationFilter{},
	}}}
	want.QueueConfigurations[0].Filter.Key.FilterRules = []filterRule{{Name: "prefix", Value: "exports/run1/"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("notification configuration (-want +got):\n%s", diff)
	}

	second := srplan(t, "", nil, "init", "-f", spec)
	if second.code != ExitOK {
		t.Fatalf("second init: %d %s", second.code, second.stderr)
	}
	if n := strings.Count(second.stdout, "already exists"); n != 3 || strings.Contains(second.stdout, ": created") {
		t.Errorf("second init: %d resources already existed, want 3 and nothing created:\n%s", n, second.stdout)
	}
	if !strings.Contains(second.stdout, queueARN) {
		t.Errorf("second init does not print the queue ARN %s:\n%s", queueARN, second.stdout)
	}
}

func TestInitNothingToDo(t *testing.T) {
	spec := filepath.Join(t.TempDir(), "m.hcl")
	if err := os.WriteFile(spec, []byte("storage \"local\" \"s\" {\n  path = \"./x\"\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := srplan(t, "", nil, "init", "-f", spec)
	if r.code != ExitOK || !strings.Contains(r.stdout, "Nothing to create") {
		t.Errorf("init without dynamodb or events: %d %q %q", r.code, r.stdout, r.stderr)
	}
}

func TestQueueName(t *testing.T) {
	tests := map[string]struct {
		url, name, arn string
		bad            bool
	}{
		"aws":        {url: "https://sqs.us-east-2.amazonaws.com/123456789012/srplan-loads", name: "srplan-loads", arn: "arn:aws:sqs:us-east-2:123456789012:srplan-loads"},
		"trailing /": {url: "https://sqs.us-east-2.amazonaws.com/123456789012/q/", name: "q", arn: "arn:aws:sqs:us-east-2:123456789012:q"},
		"no path":    {url: "https://sqs.us-east-2.amazonaws.com", bad: true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := queueName(tc.url)
			if tc.bad {
				if err == nil {
					t.Errorf("queueName(%q) = %q, want an error", tc.url, got)
				}
				return
			}
			if err != nil || got != tc.name {
				t.Errorf("queueName(%q) = %q, %v; want %q", tc.url, got, err, tc.name)
			}
			if a := queueARNFromURL(tc.url, "us-east-2"); a != tc.arn {
				t.Errorf("queueARNFromURL = %q, want %q", a, tc.arn)
			}
		})
	}
}
