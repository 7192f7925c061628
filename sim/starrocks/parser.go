package starrocks

import (
	"fmt"
	"strconv"
	"strings"
)

// parser walks a token slice produced by lex. Its methods return StarRocks
// syntax errors that point at the offending token.
type parser struct {
	src  string
	toks []token
	i    int
}

// newParser lexes src.
func newParser(src string) (*parser, error) {
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	return &parser{src: src, toks: toks}, nil
}

func (p *parser) peek() token { return p.toks[p.i] }

func (p *parser) peekAt(n int) token {
	if p.i+n >= len(p.toks) {
		return p.toks[len(p.toks)-1]
	}
	return p.toks[p.i+n]
}

func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tkEOF {
		p.i++
	}
	return t
}

// atEnd reports whether only an optional ';' remains.
func (p *parser) atEnd() bool {
	t := p.peek()
	if t.kind == tkEOF {
		return true
	}
	if t.isPunct(";") {
		return p.peekAt(1).kind == tkEOF
	}
	return false
}

// expectEnd fails unless the statement is complete.
func (p *parser) expectEnd() error {
	if p.atEnd() {
		return nil
	}
	return p.unexpected()
}

// unexpected builds the syntax error for the current token.
func (p *parser) unexpected() error {
	t := p.peek()
	return syntaxErrorAt(p.src, t.pos, fmt.Sprintf("Unexpected input '%s'", describeToken(p.src, t)))
}

// isKw reports whether the next tokens are the given keywords.
func (p *parser) isKw(kws ...string) bool {
	for n, kw := range kws {
		if !p.peekAt(n).isWord(kw) {
			return false
		}
	}
	return true
}

// acceptKw consumes the keywords if they are next.
func (p *parser) acceptKw(kws ...string) bool {
	if !p.isKw(kws...) {
		return false
	}
	p.i += len(kws)
	return true
}

// expectKw consumes the keywords or fails.
func (p *parser) expectKw(kws ...string) error {
	for _, kw := range kws {
		if !p.peek().isWord(kw) {
			return p.unexpected()
		}
		p.i++
	}
	return nil
}

// acceptPunct consumes the operator if it is next.
func (p *parser) acceptPunct(s string) bool {
	if p.peek().isPunct(s) {
		p.i++
		return true
	}
	return false
}

// expectPunct consumes the operator or fails.
func (p *parser) expectPunct(s string) error {
	if !p.acceptPunct(s) {
		return p.unexpected()
	}
	return nil
}

// ident consumes an identifier: a backquoted name, or a bare word that is
// not a reserved keyword (StarRocks' identifier rule; see reservedWords).
func (p *parser) ident() (string, error) {
	t := p.peek()
	if t.isReservedWord() {
		return "", identifierError(p.src, t)
	}
	if !t.isIdent() {
		return "", p.unexpected()
	}
	p.i++
	return t.val, nil
}

// qualifiedName consumes name or db.name.
func (p *parser) qualifiedName() (db, name string, err error) {
	name, err = p.ident()
	if err != nil {
		return "", "", err
	}
	if p.peek().isPunct(".") && p.peekAt(1).isIdent() {
		p.i++
		db = name
		name, err = p.ident()
	}
	return db, name, err
}

// identList consumes "(a, b, ...)".
func (p *parser) identList() ([]string, error) {
	if err := p.expectPunct("("); err != nil {
		return nil, err
	}
	var out []string
	for {
		n, err := p.ident()
		if err != nil {
			return nil, err
		}
		out = append(out, n)
		if p.acceptPunct(",") {
			continue
		}
		if err := p.expectPunct(")"); err != nil {
			return nil, err
		}
		return out, nil
	}
}

// stringLit consumes a quoted string.
func (p *parser) stringLit() (string, error) {
	t := p.peek()
	if t.kind != tkString {
		return "", p.unexpected()
	}
	p.i++
	return t.val, nil
}

// literal consumes a string, number or signed number and returns its text.
func (p *parser) literal() (string, error) {
	t := p.peek()
	switch {
	case t.kind == tkString || t.kind == tkNumber:
		p.i++
		return t.val, nil
	case t.isPunct("-") && p.peekAt(1).kind == tkNumber:
		p.i += 2
		return "-" + p.toks[p.i-1].val, nil
	}
	return "", p.unexpected()
}

// intLit consumes an integer.
func (p *parser) intLit() (int64, error) {
	t := p.peek()
	if t.kind != tkNumber {
		return 0, p.unexpected()
	}
	v, err := strconv.ParseInt(t.val, 10, 64)
	if err != nil {
		return 0, p.unexpected()
	}
	p.i++
	return v, nil
}

// properties consumes ("k" = "v", ...) and returns the pairs in order.
func (p *parser) properties() ([]property, error) {
	if err := p.expectPunct("("); err != nil {
		return nil, err
	}
	var out []property
	if p.acceptPunct(")") {
		return out, nil
	}
	for {
		k, err := p.stringLit()
		if err != nil {
			return nil, err
		}
		if err := p.expectPunct("="); err != nil {
			return nil, err
		}
		v, err := p.literal()
		if err != nil {
			return nil, err
		}
		out = append(out, property{Key: k, Value: v})
		if p.acceptPunct(",") {
			continue
		}
		if err := p.expectPunct(")"); err != nil {
			return nil, err
		}
		return out, nil
	}
}

// skipBalanced consumes a parenthesised group starting at "(" and returns
// the source text between the parentheses.
func (p *parser) skipBalanced() (string, error) {
	start := p.peek()
	if !start.isPunct("(") {
		return "", p.unexpected()
	}
	depth := 0
	for {
		t := p.next()
		switch {
		case t.kind == tkEOF:
			return "", syntaxErrorAt(p.src, t.pos, "Unexpected input '<EOF>'")
		case t.isPunct("("):
			depth++
		case t.isPunct(")"):
			depth--
			if depth == 0 {
				return strings.TrimSpace(p.src[start.end:t.pos]), nil
			}
		}
	}
}

// rest returns the unconsumed source text.
func (p *parser) rest() string {
	return strings.TrimSpace(p.src[p.peek().pos:])
}

// property is one "key" = "value" pair, kept in declaration order.
type property struct {
	Key   string
	Value string
}
