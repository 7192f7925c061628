package executor

import (
	"regexp"
	"strings"
	"testing"
)

func TestNamesAreDeterministicAndValid(t *testing.T) {
	t.Parallel()
	labelRE := regexp.MustCompile(`^[_A-Za-z0-9]{1,128}$`)
	partRE := regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{0,63}$`)
	long := strings.Repeat("ä-x`'\"", 40)
	cases := []struct{ table, part string }{{"sales.orders", "p20240101"}, {long, long}, {"t", "p"}}
	for _, c := range cases {
		a := loadLabel("job1", c.table, c.part, 17, 0)
		if a != loadLabel("job1", c.table, c.part, 17, 0) {
			t.Fatal("label not deterministic")
		}
		if !labelRE.MatchString(a) {
			t.Errorf("invalid label %q", a)
		}
		for _, other := range []string{
			loadLabel("job2", c.table, c.part, 17, 0),
			loadLabel("job1", c.table, c.part, 18, 0),
			loadLabel("job1", c.table, c.part, 17, 1),
		} {
			if other == a {
				t.Errorf("labels collide: %q", a)
			}
		}
		if tp := tempPartitionName(a); !partRE.MatchString(tp) {
			t.Errorf("invalid temp partition %q", tp)
		}
		if sh := shadowTableName(a); !partRE.MatchString(sh) {
			t.Errorf("invalid shadow table %q", sh)
		}
	}
}
