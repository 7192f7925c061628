package starrocks

import (
	"strings"
	"testing"
	"time"

	"github.com/srplan/srplan/lang"
	"github.com/srplan/srplan/planner"
)

// Names that are StarRocks reserved keywords (keywords.md), none of them a
// keyword the builders themselves write, so that a bare occurrence in a
// statement can only be an unquoted name.
const (
	kwDB        = "schema"
	kwTable     = "order"
	kwPartition = "group"
	kwTemp      = "having"
	kwColumn    = "key"
	kwColumn2   = "desc"
	kwLabel     = "limit"
	kwShadow    = "join"
)

// bareWords returns the words of stmt outside backquoted names and string
// literals, upper-cased (lexDDL's unquoted words).
func bareWords(t *testing.T, stmt string) map[string]bool {
	t.Helper()
	toks, err := lexDDL(stmt)
	if err != nil {
		t.Fatalf("lex %q: %v", stmt, err)
	}
	out := map[string]bool{}
	for _, tok := range toks {
		if tok.kind == tokWord {
			out[strings.ToUpper(tok.text)] = true
		}
	}
	return out
}

// TestBuildersQuoteReservedNames: every statement builder writes database,
// table, partition, temporary partition, column and label names
// backquoted, so that names StarRocks reserves (order, select, ...) parse.
// Each case lists the quoted forms that must appear; no reserved name may
// appear bare.
func TestBuildersQuoteReservedNames(t *testing.T) {
	t.Parallel()
	tbl := planner.TableAddr{DB: kwDB, Table: kwTable}
	cols := []planner.Column{{Name: kwColumn, Type: "bigint(20)"}, {Name: kwColumn2, Type: "varchar(8)"}}
	props := map[string]string{"aws.s3.region": "r"}
	rng := PartitionValue{Range: true, Lower: []string{"2024-01-01"}, Upper: []string{"2024-01-02"}}
	verify := func(mode string, sums []string) string {
		q, err := VerifySQL(VerifySpec{Table: tbl, Partition: kwPartition, Columns: cols, Mode: mode, Sums: sums, HashFunc: "xx_hash3_64"})
		if err != nil {
			t.Fatalf("VerifySQL %s: %v", mode, err)
		}
		return q
	}
	q := func(s string) string { return QuoteIdent(s) }
	tn := q(kwDB) + "." + q(kwTable)
	tests := map[string]struct {
		stmt string
		want []string
	}{
		"show partitions":        {ShowPartitionsSQL(tbl, false), []string{tn}},
		"show temp partitions":   {ShowPartitionsSQL(tbl, true), []string{tn}},
		"show partition filter":  {ShowPartitionSQL(tbl, kwPartition, false), []string{tn, "PartitionName = 'group'"}},
		"show create table":      {ShowCreateTableSQL(tbl), []string{tn}},
		"show tables":            {ShowTablesSQL(kwDB), []string{q(kwDB)}},
		"partitions meta":        {PartitionsMetaSQL(kwDB, kwTable), []string{"DB_NAME = 'schema'", "TABLE_NAME IN ('order')"}},
		"add partition":          {AddPartitionSQL(tbl, kwPartition, rng, false), []string{tn, "ADD PARTITION " + q(kwPartition) + " VALUES"}},
		"add temporary":          {AddPartitionSQL(tbl, kwTemp, rng, true), []string{tn, "ADD TEMPORARY PARTITION " + q(kwTemp) + " VALUES"}},
		"drop temporary":         {DropTempPartitionSQL(tbl, kwTemp), []string{tn, "IF EXISTS " + q(kwTemp)}},
		"replace partition":      {ReplacePartitionSQL(tbl, kwPartition, kwTemp), []string{tn, "REPLACE PARTITION (" + q(kwPartition) + ") WITH TEMPORARY PARTITION (" + q(kwTemp) + ")"}},
		"create table like":      {CreateTableLikeSQL(planner.TableAddr{DB: kwDB, Table: kwShadow}, tbl), []string{q(kwDB) + "." + q(kwShadow) + " LIKE " + tn}},
		"drop table":             {DropTableSQL(tbl), []string{tn}},
		"swap":                   {SwapTableSQL(tbl, kwShadow), []string{tn, "SWAP WITH " + q(kwShadow)}},
		"use":                    {UseSQL(kwDB), []string{q(kwDB)}},
		"show load":              {ShowLoadSQL(kwDB, kwLabel), []string{q(kwDB)}},
		"show export":            {ShowExportSQL(kwDB, "id"), []string{q(kwDB)}},
		"cancel export":          {CancelExportSQL(kwDB, "id"), []string{q(kwDB)}},
		"cancel load":            {CancelLoadSQL(kwDB, kwLabel), []string{q(kwDB)}},
		"insert overwrite":       {InsertOverwriteSQL(tbl, planner.TableAddr{DB: kwDB, Table: kwShadow}, kwLabel), []string{tn, "WITH LABEL " + q(kwLabel), "FROM " + q(kwDB) + "." + q(kwShadow)}},
		"split predicate":        {SplitPredicate(kwColumn, 4, 1), []string{"CAST(" + q(kwColumn) + " AS STRING)"}},
		"checksum expression":    {ChecksumExpr(cols[0]), []string{"CAST(" + q(kwColumn) + " AS STRING)"}},
		"verify count":           {verify(lang.VerifyCount, nil), []string{"FROM " + tn + " PARTITION (" + q(kwPartition) + ")"}},
		"verify checksum":        {verify(lang.VerifyChecksum, nil), []string{"FROM " + tn + " PARTITION (" + q(kwPartition) + ")", q(kwColumn), q(kwColumn2)}},
		"verify sums":            {verify(lang.VerifySums, []string{kwColumn}), []string{"SUM(CAST(" + q(kwColumn) + " AS DECIMAL(38, 0)))", "PARTITION (" + q(kwPartition) + ")"}},
		"export partition":       {ExportSQL(ExportSpec{Table: tbl, Partition: kwPartition, Columns: columnNames(cols), Dir: "s3://b/x/", Timeout: time.Minute, Broker: props}), []string{"EXPORT TABLE " + tn + " PARTITION (" + q(kwPartition) + ") (" + q(kwColumn) + ", " + q(kwColumn2) + ")"}},
		"export table":           {ExportSQL(ExportSpec{Table: tbl, Dir: "s3://b/x/", Timeout: time.Minute}), []string{"EXPORT TABLE " + tn + " TO"}},
		"insert into files":      {InsertIntoFilesSQL(UnloadSpec{Table: tbl, Partition: kwPartition, Columns: columnNames(cols), Dir: "s3://b/x/", Compression: "zstd", Label: kwLabel, SplitColumn: kwColumn2, SplitParts: 2}), []string{"WITH LABEL " + q(kwLabel), "SELECT " + q(kwColumn) + ", " + q(kwColumn2) + " FROM " + tn + " PARTITION (" + q(kwPartition) + ")", "CAST(" + q(kwColumn2) + " AS STRING)"}},
		"broker load partition":  {BrokerLoadSQL(LoadSpec{Table: tbl, Partition: kwPartition, Files: []string{"s3://b/x/1.csv"}, Columns: columnNames(cols), Properties: props, Label: kwLabel, Timeout: time.Minute}), []string{"LOAD LABEL " + q(kwDB) + "." + q(kwLabel), "INTO TABLE " + q(kwTable) + " PARTITION (" + q(kwPartition) + ")", "(" + q(kwColumn) + ", " + q(kwColumn2) + "))"}},
		"broker load temporary":  {BrokerLoadSQL(LoadSpec{Table: tbl, Partition: kwPartition, TempPartition: kwTemp, Files: []string{"s3://b/x/1.csv"}, Columns: columnNames(cols), Label: kwLabel, Timeout: time.Minute}), []string{"INTO TABLE " + q(kwTable) + " TEMPORARY PARTITION (" + q(kwTemp) + ")"}},
		"insert from files":      {InsertFromFilesSQL(LoadSpec{Table: tbl, Partition: kwPartition, Files: []string{"s3://b/x/1.parquet"}, Columns: columnNames(cols), Properties: props, Label: kwLabel}), []string{"INSERT INTO " + tn + " PARTITION (" + q(kwPartition) + ") WITH LABEL " + q(kwLabel) + " (" + q(kwColumn) + ", " + q(kwColumn2) + ")"}},
		"insert from files temp": {InsertFromFilesSQL(LoadSpec{Table: tbl, TempPartition: kwTemp, Files: []string{"a.parquet", "b.parquet"}, Columns: columnNames(cols), Label: kwLabel}), []string{"INSERT INTO " + tn + " TEMPORARY PARTITION (" + q(kwTemp) + ")", "SELECT " + q(kwColumn) + ", " + q(kwColumn2) + " FROM FILES("}},
	}
	reserved := []string{kwDB, kwTable, kwPartition, kwTemp, kwColumn, kwColumn2, kwLabel, kwShadow}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			for _, w := range tt.want {
				if !strings.Contains(tt.stmt, w) {
					t.Errorf("%s\nlacks %s", tt.stmt, w)
				}
			}
			bare := bareWords(t, tt.stmt)
			for _, r := range reserved {
				if bare[strings.ToUpper(r)] {
					t.Errorf("%s\nhas %s unquoted", tt.stmt, r)
				}
			}
		})
	}
}
