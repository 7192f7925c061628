package starrocks

import (
	"fmt"

	gsql "github.com/dolthub/go-mysql-server/sql"
	"github.com/dolthub/go-mysql-server/sql/analyzer"
	"github.com/dolthub/go-mysql-server/sql/expression"
	"github.com/dolthub/go-mysql-server/sql/expression/function/aggregation"
	"github.com/dolthub/go-mysql-server/sql/plan"
	"github.com/dolthub/go-mysql-server/sql/transform"
	"github.com/dolthub/go-mysql-server/sql/types"
	"github.com/shopspring/decimal"
)

// srSum is StarRocks' SUM: integer arguments sum into a BIGINT that wraps on
// overflow, DECIMAL(p,s) into DECIMAL(38,s), everything else into DOUBLE.
// The engine's planner declares every SUM column as DOUBLE, so
// fixSumTypesRule restores these types after analysis.
type srSum struct {
	expression.UnaryExpression
	id gsql.ColumnId
}

var _ gsql.Aggregation = (*srSum)(nil)

func newSRSum(e gsql.Expression) *srSum {
	return &srSum{UnaryExpression: expression.UnaryExpression{Child: e}}
}

// sumKind classifies the argument type.
func sumKind(t gsql.Type) string {
	switch {
	case types.IsInteger(t) || types.IsBoolean(t):
		return "int"
	case types.IsDecimal(t):
		return "decimal"
	}
	return "float"
}

// Type implements sql.Expression.
func (s *srSum) Type() gsql.Type {
	t := s.Child.Type()
	switch sumKind(t) {
	case "int":
		return types.Int64
	case "decimal":
		if dt, ok := t.(gsql.DecimalType); ok {
			return types.MustCreateDecimalType(38, dt.Scale())
		}
		return types.MustCreateDecimalType(38, 9)
	}
	return types.Float64
}

func (s *srSum) IsNullable() bool { return true }
func (s *srSum) String() string   { return fmt.Sprintf("SUM(%s)", s.Child) }

func (s *srSum) Eval(*gsql.Context, gsql.Row) (any, error) {
	return nil, fmt.Errorf("starrocks sim: SUM evaluated outside an aggregation")
}

func (s *srSum) WithChildren(c ...gsql.Expression) (gsql.Expression, error) {
	if len(c) != 1 {
		return nil, gsql.ErrInvalidChildrenNumber.New(s, len(c), 1)
	}
	n := *s
	n.Child = c[0]
	return &n, nil
}

func (s *srSum) Id() gsql.ColumnId { return s.id }

func (s *srSum) WithId(id gsql.ColumnId) gsql.IdExpression {
	n := *s
	n.id = id
	return &n
}

func (s *srSum) Window() *gsql.WindowDefinition { return nil }

// WithWindow hands window SUMs to the engine's own SUM, which returns
// DOUBLE (StarRocks returns BIGINT for integers; a documented deviation).
func (s *srSum) WithWindow(w *gsql.WindowDefinition) gsql.WindowAdaptableExpression {
	return aggregation.NewSum(s.Child).WithWindow(w)
}

func (s *srSum) NewWindowFunction() (gsql.WindowFunction, error) {
	return aggregation.NewSumAgg(s.Child), nil
}

func (s *srSum) NewBuffer() (gsql.AggregationBuffer, error) {
	child, err := transform.Clone(s.Child)
	if err != nil {
		return nil, err
	}
	return &sumBuffer{expr: child, kind: sumKind(s.Child.Type())}, nil
}

type sumBuffer struct {
	expr gsql.Expression
	kind string
	seen bool
	i    int64
	d    decimal.Decimal
	f    float64
}

func (b *sumBuffer) Dispose() { expression.Dispose(b.expr) }

func (b *sumBuffer) Update(ctx *gsql.Context, row gsql.Row) error {
	v, err := b.expr.Eval(ctx, row)
	if err != nil || v == nil {
		return err
	}
	b.seen = true
	switch b.kind {
	case "int":
		x, _, err := types.Int64.Convert(ctx, v)
		if err != nil {
			// LARGEINT-range integers: fall back to decimal arithmetic.
			return err
		}
		b.i += x.(int64)
	case "decimal":
		x, ok := v.(decimal.Decimal)
		if !ok {
			var err error
			if x, err = decimal.NewFromString(fmt.Sprint(v)); err != nil {
				return err
			}
		}
		b.d = b.d.Add(x)
	default:
		x, _, err := types.Float64.Convert(ctx, v)
		if err != nil {
			return err
		}
		b.f += x.(float64)
	}
	return nil
}

func (b *sumBuffer) Eval(*gsql.Context) (any, error) {
	if !b.seen {
		return nil, nil
	}
	switch b.kind {
	case "int":
		return b.i, nil
	case "decimal":
		return b.d, nil
	}
	return b.f, nil
}

// fixSumTypesRuleID is the analyzer rule id of fixSumTypesRule (outside the
// engine's own id range).
const fixSumTypesRuleID analyzer.RuleId = 9001

// fixSumTypesRule gives column references to srSum results the type srSum
// declares, so integer sums travel as BIGINT and decimals as DECIMAL. The
// new types are propagated through aliases and subqueries (CTEs, derived
// tables) until nothing changes.
func fixSumTypesRule(_ *gsql.Context, _ *analyzer.Analyzer, n gsql.Node, _ *plan.Scope, _ analyzer.RuleSelector, _ *gsql.QueryFlags) (gsql.Node, transform.TreeIdentity, error) {
	identity := transform.SameTree
	for pass := 0; pass < 8; pass++ {
		ids := map[gsql.ColumnId]gsql.Type{}
		hasSum := false
		_, _, _ = transform.NodeWithOpaque(n, func(node gsql.Node) (gsql.Node, transform.TreeIdentity, error) {
			if sq, ok := node.(*plan.SubqueryAlias); ok {
				sch := sq.Child.Schema()
				i := 0
				sq.Columns().ForEach(func(id gsql.ColumnId) {
					if i < len(sch) {
						ids[id] = sch[i].Type
					}
					i++
				})
			}
			if ex, ok := node.(gsql.Expressioner); ok {
				for _, e := range ex.Expressions() {
					transform.InspectExpr(e, func(e gsql.Expression) bool {
						switch x := e.(type) {
						case *srSum:
							ids[x.id] = x.Type()
							hasSum = true
						case *expression.Alias:
							ids[x.Id()] = x.Type()
						}
						return false
					})
				}
			}
			return node, transform.SameTree, nil
		})
		if !hasSum {
			return n, identity, nil
		}
		next, same, err := transform.NodeExprsWithOpaque(n, func(e gsql.Expression) (gsql.Expression, transform.TreeIdentity, error) {
			gf, ok := e.(*expression.GetField)
			if !ok {
				return e, transform.SameTree, nil
			}
			t, ok := ids[gf.Id()]
			if !ok || t == nil || gf.Type() == t || !numericType(t) || !numericType(gf.Type()) {
				return e, transform.SameTree, nil
			}
			ng := expression.NewGetFieldWithTable(gf.Index(), int(gf.TableId()), t, gf.Database(), gf.Table(), gf.Name(), gf.IsNullable()).WithId(gf.Id())
			return ng.(gsql.Expression), transform.NewTree, nil
		})
		if err != nil {
			return nil, transform.SameTree, err
		}
		if same == transform.SameTree {
			return n, identity, nil
		}
		n, identity = next, transform.NewTree
	}
	return n, identity, nil
}

// numericType reports whether a type is a number type (only those are
// retyped by fixSumTypesRule).
func numericType(t gsql.Type) bool {
	return types.IsInteger(t) || types.IsFloat(t) || types.IsDecimal(t)
}
