package planner_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/srplan/srplan/planner"
	"github.com/srplan/srplan/planner/plantest"
	"github.com/srplan/srplan/state"
)

// A failed partition's plan reason must keep the cause, which a wrapped
// error carries at its end, after a long statement text.
func TestFailureReasonKeepsTheCause(t *testing.T) {
	t.Parallel()
	stmt := "INSERT INTO `sales`.`orders` TEMPORARY PARTITION (`tp`) WITH LABEL `l` SELECT " + strings.Repeat("`col`, ", 60) + "FROM FILES(...)"
	cause := "Error 5203 (42000): Access denied; you need (at least one of) the INSERT privilege(s) on TABLE orders for this operation."
	tests := map[string]struct {
		lastError string
		want      []string // substrings of the reason
		maxLen    int
	}{
		"short error kept whole": {lastError: "Access denied", want: []string{"retry: failed at loading after 1 attempt(s): Access denied"}, maxLen: 100},
		"long statement elided, cause kept": {
			lastError: "load sales.orders/p20240103: " + stmt + ": " + cause + " (not retryable: fix the cause, then run apply again)",
			want:      []string{"retry: failed at loading after 1 attempt(s): load sales.orders/p20240103: INSERT INTO", " ... ", cause, "(not retryable"},
			maxLen:    600,
		},
		"multi-byte text cut on rune boundaries": {lastError: strings.Repeat("é", 400), want: []string{" ... "}, maxLen: 600},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			src := plantest.Source()
			prior := plantest.DoneState(src)
			r := prior.Partitions[state.PartitionKey{Table: "sales.orders", Partition: "p20240103"}]
			r.LastDone, r.Stage, r.Status, r.Attempts, r.LastError = nil, state.StageLoading, state.StatusFailed, 1, tt.lastError
			p := mustPlan(t, plantest.Input(plantest.Config(), prior, src, plantest.CopiedTarget(src)))
			var reason string
			for _, tc := range p.Tables {
				for _, pc := range tc.Partitions {
					if pc.Addr.Partition == "p20240103" && pc.Action == planner.Copy {
						reason = pc.Reason
					}
				}
			}
			for _, w := range tt.want {
				if !strings.Contains(reason, w) {
					t.Errorf("reason %q lacks %q", reason, w)
				}
			}
			if len(reason) > tt.maxLen || !utf8.ValidString(reason) {
				t.Errorf("reason is %d bytes (max %d) or not valid UTF-8: %q", len(reason), tt.maxLen, reason)
			}
		})
	}
}
