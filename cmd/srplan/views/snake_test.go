package views

import "testing"

func TestSnakeKeepsInitialismsWhole(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"MessageID":   "message_id",
		"Addr":        "addr",
		"StageDone":   "stage_done",
		"SQSQueueURL": "sqs_queue_url",
		"JobID":       "job_id",
		"In":          "in",
	} {
		if got := snake(in); got != want {
			t.Errorf("snake(%q) = %q, want %q", in, got, want)
		}
	}
}
