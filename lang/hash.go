package lang

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/url"
	"path/filepath"
	"strings"
	"time"
)

// hashFormat versions the canonical form below: bump it when the form
// changes so that saved plans made with another form are refused.
const hashFormat = 1

// configHash is the sha256, in hex, of a canonical JSON form of the decoded
// blocks. Source ranges are left out (formatting and moving blocks between
// files do not change the hash) and so are variables, whose values matter
// only through the blocks. Paths inside the spec directory are hashed
// relative to it, so a checkout in another directory has the same hash.
// Secrets appear as Secret's marker ("(sensitive)" or ""), never as their
// value or a hash of it.
func configHash(c *Config, specDir string) string {
	rel := func(p string) string {
		if r, err := filepath.Rel(specDir, p); err == nil && filepath.IsLocal(r) {
			return filepath.ToSlash(r)
		}
		return p
	}
	relURL := func(u string) string {
		if p, ok := strings.CutPrefix(u, "file://"); ok {
			if unescaped, err := url.PathUnescape(p); err == nil {
				return "file:" + rel(filepath.FromSlash(unescaped))
			}
		}
		return u
	}
	type cluster struct {
		Type, Name, User string
		Hosts            []string
		Password         Secret
		TLS              *TLS
		ConnectTimeout   string
		ReadTimeout      string
	}
	type window struct {
		Name           string
		Hours          *HourRange
		Days           []time.Weekday
		Location       string
		Exports, Loads int
	}
	type throttle struct {
		Name                             string
		Exports, Loads                   int
		Windows                          []window
		SourceMaxCPUPct, SourceMaxMemPct float64
		TargetMaxCPUPct, TargetMaxMemPct float64
		CopyBandwidth                    int64 `json:",omitempty"`
	}
	type partitions struct {
		Include, Exclude []string
		From, To         string
	}
	type table struct {
		Pattern, From, To, Via, Method, TargetTable, Where, Throttle string
		Partitions                                                   *partitions
		Split                                                        *Split
		Schema                                                       SchemaRule
		Verify                                                       VerifyRule
		AllowOrphanDelete                                            bool
		LoadVia                                                      string `json:",omitempty"`
		Repository                                                   string `json:",omitempty"`
	}
	type repository struct {
		Name, Storage, Path string
		Properties          map[string]string
		Cleanup             bool `json:",omitempty"`
	}
	type storage struct {
		Type, Name, URL, Region, Endpoint string
		PathStyle                         bool
		AccessKey, SecretKey              Secret
		Events                            *Events
	}
	type state struct {
		Path     string
		DynamoDB *DynamoDB
	}
	doc := struct {
		Format    int
		Sources   map[string]cluster
		Targets   map[string]cluster
		Storages  map[string]storage
		State     *state
		Throttles map[string]throttle
		Tables    []table
		// Repositories is left out when empty, so that specs without one
		// keep the hash they had before repositories existed.
		Repositories map[string]repository `json:",omitempty"`
	}{
		Format:    hashFormat,
		Sources:   map[string]cluster{},
		Targets:   map[string]cluster{},
		Storages:  map[string]storage{},
		Throttles: map[string]throttle{},
	}
	conv := func(cl *Cluster) cluster {
		out := cluster{Type: cl.Type, Name: cl.Name, User: cl.User, Hosts: cl.Hosts, Password: cl.Password,
			ConnectTimeout: cl.ConnectTimeout.String(), ReadTimeout: cl.ReadTimeout.String()}
		if cl.TLS != nil {
			tls := *cl.TLS
			if tls.CAFile != "" {
				tls.CAFile = rel(tls.CAFile)
			}
			out.TLS = &tls
		}
		return out
	}
	for n, cl := range c.Sources {
		doc.Sources[n] = conv(cl)
	}
	for n, cl := range c.Targets {
		doc.Targets[n] = conv(cl)
	}
	for n, s := range c.Storages {
		doc.Storages[n] = storage{Type: string(s.Type), Name: s.Name, URL: relURL(s.URL), Region: s.Region, Endpoint: s.Endpoint,
			PathStyle: s.PathStyle, AccessKey: s.AccessKey, SecretKey: s.SecretKey, Events: s.Events}
	}
	if c.State != nil {
		doc.State = &state{Path: rel(c.State.Path), DynamoDB: c.State.DynamoDB}
	}
	for n, t := range c.Throttles {
		th := throttle{Name: t.Name, Exports: t.Exports, Loads: t.Loads,
			SourceMaxCPUPct: t.SourceMaxCPUPct, SourceMaxMemPct: t.SourceMaxMemPct,
			TargetMaxCPUPct: t.TargetMaxCPUPct, TargetMaxMemPct: t.TargetMaxMemPct, CopyBandwidth: t.CopyBandwidth}
		for _, w := range t.Windows {
			loc := ""
			if w.Location != nil {
				loc = w.Location.String()
			}
			th.Windows = append(th.Windows, window{Name: w.Name, Hours: w.Hours, Days: w.Days, Location: loc,
				Exports: w.Exports, Loads: w.Loads})
		}
		doc.Throttles[n] = th
	}
	for _, t := range c.Tables {
		tb := table{Pattern: t.Pattern, From: t.From, To: t.To, Via: t.Via, Method: string(t.Method),
			TargetTable: t.TargetTable, Where: t.Where, Throttle: t.Throttle, Split: t.Split,
			Schema: t.Schema, Verify: t.Verify, AllowOrphanDelete: t.AllowOrphanDelete, LoadVia: t.LoadVia,
			Repository: t.Repository}
		if p := t.Partitions; p != nil {
			tb.Partitions = &partitions{Include: p.Include, Exclude: p.Exclude, From: p.From, To: p.To}
		}
		doc.Tables = append(doc.Tables, tb)
	}
	for n, r := range c.Repositories {
		if doc.Repositories == nil {
			doc.Repositories = map[string]repository{}
		}
		doc.Repositories[n] = repository{Name: r.Name, Storage: r.Storage, Path: r.Path, Properties: r.Properties, Cleanup: r.Cleanup}
	}
	// json.Marshal sorts map keys, which makes the form canonical. It cannot
	// fail on these types.
	b, err := json.Marshal(doc)
	if err != nil {
		panic("lang: canonical config form: " + err.Error())
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
