package starrocks

import (
	"testing"

	"github.com/srplan/srplan/planner"
)

func TestQuoteIdent(t *testing.T) {
	t.Parallel()
	tests := map[string]struct{ in, want string }{
		"plain":      {"orders", "`orders`"},
		"backtick":   {"a`b", "`a``b`"},
		"two ticks":  {"``", "``````"},
		"empty":      {"", "``"},
		"dot kept":   {"a.b", "`a.b`"},
		"quote kept": {`it's "x"`, "`it's \"x\"`"},
		"unicode":    {"订单", "`订单`"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if got := QuoteIdent(tc.in); got != tc.want {
				t.Errorf("QuoteIdent(%q) = %s, want %s", tc.in, got, tc.want)
			}
		})
	}
}

func TestQuoteString(t *testing.T) {
	t.Parallel()
	tests := map[string]struct{ in, want string }{
		"plain":              {"sales", `'sales'`},
		"empty":              {"", `''`},
		"single quote":       {"it's", `'it\'s'`},
		"backslash":          {`a\b`, `'a\\b'`},
		"backslash at end":   {`a\`, `'a\\'`},
		"backslash + quote":  {`\'`, `'\\\''`},
		"double quote as is": {`say "hi"`, `'say "hi"'`},
		"newline as is":      {"a\nb", "'a\nb'"},
		"percent as is":      {"p2024%", `'p2024%'`},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if got := QuoteString(tc.in); got != tc.want {
				t.Errorf("QuoteString(%q) = %s, want %s", tc.in, got, tc.want)
			}
		})
	}
}

// TestQuoteStringRoundTrip checks that the lexer used for CREATE TABLE
// texts, which decodes escapes as StarRocks does, reads back every quoted
// literal as the original.
func TestQuoteStringRoundTrip(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"", "a", "it's", `a\b`, `\\'\'`, "x\ny", `"q"`, "ends with \\"} {
		toks, err := lexDDL(QuoteString(s))
		if err != nil {
			t.Fatalf("lex %s: %v", QuoteString(s), err)
		}
		if len(toks) != 1 || toks[0].kind != tokString || toks[0].text != s {
			t.Errorf("QuoteString(%q) lexes to %+v", s, toks)
		}
	}
}

func TestStatementBuilders(t *testing.T) {
	t.Parallel()
	orders := planner.TableAddr{DB: "sales", Table: "orders"}
	odd := planner.TableAddr{DB: "we`ird", Table: "t`1"}
	tests := map[string]struct{ got, want string }{
		"table name":            {TableName(orders), "`sales`.`orders`"},
		"table name escaped":    {TableName(odd), "`we``ird`.`t``1`"},
		"show partitions":       {ShowPartitionsSQL(orders, false), "SHOW PARTITIONS FROM `sales`.`orders`"},
		"show temp partitions":  {ShowPartitionsSQL(orders, true), "SHOW TEMPORARY PARTITIONS FROM `sales`.`orders`"},
		"show partitions odd":   {ShowPartitionsSQL(odd, false), "SHOW PARTITIONS FROM `we``ird`.`t``1`"},
		"show create table":     {ShowCreateTableSQL(orders), "SHOW CREATE TABLE `sales`.`orders`"},
		"show create table odd": {ShowCreateTableSQL(odd), "SHOW CREATE TABLE `we``ird`.`t``1`"},
		"show tables":           {ShowTablesSQL("sales"), "SHOW FULL TABLES FROM `sales`"},
		"show tables odd":       {ShowTablesSQL("a`b"), "SHOW FULL TABLES FROM `a``b`"},
		"partitions meta db": {PartitionsMetaSQL("sales"),
			"SELECT TABLE_NAME, PARTITION_NAME, IS_TEMP, VISIBLE_VERSION, VISIBLE_VERSION_TIME" +
				" FROM information_schema.partitions_meta WHERE DB_NAME = 'sales'"},
		"partitions meta one": {PartitionsMetaSQL("sales", "orders"),
			"SELECT TABLE_NAME, PARTITION_NAME, IS_TEMP, VISIBLE_VERSION, VISIBLE_VERSION_TIME" +
				" FROM information_schema.partitions_meta WHERE DB_NAME = 'sales' AND TABLE_NAME IN ('orders')"},
		"partitions meta many": {PartitionsMetaSQL("o'db", "a", `b\c`),
			"SELECT TABLE_NAME, PARTITION_NAME, IS_TEMP, VISIBLE_VERSION, VISIBLE_VERSION_TIME" +
				` FROM information_schema.partitions_meta WHERE DB_NAME = 'o\'db' AND TABLE_NAME IN ('a', 'b\\c')`},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if tc.got != tc.want {
				t.Errorf("got  %s\nwant %s", tc.got, tc.want)
			}
		})
	}
}
