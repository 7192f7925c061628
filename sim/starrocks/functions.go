package starrocks

import (
	"fmt"
	"strings"
	"time"

	gsql "github.com/dolthub/go-mysql-server/sql"
	"github.com/dolthub/go-mysql-server/sql/types"
	"github.com/dolthub/vitess/go/sqltypes"
)

// mysqlCompatVersion is what StarRocks reports as the MySQL server version
// (handshake, version(), @@version).
const mysqlCompatVersion = "5.1.0"

// functionSet holds the StarRocks functions of a profile. Functions the
// profile lacks resolve to an instance that fails with StarRocks'
// no-matching-function error, hiding the engine's built-in of that name.
type functionSet struct {
	byName map[string]gsql.Function
}

func (f *functionSet) lookup(name string) (gsql.Function, bool) {
	fn, ok := f.byName[name]
	return fn, ok
}

// newFunctionSet builds the functions for a profile.
func newFunctionSet(prof profile) *functionSet {
	f := &functionSet{byName: map[string]gsql.Function{}}
	add := func(name string, available bool, minArgs, maxArgs int, typ func([]gsql.Expression) gsql.Type, eval func(*gsql.Context, []any, []gsql.Expression) (any, error)) {
		f.byName[name] = gsql.FunctionN{Name: name, Fn: func(args ...gsql.Expression) (gsql.Expression, error) {
			if !available || len(args) < minArgs || (maxArgs >= 0 && len(args) > maxArgs) {
				return nil, errNoMatchingFunction(name, argTypeNames(args))
			}
			return &scalarFunc{name: name, args: args, typ: typ(args), eval: eval}, nil
		}}
	}
	fixed := func(t gsql.Type) func([]gsql.Expression) gsql.Type {
		return func([]gsql.Expression) gsql.Type { return t }
	}
	add("murmur_hash3_32", true, 1, -1, fixed(types.Int32), func(ctx *gsql.Context, vals []any, _ []gsql.Expression) (any, error) {
		ss, ok, err := stringArgs(ctx, vals)
		if !ok || err != nil {
			return nil, err
		}
		return murmurHash3_32(ss), nil
	})
	add("xx_hash3_64", prof.hasXXHash3(), 1, -1, fixed(types.Int64), func(ctx *gsql.Context, vals []any, _ []gsql.Expression) (any, error) {
		ss, ok, err := stringArgs(ctx, vals)
		if !ok || err != nil {
			return nil, err
		}
		return xxHash3_64(ss), nil
	})
	add("crc32", prof.hasCRC32(), 1, 1, fixed(types.Int64), func(ctx *gsql.Context, vals []any, _ []gsql.Expression) (any, error) {
		ss, ok, err := stringArgs(ctx, vals)
		if !ok || err != nil {
			return nil, err
		}
		return crc32IEEE(ss[0]), nil
	})
	add("current_version", true, 0, 0, fixed(types.LongText), func(*gsql.Context, []any, []gsql.Expression) (any, error) {
		return prof.currentVersion(), nil
	})
	add("version", true, 0, 0, fixed(types.LongText), func(*gsql.Context, []any, []gsql.Expression) (any, error) {
		return mysqlCompatVersion, nil
	})
	add("date_trunc", true, 2, 2, func(args []gsql.Expression) gsql.Type {
		if len(args) == 2 && args[1].Type() == types.Date {
			return types.Date
		}
		return types.MustCreateDatetimeType(sqltypes.Datetime, 6)
	}, evalDateTrunc)
	f.byName["sum"] = gsql.Function1{Name: "sum", Fn: func(e gsql.Expression) gsql.Expression { return newSRSum(e) }}
	return f
}

// stringArgs casts arguments to strings; ok is false when one is NULL.
func stringArgs(ctx *gsql.Context, vals []any) ([]string, bool, error) {
	out := make([]string, len(vals))
	for i, v := range vals {
		if v == nil {
			return nil, false, nil
		}
		s, _, err := types.LongText.Convert(ctx, v)
		if err != nil {
			return nil, false, err
		}
		out[i] = s.(string)
	}
	return out, true, nil
}

// evalDateTrunc implements date_trunc(unit, value).
func evalDateTrunc(ctx *gsql.Context, vals []any, args []gsql.Expression) (any, error) {
	if vals[0] == nil || vals[1] == nil {
		return nil, nil
	}
	unit, ok := vals[0].(string)
	if !ok {
		return nil, analysisError("date_trunc requires a string unit")
	}
	tv, _, err := types.DatetimeMaxPrecision.Convert(ctx, vals[1])
	if err != nil || tv == nil {
		return nil, nil
	}
	t := tv.(time.Time)
	switch strings.ToLower(unit) {
	case "second":
		t = t.Truncate(time.Second)
	case "minute":
		t = time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), 0, 0, t.Location())
	case "week":
		wd := (int(t.Weekday()) + 6) % 7
		t = time.Date(t.Year(), t.Month(), t.Day()-wd, 0, 0, 0, 0, t.Location())
	case "quarter":
		t = time.Date(t.Year(), time.Month((int(t.Month())-1)/3*3+1), 1, 0, 0, 0, 0, t.Location())
	case "hour", "day", "month", "year":
		t = truncUnit(t, unit)
	default:
		return nil, analysisError(fmt.Sprintf("date_trunc function can't support argument other than year|quarter|month|week|day|hour|minute|second: %s", unit))
	}
	return t, nil
}

// argTypeNames renders argument types in StarRocks' lower-case names.
func argTypeNames(args []gsql.Expression) []string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = starRocksTypeName(a.Type())
	}
	return out
}

func starRocksTypeName(t gsql.Type) string {
	switch {
	case t == types.Int8:
		return "tinyint"
	case t == types.Int16:
		return "smallint"
	case t == types.Int32:
		return "int"
	case t == types.Int64 || types.IsInteger(t):
		return "bigint"
	case t == types.Float32:
		return "float"
	case types.IsFloat(t):
		return "double"
	case types.IsDecimal(t):
		return "decimal"
	case t == types.Date:
		return "date"
	case types.IsTime(t):
		return "datetime"
	case t == types.Null:
		return "null_type"
	}
	return "varchar"
}

// scalarFunc is a StarRocks scalar function evaluated by the engine.
type scalarFunc struct {
	name string
	args []gsql.Expression
	typ  gsql.Type
	eval func(*gsql.Context, []any, []gsql.Expression) (any, error)
}

var (
	_ gsql.FunctionExpression = (*scalarFunc)(nil)
	_ gsql.CollationCoercible = (*scalarFunc)(nil)
)

func (f *scalarFunc) FunctionName() string { return f.name }
func (f *scalarFunc) Description() string  { return "StarRocks function " + f.name }
func (f *scalarFunc) Type() gsql.Type      { return f.typ }
func (f *scalarFunc) IsNullable() bool     { return true }
func (f *scalarFunc) Children() []gsql.Expression {
	return f.args
}

func (f *scalarFunc) Resolved() bool {
	for _, a := range f.args {
		if !a.Resolved() {
			return false
		}
	}
	return true
}

func (f *scalarFunc) String() string {
	parts := make([]string, len(f.args))
	for i, a := range f.args {
		parts[i] = a.String()
	}
	return f.name + "(" + strings.Join(parts, ",") + ")"
}

func (f *scalarFunc) WithChildren(children ...gsql.Expression) (gsql.Expression, error) {
	if len(children) != len(f.args) {
		return nil, gsql.ErrInvalidChildrenNumber.New(f, len(children), len(f.args))
	}
	n := *f
	n.args = children
	return &n, nil
}

func (f *scalarFunc) CollationCoercibility(*gsql.Context) (gsql.CollationID, byte) {
	if types.IsText(f.typ) {
		return gsql.Collation_Default, 4
	}
	return gsql.Collation_binary, 5
}

// Eval implements sql.Expression.
func (f *scalarFunc) Eval(ctx *gsql.Context, row gsql.Row) (any, error) {
	vals := make([]any, len(f.args))
	for i, a := range f.args {
		v, err := a.Eval(ctx, row)
		if err != nil {
			return nil, err
		}
		vals[i] = v
	}
	return f.eval(ctx, vals, f.args)
}
