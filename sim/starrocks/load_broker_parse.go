package starrocks

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// brokerLoadStmt is a parsed LOAD LABEL statement (STARROCKS.md 5.1).
type brokerLoadStmt struct {
	DB, Label   string
	Descs       []*dataDesc
	BrokerName  string
	BrokerProps []property
	Props       []property
}

// dataDesc is one DATA INFILE clause.
type dataDesc struct {
	Paths      []string
	Negative   bool
	Table      string
	Partitions []string
	Temporary  bool
	ColSep     string // converted; "" means the default "\t"
	RowSep     string // converted; "" means the default "\n"
	Format     string // upper case; "" means from the file extension
	SkipHeader int
	Columns    []string // file columns; nil means the table's columns
	FromPath   []string // COLUMNS FROM PATH AS (...)
	Set        []setExpr
	Where      []wherePred
}

// setExpr is one "col = expr" of SET, restricted to a file column, a
// literal or NULL.
type setExpr struct {
	Column string
	Ref    string  // file column name, or ""
	Lit    *string // literal; nil with Ref == "" means NULL
}

// wherePred is one "col op literal" of a WHERE joined by AND.
type wherePred struct {
	Column string
	Op     string
	Value  *string // nil: IS NULL / IS NOT NULL
}

var labelRe = regexp.MustCompile(`^[-_A-Za-z0-9:]{1,128}$`)

// checkLabel applies FeNameFormat.checkLabel.
func checkLabel(label string) error {
	if !labelRe.MatchString(label) {
		return analysisError("Label format error. regex: ^[-_A-Za-z0-9:]{1,128}$, label: " + label)
	}
	return nil
}

// parseBrokerLoad parses
//
//	LOAD LABEL [db.]label (data_desc [, data_desc ...])
//	WITH BROKER [name] [(props)] [PROPERTIES (...)]
func parseBrokerLoad(st *Statement) (*brokerLoadStmt, error) {
	p := &parser{src: st.SQL, toks: st.Toks, i: 2}
	bl := &brokerLoadStmt{}
	var err error
	if bl.DB, bl.Label, err = p.qualifiedName(); err != nil {
		return nil, err
	}
	if err := p.expectPunct("("); err != nil {
		return nil, err
	}
	for {
		d, err := parseDataDesc(p)
		if err != nil {
			return nil, err
		}
		bl.Descs = append(bl.Descs, d)
		if !p.acceptPunct(",") {
			break
		}
	}
	if err := p.expectPunct(")"); err != nil {
		return nil, err
	}
	if p.acceptKw("WITH", "BROKER") {
		if p.peek().isIdent() && !p.isKw("PROPERTIES") || p.peek().kind == tkString {
			bl.BrokerName = p.next().val
		}
		if p.peek().isPunct("(") {
			if bl.BrokerProps, err = p.properties(); err != nil {
				return nil, err
			}
		}
	} else if !p.isKw("WITH", "RESOURCE") {
		return nil, p.unexpected()
	} else {
		return nil, errUnsupportedStatement("LOAD ... WITH RESOURCE (Spark Load)")
	}
	if p.acceptKw("PROPERTIES") {
		if bl.Props, err = p.properties(); err != nil {
			return nil, err
		}
	}
	return bl, p.expectEnd()
}

func parseDataDesc(p *parser) (*dataDesc, error) {
	if err := p.expectKw("DATA", "INFILE"); err != nil {
		return nil, err
	}
	d := &dataDesc{}
	if err := p.expectPunct("("); err != nil {
		return nil, err
	}
	for {
		s, err := p.stringLit()
		if err != nil {
			return nil, err
		}
		d.Paths = append(d.Paths, s)
		if !p.acceptPunct(",") {
			break
		}
	}
	if err := p.expectPunct(")"); err != nil {
		return nil, err
	}
	d.Negative = p.acceptKw("NEGATIVE")
	if err := p.expectKw("INTO", "TABLE"); err != nil {
		return nil, err
	}
	var err error
	if d.Table, err = p.ident(); err != nil {
		return nil, err
	}
	if p.isKw("TEMPORARY", "PARTITION") || p.isKw("TEMPORARY", "PARTITIONS") {
		p.next()
		d.Temporary = true
	}
	if p.acceptKw("PARTITION") || p.acceptKw("PARTITIONS") {
		if d.Partitions, err = p.identList(); err != nil {
			return nil, err
		}
	}
	if p.acceptKw("COLUMNS", "TERMINATED", "BY") {
		s, err := p.stringLit()
		if err != nil {
			return nil, err
		}
		if d.ColSep, err = convertDelimiter(s); err != nil {
			return nil, err
		}
	}
	if p.acceptKw("ROWS", "TERMINATED", "BY") {
		s, err := p.stringLit()
		if err != nil {
			return nil, err
		}
		if d.RowSep, err = convertDelimiter(s); err != nil {
			return nil, err
		}
	}
	if p.acceptKw("FORMAT", "AS") {
		s, err := p.stringLit()
		if err != nil {
			return nil, err
		}
		d.Format = strings.ToUpper(s)
		switch d.Format {
		case "CSV", "PARQUET":
		case "ORC", "JSON":
			return nil, errUnsupportedStatement("LOAD FORMAT AS " + d.Format)
		default:
			return nil, analysisError("File format type is unknown: " + s)
		}
	}
	if p.peek().isPunct("(") && p.peekAt(1).isIdent() && p.peekAt(2).isPunct("=") {
		if err := parseFormatOptions(p, d); err != nil {
			return nil, err
		}
	}
	if p.peek().isPunct("(") {
		if d.Columns, err = p.identList(); err != nil {
			return nil, err
		}
	}
	if p.acceptKw("COLUMNS", "FROM", "PATH", "AS") {
		if d.FromPath, err = p.identList(); err != nil {
			return nil, err
		}
	}
	if p.acceptKw("SET") {
		if d.Set, err = parseSetList(p); err != nil {
			return nil, err
		}
	}
	if p.acceptKw("WHERE") {
		if d.Where, err = parseWhere(p); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// parseFormatOptions consumes the CSV options group
// (skip_header = 1 trim_space = false enclose = '"' escape = '\\'). Only
// skip_header changes what the simulator reads; trim_space, enclose and
// escape are accepted and must keep their defaults.
func parseFormatOptions(p *parser, d *dataDesc) error {
	p.next()
	for !p.acceptPunct(")") {
		name, err := p.ident()
		if err != nil {
			return err
		}
		if err := p.expectPunct("="); err != nil {
			return err
		}
		v, err := p.literal()
		if err != nil {
			if !p.peek().isIdent() {
				return err
			}
			v = p.next().val
		}
		switch strings.ToLower(name) {
		case "skip_header":
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return analysisError("skip_header must be a non-negative integer: " + v)
			}
			d.SkipHeader = n
		case "trim_space":
			if strings.EqualFold(v, "true") {
				return errUnsupportedStatement("LOAD with trim_space = true")
			}
		case "enclose", "escape":
			if v != "" {
				return errUnsupportedStatement("LOAD with " + name)
			}
		default:
			return analysisError(fmt.Sprintf("Unknown format property: %s", name))
		}
		p.acceptPunct(",")
	}
	return nil
}

func parseSetList(p *parser) ([]setExpr, error) {
	if err := p.expectPunct("("); err != nil {
		return nil, err
	}
	var out []setExpr
	for {
		col, err := p.ident()
		if err != nil {
			return nil, err
		}
		if err := p.expectPunct("="); err != nil {
			return nil, err
		}
		e := setExpr{Column: col}
		t := p.peek()
		switch {
		case t.isWord("NULL"):
			p.next()
		case t.isIdent() && !p.peekAt(1).isPunct("("):
			e.Ref = p.next().val
		case t.kind == tkString || t.kind == tkNumber || t.isPunct("-"):
			v, err := p.literal()
			if err != nil {
				return nil, err
			}
			e.Lit = &v
		default:
			return nil, errUnsupportedStatement("LOAD SET expression other than a column, a literal or NULL")
		}
		out = append(out, e)
		if p.acceptPunct(",") {
			continue
		}
		return out, p.expectPunct(")")
	}
}

func parseWhere(p *parser) ([]wherePred, error) {
	var out []wherePred
	for {
		col, err := p.ident()
		if err != nil {
			return nil, err
		}
		w := wherePred{Column: col}
		switch {
		case p.acceptKw("IS", "NOT", "NULL"):
			w.Op = "IS NOT NULL"
		case p.acceptKw("IS", "NULL"):
			w.Op = "IS NULL"
		default:
			t := p.next()
			if t.kind != tkPunct || !strings.Contains("= != <> < <= > >=", t.val) {
				return nil, errUnsupportedStatement("LOAD WHERE predicate other than column <op> literal")
			}
			w.Op = t.val
			v, err := p.literal()
			if err != nil {
				return nil, err
			}
			w.Value = &v
		}
		out = append(out, w)
		if !p.acceptKw("AND") {
			return out, nil
		}
	}
}

// brokerLoadOptions are the validated PROPERTIES of a Broker Load.
type brokerLoadOptions struct {
	timeout        int64
	maxFilterRatio float64
	strict         bool
	priority       string
	props          map[string]string
}

func parseBrokerLoadOptions(props []property) (brokerLoadOptions, error) {
	o := brokerLoadOptions{timeout: 14400, priority: "NORMAL", props: map[string]string{}}
	for _, pr := range props {
		k := strings.ToLower(pr.Key)
		o.props[k] = pr.Value
		switch k {
		case "timeout":
			n, err := strconv.ParseInt(pr.Value, 10, 64)
			if err != nil || n <= 0 {
				return o, analysisError("Timeout is not a number: " + pr.Value)
			}
			o.timeout = n
		case "max_filter_ratio":
			f, err := strconv.ParseFloat(pr.Value, 64)
			if err != nil || f < 0 || f > 1 {
				return o, analysisError("max_filter_ratio must be between 0.0 and 1.0")
			}
			o.maxFilterRatio = f
		case "strict_mode":
			b, err := strconv.ParseBool(pr.Value)
			if err != nil {
				return o, analysisError("strict_mode is not a boolean")
			}
			o.strict = b
		case "priority":
			v := strings.ToUpper(pr.Value)
			switch v {
			case "LOWEST", "LOW", "NORMAL", "HIGH", "HIGHEST":
				o.priority = v
			default:
				return o, analysisError("Invalid priority: " + pr.Value)
			}
		case "partial_update", "partial_update_mode", "merge_condition":
			return o, errUnsupportedStatement("LOAD with " + k)
		case "load_mem_limit", "exec_mem_limit", "timezone", "log_rejected_record_num", "send_batch_parallelism", "load_parallelism":
		default:
			return o, analysisError(k + " is invalid property")
		}
	}
	return o, nil
}
