package lang

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/hashicorp/hcl/v2"
)

func TestDecodeClusters(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		src  string
		env  []string
		want func(dir string) *Cluster
	}{
		"defaults": {
			src: `source "starrocks" "old" {
  hosts = ["fe1", "fe2:9031", "10.0.0.1", "[::1]:9030", "::1"]
  user  = "root"
}`,
			want: func(string) *Cluster {
				return &Cluster{Kind: SourceCluster, Type: "starrocks", Name: "old",
					Hosts: []string{"fe1:9030", "fe2:9031", "10.0.0.1:9030", "[::1]:9030", "[::1]:9030"},
					User:  "root", ConnectTimeout: 10 * time.Second, ReadTimeout: time.Minute}
			},
		},
		"everything": {
			src: `variable "pw" {
  sensitive = true
  default   = "s3cret"
}
source "starrocks" "old" {
  hosts           = ["fe1:9030"]
  user            = "migrator"
  password        = var.pw
  connect_timeout = "3s"
  read_timeout    = "2m30s"
  tls {
    ca_file     = "certs/ca.pem"
    server_name = "sr.internal"
  }
}`,
			want: func(dir string) *Cluster {
				return &Cluster{Kind: SourceCluster, Type: "starrocks", Name: "old",
					Hosts: []string{"fe1:9030"}, User: "migrator", Password: NewSecret("s3cret"),
					ConnectTimeout: 3 * time.Second, ReadTimeout: 150 * time.Second,
					TLS: &TLS{Enabled: true, CAFile: filepath.Join(dir, "certs", "ca.pem"), ServerName: "sr.internal"}}
			},
		},
		"tls disabled and password from env": {
			src: `source "starrocks" "old" {
  hosts    = split(",", env("SR_HOSTS"))
  user     = "root"
  password = env("SR_PW")
  tls {
    enabled = false
  }
}`,
			env: []string{"SR_HOSTS=a,b:1", "SR_PW=pw"},
			want: func(string) *Cluster {
				return &Cluster{Kind: SourceCluster, Type: "starrocks", Name: "old",
					Hosts: []string{"a:9030", "b:1"}, User: "root", Password: NewSecret("pw"),
					ConnectTimeout: 10 * time.Second, ReadTimeout: time.Minute, TLS: &TLS{}}
			},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			cfg, diags, dir := mustLoad(t, tc.src, LoadOptions{Env: tc.env})
			if len(diags) != 0 {
				t.Errorf("unexpected diagnostics:\n%s", describe(diags))
			}
			if diff := cmp.Diff(tc.want(dir), cfg.Sources["old"], cmpConfig); diff != "" {
				t.Errorf("source (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDecodeTargetIsSeparateNamespace(t *testing.T) {
	t.Parallel()
	cfg, _, _ := mustLoad(t, `
source "starrocks" "main" {
  hosts = ["a"]
  user  = "u1"
}
target "starrocks" "main" {
  hosts = ["b"]
  user  = "u2"
}`, LoadOptions{})
	if got := cfg.Targets["main"]; got == nil || got.Kind != TargetCluster || got.User != "u2" {
		t.Errorf("target main = %+v, want a target with user u2", got)
	}
	if got := cfg.Sources["main"]; got == nil || got.Kind != SourceCluster || got.User != "u1" {
		t.Errorf("source main = %+v, want a source with user u1", got)
	}
}

func TestDecodeStorage(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		src  string
		env  []string
		want func(dir string) *Storage
	}{
		"s3 with everything": {
			src: `variable "ak" {
  sensitive = true
  default   = "AK"
}
storage "s3" "stage" {
  url        = "s3://bucket/srplan/"
  region     = "us-east-2"
  endpoint   = "http://127.0.0.1:9000"
  path_style = true
  access_key = var.ak
  secret_key = env("SK")
  events {
    sqs_queue_url         = "https://sqs.us-east-2.amazonaws.com/1/q"
    dead_letter_queue_url = "https://sqs.us-east-2.amazonaws.com/1/dlq"
  }
}`,
			env: []string{"SK=SECRET"},
			want: func(string) *Storage {
				return &Storage{Type: StorageS3, Name: "stage", URL: "s3://bucket/srplan", Region: "us-east-2",
					Endpoint: "http://127.0.0.1:9000", PathStyle: true,
					AccessKey: NewSecret("AK"), SecretKey: NewSecret("SECRET"),
					Events: &Events{SQSQueueURL: "https://sqs.us-east-2.amazonaws.com/1/q",
						DeadLetterQueueURL: "https://sqs.us-east-2.amazonaws.com/1/dlq"}}
			},
		},
		"s3a bucket only": {
			src: `storage "s3" "stage" {
  url = "s3a://bucket"
}`,
			want: func(string) *Storage {
				return &Storage{Type: StorageS3, Name: "stage", URL: "s3://bucket"}
			},
		},
		"empty keys mean the default chain": {
			src: `variable "ak" {
  sensitive = true
  default   = ""
}
storage "s3" "stage" {
  url        = "s3://b/p"
  access_key = var.ak
  secret_key = var.ak
}`,
			want: func(string) *Storage {
				return &Storage{Type: StorageS3, Name: "stage", URL: "s3://b/p", AccessKey: NewSecret(""), SecretKey: NewSecret("")}
			},
		},
		"local relative": {
			src: `storage "local" "stage" {
  path = "./data/../stage"
}`,
			want: func(dir string) *Storage {
				return &Storage{Type: StorageLocal, Name: "stage", URL: "file://" + filepath.ToSlash(filepath.Join(dir, "stage"))}
			},
		},
		"local absolute": {
			src: `storage "local" "stage" {
  path = "/var/lib/srplan stage"
}`,
			want: func(string) *Storage {
				return &Storage{Type: StorageLocal, Name: "stage", URL: "file:///var/lib/srplan%20stage"}
			},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			cfg, diags, dir := mustLoad(t, tc.src, LoadOptions{Env: tc.env})
			if len(diags) != 0 {
				t.Errorf("unexpected diagnostics:\n%s", describe(diags))
			}
			if diff := cmp.Diff(tc.want(dir), cfg.Storages["stage"], cmpConfig); diff != "" {
				t.Errorf("storage (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDecodeState(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		src  string
		want func(dir string) *StateConfig
	}{
		"default without a block": {
			src:  ``,
			want: func(dir string) *StateConfig { return &StateConfig{Path: filepath.Join(dir, ".srplan", "state.db")} },
		},
		"empty block": {
			src:  `state {}`,
			want: func(dir string) *StateConfig { return &StateConfig{Path: filepath.Join(dir, ".srplan", "state.db")} },
		},
		"path and dynamodb defaults": {
			src: `state {
  path = "st/x.db"
  dynamodb {
    table = "srplan-state"
  }
}`,
			want: func(dir string) *StateConfig {
				return &StateConfig{Path: filepath.Join(dir, "st", "x.db"),
					DynamoDB: &DynamoDB{Table: "srplan-state", Workspace: "default"}}
			},
		},
		"dynamodb everything": {
			src: `state {
  path = "/tmp/abs.db"
  dynamodb {
    table     = "t"
    region    = "eu-west-1"
    endpoint  = "http://127.0.0.1:8000"
    workspace = "sales"
  }
}`,
			want: func(string) *StateConfig {
				return &StateConfig{Path: "/tmp/abs.db",
					DynamoDB: &DynamoDB{Table: "t", Region: "eu-west-1", Endpoint: "http://127.0.0.1:8000", Workspace: "sales"}}
			},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			cfg, _, dir := mustLoad(t, tc.src, LoadOptions{})
			if diff := cmp.Diff(tc.want(dir), cfg.State, cmpConfig); diff != "" {
				t.Errorf("state (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDecodeThrottle(t *testing.T) {
	t.Parallel()
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	tests := map[string]struct {
		src  string
		want *Throttle
	}{
		"defaults": {
			src:  `throttle "t" {}`,
			want: &Throttle{Name: "t", Exports: 4, Loads: 4},
		},
		"everything": {
			src: `throttle "t" {
  exports            = 2
  loads              = 0
  source_max_cpu_pct = 70
  source_max_mem_pct = 80.5
  target_max_cpu_pct = 100
  target_max_mem_pct = 85
  window "night" {
    hours     = "20:00-08:00"
    time_zone = "Europe/Berlin"
    exports   = 12
  }
  window "weekend" {
    days  = ["Sat", "SUNDAY", "sun"]
    loads = 24
  }
  window "all" {
    hours = "0:00-24:00"
    days  = ["mon", "tuesday", "Wed", "thu", "fri"]
  }
}`,
			want: &Throttle{Name: "t", Exports: 2, Loads: 0,
				SourceMaxCPUPct: 70, SourceMaxMemPct: 80.5, TargetMaxCPUPct: 100, TargetMaxMemPct: 85,
				Windows: []*Window{
					{Name: "night", Hours: &HourRange{Start: 20 * 60, End: 8 * 60}, Location: berlin, Exports: 12, Loads: 0},
					{Name: "weekend", Days: []time.Weekday{time.Saturday, time.Sunday}, Location: time.UTC, Exports: 2, Loads: 24},
					{Name: "all", Hours: &HourRange{Start: 0, End: 24 * 60},
						Days:     []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday},
						Location: time.UTC, Exports: 2, Loads: 0},
				}},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			cfg, diags, _ := mustLoad(t, tc.src, LoadOptions{})
			if len(diags) != 0 {
				t.Errorf("unexpected diagnostics:\n%s", describe(diags))
			}
			if diff := cmp.Diff(tc.want, cfg.Throttles["t"], cmpConfig); diff != "" {
				t.Errorf("throttle (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseHourRange(t *testing.T) {
	t.Parallel()
	tests := map[string]*HourRange{
		"20:00-08:00":    {Start: 1200, End: 480},
		"08:30-17:45":    {Start: 510, End: 1065},
		"8:00-9:00":      {Start: 480, End: 540},
		" 22:00 - 24:00": {Start: 1320, End: 1440},
		"00:00-00:01":    {Start: 0, End: 1},
		"10:00-10:00":    nil,
		"24:00-01:00":    nil,
		"23:60-01:00":    nil,
		"20:00-24:01":    nil,
		"20-08":          nil,
		"8pm-8am":        nil,
		"":               nil,
	}
	for in, want := range tests {
		t.Run(in, func(t *testing.T) {
			t.Parallel()
			got, msg := parseHourRange(in)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("parseHourRange(%q) (-want +got):\n%s", in, diff)
			}
			if (want == nil) != (msg != "") {
				t.Errorf("parseHourRange(%q) message %q, want one exactly when invalid", in, msg)
			}
		})
	}
}

func TestDecodeTables(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		src  string
		want []*Table
	}{
		"defaults from the single blocks": {
			src: `table "sales.orders" {}`,
			want: []*Table{{Pattern: "sales.orders", DBPattern: "sales", TablePattern: "orders",
				From: "old", To: "new", Via: "stage", Method: MethodAuto,
				Schema: SchemaRule{Create: true}, Verify: VerifyRule{Mode: VerifyChecksum}}},
		},
		"everything": {
			src: `throttle "default" {}
table "sales.orders" {
  from         = source.old
  to           = target.new
  via          = storage.stage
  method       = "files"
  target_table = "archive.orders_v2"
  partitions {
    include = ["p2023*", "p2024*"]
    exclude = ["p20240229"]
    from    = "p20230101"
    to      = "p20250101"
  }
  where = " tenant_id <> 0 "
  split = { column = "user_id", parts = 8 }
  schema {
    create          = false
    properties      = { replication_num = "3" }
    drop_properties = ["storage_volume"]
  }
  verify {
    mode = "sums"
    sums = ["amount", "qty"]
  }
  throttle     = throttle.default
  allow_delete = true
}`,
			want: []*Table{{Pattern: "sales.orders", DBPattern: "sales", TablePattern: "orders",
				From: "old", To: "new", Via: "stage", Method: MethodFiles, TargetTable: "archive.orders_v2",
				Partitions: &PartitionFilter{Include: []string{"p2023*", "p2024*"}, Exclude: []string{"p20240229"},
					From: "p20230101", To: "p20250101"},
				Where: "tenant_id <> 0", Split: &Split{Column: "user_id", Parts: 8},
				Schema:   SchemaRule{Create: false, Properties: map[string]string{"replication_num": "3"}, DropProperties: []string{"storage_volume"}},
				Verify:   VerifyRule{Mode: VerifySums, Sums: []string{"amount", "qty"}},
				Throttle: "default", AllowOrphanDelete: true}},
		},
		"patterns in declaration order": {
			src: `table "sales.*" {
  target_table = "archive.*"
  method       = "export"
  verify {
    mode = "count"
  }
}
repository "bk" {
  storage = storage.stage
}
table "s?les_[0-9].orders" {
  method     = "backup"
  repository = repository.bk
}`,
			want: []*Table{
				{Pattern: "sales.*", DBPattern: "sales", TablePattern: "*", From: "old", To: "new", Via: "stage",
					Method: MethodExport, TargetTable: "archive.*", Schema: SchemaRule{Create: true}, Verify: VerifyRule{Mode: VerifyCount}},
				{Pattern: "s?les_[0-9].orders", DBPattern: "s?les_[0-9]", TablePattern: "orders", From: "old", To: "new", Via: "stage",
					Method: MethodBackup, Repository: "bk", Schema: SchemaRule{Create: true}, Verify: VerifyRule{Mode: VerifyChecksum}},
			},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			cfg, diags, _ := mustLoad(t, baseSpec+tc.src, LoadOptions{})
			if len(diags) != 0 {
				t.Errorf("unexpected diagnostics:\n%s", describe(diags))
			}
			if diff := cmp.Diff(tc.want, cfg.Tables, cmpConfig); diff != "" {
				t.Errorf("tables (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReferencesChooseAmongSeveral(t *testing.T) {
	t.Parallel()
	cfg, _, _ := mustLoad(t, baseSpec+`
source "starrocks" "other" {
  hosts = ["fe3"]
  user  = "root"
}
table "a.b" {
  from = source.other
}`, LoadOptions{})
	if got := cfg.Tables[0].From; got != "other" {
		t.Errorf("From = %q, want other", got)
	}
}

func TestWarnings(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		src  string
		want []string
	}{
		"password literal": {
			src: `source "starrocks" "x" {
  hosts    = ["a"]
  user     = "root"
  password = "hunter2"
}`,
			want: []string{"Password written in the spec"},
		},
		"password from an ordinary variable": {
			src: `variable "pw" {
  default = "hunter2"
}
source "starrocks" "x" {
  hosts    = ["a"]
  user     = "root"
  password = var.pw
}`,
			want: []string{"Password not marked sensitive"},
		},
		"empty literal password is no password": {
			src: `source "starrocks" "x" {
  hosts    = ["a"]
  user     = "root"
  password = ""
}`,
		},
		"password from a sensitive local": {
			src: `variable "pw" {
  sensitive = true
  default   = "hunter2"
}
locals {
  pw = trimspace(var.pw)
}
source "starrocks" "x" {
  hosts    = ["a"]
  user     = "root"
  password = local.pw
}`,
		},
		"skip verify": {
			src: `source "starrocks" "x" {
  hosts = ["a"]
  user  = "root"
  tls {
    skip_verify = true
  }
}`,
			want: []string{"TLS certificate checks disabled"},
		},
		"window without hours or days": {
			src: `throttle "t" {
  window "always" {
    exports = 1
  }
}`,
			want: []string{"Window always active"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, diags, _ := mustLoad(t, tc.src, LoadOptions{})
			if diff := cmp.Diff(tc.want, summaries(diags, hcl.DiagWarning), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("warnings (-want +got):\n%s\n%s", diff, describe(diags))
			}
		})
	}
}

func TestLoadDirectoryMergesFiles(t *testing.T) {
	t.Parallel()
	dir := writeSpec(t, map[string]string{
		"10-clusters.hcl": baseSpec,
		"20-tables.hcl":   `table "b.second" {}` + "\n" + `table "b.third" {}`,
		"05-tables.hcl":   `table "a.first" {}`,
		"notes.txt":       `this is not HCL {`,
		"sub/ignored.hcl": `this is not HCL {`,
	})
	cfg, files, diags := Load(dir, LoadOptions{})
	if diags.HasErrors() {
		t.Fatalf("unexpected errors:\n%s", describe(diags))
	}
	var got []string
	for _, tb := range cfg.Tables {
		got = append(got, tb.Pattern+" "+tb.From+" "+tb.To+" "+tb.Via)
	}
	want := []string{"a.first old new stage", "b.second old new stage", "b.third old new stage"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("tables (-want +got):\n%s", diff)
	}
	if n := len(files.Map()); n != 3 {
		t.Errorf("Files holds %d files, want 3", n)
	}
	if want := filepath.Join(dir, ".srplan", "state.db"); cfg.State.Path != want {
		t.Errorf("state path %q, want %q", cfg.State.Path, want)
	}
}

func TestLoadNothingToParse(t *testing.T) {
	t.Parallel()
	empty := t.TempDir()
	tests := map[string]string{
		"missing path":    filepath.Join(empty, "nope.hcl"),
		"empty directory": empty,
	}
	for name, path := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			cfg, files, diags := Load(path, LoadOptions{})
			if cfg != nil {
				t.Errorf("config = %+v, want nil", cfg)
			}
			if files == nil {
				t.Error("files = nil, want an empty Files")
			}
			if !diags.HasErrors() {
				t.Error("no error diagnostic")
			}
		})
	}
}

func TestBestEffortConfigOnErrors(t *testing.T) {
	t.Parallel()
	cfg, diags, _ := loadSrc(t, baseSpec+`
table "a.b" {
  method = "nope"
}
table "a.c" {}
`, LoadOptions{})
	if !errorsContaining(diags, "Invalid method") {
		t.Fatalf("no Invalid method error:\n%s", describe(diags))
	}
	if cfg == nil || len(cfg.Tables) != 2 || cfg.Sources["old"] == nil {
		t.Fatalf("config not decoded best-effort: %+v", cfg)
	}
}
