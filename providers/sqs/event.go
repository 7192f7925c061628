package sqs

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// ObjectCreated is one object an S3 ObjectCreated notification announced.
type ObjectCreated struct {
	// Bucket is the bucket name.
	Bucket string
	// Key is the object key, URL-decoded ('+' read as a space).
	Key string
	// Size is the object size in bytes as the notification states it
	// (0 when absent).
	Size int64
}

// Event is what one queue message announced.
type Event struct {
	// MessageID is the SQS message id (empty from Parse).
	MessageID string
	// ReceiveCount is how many times SQS has delivered the message,
	// this delivery included (0 from Parse, or when SQS did not say).
	ReceiveCount int
	// Objects are the created objects, in record order. Records of other
	// event types (ObjectRemoved, ...) are left out, so Objects may be empty.
	Objects []ObjectCreated
	// Test is true for the s3:TestEvent S3 sends when a notification
	// configuration is set up; such an event has no Objects.
	Test bool
}

// Sentinels a *ParseError matches with errors.Is.
var (
	// ErrMalformed: the body is not valid JSON, or claims to be an S3 or
	// SNS message but lacks or garbles required fields.
	ErrMalformed = errors.New("malformed message")
	// ErrForeign: the body is valid JSON but neither an S3 event, an S3
	// test event, nor an SNS notification carrying one.
	ErrForeign = errors.New("foreign message")
)

// ParseError says why a message body is not a usable S3 notification.
// It matches ErrMalformed or ErrForeign (Kind) with errors.Is.
type ParseError struct {
	// Kind is ErrMalformed or ErrForeign.
	Kind error
	// Reason says what is wrong, without echoing the body.
	Reason string
	// Err is the underlying decoding error, if any.
	Err error
}

func (e *ParseError) Error() string {
	msg := "sqs: " + e.Kind.Error() + ": " + e.Reason
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the kind sentinel and the underlying error.
func (e *ParseError) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.Err}
}

// s3Event is the native S3 (and MinIO) notification layout.
type s3Event struct {
	Records *[]s3Record `json:"Records"`
	// Test event fields.
	Service string `json:"Service"`
	Event   string `json:"Event"`
	Bucket  string `json:"Bucket"`
}

type s3Record struct {
	EventName string `json:"eventName"`
	S3        *struct {
		Bucket struct {
			Name string `json:"name"`
		} `json:"bucket"`
		Object struct {
			Key  *string `json:"key"`
			Size int64   `json:"size"`
		} `json:"object"`
	} `json:"s3"`
}

// snsEnvelope is an SNS notification as SNS delivers it to SQS without
// raw message delivery.
type snsEnvelope struct {
	Type     string  `json:"Type"`
	Message  *string `json:"Message"`
	TopicArn string  `json:"TopicArn"`
}

// Parse decodes one message body: native S3 event notification JSON, the
// same wrapped in an SNS notification (Type "Notification", Message the S3
// JSON as a string), or an s3:TestEvent (either way). Only records whose
// eventName is "ObjectCreated:*" (MinIO writes "s3:ObjectCreated:*") become
// Objects; other records are skipped. Any other body gives a *ParseError.
func Parse(body string) (Event, error) {
	var probe map[string]json.RawMessage
	if err := json.Unmarshal([]byte(body), &probe); err != nil {
		return Event{}, &ParseError{Kind: ErrMalformed, Reason: "body is not a JSON object", Err: err}
	}
	if _, ok := probe["Records"]; !ok {
		if _, ok := probe["TopicArn"]; ok {
			return parseSNS(body)
		}
		if _, ok := probe["Type"]; ok {
			return parseSNS(body)
		}
	}
	return parseS3(body)
}

func parseSNS(body string) (Event, error) {
	var env snsEnvelope
	if err := json.Unmarshal([]byte(body), &env); err != nil {
		return Event{}, &ParseError{Kind: ErrMalformed, Reason: "SNS envelope", Err: err}
	}
	if env.Type != "Notification" {
		return Event{}, &ParseError{Kind: ErrForeign, Reason: fmt.Sprintf("SNS message of type %q", env.Type)}
	}
	if env.Message == nil {
		return Event{}, &ParseError{Kind: ErrMalformed, Reason: "SNS notification without Message"}
	}
	ev, err := parseS3(*env.Message)
	if err != nil {
		var pe *ParseError
		if errors.As(err, &pe) {
			pe.Reason = "SNS Message: " + pe.Reason
		}
		return Event{}, err
	}
	return ev, nil
}

func parseS3(body string) (Event, error) {
	var ev s3Event
	if err := json.Unmarshal([]byte(body), &ev); err != nil {
		return Event{}, &ParseError{Kind: ErrMalformed, Reason: "S3 event", Err: err}
	}
	if ev.Records == nil {
		if ev.Event == "s3:TestEvent" {
			return Event{Test: true}, nil
		}
		return Event{}, &ParseError{Kind: ErrForeign, Reason: "not an S3 event notification"}
	}
	if len(*ev.Records) == 0 {
		return Event{}, &ParseError{Kind: ErrMalformed, Reason: "S3 event without records"}
	}
	var out Event
	for i, r := range *ev.Records {
		name := strings.TrimPrefix(r.EventName, "s3:")
		if r.EventName == "" {
			return Event{}, &ParseError{Kind: ErrMalformed, Reason: fmt.Sprintf("record %d has no eventName", i)}
		}
		if !strings.HasPrefix(name, "ObjectCreated:") {
			continue
		}
		if r.S3 == nil || r.S3.Bucket.Name == "" || r.S3.Object.Key == nil || *r.S3.Object.Key == "" {
			return Event{}, &ParseError{Kind: ErrMalformed, Reason: fmt.Sprintf("record %d lacks s3.bucket.name or s3.object.key", i)}
		}
		key, err := url.QueryUnescape(*r.S3.Object.Key)
		if err != nil {
			return Event{}, &ParseError{Kind: ErrMalformed, Reason: fmt.Sprintf("record %d object key", i), Err: err}
		}
		if r.S3.Object.Size < 0 {
			return Event{}, &ParseError{Kind: ErrMalformed, Reason: fmt.Sprintf("record %d has a negative size", i)}
		}
		out.Objects = append(out.Objects, ObjectCreated{Bucket: r.S3.Bucket.Name, Key: key, Size: r.S3.Object.Size})
	}
	return out, nil
}
