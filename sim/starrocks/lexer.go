package starrocks

import (
	"fmt"
	"strings"
)

// tokKind classifies a lexical token of the StarRocks SQL dialect.
type tokKind int

const (
	tkEOF    tokKind = iota
	tkWord           // bare identifier or keyword
	tkQuoted         // `backquoted identifier`
	tkString         // 'string' or "string" (StarRocks treats double quotes as strings)
	tkNumber         // 12, 1.5, 1e3
	tkPunct          // operators and punctuation
	tkVar            // @x or @@x
	tkParam          // ? placeholder
)

// token is one lexical unit. pos/end are byte offsets into the source, so
// rewriters can splice the original text.
type token struct {
	kind tokKind
	val  string // identifier name, unquoted string value, number text or operator
	pos  int
	end  int
}

// isWord reports whether the token is the bare keyword kw (case-insensitive).
func (t token) isWord(kw string) bool {
	return t.kind == tkWord && strings.EqualFold(t.val, kw)
}

// isPunct reports whether the token is the operator p.
func (t token) isPunct(p string) bool { return t.kind == tkPunct && t.val == p }

// isIdent reports whether the token can name an object (bare or quoted).
func (t token) isIdent() bool { return t.kind == tkWord || t.kind == tkQuoted }

// upper returns the upper-cased value of a bare word, or "" for other kinds.
func (t token) upper() string {
	if t.kind != tkWord {
		return ""
	}
	return strings.ToUpper(t.val)
}

// lex splits src into tokens, skipping whitespace and comments
// (-- ..., # ..., /* ... */). The final token is always tkEOF.
func lex(src string) ([]token, error) {
	var toks []token
	i := 0
	for i < len(src) {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f':
			i++
		case c == '#' || (c == '-' && strings.HasPrefix(src[i:], "-- ")) || (c == '-' && strings.HasPrefix(src[i:], "--\n")):
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case c == '/' && strings.HasPrefix(src[i:], "/*"):
			end := strings.Index(src[i+2:], "*/")
			if end < 0 {
				return nil, syntaxErrorAt(src, i, "unterminated comment")
			}
			i += end + 4
		case c == '`':
			j := i + 1
			var b strings.Builder
			for {
				if j >= len(src) {
					return nil, syntaxErrorAt(src, i, "unterminated quoted identifier")
				}
				if src[j] == '`' {
					if j+1 < len(src) && src[j+1] == '`' {
						b.WriteByte('`')
						j += 2
						continue
					}
					break
				}
				b.WriteByte(src[j])
				j++
			}
			toks = append(toks, token{kind: tkQuoted, val: b.String(), pos: i, end: j + 1})
			i = j + 1
		case c == '\'' || c == '"':
			val, end, err := lexString(src, i)
			if err != nil {
				return nil, err
			}
			toks = append(toks, token{kind: tkString, val: val, pos: i, end: end})
			i = end
		case c == '@':
			j := i + 1
			if j < len(src) && src[j] == '@' {
				j++
			}
			for j < len(src) && (isIdentByte(src[j]) || src[j] == '.') {
				j++
			}
			toks = append(toks, token{kind: tkVar, val: src[i:j], pos: i, end: j})
			i = j
		case c == '?':
			toks = append(toks, token{kind: tkParam, val: "?", pos: i, end: i + 1})
			i++
		case isDigit(c) || (c == '.' && i+1 < len(src) && isDigit(src[i+1]) && !prevIsIdent(toks)):
			j := i
			for j < len(src) && isDigit(src[j]) {
				j++
			}
			if j < len(src) && src[j] == '.' {
				j++
				for j < len(src) && isDigit(src[j]) {
					j++
				}
			}
			if j < len(src) && (src[j] == 'e' || src[j] == 'E') {
				k := j + 1
				if k < len(src) && (src[k] == '+' || src[k] == '-') {
					k++
				}
				if k < len(src) && isDigit(src[k]) {
					for k < len(src) && isDigit(src[k]) {
						k++
					}
					j = k
				}
			}
			if j < len(src) && isIdentByte(src[j]) && !isDigit(src[j]) {
				// identifiers may start with digits (e.g. 1abc)
				for j < len(src) && isIdentByte(src[j]) {
					j++
				}
				toks = append(toks, token{kind: tkWord, val: src[i:j], pos: i, end: j})
			} else {
				toks = append(toks, token{kind: tkNumber, val: src[i:j], pos: i, end: j})
			}
			i = j
		case isIdentByte(c):
			j := i
			for j < len(src) && isIdentByte(src[j]) {
				j++
			}
			toks = append(toks, token{kind: tkWord, val: src[i:j], pos: i, end: j})
			i = j
		default:
			op := string(c)
			for _, m := range []string{"<=>", "<=", ">=", "!=", "<>", "||", "&&", "::"} {
				if strings.HasPrefix(src[i:], m) {
					op = m
					break
				}
			}
			toks = append(toks, token{kind: tkPunct, val: op, pos: i, end: i + len(op)})
			i += len(op)
		}
	}
	toks = append(toks, token{kind: tkEOF, pos: len(src), end: len(src)})
	return toks, nil
}

// lexString reads a quoted string starting at src[start] and returns its
// unescaped value and the offset just past the closing quote.
func lexString(src string, start int) (string, int, error) {
	q := src[start]
	var b strings.Builder
	j := start + 1
	for {
		if j >= len(src) {
			return "", 0, syntaxErrorAt(src, start, "unterminated string literal")
		}
		c := src[j]
		if c == '\\' && j+1 < len(src) {
			j++
			switch src[j] {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			case '0':
				b.WriteByte(0)
			case 'b':
				b.WriteByte('\b')
			case 'Z':
				b.WriteByte(26)
			default:
				b.WriteByte(src[j])
			}
			j++
			continue
		}
		if c == q {
			if j+1 < len(src) && src[j+1] == q {
				b.WriteByte(q)
				j += 2
				continue
			}
			return b.String(), j + 1, nil
		}
		b.WriteByte(c)
		j++
	}
}

func prevIsIdent(toks []token) bool {
	if len(toks) == 0 {
		return false
	}
	t := toks[len(toks)-1]
	return t.isIdent()
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isIdentByte(c byte) bool {
	return c == '_' || c == '$' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || isDigit(c) || c >= 0x80
}

// lineCol converts a byte offset into StarRocks' 1-based line and 0-based column.
func lineCol(src string, pos int) (int, int) {
	if pos > len(src) {
		pos = len(src)
	}
	line := 1 + strings.Count(src[:pos], "\n")
	col := pos - (strings.LastIndex(src[:pos], "\n") + 1)
	return line, col
}

// quoteIdent renders a name in backquotes, doubling embedded backquotes.
func quoteIdent(s string) string {
	return "`" + strings.ReplaceAll(s, "`", "``") + "`"
}

// quoteString renders s as a double-quoted StarRocks string literal.
func quoteString(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`)
	return `"` + r.Replace(s) + `"`
}

// quoteSingle renders s as a single-quoted SQL string literal.
func quoteSingle(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `'`, `\'`)
	return "'" + r.Replace(s) + "'"
}

// describeToken renders a token for an error message.
func describeToken(src string, t token) string {
	if t.kind == tkEOF {
		return "<EOF>"
	}
	return src[t.pos:t.end]
}

// syntaxErrorAt builds StarRocks' syntax error for the given offset.
func syntaxErrorAt(src string, pos int, detail string) error {
	line, col := lineCol(src, pos)
	return newError(errSyntax, fmt.Sprintf("Getting syntax error at line %d, column %d. Detail message: %s.", line, col, detail))
}
