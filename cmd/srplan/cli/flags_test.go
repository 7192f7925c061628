package cli

import (
	"strings"
	"testing"
)

func TestFlagRangesAreChecked(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		args []string
		want string
	}{
		"negative lock timeout": {[]string{"plan", "-lock-timeout", "-1s"}, "invalid value -1s for flag -lock-timeout: must not be negative"},
		"zero parallelism":      {[]string{"apply", "-parallelism", "0"}, "invalid value 0 for flag -parallelism: must be at least 1"},
		"negative parallelism":  {[]string{"apply", "-parallelism", "-3"}, "invalid value -3 for flag -parallelism: must be at least 1"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := srplan(t, "", nil, tt.args...)
			if r.code != ExitError || !strings.Contains(r.stderr, tt.want) || !strings.Contains(r.stderr, "-help") {
				t.Errorf("srplan %v: exit %d, stderr:\n%s\nwant exit %d and %q", tt.args, r.code, r.stderr, ExitError, tt.want)
			}
		})
	}
}
