package starrocks

import (
	"errors"
	"strings"

	"github.com/go-sql-driver/mysql"
)

// Redacted replaces a secret in statements and messages.
const Redacted = "***"

// IsSecretProperty reports whether a storage property holds a credential:
// the S3 access and secret keys, session tokens, and anything else whose
// name says key, secret, password, token or credential (aws.s3.access_key,
// aws.s3.secret_key, fs.s3a.secret.key, password, ...). Region, endpoint
// and path-style switches are not secrets.
func IsSecretProperty(key string) bool {
	k := strings.ToLower(key)
	for _, s := range []string{"secret", "password", "token", "credential", "access_key", "access.key", "accesskey"} {
		if strings.Contains(k, s) {
			return true
		}
	}
	return false
}

// RedactSQL returns sql with the value of every secret property (see
// IsSecretProperty) replaced by '***': a string literal whose text is a
// secret property name, followed by '=' and another string literal, has
// that second literal replaced. Single- and double-quoted literals with
// backslash escapes or doubled quotes are understood; backquoted names are
// skipped. Use it before a statement reaches a log, an error or a file.
func RedactSQL(sql string) string {
	lits := stringLiterals(sql)
	if len(lits) < 2 {
		return sql
	}
	var b strings.Builder
	last := 0
	for i := 0; i+1 < len(lits); i++ {
		key, val := lits[i], lits[i+1]
		if !IsSecretProperty(key.text) || strings.TrimSpace(sql[key.end:val.start]) != "=" {
			continue
		}
		b.WriteString(sql[last:val.start])
		q := sql[val.start]
		b.WriteByte(q)
		b.WriteString(Redacted)
		b.WriteByte(q)
		last = val.end
		i++
	}
	if last == 0 {
		return sql
	}
	b.WriteString(sql[last:])
	return b.String()
}

// literal is one quoted string of a statement: [start, end) covers the
// quotes, text is its unescaped content.
type literal struct {
	start, end int
	text       string
}

// stringLiterals returns the quoted strings of sql in order. An
// unterminated literal runs to the end of the text.
func stringLiterals(sql string) []literal {
	var out []literal
	for i := 0; i < len(sql); i++ {
		c := sql[i]
		switch c {
		case '`':
			j := i + 1
			for j < len(sql) {
				if sql[j] == '`' {
					if j+1 < len(sql) && sql[j+1] == '`' {
						j += 2
						continue
					}
					break
				}
				j++
			}
			i = j
		case '\'', '"':
			var text strings.Builder
			j := i + 1
			for j < len(sql) {
				d := sql[j]
				if d == '\\' && j+1 < len(sql) {
					text.WriteByte(sql[j+1])
					j += 2
					continue
				}
				if d == c {
					if j+1 < len(sql) && sql[j+1] == c {
						text.WriteByte(c)
						j += 2
						continue
					}
					break
				}
				text.WriteByte(d)
				j++
			}
			end := min(j+1, len(sql))
			out = append(out, literal{start: i, end: end, text: text.String()})
			i = end - 1
		}
	}
	return out
}

// secretValues returns the values of the secret properties of props that
// are long enough to be replaced safely in free text.
func secretValues(props map[string]string) []string {
	var out []string
	for k, v := range props {
		if IsSecretProperty(k) && len(v) >= minRedactLen {
			out = append(out, v)
		}
	}
	return out
}

// redactError returns err with every occurrence of the secrets, and every
// secret property of a statement the server may have echoed, replaced by
// '***'. A *mysql.MySQLError keeps its type and number, so callers can
// still branch on it; other errors keep their chain but print redacted.
func redactError(err error, secrets []string) error {
	if err == nil {
		return nil
	}
	clean := func(s string) string {
		s = RedactSQL(s)
		for _, sec := range secrets {
			s = strings.ReplaceAll(s, sec, Redacted)
		}
		return s
	}
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		if msg := clean(me.Message); msg != me.Message {
			cp := *me
			cp.Message = msg
			return &cp
		}
		return err
	}
	if msg := clean(err.Error()); msg != err.Error() {
		return &redactedError{msg: msg, err: err}
	}
	return err
}

// redactedError prints a redacted text and unwraps to the original error
// for errors.Is checks (context cancellation, driver.ErrBadConn).
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }
