package starrocks

import (
	"fmt"
	"math/big"
	"strings"
	"time"
)

// specKind distinguishes the partition value clauses.
type specKind int

const (
	specLessThan specKind = iota // VALUES LESS THAN (...)
	specFixed                    // VALUES [(...), (...))
	specList                     // VALUES IN (...)
)

// partitionSpec is one "PARTITION p VALUES ..." clause, with literals
// already canonicalised for the partition column types.
type partitionSpec struct {
	Name        string
	Kind        specKind
	Lower       rangeKey // specFixed
	Upper       rangeKey // specFixed and specLessThan
	Values      [][]keyVal
	IfNotExists bool
	Buckets     int // DISTRIBUTED BY ... BUCKETS n on ADD PARTITION
}

// parsePartitionSpec consumes "PARTITION [IF NOT EXISTS] name VALUES ..."
// (the PARTITION keyword must already be consumed by the caller when
// allowTemp is used for TEMPORARY forms).
func parsePartitionSpec(p *parser, d *TableDef) (partitionSpec, error) {
	var s partitionSpec
	if p.acceptKw("IF", "NOT", "EXISTS") {
		s.IfNotExists = true
	}
	name, err := p.ident()
	if err != nil {
		return s, err
	}
	s.Name = name
	if err := p.expectKw("VALUES"); err != nil {
		return s, err
	}
	cts := d.partitionColumnTypes()
	switch {
	case p.acceptKw("LESS", "THAN"):
		if !d.isRangeLike() {
			return s, errDDLf("Only support range partition in VALUES LESS THAN clause")
		}
		s.Kind = specLessThan
		if p.acceptKw("MAXVALUE") {
			s.Upper = maxKey(len(cts))
			break
		}
		s.Upper, err = parseKeyTuple(p, cts, true)
		if err != nil {
			return s, err
		}
	case p.peek().isPunct("["):
		if !d.isRangeLike() {
			return s, errDDLf("Only support range partition in fixed range clause")
		}
		p.next()
		s.Kind = specFixed
		if s.Lower, err = parseKeyTuple(p, cts, false); err != nil {
			return s, err
		}
		if err := p.expectPunct(","); err != nil {
			return s, err
		}
		if s.Upper, err = parseKeyTuple(p, cts, true); err != nil {
			return s, err
		}
		if err := p.expectPunct(")"); err != nil {
			return s, err
		}
		if compareKey(cts, s.Lower, s.Upper) >= 0 {
			return s, errDDLf("Lower range should be less than upper range: %s", rangeText(cts, s.Lower, s.Upper))
		}
	case p.acceptKw("IN"):
		if !d.isListLike() {
			return s, errDDLf("Only support list partition in VALUES IN clause")
		}
		s.Kind = specList
		if s.Values, err = parseListValues(p, cts); err != nil {
			return s, err
		}
	default:
		return s, p.unexpected()
	}
	if p.peek().isPunct("(") { // per-partition properties are accepted and ignored
		if _, err := p.properties(); err != nil {
			return s, err
		}
	}
	return s, nil
}

// maxKey is a MAXVALUE bound of n columns.
func maxKey(n int) rangeKey {
	k := make(rangeKey, n)
	for i := range k {
		k[i] = keyVal{Max: true}
	}
	return k
}

// parseKeyTuple consumes ("v1"[, "v2"...]) for range bounds. Missing trailing
// columns are filled with the type minimum (MAXVALUE when allowMax and the
// tuple used MAXVALUE).
func parseKeyTuple(p *parser, cts []ColumnType, allowMax bool) (rangeKey, error) {
	if err := p.expectPunct("("); err != nil {
		return nil, err
	}
	var k rangeKey
	for {
		if len(k) >= len(cts) {
			return nil, errDDLf("Partition values number is more than partition column number: %d", len(cts))
		}
		if allowMax && p.acceptKw("MAXVALUE") {
			k = append(k, keyVal{Max: true})
		} else {
			lit, err := p.literal()
			if err != nil {
				return nil, err
			}
			v, err := parseKeyLiteral(cts[len(k)], lit)
			if err != nil {
				return nil, err
			}
			k = append(k, v)
		}
		if p.acceptPunct(",") {
			continue
		}
		if err := p.expectPunct(")"); err != nil {
			return nil, err
		}
		break
	}
	for len(k) < len(cts) {
		if k[len(k)-1].Max {
			k = append(k, keyVal{Max: true})
		} else {
			k = append(k, minKeyVal(cts[len(k)]))
		}
	}
	return k, nil
}

// parseListValues consumes ("a", "b") or (("a", "x"), ("b", "y")).
func parseListValues(p *parser, cts []ColumnType) ([][]keyVal, error) {
	if err := p.expectPunct("("); err != nil {
		return nil, err
	}
	var out [][]keyVal
	for {
		var tuple []keyVal
		if p.acceptPunct("(") {
			for {
				v, err := parseListLiteral(p, cts, len(tuple))
				if err != nil {
					return nil, err
				}
				tuple = append(tuple, v)
				if p.acceptPunct(",") {
					continue
				}
				if err := p.expectPunct(")"); err != nil {
					return nil, err
				}
				break
			}
		} else {
			v, err := parseListLiteral(p, cts, 0)
			if err != nil {
				return nil, err
			}
			tuple = []keyVal{v}
		}
		if len(tuple) != len(cts) {
			return nil, errDDLf("Partition column size %d is not equal with the partition value size %d", len(cts), len(tuple))
		}
		out = append(out, tuple)
		if p.acceptPunct(",") {
			continue
		}
		if err := p.expectPunct(")"); err != nil {
			return nil, err
		}
		return out, nil
	}
}

func parseListLiteral(p *parser, cts []ColumnType, i int) (keyVal, error) {
	if i >= len(cts) {
		return keyVal{}, errDDLf("Partition values number is more than partition column number: %d", len(cts))
	}
	if p.acceptKw("NULL") {
		return keyVal{Null: true}, nil
	}
	lit, err := p.literal()
	if err != nil {
		return keyVal{}, err
	}
	return parseKeyLiteral(cts[i], lit)
}

// batchSpec is START (..) END (..) EVERY (..).
type batchSpec struct {
	Start, End string
	EveryN     int64
	EveryUnit  string // HOUR, DAY, WEEK, MONTH, YEAR; "" for numeric
}

// parseBatch consumes START ("a") END ("b") EVERY (INTERVAL n unit | n).
func parseBatch(p *parser) (batchSpec, error) {
	var b batchSpec
	var err error
	if err = p.expectKw("START"); err != nil {
		return b, err
	}
	if b.Start, err = parenLiteral(p); err != nil {
		return b, err
	}
	if err = p.expectKw("END"); err != nil {
		return b, err
	}
	if b.End, err = parenLiteral(p); err != nil {
		return b, err
	}
	if err = p.expectKw("EVERY"); err != nil {
		return b, err
	}
	if err = p.expectPunct("("); err != nil {
		return b, err
	}
	if p.acceptKw("INTERVAL") {
		if b.EveryN, err = p.intLit(); err != nil {
			return b, err
		}
		u := p.next()
		b.EveryUnit = strings.ToUpper(u.val)
		switch b.EveryUnit {
		case "HOUR", "DAY", "WEEK", "MONTH", "YEAR":
		default:
			return b, errDDLf("Batch build partition does not support time interval type: %s", u.val)
		}
	} else if b.EveryN, err = p.intLit(); err != nil {
		return b, err
	}
	if b.EveryN <= 0 {
		return b, errDDLf("Batch partition every clause must be greater than 0")
	}
	return b, p.expectPunct(")")
}

func parenLiteral(p *parser) (string, error) {
	if err := p.expectPunct("("); err != nil {
		return "", err
	}
	v, err := p.literal()
	if err != nil {
		return "", err
	}
	return v, p.expectPunct(")")
}

// maxBatchPartitions bounds a single batch expansion (StarRocks' FE config
// max_partitions_in_one_batch defaults to 4096).
const maxBatchPartitions = 4096

// expandBatch turns a batch into fixed-range specs named after the dynamic
// partition rule (p20240101, p202401, p2024, p2024010100, p2024_01) or
// p<lower> for numeric ranges.
func expandBatch(d *TableDef, b batchSpec) ([]partitionSpec, error) {
	cts := d.partitionColumnTypes()
	if len(cts) != 1 {
		return nil, errDDLf("Batch build partition only support single range column")
	}
	ct := cts[0]
	var out []partitionSpec
	if ct.isInteger() {
		if b.EveryUnit != "" {
			return nil, errDDLf("Batch build partition EVERY is date type but START or END does not type match")
		}
		lo, ok1 := new(big.Int).SetString(strings.TrimSpace(b.Start), 10)
		hi, ok2 := new(big.Int).SetString(strings.TrimSpace(b.End), 10)
		if !ok1 || !ok2 || lo.Cmp(hi) >= 0 {
			return nil, errDDLf("Batch build partition range error: START %s END %s", b.Start, b.End)
		}
		step := big.NewInt(b.EveryN)
		for cur := new(big.Int).Set(lo); cur.Cmp(hi) < 0; {
			next := new(big.Int).Add(cur, step)
			if next.Cmp(hi) > 0 {
				next.Set(hi)
			}
			l, err := parseKeyLiteral(ct, cur.String())
			if err != nil {
				return nil, err
			}
			u, err := parseKeyLiteral(ct, next.String())
			if err != nil {
				return nil, err
			}
			out = append(out, partitionSpec{Name: "p" + cur.String(), Kind: specFixed, Lower: rangeKey{l}, Upper: rangeKey{u}})
			if len(out) > maxBatchPartitions {
				return nil, errDDLf("The number of batch partitions should not exceed: %d", maxBatchPartitions)
			}
			cur = next
		}
		return out, nil
	}
	if !ct.isTemporal() || b.EveryUnit == "" {
		return nil, errDDLf("Batch build partition only support date, datetime and integer type")
	}
	start, err1 := parseTemporal(b.Start)
	end, err2 := parseTemporal(b.End)
	if err1 != nil || err2 != nil || !start.Before(end) {
		return nil, errDDLf("Batch build partition range error: START %s END %s", b.Start, b.End)
	}
	if ct.Base == "DATE" && b.EveryUnit == "HOUR" {
		return nil, errDDLf("Batch build partition for date column does not support hour interval")
	}
	for cur := start; cur.Before(end); {
		next := addUnit(cur, b.EveryUnit, int(b.EveryN))
		if next.After(end) {
			next = end
		}
		out = append(out, partitionSpec{
			Name:  timePartitionName(cur, b.EveryUnit),
			Kind:  specFixed,
			Lower: rangeKey{temporalKey(ct, cur)},
			Upper: rangeKey{temporalKey(ct, next)},
		})
		if len(out) > maxBatchPartitions {
			return nil, errDDLf("The number of batch partitions should not exceed: %d", maxBatchPartitions)
		}
		cur = next
	}
	return out, nil
}

// temporalKey canonicalises a time for a DATE or DATETIME column.
func temporalKey(ct ColumnType, t time.Time) keyVal {
	if ct.Base == "DATE" {
		return keyVal{S: t.Format(dateLayout)}
	}
	return keyVal{S: t.Format(datetimeLayout)}
}

// addUnit advances t by n units.
func addUnit(t time.Time, unit string, n int) time.Time {
	switch strings.ToUpper(unit) {
	case "HOUR":
		return t.Add(time.Duration(n) * time.Hour)
	case "DAY":
		return t.AddDate(0, 0, n)
	case "WEEK":
		return t.AddDate(0, 0, 7*n)
	case "MONTH":
		return t.AddDate(0, n, 0)
	case "YEAR":
		return t.AddDate(n, 0, 0)
	}
	return t
}

// truncUnit truncates t to the start of its unit (date_trunc semantics).
func truncUnit(t time.Time, unit string) time.Time {
	switch strings.ToUpper(unit) {
	case "HOUR":
		return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), 0, 0, 0, t.Location())
	case "DAY":
		return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location())
	case "MONTH":
		return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, t.Location())
	case "YEAR":
		return time.Date(t.Year(), 1, 1, 0, 0, 0, 0, t.Location())
	}
	return t
}

// timePartitionName follows the dynamic partition naming rule.
func timePartitionName(t time.Time, unit string) string {
	switch strings.ToUpper(unit) {
	case "HOUR":
		return "p" + t.Format("2006010215")
	case "DAY":
		return "p" + t.Format("20060102")
	case "WEEK":
		_, w := t.ISOWeek()
		return fmt.Sprintf("p%d_%02d", t.Year(), w)
	case "MONTH":
		return "p" + t.Format("200601")
	case "YEAR":
		return "p" + t.Format("2006")
	}
	return "p" + t.Format("20060102150405")
}

// listPartitionName names an auto-created column-expression partition:
// "p" + values joined by "_", keeping letters and digits only (dates become
// YYYYMMDD). [inference] from the documented example p20220401_Houston.
func listPartitionName(cts []ColumnType, tuple []keyVal) string {
	var parts []string
	for i, v := range tuple {
		s := v.S
		if v.Null {
			s = "NULL"
		} else if cts[i].isTemporal() {
			if t, err := parseTemporal(s); err == nil {
				if cts[i].Base == "DATE" || (t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0) {
					s = t.Format("20060102")
				} else {
					s = t.Format("20060102150405")
				}
			}
		}
		var b strings.Builder
		for _, r := range s {
			if r < 0x80 && (isDigit(byte(r)) || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z')) {
				b.WriteRune(r)
			}
		}
		parts = append(parts, b.String())
	}
	return "p" + strings.Join(parts, "_")
}
