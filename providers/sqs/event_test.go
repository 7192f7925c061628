package sqs

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const s3Put = `{"Records":[{"eventVersion":"2.1","eventSource":"aws:s3","awsRegion":"us-east-1",
 "eventTime":"2026-11-21T10:00:00.000Z","eventName":"ObjectCreated:Put",
 "s3":{"s3SchemaVersion":"1.0","configurationId":"loads","bucket":{"name":"stage","arn":"arn:aws:s3:::stage"},
 "object":{"key":"job/db/my+table/p%3D1/v3/data_0.csv","size":1024,"eTag":"abc","sequencer":"01"}}}]}`

const s3Test = `{"Service":"Amazon S3","Event":"s3:TestEvent","Time":"2026-11-21T10:00:00.000Z","Bucket":"stage","RequestId":"r","HostId":"h"}`

func snsWrap(t *testing.T, typ, msg string) string {
	t.Helper()
	b, err := json.Marshal(map[string]string{
		"Type": typ, "MessageId": "m-1", "TopicArn": "arn:aws:sns:us-east-1:1:loads",
		"Subject": "Amazon S3 Notification", "Message": msg, "Timestamp": "2026-11-21T10:00:00.000Z",
	})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestParse(t *testing.T) {
	put := Event{Objects: []ObjectCreated{{Bucket: "stage", Key: "job/db/my table/p=1/v3/data_0.csv", Size: 1024}}}
	tests := []struct {
		name string
		body string
		want Event
		kind error // nil: success
	}{
		{name: "native put", body: s3Put, want: put},
		{name: "sns wrapped", body: snsWrap(t, "Notification", s3Put), want: put},
		{name: "test event", body: s3Test, want: Event{Test: true}},
		{name: "sns test event", body: snsWrap(t, "Notification", s3Test), want: Event{Test: true}},
		{name: "minio prefix and several records", body: `{"EventName":"s3:ObjectCreated:Put","Records":[
			{"eventName":"s3:ObjectCreated:CompleteMultipartUpload","s3":{"bucket":{"name":"b"},"object":{"key":"a%2Bb","size":7}}},
			{"eventName":"ObjectRemoved:Delete","s3":{"bucket":{"name":"b"},"object":{"key":"gone"}}},
			{"eventName":"ObjectCreated:Copy","s3":{"bucket":{"name":"b"},"object":{"key":"%E6%95%B0%20x"}}}]}`,
			want: Event{Objects: []ObjectCreated{{Bucket: "b", Key: "a+b", Size: 7}, {Bucket: "b", Key: "数 x"}}}},
		{name: "only removals", body: `{"Records":[{"eventName":"ObjectRemoved:Delete","s3":{"bucket":{"name":"b"},"object":{"key":"k"}}}]}`,
			want: Event{}},
		{name: "not json", body: "hello", kind: ErrMalformed},
		{name: "json array", body: `[1]`, kind: ErrMalformed},
		{name: "truncated", body: s3Put[:40], kind: ErrMalformed},
		{name: "empty records", body: `{"Records":[]}`, kind: ErrMalformed},
		{name: "no event name", body: `{"Records":[{"s3":{"bucket":{"name":"b"},"object":{"key":"k"}}}]}`, kind: ErrMalformed},
		{name: "no key", body: `{"Records":[{"eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"b"},"object":{}}}]}`, kind: ErrMalformed},
		{name: "no s3", body: `{"Records":[{"eventName":"ObjectCreated:Put"}]}`, kind: ErrMalformed},
		{name: "bad escape", body: `{"Records":[{"eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"b"},"object":{"key":"a%zz"}}}]}`, kind: ErrMalformed},
		{name: "wrong type", body: `{"Records":[{"eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"b"},"object":{"key":"k","size":"big"}}}]}`, kind: ErrMalformed},
		{name: "sns without message", body: `{"Type":"Notification","TopicArn":"t"}`, kind: ErrMalformed},
		{name: "sns with bad inner", body: snsWrap(t, "Notification", "nope"), kind: ErrMalformed},
		{name: "sns subscription confirmation", body: snsWrap(t, "SubscriptionConfirmation", "confirm"), kind: ErrForeign},
		{name: "sns foreign inner", body: snsWrap(t, "Notification", `{"hello":"world"}`), kind: ErrForeign},
		{name: "other json", body: `{"order":42}`, kind: ErrForeign},
		{name: "other service event", body: `{"Service":"Amazon S3","Event":"s3:Other"}`, kind: ErrForeign},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.body)
			if tt.kind == nil {
				if err != nil {
					t.Fatalf("Parse: %v", err)
				}
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("Parse (-want +got):\n%s", diff)
				}
				return
			}
			var pe *ParseError
			if !errors.As(err, &pe) || !errors.Is(err, tt.kind) {
				t.Fatalf("Parse error = %v, want a *ParseError matching %v", err, tt.kind)
			}
			other := ErrForeign
			if tt.kind == ErrForeign {
				other = ErrMalformed
			}
			if errors.Is(err, other) {
				t.Errorf("Parse error %v also matches %v", err, other)
			}
		})
	}
}
