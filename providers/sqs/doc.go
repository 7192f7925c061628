// Package sqs consumes the S3 ObjectCreated notifications that drive
// event-driven loads: when a load storage has events, files may arrive
// through another tool, and the loader learns of them from an SQS queue
// (native S3 event JSON, or the same wrapped in an SNS notification).
//
// Parse turns one message body into an Event of ObjectCreated values.
// Consumer long-polls a queue, hands each Event to a caller's handler with
// bounded concurrency, keeps the message invisible while the handler runs,
// and deletes it only after the handler returned nil. Mapping a key to its
// export (providers/s3.ParseExportDir) and deduplicating deliveries (by load
// labels) are the caller's job: the consumer delivers duplicates as they come.
//
// Siblings: providers/s3 (storage, export layout, manifests),
// providers/starrocks (the clusters), state (where outcomes are recorded
// before a message is deleted).
package sqs
