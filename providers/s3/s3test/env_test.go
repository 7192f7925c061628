package s3test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestS3EnvFrom(t *testing.T) {
	tests := []struct {
		name    string
		vars    map[string]string
		want    Env
		wantOK  bool
		wantErr bool
	}{
		{name: "unset", vars: nil},
		{name: "empty endpoint", vars: map[string]string{EnvS3Endpoint: "", EnvS3AccessKey: "a", EnvS3SecretKey: "s"}},
		{
			name:   "complete",
			vars:   map[string]string{EnvS3Endpoint: "http://127.0.0.1:9", EnvS3AccessKey: "a", EnvS3SecretKey: "s"},
			want:   Env{Endpoint: "http://127.0.0.1:9", AccessKey: "a", SecretKey: "s", Region: Region},
			wantOK: true,
		},
		{name: "no access key", vars: map[string]string{EnvS3Endpoint: "http://127.0.0.1:9", EnvS3SecretKey: "s"}, wantErr: true},
		{name: "no secret key", vars: map[string]string{EnvS3Endpoint: "http://127.0.0.1:9", EnvS3AccessKey: "a"}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lookup := func(k string) (string, bool) { v, ok := tt.vars[k]; return v, ok }
			got, ok, err := s3EnvFrom(lookup)
			if (err != nil) != tt.wantErr {
				t.Fatalf("error = %v, want error %v", err, tt.wantErr)
			}
			if ok != tt.wantOK {
				t.Errorf("ok = %v, want %v", ok, tt.wantOK)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Env mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEnvFormattingHidesSecret(t *testing.T) {
	const secret = "very-secret-key-123"
	env := Env{Endpoint: "http://127.0.0.1:9", AccessKey: "access", SecretKey: secret, Region: Region}
	for _, verb := range []string{"%v", "%+v", "%s", "%#v"} {
		t.Run(verb, func(t *testing.T) {
			got := fmt.Sprintf(verb, env)
			if strings.Contains(got, secret) {
				t.Errorf("%s printed the secret key: %s", verb, got)
			}
			if !strings.Contains(got, "access") || !strings.Contains(got, "(redacted)") {
				t.Errorf("%s = %s, want the access key and a redaction marker", verb, got)
			}
		})
	}
}
