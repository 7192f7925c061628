package executor

import (
	"context"
	"strings"

	"github.com/srplan/srplan/providers/s3"
)

// Notifier delivers notifications that objects were created in a load
// storage (providers/sqs, adapted by the CLI). Duplicates and
// redeliveries are expected: the loader makes them harmless.
type Notifier interface {
	// Run calls handle for each notification until ctx ends, then returns
	// nil after the handlers in progress returned. When handle returns nil
	// the notification is settled (deleted); an error leaves it for
	// redelivery. An error from Run itself means notifications can no
	// longer be received.
	Run(ctx context.Context, handle func(context.Context, Notification) error) error
}

// Notification is one message: the objects it announced.
type Notification struct {
	// ID identifies the message in events (the SQS message id).
	ID string
	// URLs of the created objects, "s3://bucket/key" (keys URL-decoded).
	URLs []string
}

// storageKey maps an object URL to a key of storage st: the URL must lie
// under st's root (compared without the s3/s3a scheme difference).
func storageKey(st s3.Storage, url string) (string, bool) {
	root := st.URL("")
	if !strings.HasSuffix(root, "/") {
		root += "/"
	}
	trim := func(u string) string {
		for _, scheme := range []string{"s3a://", "s3://"} {
			if rest, ok := strings.CutPrefix(u, scheme); ok {
				return rest
			}
		}
		return u
	}
	key, ok := strings.CutPrefix(trim(url), trim(root))
	return key, ok && key != ""
}
