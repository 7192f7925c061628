package e2e

import (
	"fmt"
	"hash/crc32"
	"io"
	"log"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strconv"
	"sync"
	"testing"
	"time"
)

// httpFault is an error answer an S3 or DynamoDB endpoint gives under
// load, which a TCP proxy cannot produce.
type httpFault struct {
	kind        string // the key in the figures
	status      int
	contentType string
	body        string
}

// The HTTP faults: S3's throttling and internal errors (XML), DynamoDB's
// throttling errors (JSON, status 400, retryable by the SDK's rules).
var (
	s3SlowDown = httpFault{kind: "s3_503_slowdown", status: http.StatusServiceUnavailable, contentType: "application/xml",
		body: `<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message><RequestId>srplan-fault</RequestId></Error>`}
	s3InternalError = httpFault{kind: "s3_500_internal", status: http.StatusInternalServerError, contentType: "application/xml",
		body: `<?xml version="1.0" encoding="UTF-8"?><Error><Code>InternalError</Code><Message>We encountered an internal error. Please try again.</Message><RequestId>srplan-fault</RequestId></Error>`}
	dynamoThroughput = httpFault{kind: "dynamodb_provisioned_throughput", status: http.StatusBadRequest, contentType: "application/x-amz-json-1.0",
		body: `{"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException","message":"The level of configured provisioned throughput for the table was exceeded."}`}
	dynamoThrottling = httpFault{kind: "dynamodb_throttling", status: http.StatusBadRequest, contentType: "application/x-amz-json-1.0",
		body: `{"__type":"com.amazon.coral.availability#ThrottlingException","message":"Rate of requests exceeds the allowed throughput."}`}
)

// faultProxy is a reverse proxy in front of an HTTP endpoint that answers
// a seeded fraction of the requests with one of its faults instead of
// passing them on, up to a bound. Requests are forwarded unchanged (the
// Host header too, so that signatures stay valid).
type faultProxy struct {
	url string // base URL for clients

	mu     sync.Mutex
	rng    *rand.Rand
	rate   float64
	left   int // faults still allowed
	faults []httpFault
	match  func(*http.Request) bool
	counts map[string]int64
	total  int64 // requests seen
}

// newFaultProxy starts a proxy in front of upstream (a base URL) on a free
// loopback port; it injects nothing until set is called. It stops when t
// ends.
func newFaultProxy(t testing.TB, upstream string, seed uint64) *faultProxy {
	t.Helper()
	u, err := url.Parse(upstream)
	if err != nil {
		t.Fatalf("fault proxy upstream %q: %v", upstream, err)
	}
	f := &faultProxy{rng: rand.New(rand.NewPCG(seed, seed^0xfa17)), counts: map[string]int64{}}
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.ErrorLog = log.New(io.Discard, "", 0)
	rp.ErrorHandler = func(w http.ResponseWriter, _ *http.Request, err error) {
		http.Error(w, "fault proxy: "+err.Error(), http.StatusBadGateway)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, ErrorLog: log.New(io.Discard, "", 0), Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if fault, ok := f.draw(r); ok {
			w.Header().Set("Content-Type", fault.contentType)
			// DynamoDB signs every answer's body with a CRC32 the SDK checks.
			w.Header().Set("X-Amz-Crc32", strconv.FormatUint(uint64(crc32.ChecksumIEEE([]byte(fault.body))), 10))
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(fault.status)
			_, _ = fmt.Fprint(w, fault.body)
			return
		}
		rp.ServeHTTP(w, r)
	})}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	f.url = "http://" + ln.Addr().String()
	return f
}

// set makes the proxy answer a fraction rate of the requests that match
// (nil: all) with one of faults, drawn in turn at random, at most limit
// times from now on. rate 0 stops injecting.
func (f *faultProxy) set(rate float64, limit int, match func(*http.Request) bool, faults ...httpFault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rate, f.left, f.match, f.faults = rate, limit, match, faults
}

func (f *faultProxy) draw(r *http.Request) (httpFault, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.total++
	if f.left <= 0 || len(f.faults) == 0 || (f.match != nil && !f.match(r)) || f.rng.Float64() >= f.rate {
		return httpFault{}, false
	}
	fault := f.faults[f.rng.IntN(len(f.faults))]
	f.left--
	f.counts[fault.kind]++
	return fault, true
}

// injected returns the faults answered so far, by kind, and how many
// requests the proxy saw.
func (f *faultProxy) injected() (map[string]int64, int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make(map[string]int64, len(f.counts))
	for k, v := range f.counts {
		out[k] = v
	}
	return out, f.total
}
