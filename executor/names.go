package executor

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
)

// StarRocks accepts labels of at most 128 characters from [-_A-Za-z0-9:];
// srplan uses only [_A-Za-z0-9] to stay clear of quoting questions.
const maxLabelLen = 128

// loadLabel is the deterministic label of one load attempt: a readable
// prefix (table, partition, version) plus a hash of everything that
// identifies the attempt, so a rerun after a crash finds its own job.
func loadLabel(job, table, partition string, version int64, generation int) string {
	h := shortHash(job, table, partition, fmt.Sprint(version), fmt.Sprint(generation))
	readable := fmt.Sprintf("srplan_%s_%s_v%d", sanitize(table, 40), sanitize(partition, 30), version)
	if len(readable)+1+len(h) > maxLabelLen {
		readable = readable[:maxLabelLen-1-len(h)]
	}
	return readable + "_" + h
}

// tempPartitionName names the temporary partition of one load attempt.
// Partition names must start with a letter and hold [A-Za-z0-9_].
func tempPartitionName(label string) string { return "tp_srplan_" + shortHash(label)[:12] }

// shadowTableName names the shadow table of one load attempt (in the
// target table's database).
func shadowTableName(label string) string { return "srplan_shadow_" + shortHash(label) }

func shortHash(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// sanitize keeps [A-Za-z0-9_] (others become '_'), at most n bytes.
func sanitize(s string, n int) string {
	var b strings.Builder
	for i := 0; i < len(s) && b.Len() < n; i++ {
		c := s[i]
		if c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' {
			b.WriteByte(c)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}
