package starrocks

import (
	"fmt"
	"strings"

	gsql "github.com/dolthub/go-mysql-server/sql"
	"github.com/dolthub/go-mysql-server/sql/types"
	"github.com/dolthub/vitess/go/sqltypes"
)

// ColumnType is a StarRocks column type as declared in CREATE TABLE.
// Base is upper case: TINYINT, SMALLINT, INT, BIGINT, LARGEINT, FLOAT,
// DOUBLE, DECIMAL, DATE, DATETIME, CHAR, VARCHAR, BOOLEAN, JSON, VARBINARY,
// ARRAY, MAP, STRUCT. STRING is stored as VARCHAR(65533), as StarRocks does.
type ColumnType struct {
	Base      string
	Len       int    // CHAR / VARCHAR / VARBINARY length in bytes
	Precision int    // DECIMAL
	Scale     int    // DECIMAL
	Inner     string // rendered element types of ARRAY/MAP/STRUCT, e.g. "int(11)"
}

// maxVarcharLen is StarRocks' VARCHAR limit and the length of STRING.
const (
	stringLen      = 65533
	maxVarcharLen  = 1048576
	maxCharLen     = 255
	defaultDecimal = 10
)

// parseColumnType consumes a type from p.
func parseColumnType(p *parser) (ColumnType, error) {
	t := p.peek()
	if t.kind != tkWord {
		return ColumnType{}, p.unexpected()
	}
	p.next()
	name := strings.ToUpper(t.val)
	switch name {
	case "TINYINT", "SMALLINT", "INT", "INTEGER", "BIGINT", "LARGEINT":
		if p.peek().isPunct("(") { // display width, ignored as StarRocks does
			if _, err := p.skipBalanced(); err != nil {
				return ColumnType{}, err
			}
		}
		if name == "INTEGER" {
			name = "INT"
		}
		return ColumnType{Base: name}, nil
	case "FLOAT", "DOUBLE", "DATE", "BOOLEAN", "JSON":
		return ColumnType{Base: name}, nil
	case "DATETIME":
		if p.peek().isPunct("(") {
			if _, err := p.skipBalanced(); err != nil {
				return ColumnType{}, err
			}
		}
		return ColumnType{Base: name}, nil
	case "STRING", "TEXT":
		return ColumnType{Base: "VARCHAR", Len: stringLen}, nil
	case "CHAR", "VARCHAR", "VARBINARY", "BINARY":
		ct := ColumnType{Base: name}
		switch name {
		case "CHAR":
			ct.Len = 1
		case "VARCHAR":
			ct.Len = stringLen
		case "BINARY":
			ct.Base = "VARBINARY"
			ct.Len = stringLen
		default:
			ct.Len = stringLen
		}
		if p.acceptPunct("(") {
			n, err := p.intLit()
			if err != nil {
				return ColumnType{}, err
			}
			if err := p.expectPunct(")"); err != nil {
				return ColumnType{}, err
			}
			ct.Len = int(n)
		}
		if ct.Base == "CHAR" && (ct.Len < 1 || ct.Len > maxCharLen) {
			return ColumnType{}, errDDLf("Char size must between 1 and 255. Size was set to: %d.", ct.Len)
		}
		if ct.Base == "VARCHAR" && (ct.Len < 1 || ct.Len > maxVarcharLen) {
			return ColumnType{}, errDDLf("Varchar size must between 1 and 1048576. Size was set to: %d.", ct.Len)
		}
		return ct, nil
	case "DECIMAL", "DECIMALV2", "DECIMAL32", "DECIMAL64", "DECIMAL128", "NUMERIC":
		ct := ColumnType{Base: "DECIMAL", Precision: defaultDecimal}
		if p.acceptPunct("(") {
			n, err := p.intLit()
			if err != nil {
				return ColumnType{}, err
			}
			ct.Precision = int(n)
			if p.acceptPunct(",") {
				s, err := p.intLit()
				if err != nil {
					return ColumnType{}, err
				}
				ct.Scale = int(s)
			}
			if err := p.expectPunct(")"); err != nil {
				return ColumnType{}, err
			}
		}
		if ct.Precision < 1 || ct.Precision > 38 || ct.Scale < 0 || ct.Scale > ct.Precision {
			return ColumnType{}, errDDLf("DECIMAL's precision should range from 1 to 38, scale should range from 0 to precision: decimal(%d, %d)", ct.Precision, ct.Scale)
		}
		return ct, nil
	case "ARRAY", "MAP", "STRUCT":
		inner, err := parseNestedType(p)
		if err != nil {
			return ColumnType{}, err
		}
		return ColumnType{Base: name, Inner: inner}, nil
	}
	return ColumnType{}, syntaxErrorAt(p.src, t.pos, fmt.Sprintf("Unexpected input '%s'", t.val))
}

// parseNestedType consumes "<...>" of a complex type and renders it with the
// element types in SHOW CREATE form.
func parseNestedType(p *parser) (string, error) {
	if err := p.expectPunct("<"); err != nil {
		return "", err
	}
	var parts []string
	for {
		// STRUCT fields are "name type".
		var prefix string
		if p.peek().isIdent() && p.peekAt(1).isIdent() {
			n, _ := p.ident()
			prefix = n + " "
		}
		ct, err := parseColumnType(p)
		if err != nil {
			return "", err
		}
		parts = append(parts, prefix+ct.SQL())
		if p.acceptPunct(",") {
			continue
		}
		if p.acceptPunct(">") {
			return strings.Join(parts, ","), nil
		}
		// ">>" is lexed as two tokens, so nothing else is legal here.
		return "", p.unexpected()
	}
}

// SQL renders the type as SHOW CREATE TABLE prints it, e.g. "int(11)".
func (t ColumnType) SQL() string {
	switch t.Base {
	case "TINYINT":
		return "tinyint(4)"
	case "SMALLINT":
		return "smallint(6)"
	case "INT":
		return "int(11)"
	case "BIGINT":
		return "bigint(20)"
	case "LARGEINT":
		return "largeint(40)"
	case "DECIMAL":
		return fmt.Sprintf("decimal(%d, %d)", t.Precision, t.Scale)
	case "CHAR", "VARCHAR", "VARBINARY":
		return fmt.Sprintf("%s(%d)", strings.ToLower(t.Base), t.Len)
	case "ARRAY", "MAP", "STRUCT":
		return strings.ToLower(t.Base) + "<" + t.Inner + ">"
	}
	return strings.ToLower(t.Base)
}

// DescType renders the type for DESC / SHOW COLUMNS. [unconfirmed] lower
// case without integer display widths.
func (t ColumnType) DescType() string {
	switch t.Base {
	case "DECIMAL":
		return fmt.Sprintf("decimal(%d,%d)", t.Precision, t.Scale)
	case "TINYINT", "SMALLINT", "INT", "BIGINT", "LARGEINT":
		return strings.ToLower(t.Base)
	}
	return t.SQL()
}

// KeyTypeName is the name used in partition key texts, e.g. "DATE".
func (t ColumnType) KeyTypeName() string {
	if t.Base == "DECIMAL" {
		return fmt.Sprintf("DECIMAL(%d,%d)", t.Precision, t.Scale)
	}
	return t.Base
}

// isInteger reports whether the type is an integer type.
func (t ColumnType) isInteger() bool {
	switch t.Base {
	case "TINYINT", "SMALLINT", "INT", "BIGINT", "LARGEINT":
		return true
	}
	return false
}

// isTemporal reports whether the type is DATE or DATETIME.
func (t ColumnType) isTemporal() bool { return t.Base == "DATE" || t.Base == "DATETIME" }

// isString reports whether values are stored as strings.
func (t ColumnType) isString() bool {
	switch t.Base {
	case "CHAR", "VARCHAR", "ARRAY", "MAP", "STRUCT":
		return true
	}
	return false
}

// gmsType maps the StarRocks type onto the engine's storage type. Strings
// are stored as LONGTEXT and their byte length is checked on load, because
// StarRocks lengths count bytes.
func (t ColumnType) gmsType() gsql.Type {
	switch t.Base {
	case "TINYINT":
		return types.Int8
	case "SMALLINT":
		return types.Int16
	case "INT":
		return types.Int32
	case "BIGINT":
		return types.Int64
	case "LARGEINT":
		return types.MustCreateDecimalType(39, 0)
	case "FLOAT":
		return types.Float32
	case "DOUBLE":
		return types.Float64
	case "DECIMAL":
		return types.MustCreateDecimalType(uint8(t.Precision), uint8(t.Scale))
	case "DATE":
		return types.Date
	case "DATETIME":
		return types.MustCreateDatetimeType(sqltypes.Datetime, 6)
	case "BOOLEAN":
		return types.Boolean
	case "JSON":
		return types.JSON
	case "VARBINARY":
		return types.LongBlob
	}
	return types.LongText
}

// byteSize is the storage size the simulator charges per value, used for
// DataSize. It is deterministic and roughly the in-memory width.
func (t ColumnType) byteSize(v any) int64 {
	if v == nil {
		return 1
	}
	switch t.Base {
	case "TINYINT", "BOOLEAN":
		return 1
	case "SMALLINT":
		return 2
	case "INT", "FLOAT", "DATE":
		return 4
	case "BIGINT", "DOUBLE", "DATETIME":
		return 8
	case "LARGEINT", "DECIMAL":
		return 16
	}
	switch x := v.(type) {
	case string:
		return int64(len(x))
	case []byte:
		return int64(len(x))
	}
	return int64(len(fmt.Sprint(v)))
}
