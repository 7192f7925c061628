package starrocks

import (
	"strings"
	"testing"
	"time"

	gsql "github.com/dolthub/go-mysql-server/sql"
	"github.com/google/go-cmp/cmp"
)

// TestStoreAPI exercises the internal API later phases load and read data
// through.
func TestStoreAPI(t *testing.T) {
	c := startCluster(t, "3.3.2", SharedNothing)
	db := rootDB(t, c, "d")
	mustExec(t, db, rangeTableDDL)
	mustExec(t, db, `ALTER TABLE t ADD TEMPORARY PARTITION tp VALUES [("2024-01-01"), ("2024-01-02"))`)
	st := c.Store()
	snap, err := st.Table("d", "t")
	if err != nil {
		t.Fatal(err)
	}
	var rows []gsql.Row
	for _, vals := range [][]any{{"2024-01-01", "1", "10"}, {"2024-01-02", 2, int64(20)}} {
		r, err := ConvertRow(snap.Def, vals)
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, r)
	}
	res, err := st.Load(LoadRequest{DB: "d", Table: "t", Rows: rows})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]int64{"p20240101": 2, "p20240102": 2}, res.Versions); diff != "" || res.Rows != 2 {
		t.Errorf("load result: rows %d, versions (-want +got):\n%s", res.Rows, diff)
	}
	if _, err := ConvertRow(snap.Def, []any{"x"}); err == nil {
		t.Error("ConvertRow with a wrong arity: want an error")
	}

	tempRow, _ := ConvertRow(snap.Def, []any{"2024-01-01", 3, 30})
	if _, err := st.Load(LoadRequest{DB: "d", Table: "t", Partitions: []string{"tp"}, Temporary: true, Rows: []gsql.Row{tempRow}}); err != nil {
		t.Fatal(err)
	}
	got, p, err := st.PartitionRows("d", "t", "tp", true)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || p.VisibleVersion != 2 || !p.Temp {
		t.Errorf("temporary partition: %d rows, version %d, temp %v", len(got), p.VisibleVersion, p.Temp)
	}
	if d, ok := got[0][0].(time.Time); !ok || d.Format(dateLayout) != "2024-01-01" {
		t.Errorf("stored DATE value %#v", got[0][0])
	}
	if _, _, err := st.PartitionRows("d", "t", "nope", false); err == nil {
		t.Error("unknown partition: want an error")
	}
	bad, _ := ConvertRow(snap.Def, []any{"2030-01-01", 1, 1})
	if _, err := st.Load(LoadRequest{DB: "d", Table: "t", Rows: []gsql.Row{bad}}); err == nil || !strings.Contains(err.Error(), "Insert has filtered data") {
		t.Errorf("row outside partitions: %v", err)
	}

	sch, typed, err := c.QueryRows(t.Context(), "d", "SELECT k, sum(v) FROM t PARTITION (p20240101) GROUP BY k")
	if err != nil {
		t.Fatal(err)
	}
	if len(sch) != 2 || len(typed) != 1 || typed[0][1] != int64(10) {
		t.Errorf("QueryRows: schema %d columns, rows %#v", len(sch), typed)
	}
	if _, _, err := c.QueryRows(t.Context(), "d", "SELECT * FROM missing"); err == nil {
		t.Error("QueryRows on a missing table: want an error")
	}

	entry, err := st.Labels.Reserve("d", "job1", "EXPORT", st.NewID())
	if err != nil || entry.State != LabelPending {
		t.Fatalf("reserve: %+v %v", entry, err)
	}
	if got := execErr(t, db, "INSERT INTO t WITH LABEL job1 VALUES ('2024-01-01', 1, 1)"); got != "Error 1064 (HY000): Label [job1] has already been used." {
		t.Errorf("INSERT reusing a job label: %s", got)
	}
}
