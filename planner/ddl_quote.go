package planner

import "strings"

// quoteBareNames backquotes the names SHOW CREATE TABLE prints bare in the
// body of a CREATE TABLE statement, so that the statement parses again
// whatever the names are. StarRocks prints column names backquoted but
// partition names bare (RangePartitionInfo.toSql and ListPartitionInfo.toSql
// write "PARTITION " + name + " VALUES ..."), and a partition named like a
// reserved keyword (`order`, `select`) is then a syntax error when the text
// is run again. Rewritten are:
//
//   - the name in "PARTITION name VALUES ..." (range and list partitions;
//     "PARTITION BY ..." never has VALUES after BY, so it is left alone);
//   - the name in "INDEX name (...)" (index definitions).
//
// Backquoted names, string literals and every other word are kept byte for
// byte, so a body whose names are already quoted comes back unchanged.
func quoteBareNames(body string) string {
	toks := ddlWords(body)
	var b strings.Builder
	last := 0
	for i, t := range toks {
		if !t.bare || i == 0 || !toks[i-1].bare {
			continue
		}
		prev := strings.ToUpper(toks[i-1].text)
		var next ddlWord
		if i+1 < len(toks) {
			next = toks[i+1]
		}
		switch {
		case prev == "PARTITION" && next.bare && strings.EqualFold(next.text, "VALUES"):
		case prev == "INDEX" && next.text == "(":
		default:
			continue
		}
		b.WriteString(body[last:t.pos])
		b.WriteString(QuoteIdent(t.text))
		last = t.pos + len(t.text)
	}
	if last == 0 {
		return body
	}
	b.WriteString(body[last:])
	return b.String()
}

// ddlWord is one token of a DDL text: a bare word (letters, digits, '_',
// '$' and any non-ASCII byte), a backquoted name, a string literal or a
// single punctuation byte. pos is its byte offset in the text.
type ddlWord struct {
	text string
	pos  int
	bare bool
}

// ddlWords splits s into tokens, skipping white space. Quoted strings and
// backquoted names are single tokens (with their quotes), so words inside
// them are never seen; a backslash escapes the next byte inside a string,
// and a doubled quote stands for itself.
func ddlWords(s string) []ddlWord {
	var out []ddlWord
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '`' || c == '\'' || c == '"':
			j := i + 1
			for j < len(s) {
				if s[j] == '\\' && c != '`' {
					j += 2
					continue
				}
				if s[j] == c {
					if j+1 < len(s) && s[j+1] == c {
						j += 2
						continue
					}
					break
				}
				j++
			}
			end := min(j+1, len(s))
			out = append(out, ddlWord{text: s[i:end], pos: i})
			i = end
		case isWordByte(c):
			j := i
			for j < len(s) && isWordByte(s[j]) {
				j++
			}
			out = append(out, ddlWord{text: s[i:j], pos: i, bare: true})
			i = j
		default:
			out = append(out, ddlWord{text: s[i : i+1], pos: i})
			i++
		}
	}
	return out
}

func isWordByte(c byte) bool {
	return c == '_' || c == '$' || c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}
