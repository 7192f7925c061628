package lang

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

func TestSecretNeverPrintsItsValue(t *testing.T) {
	t.Parallel()
	s := NewSecret("hunter2")
	type exported struct{ Password Secret }
	type unexported struct{ password Secret }
	type pointer struct{ Password *Secret }
	forms := map[string]string{}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%T %v", "%10s"} {
		forms["secret "+verb] = fmt.Sprintf(verb, s)
		forms["exported field "+verb] = fmt.Sprintf(verb, exported{s})
		forms["unexported field "+verb] = fmt.Sprintf(verb, unexported{s})
		forms["pointer field "+verb] = fmt.Sprintf(verb, pointer{&s})
		forms["cluster "+verb] = fmt.Sprintf(verb, Cluster{Password: s})
	}
	forms["println"] = fmt.Sprintln(s, []Secret{s}, map[string]Secret{"k": s})
	b, err := json.Marshal(map[string]any{"s": s, "c": Cluster{Password: s}, "st": Storage{AccessKey: s, SecretKey: s}})
	if err != nil {
		t.Fatal(err)
	}
	forms["json"] = string(b)
	for name, out := range forms {
		if strings.Contains(out, "hunter2") || strings.Contains(strings.ToLower(out), "68756e74657232") {
			t.Errorf("%s shows the secret: %s", name, out)
		}
	}
	if got := fmt.Sprint(s); got != "(sensitive)" {
		t.Errorf("Sprint = %q, want (sensitive)", got)
	}
	if !strings.Contains(forms["json"], `"(sensitive)"`) {
		t.Errorf("json lacks the marker: %s", forms["json"])
	}
	if s.Reveal() != "hunter2" || !s.IsSet() {
		t.Errorf("Reveal/IsSet lost the value")
	}
	var zero Secret
	if zero.IsSet() || zero.Reveal() != "" || zero.String() != "" {
		t.Errorf("zero secret: set=%v reveal=%q string=%q", zero.IsSet(), zero.Reveal(), zero.String())
	}
	if !s.Equal(NewSecret("hunter2")) || s.Equal(NewSecret("other")) || !zero.Equal(NewSecret("")) {
		t.Error("Equal compares values")
	}
}
