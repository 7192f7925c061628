package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"path"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	stypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go/logging"

	"github.com/srplan/srplan/lang"
	"github.com/srplan/srplan/providers/s3"
	srdynamo "github.com/srplan/srplan/state/dynamodb"
)

func init() {
	register(command{name: "init", synopsis: "Create the DynamoDB state table and the SQS queues the spec names", run: runInit})
}

// maxReceiveCount is how often a message is received before SQS moves it
// to the dead-letter queue of a queue srplan init creates.
const maxReceiveCount = 5

func runInit(e *env, args []string) int {
	fs := newFlagSet("init [options]", e.stderr,
		"Creates what the spec's shared state and event-driven loads need, when missing: the\n"+
			"DynamoDB table of the state block's dynamodb block, and for every storage with an\n"+
			"events block its SQS queue (and dead-letter queue). Existing resources are left as\n"+
			"they are, so init may be run again. It prints the S3 bucket notification\n"+
			"configuration to attach, which it does not apply itself.")
	var a specArgs
	addSpecFlags(fs, &a)
	dryRun := fs.Bool("dry-run", false, "only print what init would create")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		return e.fail("Unexpected argument", fmt.Errorf("init takes no positional arguments (got %q); pass the spec with -f", fs.Arg(0)))
	}
	cfg := e.loadSpec(&a)
	if cfg == nil {
		return ExitError
	}
	var storages []*lang.Storage
	for _, name := range sortedKeys(cfg.Storages) {
		if st := cfg.Storages[name]; st.Events != nil {
			storages = append(storages, st)
		}
	}
	ddb := sharedState(cfg)
	if ddb == nil && len(storages) == 0 {
		fmt.Fprintln(e.stdout, "Nothing to create: the spec's state block has no dynamodb block and no storage has an events block.")
		return ExitOK
	}
	if ddb != nil {
		if err := e.initTable(ddb, *dryRun); err != nil {
			return e.fail("Cannot create the DynamoDB table", err)
		}
	}
	var notes []notification
	for _, st := range storages {
		n, err := e.initQueues(st, *dryRun)
		if err != nil {
			return e.fail(fmt.Sprintf("Cannot create the queues of storage %q", st.Name), err)
		}
		notes = append(notes, n)
	}
	for _, n := range notes {
		e.printNotification(n)
	}
	return ExitOK
}

// initTable creates the state table unless it exists, and waits until it
// is active.
func (e *env) initTable(ddb *lang.DynamoDB, dryRun bool) error {
	client, region, err := newDynamoClient(e.ctx, ddb)
	if err != nil {
		return err
	}
	where := dynamoWhere(ddb, region)
	out, err := client.DescribeTable(e.ctx, &dynamodb.DescribeTableInput{TableName: aws.String(ddb.Table)})
	switch {
	case err == nil:
		fmt.Fprintf(e.stdout, "%s: already exists (%s); nothing to do.\n", where, strings.ToLower(string(out.Table.TableStatus)))
		return nil
	case !isNotFound(err):
		return fmt.Errorf("%s: %w\n\nCheck that AWS credentials are available (environment, shared profile or instance role) and allow DynamoDB access, and that the region and endpoint are right", where, err)
	case dryRun:
		fmt.Fprintf(e.stdout, "%s: would be created (string keys pk and sk, on-demand billing).\n", where)
		return nil
	}
	if err := srdynamo.CreateTable(e.ctx, client, ddb.Table); err != nil {
		return fmt.Errorf("%s: %w", where, err)
	}
	fmt.Fprintf(e.stdout, "%s: created; it is active.\n", where)
	return nil
}

func isNotFound(err error) bool {
	_, ok := errors.AsType[*dtypes.ResourceNotFoundException](err)
	return ok
}

// notification is the S3 notification configuration of one storage.
type notification struct {
	storage, bucket, prefix, queueARN string
}

// newSQSClient returns an SQS client for the storage's events block: the
// storage's static credentials when it has them, else the default AWS
// credential chain; the storage's region (else the AWS configuration's,
// else s3.DefaultRegion); and the events block's endpoint override.
func newSQSClient(ctx context.Context, st *lang.Storage) (*sqs.Client, string, error) {
	var load []func(*config.LoadOptions) error
	if st.Region != "" {
		load = append(load, config.WithRegion(st.Region))
	}
	if st.AccessKey.IsSet() {
		load = append(load, config.WithCredentialsProvider(
			credentials.NewStaticCredentialsProvider(st.AccessKey.Reveal(), st.SecretKey.Reveal(), "")))
	}
	cfg, err := config.LoadDefaultConfig(ctx, load...)
	if err != nil {
		return nil, "", fmt.Errorf("storage %q: load the AWS configuration for SQS: %w", st.Name, err)
	}
	if cfg.Region == "" {
		cfg.Region = s3.DefaultRegion
	}
	c := sqs.NewFromConfig(cfg, func(o *sqs.Options) {
		o.Logger = logging.Nop{}
		if st.Events.Endpoint != "" {
			o.BaseEndpoint = aws.String(st.Events.Endpoint)
		}
	})
	return c, cfg.Region, nil
}

// queueName returns the last path segment of a queue URL.
func queueName(queueURL string) (string, error) {
	u, err := url.Parse(queueURL)
	if err != nil {
		return "", fmt.Errorf("queue URL %q: %w", queueURL, err)
	}
	name := path.Base(strings.TrimRight(u.Path, "/"))
	if name == "" || name == "." || name == "/" {
		return "", fmt.Errorf("queue URL %q names no queue: want https://sqs.REGION.amazonaws.com/ACCOUNT/NAME", queueURL)
	}
	return name, nil
}

// queueARNFromURL derives a queue's ARN from its URL and region, for a
// queue that does not exist yet (-dry-run): arn:aws:sqs:REGION:ACCOUNT:NAME.
func queueARNFromURL(queueURL, region string) string {
	u, err := url.Parse(queueURL)
	account := "ACCOUNT"
	if err == nil {
		if parts := strings.Split(strings.Trim(u.Path, "/"), "/"); len(parts) == 2 && parts[0] != "" {
			account = parts[0]
		}
	}
	name, _ := queueName(queueURL)
	return fmt.Sprintf("arn:aws:sqs:%s:%s:%s", region, account, name)
}

// initQueues creates the storage's dead-letter queue (when configured)
// and its queue, with a redrive policy to the dead-letter queue, unless
// they exist. It returns the notification configuration to print.
func (e *env) initQueues(st *lang.Storage, dryRun bool) (notification, error) {
	n := notification{storage: st.Name, bucket: storageBucket(st)}
	if u, err := url.Parse(st.URL); err == nil {
		n.prefix = strings.Trim(u.Path, "/")
	}
	client, region, err := newSQSClient(e.ctx, st)
	if err != nil {
		return n, err
	}
	var dlqARN string
	if st.Events.DeadLetterQueueURL != "" {
		dlqARN, err = e.ensureQueue(client, st, st.Events.DeadLetterQueueURL, "dead-letter queue", region, nil, dryRun)
		if err != nil {
			return n, err
		}
	}
	var attrs map[string]string
	if dlqARN != "" {
		policy, err := json.Marshal(map[string]string{"deadLetterTargetArn": dlqARN, "maxReceiveCount": fmt.Sprint(maxReceiveCount)})
		if err != nil {
			return n, err
		}
		attrs = map[string]string{string(stypes.QueueAttributeNameRedrivePolicy): string(policy)}
	}
	n.queueARN, err = e.ensureQueue(client, st, st.Events.SQSQueueURL, "queue", region, attrs, dryRun)
	return n, err
}

// ensureQueue creates the queue named by queueURL with attrs unless it
// exists, says which, and returns the queue's ARN.
func (e *env) ensureQueue(client *sqs.Client, st *lang.Storage, queueURL, what, region string, attrs map[string]string, dryRun bool) (string, error) {
	name, err := queueName(queueURL)
	if err != nil {
		return "", err
	}
	label := fmt.Sprintf("SQS %s %s (storage %q)", what, name, st.Name)
	found, err := client.GetQueueUrl(e.ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(name)})
	var existing string
	switch _, missing := errors.AsType[*stypes.QueueDoesNotExist](err); {
	case err == nil:
		existing = aws.ToString(found.QueueUrl)
	case !missing:
		return "", fmt.Errorf("%s: %w\n\nCheck the storage's credentials (or the default AWS credential chain), its region and the events block's endpoint", label, err)
	}
	if existing != "" {
		fmt.Fprintf(e.stdout, "%s: already exists; nothing to do.\n", label)
		return e.queueARN(client, label, existing)
	}
	detail := ""
	if p, ok := attrs[string(stypes.QueueAttributeNameRedrivePolicy)]; ok {
		var rp struct {
			ARN string `json:"deadLetterTargetArn"`
		}
		_ = json.Unmarshal([]byte(p), &rp)
		detail = fmt.Sprintf(", sending messages received %d times to %s", maxReceiveCount, rp.ARN)
	}
	if dryRun {
		fmt.Fprintf(e.stdout, "%s: would be created%s.\n", label, detail)
		return queueARNFromURL(queueURL, region), nil
	}
	out, err := client.CreateQueue(e.ctx, &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: attrs})
	if err != nil {
		return "", fmt.Errorf("%s: create: %w", label, err)
	}
	arn, err := e.queueARN(client, label, aws.ToString(out.QueueUrl))
	if err != nil {
		return "", err
	}
	if bucket := storageBucket(st); what == "queue" && bucket != "" {
		// S3 refuses a notification to a queue it may not send to.
		policy, err := sendPolicy(arn, bucket)
		if err != nil {
			return "", err
		}
		if _, err := client.SetQueueAttributes(e.ctx, &sqs.SetQueueAttributesInput{
			QueueUrl:   out.QueueUrl,
			Attributes: map[string]string{string(stypes.QueueAttributeNamePolicy): policy},
		}); err != nil {
			return "", fmt.Errorf("%s: set its access policy: %w", label, err)
		}
		detail += fmt.Sprintf(", accepting messages from bucket %s", bucket)
	}
	fmt.Fprintf(e.stdout, "%s: created%s.\n", label, detail)
	return arn, nil
}

// storageBucket returns the bucket of an s3 storage, or "".
func storageBucket(st *lang.Storage) string {
	u, err := url.Parse(st.URL)
	if err != nil || st.Type != lang.StorageS3 {
		return ""
	}
	return u.Host
}

// sendPolicy is the queue access policy that lets bucket send its event
// notifications to the queue queueARN.
func sendPolicy(queueARN, bucket string) (string, error) {
	doc := map[string]any{
		"Version": "2012-10-17",
		"Statement": []map[string]any{{
			"Sid":       "srplan-s3-notifications",
			"Effect":    "Allow",
			"Principal": map[string]string{"Service": "s3.amazonaws.com"},
			"Action":    "sqs:SendMessage",
			"Resource":  queueARN,
			"Condition": map[string]any{"ArnLike": map[string]string{"aws:SourceArn": "arn:aws:s3:::" + bucket}},
		}},
	}
	b, err := json.Marshal(doc)
	return string(b), err
}

// queueARN reads a queue's ARN.
func (e *env) queueARN(client *sqs.Client, label, queueURL string) (string, error) {
	out, err := client.GetQueueAttributes(e.ctx, &sqs.GetQueueAttributesInput{
		QueueUrl: aws.String(queueURL), AttributeNames: []stypes.QueueAttributeName{stypes.QueueAttributeNameQueueArn},
	})
	if err != nil {
		return "", fmt.Errorf("%s: read its ARN: %w", label, err)
	}
	arn := out.Attributes[string(stypes.QueueAttributeNameQueueArn)]
	if arn == "" {
		return "", fmt.Errorf("%s: the server reported no ARN", label)
	}
	return arn, nil
}

// notificationDoc is the S3 bucket notification configuration document
// of one storage.
type notificationDoc struct {
	QueueConfigurations []queueConfiguration
}

type queueConfiguration struct {
	ID       string `json:"Id"`
	QueueArn string
	Events   []string
	Filter   *notificationFilter `json:",omitempty"`
}

type notificationFilter struct {
	Key struct {
		FilterRules []filterRule
	}
}

type filterRule struct {
	Name, Value string
}

// notificationJSON returns the notification configuration of n.
func notificationJSON(n notification) ([]byte, error) {
	qc := queueConfiguration{ID: "srplan-" + n.storage, QueueArn: n.queueARN, Events: []string{"s3:ObjectCreated:*"}}
	if n.prefix != "" {
		qc.Filter = &notificationFilter{}
		qc.Filter.Key.FilterRules = []filterRule{{Name: "prefix", Value: n.prefix + "/"}}
	}
	return json.MarshalIndent(notificationDoc{QueueConfigurations: []queueConfiguration{qc}}, "", "  ")
}

func (e *env) printNotification(n notification) {
	doc, err := notificationJSON(n)
	if err != nil {
		fmt.Fprintf(e.stderr, "Warning: cannot print the notification configuration of storage %q: %v\n", n.storage, err)
		return
	}
	fmt.Fprintf(e.stdout, "\nAttach this notification configuration to bucket %s so that new exports of storage %q reach the queue\n", n.bucket, n.storage)
	fmt.Fprintf(e.stdout, "(it replaces the bucket's configuration: merge it with any you have), for example with\n")
	fmt.Fprintf(e.stdout, "  aws s3api put-bucket-notification-configuration --bucket %s --notification-configuration file://notification.json\n", n.bucket)
	fmt.Fprintf(e.stdout, "A queue init created lets the bucket send to it; for a queue that already existed, check that its access policy\n")
	fmt.Fprintf(e.stdout, "allows Principal s3.amazonaws.com the Action sqs:SendMessage from arn:aws:s3:::%s.\n\n", n.bucket)
	fmt.Fprintf(e.stdout, "%s\n", doc)
}
