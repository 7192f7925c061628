package starrocks

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// PartitionValue is a partition's bounds as SHOW PARTITIONS prints them in
// its Range or List column (STARROCKS.md 1.2), parsed so that the same
// partition can be added on another cluster.
//
// Range text is Guava's rendering of a closed-open range of two partition
// keys, each "types: [T1, T2]; keys: [v1, v2]; ":
//
//	[types: [DATE]; keys: [2019-01-01]; ..types: [DATE]; keys: [2020-01-01]; )
//
// Key values are printed unquoted (dates, date-times and integers: range
// keys have no string types); the upper bound of the last partition is the
// word MAXVALUE. List text quotes every value:
//
//	('beijing', 'shanghai')                          one partition column
//	(('2022-04-01', 'Houston'), ('2022-04-02', 'LA')) several columns
type PartitionValue struct {
	// Range reports a range partition; List holds the values otherwise.
	Range bool
	// Lower and Upper are the range bounds, one entry per partition
	// column. MaxValue marks the MAXVALUE upper bound.
	Lower, Upper []string
	// Types are the range key types as printed (may be empty).
	Types []string
	// List holds the values of a list partition, one tuple per value.
	List [][]string
	// Multi reports a list partition on several columns.
	Multi bool
}

// MaxValue is how a range key's unbounded upper end is printed and written.
const MaxValue = "MAXVALUE"

var (
	rangeKeysRe  = regexp.MustCompile(`keys: \[([^\]]*)\]`)
	rangeTypesRe = regexp.MustCompile(`types: \[([^\]]*)\]`)
)

// minValues are the smallest keys of each range type: what StarRocks
// stores as the lower bound of a partition defined by VALUES LESS THAN
// only. A lower bound printed as MINVALUE is written as these.
var minValues = map[string]string{
	"TINYINT":  "-128",
	"SMALLINT": "-32768",
	"INT":      "-2147483648",
	"BIGINT":   "-9223372036854775808",
	"LARGEINT": "-170141183460469231731687303715884105728",
	"DATE":     "0000-01-01",
	"DATETIME": "0000-01-01 00:00:00",
}

// ParsePartitionValue parses the Range or List text of SHOW PARTITIONS.
func ParsePartitionValue(text string) (PartitionValue, error) {
	s := strings.TrimSpace(text)
	switch {
	case strings.HasPrefix(s, "[") && strings.Contains(s, "keys:"):
		return parseRangeValue(s)
	case strings.HasPrefix(s, "("):
		return parseListValue(s)
	case s == "":
		return PartitionValue{}, errors.New("empty partition value: the table has no range or list partitions")
	}
	return PartitionValue{}, fmt.Errorf("partition value %q is neither a range nor a list", text)
}

func parseRangeValue(s string) (PartitionValue, error) {
	bad := func(why string) error { return fmt.Errorf("range value %q: %s", s, why) }
	if !strings.HasSuffix(s, ")") {
		return PartitionValue{}, bad("want a closed-open range ending in ')'")
	}
	lo, hi, ok := strings.Cut(s[1:len(s)-1], "..")
	if !ok {
		return PartitionValue{}, bad("no '..' between the bounds")
	}
	v := PartitionValue{Range: true}
	var err error
	if v.Lower, err = rangeKey(lo); err != nil {
		return PartitionValue{}, bad("lower bound: " + err.Error())
	}
	if v.Upper, err = rangeKey(hi); err != nil {
		return PartitionValue{}, bad("upper bound: " + err.Error())
	}
	if len(v.Lower) != len(v.Upper) {
		return PartitionValue{}, bad("the bounds have different numbers of keys")
	}
	if m := rangeTypesRe.FindStringSubmatch(lo); m != nil && strings.TrimSpace(m[1]) != "" {
		for _, t := range strings.Split(m[1], ",") {
			v.Types = append(v.Types, strings.ToUpper(strings.TrimSpace(t)))
		}
	}
	for i, k := range v.Lower {
		if !strings.EqualFold(k, "MINVALUE") {
			continue
		}
		if len(v.Types) != len(v.Lower) || minValues[v.Types[i]] == "" {
			return PartitionValue{}, bad("MINVALUE of an unknown type")
		}
		v.Lower[i] = minValues[v.Types[i]]
	}
	for _, k := range v.Lower {
		if strings.EqualFold(k, MaxValue) {
			return PartitionValue{}, bad("MAXVALUE as the lower bound")
		}
	}
	return v, nil
}

// rangeKey returns the values of "types: [...]; keys: [v1, v2]; ".
func rangeKey(s string) ([]string, error) {
	m := rangeKeysRe.FindAllStringSubmatch(s, -1)
	if len(m) != 1 {
		return nil, errors.New("want one 'keys: [...]'")
	}
	var out []string
	for _, k := range strings.Split(m[0][1], ", ") {
		k = strings.TrimSpace(k)
		if k == "" {
			return nil, errors.New("empty key")
		}
		if strings.EqualFold(k, MaxValue) {
			k = MaxValue
		}
		out = append(out, k)
	}
	return out, nil
}

// parseListValue reads ('a', 'b') or (('a', 'x'), ('b', 'y')). The FE
// prints values between single quotes without escaping them, so a value
// ends at a quote that is followed by ',' or ')'.
func parseListValue(s string) (PartitionValue, error) {
	p := listParser{s: s}
	v := PartitionValue{}
	if err := p.expect('('); err != nil {
		return v, err
	}
	p.space()
	if p.peek() == '(' {
		v.Multi = true
		for {
			if err := p.expect('('); err != nil {
				return v, err
			}
			tuple, err := p.values()
			if err != nil {
				return v, err
			}
			v.List = append(v.List, tuple)
			p.space()
			if p.peek() == ',' {
				p.i++
				p.space()
				continue
			}
			break
		}
		if err := p.expect(')'); err != nil {
			return v, err
		}
	} else {
		vals, err := p.values()
		if err != nil {
			return v, err
		}
		for _, x := range vals {
			v.List = append(v.List, []string{x})
		}
	}
	p.space()
	if p.i != len(s) {
		return PartitionValue{}, fmt.Errorf("list value %q: unexpected text after position %d", s, p.i)
	}
	if len(v.List) == 0 {
		return PartitionValue{}, fmt.Errorf("list value %q: no values", s)
	}
	return v, nil
}

type listParser struct {
	s string
	i int
}

func (p *listParser) peek() byte {
	if p.i >= len(p.s) {
		return 0
	}
	return p.s[p.i]
}

func (p *listParser) space() {
	for p.i < len(p.s) && p.s[p.i] == ' ' {
		p.i++
	}
}

func (p *listParser) expect(c byte) error {
	p.space()
	if p.peek() != c {
		return fmt.Errorf("list value %q: want %q at position %d", p.s, c, p.i)
	}
	p.i++
	return nil
}

// values reads 'a', 'b') including the closing parenthesis.
func (p *listParser) values() ([]string, error) {
	var out []string
	for {
		if err := p.expect('\''); err != nil {
			return nil, err
		}
		end := -1
		for j := p.i; j < len(p.s); j++ {
			if p.s[j] != '\'' {
				continue
			}
			k := j + 1
			for k < len(p.s) && p.s[k] == ' ' {
				k++
			}
			if k < len(p.s) && (p.s[k] == ',' || p.s[k] == ')') {
				end = j
				break
			}
		}
		if end < 0 {
			return nil, fmt.Errorf("list value %q: unterminated value at position %d", p.s, p.i)
		}
		out = append(out, p.s[p.i:end])
		p.i = end + 1
		p.space()
		switch p.peek() {
		case ',':
			p.i++
		case ')':
			p.i++
			return out, nil
		}
	}
}

// ValuesClause returns the VALUES clause that recreates the partition:
//
//	VALUES [('2019-01-01'), ('2020-01-01'))       range
//	VALUES [('2024-01-01', '1'), (MAXVALUE, MAXVALUE))
//	VALUES IN ('beijing', 'shanghai')             list, one column
//	VALUES IN (('2022-04-01', 'Houston'))         list, several columns
//
// Range keys are written as string literals, which StarRocks converts to
// the column type, as its own documentation does.
func (v PartitionValue) ValuesClause() string {
	if v.Range {
		return "VALUES [" + keyTuple(v.Lower) + ", " + keyTuple(v.Upper) + ")"
	}
	if !v.Multi {
		vals := make([]string, len(v.List))
		for i, t := range v.List {
			vals[i] = QuoteString(t[0])
		}
		return "VALUES IN (" + strings.Join(vals, ", ") + ")"
	}
	tuples := make([]string, len(v.List))
	for i, t := range v.List {
		tuples[i] = "(" + stringList(t) + ")"
	}
	return "VALUES IN (" + strings.Join(tuples, ", ") + ")"
}

func keyTuple(keys []string) string {
	parts := make([]string, len(keys))
	for i, k := range keys {
		if k == MaxValue {
			parts[i] = MaxValue
		} else {
			parts[i] = QuoteString(k)
		}
	}
	return "(" + strings.Join(parts, ", ") + ")"
}
