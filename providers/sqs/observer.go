package sqs

// ReportKind says what happened to a message.
type ReportKind uint8

// Report kinds.
const (
	// SetAside: the body is malformed or foreign and was left in the queue
	// for its redrive policy (no dead-letter queue configured, or sending
	// to it failed). Err is the *ParseError, joined with the send error.
	SetAside ReportKind = iota + 1
	// DeadLettered: the body is malformed or foreign and was sent to the
	// dead-letter queue, then deleted. Err is the *ParseError.
	DeadLettered
	// Ignored: an s3:TestEvent or an event without ObjectCreated records;
	// deleted without calling the handler. Err is nil.
	Ignored
	// HandlerFailed: the handler returned Err; the message stays for
	// redelivery.
	HandlerFailed
	// ExtendFailed: renewing the visibility timeout failed (Err); the
	// handler keeps running, and the message may be delivered again.
	ExtendFailed
	// DeleteFailed: deleting a settled message failed (Err); it will be
	// delivered again.
	DeleteFailed
)

// String returns the kind's name, e.g. "dead-lettered".
func (k ReportKind) String() string {
	switch k {
	case SetAside:
		return "set-aside"
	case DeadLettered:
		return "dead-lettered"
	case Ignored:
		return "ignored"
	case HandlerFailed:
		return "handler-failed"
	case ExtendFailed:
		return "extend-failed"
	case DeleteFailed:
		return "delete-failed"
	}
	return "unknown"
}

// Report describes one thing that happened to a message other than plain
// success. Its Err does not echo the message body.
type Report struct {
	Kind      ReportKind
	MessageID string
	Err       error
}

// Observer receives Reports; it is called from several goroutines at once
// and should return quickly.
type Observer func(Report)
