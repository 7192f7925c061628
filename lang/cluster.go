package lang

import (
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/gohcl"
)

// Cluster defaults.
const (
	// DefaultPort is the FE query port used when a host has none.
	DefaultPort           = 9030
	defaultConnectTimeout = 10 * time.Second
	defaultReadTimeout    = 60 * time.Second
)

// clusterBody is the body of a source or target "starrocks" block.
type clusterBody struct {
	Hosts          hcl.Expression `hcl:"hosts"`
	User           hcl.Expression `hcl:"user"`
	Password       hcl.Expression `hcl:"password,optional"`
	ConnectTimeout hcl.Expression `hcl:"connect_timeout,optional"`
	ReadTimeout    hcl.Expression `hcl:"read_timeout,optional"`
	TLS            *tlsBody       `hcl:"tls,block"`
}

// tlsBody is the tls block of a cluster.
type tlsBody struct {
	Enabled    hcl.Expression `hcl:"enabled,optional"`
	CAFile     hcl.Expression `hcl:"ca_file,optional"`
	ServerName hcl.Expression `hcl:"server_name,optional"`
	SkipVerify hcl.Expression `hcl:"skip_verify,optional"`
	DefRange   hcl.Range      `hcl:",def_range"`
}

// decodeCluster decodes a `source|target "starrocks" "name"` block. It
// returns nil when the block's name is unusable.
func (d *decoder) decodeCluster(b *hcl.Block, kind ClusterKind, first map[string]hcl.Range) *Cluster {
	typ, name := b.Labels[0], b.Labels[1]
	if typ != "starrocks" {
		d.add(hcl.Diagnostics{errorDiag(fmt.Sprintf("Unsupported %s type", kind),
			fmt.Sprintf("srplan has no %s type %q.%s The only cluster type is \"starrocks\".", kind, typ, didYouMean(typ, []string{"starrocks"})),
			b.LabelRanges[0])})
	}
	if !d.blockName(b, string(kind), name, 1, first) {
		return nil
	}
	c := &Cluster{Kind: kind, Type: typ, Name: name, DeclRange: b.DefRange,
		ConnectTimeout: defaultConnectTimeout, ReadTimeout: defaultReadTimeout}
	var raw clusterBody
	d.add(gohcl.DecodeBody(b.Body, nil, &raw))
	d.require(b.Body, raw.Hosts, "hosts")
	d.require(b.Body, raw.User, "user")
	s := d.scope
	hosts, ranges, ok, diags := s.strList(raw.Hosts, "hosts")
	d.add(diags)
	if ok && len(hosts) == 0 {
		d.add(hcl.Diagnostics{errorDiag("No hosts",
			fmt.Sprintf("The %s %q needs at least one FE address in hosts, like [\"fe1:9030\"].", kind, name), raw.Hosts.Range())})
	}
	for i, h := range hosts {
		hp, err := normalizeHost(h)
		if err != nil {
			d.add(hcl.Diagnostics{errorDiag(err.summary, err.detail, ranges[i])})
			continue
		}
		c.Hosts = append(c.Hosts, hp)
	}
	user, ok, diags := s.str(raw.User, "user")
	d.add(diags)
	if ok {
		if user == "" {
			d.add(hcl.Diagnostics{errorDiag("Empty user",
				"The user must name a StarRocks user, such as \"root\".", raw.User.Range())})
		}
		c.User = user
	}
	pw, _, diags := s.secret(raw.Password, "password", warnLiteral)
	d.add(diags)
	c.Password = pw
	if v, ok := d.duration(raw.ConnectTimeout, "connect_timeout"); ok {
		c.ConnectTimeout = v
	}
	if v, ok := d.duration(raw.ReadTimeout, "read_timeout"); ok {
		c.ReadTimeout = v
	}
	if raw.TLS != nil {
		c.TLS = d.decodeTLS(raw.TLS)
	}
	return c
}

// decodeTLS decodes a tls block; enabled defaults to true.
func (d *decoder) decodeTLS(raw *tlsBody) *TLS {
	s := d.scope
	t := &TLS{Enabled: true}
	enabled, ok, diags := s.boolean(raw.Enabled, "enabled")
	d.add(diags)
	if ok {
		t.Enabled = enabled
	}
	caFile, ok, diags := s.str(raw.CAFile, "ca_file")
	d.add(diags)
	if ok && caFile != "" {
		t.CAFile = resolvePath(s.specDir, caFile)
	}
	t.ServerName, _, diags = s.str(raw.ServerName, "server_name")
	d.add(diags)
	t.SkipVerify, _, diags = s.boolean(raw.SkipVerify, "skip_verify")
	d.add(diags)
	if t.SkipVerify && t.Enabled {
		d.add(hcl.Diagnostics{warningDiag("TLS certificate checks disabled",
			"With skip_verify = true srplan accepts any certificate, so a machine in the middle can read the password. Give ca_file instead.",
			raw.SkipVerify.Range())})
	}
	return t
}

// duration evaluates an optional Go duration string ("10s", "1m30s") that
// must be positive.
func (d *decoder) duration(expr hcl.Expression, what string) (time.Duration, bool) {
	v, ok, diags := d.scope.str(expr, what)
	d.add(diags)
	if !ok {
		return 0, false
	}
	dur, err := time.ParseDuration(v)
	if err != nil || dur <= 0 {
		d.add(hcl.Diagnostics{errorDiag("Invalid duration",
			fmt.Sprintf("%s must be a positive duration such as \"10s\", \"1m30s\" or \"2h\", not %q.", what, v), expr.Range())})
		return 0, false
	}
	return dur, true
}

// hostError is a host element problem, worded for a diagnostic.
type hostError struct{ summary, detail string }

// normalizeHost turns "host" or "host:port" into "host:port", the port
// defaulting to DefaultPort. IPv6 addresses are written "[::1]:9030".
func normalizeHost(h string) (string, *hostError) {
	h = strings.TrimSpace(h)
	if h == "" {
		return "", &hostError{"Invalid host", "A host must not be empty; write \"host\" or \"host:port\"."}
	}
	host, port := h, strconv.Itoa(DefaultPort)
	if strings.Contains(h, ":") && !(strings.Count(h, ":") > 1 && !strings.HasPrefix(h, "[")) {
		var err error
		host, port, err = net.SplitHostPort(h)
		if err != nil {
			return "", &hostError{"Invalid host", fmt.Sprintf("%q is not \"host\" or \"host:port\": %s. Write IPv6 addresses as \"[::1]:9030\".", h, strings.TrimPrefix(err.Error(), "address "+h+": "))}
		}
	}
	if host == "" || strings.ContainsAny(host, " /\t") {
		return "", &hostError{"Invalid host", fmt.Sprintf("%q has no valid host name; write \"host\" or \"host:port\".", h)}
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 1 || n > 65535 {
		return "", &hostError{"Invalid port", fmt.Sprintf("%q has port %q; a port is a number from 1 to 65535, such as %d, the FE query port.", h, port, DefaultPort)}
	}
	return net.JoinHostPort(host, strconv.Itoa(n)), nil
}
