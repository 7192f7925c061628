package starrocks

import (
	"fmt"
	"strings"
)

// tokKind classifies a token of a CREATE TABLE statement.
type tokKind uint8

const (
	tokWord   tokKind = iota // unquoted word: keyword, bare name or number
	tokIdent                 // `quoted identifier`
	tokString                // 'single' or "double" quoted string
	tokSym                   // one punctuation byte: ( ) , = ; < > . and others
)

// token is one lexical unit. text is the unquoted value for identifiers and
// strings and the source text otherwise; start and end are byte offsets of
// the source span, quotes included.
type token struct {
	kind       tokKind
	text       string
	start, end int
}

// is reports whether t is the unquoted word w, ignoring case.
func (t token) is(w string) bool { return t.kind == tokWord && strings.EqualFold(t.text, w) }

// isSym reports whether t is the punctuation byte s.
func (t token) isSym(s string) bool { return t.kind == tokSym && t.text == s }

// lexDDL splits a CREATE TABLE statement into tokens, skipping white space
// and comments (-- to end of line, /* ... */). Backslash escapes in strings
// are decoded as the StarRocks lexer decodes them.
func lexDDL(src string) ([]token, error) {
	var toks []token
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f':
			i++
		case c == '-' && strings.HasPrefix(src[i:], "--"):
			j := strings.IndexByte(src[i:], '\n')
			if j < 0 {
				j = len(src) - i
			}
			i += j
		case c == '/' && strings.HasPrefix(src[i:], "/*"):
			j := strings.Index(src[i+2:], "*/")
			if j < 0 {
				return nil, fmt.Errorf("unterminated comment at offset %d", i)
			}
			i += j + 4
		case c == '`':
			text, end, err := lexQuoted(src, i)
			if err != nil {
				return nil, err
			}
			toks = append(toks, token{kind: tokIdent, text: text, start: i, end: end})
			i = end
		case c == '\'' || c == '"':
			text, end, err := lexQuoted(src, i)
			if err != nil {
				return nil, err
			}
			toks = append(toks, token{kind: tokString, text: text, start: i, end: end})
			i = end
		case isWordByte(c):
			j := i + 1
			for j < len(src) && isWordByte(src[j]) {
				j++
			}
			toks = append(toks, token{kind: tokWord, text: src[i:j], start: i, end: j})
			i = j
		default:
			toks = append(toks, token{kind: tokSym, text: src[i : i+1], start: i, end: i + 1})
			i++
		}
	}
	return toks, nil
}

// isWordByte reports whether c may appear in an unquoted word. Bytes of
// multi-byte UTF-8 characters count as word bytes.
func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '$' || c >= 0x80
}

// lexQuoted reads the quoted token starting at src[i] (a backtick, single
// or double quote) and returns its decoded text and the offset after the
// closing quote. A doubled quote stands for itself; inside strings (not
// backticks) a backslash escapes the next byte.
func lexQuoted(src string, i int) (string, int, error) {
	q := src[i]
	var b strings.Builder
	for j := i + 1; j < len(src); j++ {
		c := src[j]
		switch {
		case c == q:
			if j+1 < len(src) && src[j+1] == q {
				b.WriteByte(q)
				j++
				continue
			}
			return b.String(), j + 1, nil
		case c == '\\' && q != '`' && j+1 < len(src):
			j++
			b.WriteString(unescape(src[j]))
		default:
			b.WriteByte(c)
		}
	}
	return "", 0, fmt.Errorf("unterminated %c-quoted text at offset %d", q, i)
}

// unescape decodes the byte after a backslash. Like StarRocks, it keeps the
// backslash before % and _ (they stay escaped for LIKE) and drops it
// before any other byte that is not a known escape.
func unescape(c byte) string {
	switch c {
	case 'n':
		return "\n"
	case 't':
		return "\t"
	case 'r':
		return "\r"
	case 'b':
		return "\b"
	case '0':
		return "\x00"
	case 'Z':
		return "\x1a"
	case '%', '_':
		return `\` + string(c)
	}
	return string(c)
}
