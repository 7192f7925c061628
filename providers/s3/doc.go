// Package s3 is srplan's object storage provider: the staging area that
// exports write to and loads read from, and the manifest that marks an
// export complete.
//
// Storage is the contract of a staging area. Its keys are relative to the
// storage's prefix and '/'-separated. Two backends implement it:
//   - S3 (NewS3), a bucket and prefix of the S3 API through aws-sdk-go-v2:
//     AWS S3, or an S3-compatible service (MinIO, OSS, COS, GCS
//     interoperability) through a custom endpoint with path-style requests;
//   - Local (NewLocal, NewLocalURL), a directory, for tests, the sandbox,
//     and clusters that share a file system with srplan.
//
// New opens either one from a lang.Storage block. StarRocksProperties gives
// the aws.s3.* properties that EXPORT, INSERT INTO FILES, FILES() and
// Broker Load need to reach the same storage; they hold real credentials,
// so anything shown to a user goes through RedactProperties. Errors are
// *Error values that name the operation and object, say what to check,
// and never carry credentials; IsRetryable tells throttling, server errors
// and dropped connections (worth retrying) from the rest.
//
// An export of one partition writes to ExportDir(job, db, table,
// partition, version), "<job>/<db>/<table>/<partition>/v<version>/", whose
// segments are escaped so that any identifier maps to a safe key segment;
// ParseExportDir maps any key below it back, which is how an event-driven
// loader learns what an S3 notification is about. After the export,
// BuildManifest lists the directory and WriteManifest writes
// _manifest.json, the completion marker; a loader reads it (ReadManifest)
// and loads only once Manifest.Complete finds every listed file.
//
// Copy moves objects between two storages (for example from an OSS
// staging area to an S3 one), in parallel, under a bandwidth limit,
// verified, resumable, and with manifests last.
//
// Package s3test starts the MinIO server the integration tests of this
// package run against.
//
// Siblings: lang decodes the storage blocks; providers/starrocks runs the
// export and load statements against the URLs and properties given here;
// providers/sqs consumes the S3 event notifications; the executor drives
// the pipeline and records each step in state.
package s3
