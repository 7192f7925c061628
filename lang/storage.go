package lang

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/gohcl"
)

// s3Body is the body of a storage "s3" block.
type s3Body struct {
	URL       hcl.Expression `hcl:"url"`
	Region    hcl.Expression `hcl:"region,optional"`
	Endpoint  hcl.Expression `hcl:"endpoint,optional"`
	PathStyle hcl.Expression `hcl:"path_style,optional"`
	AccessKey hcl.Expression `hcl:"access_key,optional"`
	SecretKey hcl.Expression `hcl:"secret_key,optional"`
	Events    *eventsBody    `hcl:"events,block"`
}

// eventsBody is the events block of an s3 storage.
type eventsBody struct {
	SQSQueueURL        hcl.Expression `hcl:"sqs_queue_url"`
	DeadLetterQueueURL hcl.Expression `hcl:"dead_letter_queue_url,optional"`
	// Endpoint overrides the SQS API URL, for SQS-compatible servers.
	Endpoint hcl.Expression `hcl:"endpoint,optional"`
	Body     hcl.Body       `hcl:",body"`
}

// localBody is the body of a storage "local" block.
type localBody struct {
	Path hcl.Expression `hcl:"path"`
}

// decodeStorage decodes a `storage "s3"|"local" "name"` block.
func (d *decoder) decodeStorage(b *hcl.Block, first map[string]hcl.Range) *Storage {
	typ, name := StorageType(b.Labels[0]), b.Labels[1]
	if !d.blockName(b, "storage", name, 1, first) {
		return nil
	}
	st := &Storage{Type: typ, Name: name, DeclRange: b.DefRange}
	switch typ {
	case StorageS3:
		d.decodeS3(b, st)
	case StorageLocal:
		var raw localBody
		d.add(gohcl.DecodeBody(b.Body, nil, &raw))
		d.require(b.Body, raw.Path, "path")
		p, ok, diags := d.scope.str(raw.Path, "path")
		d.add(diags)
		if ok && p == "" {
			d.add(hcl.Diagnostics{errorDiag("Empty path",
				"A local storage needs a directory path, such as \"./stage\".", raw.Path.Range())})
		} else if ok {
			st.URL = (&url.URL{Scheme: "file", Path: resolvePath(d.specDir, p)}).String()
		}
	default:
		d.add(hcl.Diagnostics{errorDiag("Unsupported storage type",
			fmt.Sprintf("srplan has no storage type %q.%s Use \"s3\" (also for S3-compatible stores through endpoint) or \"local\".",
				typ, didYouMean(string(typ), []string{"s3", "local"})),
			b.LabelRanges[0])})
	}
	return st
}

// decodeS3 decodes the body of an s3 storage.
func (d *decoder) decodeS3(b *hcl.Block, st *Storage) {
	var raw s3Body
	d.add(gohcl.DecodeBody(b.Body, nil, &raw))
	d.require(b.Body, raw.URL, "url")
	s := d.scope
	u, ok, diags := s.str(raw.URL, "url")
	d.add(diags)
	if ok {
		norm, err := normalizeS3URL(u)
		if err != "" {
			d.add(hcl.Diagnostics{errorDiag("Invalid storage URL", err, raw.URL.Range())})
		}
		st.URL = norm
	}
	st.Region, _, diags = s.str(raw.Region, "region")
	d.add(diags)
	endpoint, ok, diags := s.str(raw.Endpoint, "endpoint")
	d.add(diags)
	if ok && endpoint != "" {
		if msg := checkHTTPURL(endpoint); msg != "" {
			d.add(hcl.Diagnostics{errorDiag("Invalid endpoint",
				fmt.Sprintf("The endpoint %s Give the S3 API base URL, such as \"https://oss-cn-hangzhou.aliyuncs.com\" or \"http://127.0.0.1:9000\".", msg),
				raw.Endpoint.Range())})
		}
		st.Endpoint = endpoint
	}
	st.PathStyle, _, diags = s.boolean(raw.PathStyle, "path_style")
	d.add(diags)
	st.AccessKey, _, diags = s.secret(raw.AccessKey, "access_key", rejectLiteral)
	d.add(diags)
	st.SecretKey, _, diags = s.secret(raw.SecretKey, "secret_key", rejectLiteral)
	d.add(diags)
	// Empty values count as absent, so that a variable defaulting to ""
	// selects the default credential chain.
	if akSet, skSet := st.AccessKey.IsSet(), st.SecretKey.IsSet(); akSet != skSet {
		missing, given := "secret_key", raw.AccessKey
		if skSet {
			missing, given = "access_key", raw.SecretKey
		}
		d.add(hcl.Diagnostics{errorDiag("Incomplete credentials",
			fmt.Sprintf("access_key and secret_key go together: add %s, or remove both to use the default credential chain (environment, profile, instance role).", missing),
			given.Range())})
	}
	if raw.Events != nil {
		st.Events = d.decodeEvents(raw.Events)
	}
}

// decodeEvents decodes an events block.
func (d *decoder) decodeEvents(raw *eventsBody) *Events {
	ev := &Events{}
	d.require(raw.Body, raw.SQSQueueURL, "sqs_queue_url")
	const queueHelp = "Give the queue URL, such as \"https://sqs.us-east-2.amazonaws.com/123456789012/srplan\"."
	for _, f := range []struct {
		expr          hcl.Expression
		name          string
		dst           *string
		summary, help string
	}{
		{raw.SQSQueueURL, "sqs_queue_url", &ev.SQSQueueURL, "Invalid queue URL", queueHelp},
		{raw.DeadLetterQueueURL, "dead_letter_queue_url", &ev.DeadLetterQueueURL, "Invalid queue URL", queueHelp},
		{raw.Endpoint, "endpoint", &ev.Endpoint, "Invalid endpoint",
			"Give the SQS API URL of an SQS-compatible server, such as \"http://127.0.0.1:9324\", or leave it out to use AWS in the storage's region."},
	} {
		v, ok, diags := d.scope.str(f.expr, f.name)
		d.add(diags)
		if !ok {
			continue
		}
		if msg := checkHTTPURL(v); msg != "" {
			d.add(hcl.Diagnostics{errorDiag(f.summary, fmt.Sprintf("The %s %s %s", f.name, msg, f.help), f.expr.Range())})
			continue
		}
		*f.dst = v
	}
	return ev
}

// normalizeS3URL checks "s3://bucket/prefix" (or s3a://) and returns it as
// "s3://bucket/prefix" without a trailing slash; the message is empty when
// the URL is valid.
func normalizeS3URL(s string) (string, string) {
	u, err := url.Parse(s)
	if err != nil {
		return "", "The url cannot be parsed. Write it as \"s3://bucket/prefix\"."
	}
	if u.Scheme != "s3" && u.Scheme != "s3a" {
		return "", "The url must start with s3:// (or s3a://), as in \"s3://bucket/prefix\". For S3-compatible stores such as OSS, COS or MinIO keep s3:// and set endpoint."
	}
	if u.Host == "" {
		return "", "The url names no bucket. Write it as \"s3://bucket/prefix\"."
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.Port() != "" {
		return "", "The url may hold only a bucket and a prefix, as in \"s3://bucket/prefix\"; put credentials in access_key and secret_key."
	}
	prefix := strings.Trim(u.Path, "/")
	if prefix == "" {
		return "s3://" + u.Host, ""
	}
	return "s3://" + u.Host + "/" + prefix, ""
}

// checkHTTPURL returns "" for an http(s) URL with a host, or the end of a
// sentence saying what is wrong.
func checkHTTPURL(s string) string {
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return "cannot be parsed."
	case u.Scheme != "http" && u.Scheme != "https":
		return "must start with http:// or https://."
	case u.Host == "":
		return "has no host."
	case u.User != nil:
		return "must not hold credentials."
	}
	return ""
}
