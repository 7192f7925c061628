package e2e

import (
	"encoding/json"
	"fmt"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	toxiproxy "github.com/Shopify/toxiproxy/v2"
	"github.com/Shopify/toxiproxy/v2/toxics"
	"github.com/rs/zerolog"
)

// The TCP faults run through toxiproxy (v2), in this test process, between
// srplan and each server: the simulators' MySQL ports, MinIO. toxiproxy's
// own toxics do not say how often they acted, so the suite registers
// counting versions of the ones it uses (toxiproxy's documented extension
// point): each names a counter, bumped every time the toxic acts on a
// connection.
//
//	srplan_latency   every chunk waits latency ms (+- jitter); counted once
//	                 per connection it slowed
//	srplan_reset     the first chunk after it is added is dropped and the
//	                 connection closed: downstream, the statement ran on
//	                 the server and its answer is lost
//	srplan_timeout   a half-open connection: data is dropped and nothing
//	                 answers, until the toxic is removed (timeout 0) or
//	                 for timeout ms, then the connection closes
//	srplan_limit     the connection closes after bytes bytes

// Fault kinds, the keys of the per-kind counts in the figures.
const (
	faultLatency  = "latency"
	faultReset    = "reset_peer"
	faultHalfOpen = "half_open"
	faultLimit    = "limit_data"
)

// faultCounters are the counters of the counting toxics, by name.
var faultCounters sync.Map // string -> *atomic.Int64

func faultCounter(name string) *atomic.Int64 {
	v, _ := faultCounters.LoadOrStore(name, new(atomic.Int64))
	return v.(*atomic.Int64)
}

type latencyToxic struct {
	Latency int64  `json:"latency"`
	Jitter  int64  `json:"jitter"`
	Counter string `json:"counter"`
}

func (t *latencyToxic) GetBufferSize() int { return 1024 }

func (t *latencyToxic) Pipe(stub *toxics.ToxicStub) {
	inner := &toxics.LatencyToxic{Latency: t.Latency, Jitter: t.Jitter}
	faultCounter(t.Counter).Add(1)
	inner.Pipe(stub)
}

type resetToxic struct {
	Counter string `json:"counter"`
}

func (t *resetToxic) Pipe(stub *toxics.ToxicStub) {
	select {
	case <-stub.Interrupt:
		return
	case c := <-stub.Input:
		if c != nil {
			faultCounter(t.Counter).Add(1)
		}
		stub.Close()
	}
}

type timeoutToxic struct {
	Timeout int64  `json:"timeout"`
	Counter string `json:"counter"`
}

func (t *timeoutToxic) Pipe(stub *toxics.ToxicStub) {
	counted := false
	var expire <-chan time.Time
	if t.Timeout > 0 {
		expire = time.After(time.Duration(t.Timeout) * time.Millisecond)
	}
	for {
		select {
		case <-stub.Interrupt:
			return
		case <-expire:
			stub.Close()
			return
		case c := <-stub.Input:
			if c == nil {
				stub.Close()
				return
			}
			if !counted {
				counted = true
				faultCounter(t.Counter).Add(1)
			}
		}
	}
}

type limitToxic struct {
	Bytes   int64  `json:"bytes"`
	Counter string `json:"counter"`
}

func (t *limitToxic) Pipe(stub *toxics.ToxicStub) {
	var sent int64
	for {
		select {
		case <-stub.Interrupt:
			return
		case c := <-stub.Input:
			if c == nil {
				stub.Close()
				return
			}
			if sent+int64(len(c.Data)) >= t.Bytes {
				c.Data = c.Data[:max(t.Bytes-sent, 0)]
				if len(c.Data) > 0 {
					stub.Output <- c
				}
				faultCounter(t.Counter).Add(1)
				stub.Close()
				return
			}
			sent += int64(len(c.Data))
			stub.Output <- c
		}
	}
}

func init() {
	toxics.Register("srplan_latency", new(latencyToxic))
	toxics.Register("srplan_reset", new(resetToxic))
	toxics.Register("srplan_timeout", new(timeoutToxic))
	toxics.Register("srplan_limit", new(limitToxic))
}

// toxiServer is an in-process toxiproxy server.
type toxiServer struct {
	srv *toxiproxy.ApiServer
}

var toxiOnce = sync.OnceValue(func() *toxiServer {
	return &toxiServer{srv: toxiproxy.NewServer(toxiproxy.NewMetricsContainer(nil), zerolog.Nop())}
})

// toxiProxy is one proxy: srplan connects to addr, the proxy to the
// upstream. Its faults are counted per kind under the test's name.
type toxiProxy struct {
	name     string
	addr     string
	upstream string
	p        *toxiproxy.Proxy
	seq      atomic.Int64
}

// newToxiProxy starts a proxy on a free loopback port in front of
// upstream (host:port); it stops when t ends.
func newToxiProxy(t testing.TB, name, upstream string) *toxiProxy {
	t.Helper()
	full := fmt.Sprintf("%s/%s", t.Name(), name)
	p := toxiproxy.NewProxy(toxiOnce().srv, full, "127.0.0.1:0", upstream)
	if err := p.Start(); err != nil {
		t.Fatalf("start toxiproxy %s: %v", name, err)
	}
	t.Cleanup(p.Stop)
	return &toxiProxy{name: full, addr: p.Listen, upstream: upstream, p: p}
}

// counter is the name of the counter of kind for this proxy.
func (x *toxiProxy) counter(kind string) string { return x.name + "#" + kind }

// faults returns how often each kind of fault acted through this proxy.
func (x *toxiProxy) faults() map[string]int64 {
	out := map[string]int64{}
	for _, k := range []string{faultLatency, faultReset, faultHalfOpen, faultLimit} {
		if n := faultCounter(x.counter(k)).Load(); n > 0 {
			out[k] = n
		}
	}
	return out
}

// add adds a toxic of type typ ("srplan_reset", ...) to stream
// ("upstream": towards the server; "downstream": towards srplan) with
// attrs, counting under kind, and returns its name for remove.
func (x *toxiProxy) add(t testing.TB, kind, typ, stream string, attrs map[string]any) string {
	t.Helper()
	a := map[string]any{"counter": x.counter(kind)}
	for k, v := range attrs {
		a[k] = v
	}
	name := fmt.Sprintf("%s_%s_%d", typ, stream, x.seq.Add(1))
	body, err := json.Marshal(map[string]any{"name": name, "type": typ, "stream": stream, "toxicity": 1, "attributes": a})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := x.p.Toxics.AddToxicJson(strings.NewReader(string(body))); err != nil {
		t.Fatalf("add toxic %s to %s: %v", typ, x.name, err)
	}
	return name
}

// remove removes a toxic added by add.
func (x *toxiProxy) remove(t testing.TB, name string) {
	t.Helper()
	if err := x.p.Toxics.RemoveToxic(t.Context(), name); err != nil {
		t.Errorf("remove toxic %s from %s: %v", name, x.name, err)
	}
}

// hostPort splits a "http://host:port" endpoint's address.
func hostPort(t testing.TB, endpoint string) string {
	t.Helper()
	hp := strings.TrimPrefix(strings.TrimPrefix(endpoint, "http://"), "https://")
	hp, _, _ = strings.Cut(hp, "/")
	if _, _, err := net.SplitHostPort(hp); err != nil {
		t.Fatalf("endpoint %q: %v", endpoint, err)
	}
	return hp
}
