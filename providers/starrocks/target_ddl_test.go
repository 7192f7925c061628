package starrocks

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/srplan/srplan/planner"
)

const dayRange = "[types: [DATE]; keys: [2024-01-01]; ..types: [DATE]; keys: [2024-01-02]; )"

// ddlSim is a scripted target that knows which (temporary) partitions
// and tables exist and logs every DDL statement.
type ddlSim struct {
	mu     sync.Mutex
	parts  map[string]bool // "p1", "temp:tp1"
	tables []string
	ddl    []string
	// failAdd makes ADD PARTITION fail once, after adding it (a race).
	failAdd bool
}

func (d *ddlSim) handle(q string) jobReply {
	d.mu.Lock()
	defer d.mu.Unlock()
	partCols := []string{"PartitionId", "PartitionName", "VisibleVersion", "Range"}
	for _, temp := range []bool{false, true} {
		prefix := ShowPartitionsSQL(orders, temp) + " WHERE PartitionName = '"
		if strings.HasPrefix(q, prefix) {
			name := strings.TrimSuffix(strings.TrimPrefix(q, prefix), "'")
			key := name
			if temp {
				key = "temp:" + name
			}
			if d.parts[key] {
				return reply(partCols, []string{"1", name, "1", dayRange})
			}
			return reply(partCols)
		}
	}
	switch {
	case q == ShowTablesSQL("sales"):
		var rows [][]string
		for _, t := range d.tables {
			rows = append(rows, []string{t, "BASE TABLE"})
		}
		return reply([]string{"Tables_in_sales", "Table_type"}, rows...)
	case q == ShowTablesSQL("nodb"):
		return sqlErr(1049, "Unknown database 'nodb'")
	case strings.HasPrefix(q, "ALTER TABLE"), strings.HasPrefix(q, "CREATE TABLE"), strings.HasPrefix(q, "DROP TABLE"):
		d.ddl = append(d.ddl, q)
		if strings.Contains(q, " ADD PARTITION ") && d.failAdd {
			d.failAdd = false
			d.parts["p1"] = true
			return sqlErr(1517, "Duplicate partition name p1")
		}
		return okReply
	}
	return jobReply{err: fmt.Errorf("unexpected statement: %s", q)}
}

func TestTargetDDL(t *testing.T) {
	t.Parallel()
	shadow := planner.TableAddr{DB: "sales", Table: "sh"}
	tests := map[string]struct {
		parts   map[string]bool
		failAdd bool
		run     func(j *Jobs) error
		want    []string
	}{
		"ensure an existing partition": {
			parts: map[string]bool{"p1": true},
			run:   func(j *Jobs) error { return j.EnsurePartition(context.Background(), orders, "p1", dayRange) },
		},
		"ensure a missing partition": {
			parts: map[string]bool{},
			run:   func(j *Jobs) error { return j.EnsurePartition(context.Background(), orders, "p1", dayRange) },
			want:  []string{"ALTER TABLE `sales`.`orders` ADD PARTITION `p1` VALUES [('2024-01-01'), ('2024-01-02'))"},
		},
		"ensure races with another process": {
			parts: map[string]bool{}, failAdd: true,
			run:  func(j *Jobs) error { return j.EnsurePartition(context.Background(), orders, "p1", dayRange) },
			want: []string{"ALTER TABLE `sales`.`orders` ADD PARTITION `p1` VALUES [('2024-01-01'), ('2024-01-02'))"},
		},
		"reset temporary partition": {
			parts: map[string]bool{},
			run:   func(j *Jobs) error { return j.ResetTempPartition(context.Background(), orders, "tp1", "('a', 'b')") },
			want: []string{
				"ALTER TABLE `sales`.`orders` DROP TEMPORARY PARTITION IF EXISTS `tp1`",
				"ALTER TABLE `sales`.`orders` ADD TEMPORARY PARTITION `tp1` VALUES IN ('a', 'b')",
			},
		},
		"replace": {
			run:  func(j *Jobs) error { return j.ReplacePartition(context.Background(), orders, "p1", "tp1") },
			want: []string{ReplacePartitionSQL(orders, "p1", "tp1")},
		},
		"reset shadow": {
			run:  func(j *Jobs) error { return j.ResetShadowTable(context.Background(), orders, "sh") },
			want: []string{"DROP TABLE IF EXISTS `sales`.`sh`", "CREATE TABLE `sales`.`sh` LIKE `sales`.`orders`"},
		},
		"swap": {
			run:  func(j *Jobs) error { return j.SwapTable(context.Background(), orders, "sh") },
			want: []string{"ALTER TABLE `sales`.`orders` SWAP WITH `sh`", "DROP TABLE IF EXISTS `sales`.`sh`"},
		},
		"drop": {
			run:  func(j *Jobs) error { return j.DropTable(context.Background(), shadow) },
			want: []string{"DROP TABLE IF EXISTS `sales`.`sh`"},
		},
		"create": {
			run:  func(j *Jobs) error { return j.CreateTable(context.Background(), "CREATE TABLE IF NOT EXISTS x") },
			want: []string{"CREATE TABLE IF NOT EXISTS x"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			sim := &ddlSim{parts: tc.parts, failAdd: tc.failAdd}
			db, _ := newJobDB(t, sim.handle)
			if err := tc.run(testJobs(t, db, v33)); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, sim.ddl); diff != "" {
				t.Errorf("DDL (-want +got):\n%s", diff)
			}
		})
	}
}

func TestTargetLookups(t *testing.T) {
	t.Parallel()
	sim := &ddlSim{parts: map[string]bool{"p1": true, "temp:tp1": true}, tables: []string{"orders", "orders_x"}}
	db, _ := newJobDB(t, sim.handle)
	j := testJobs(t, db, v33)
	ctx := context.Background()
	check := func(what string, got bool, err error, want bool) {
		t.Helper()
		if err != nil || got != want {
			t.Errorf("%s = %v, %v; want %v", what, got, err, want)
		}
	}
	got, err := j.PartitionExists(ctx, orders, "p1")
	check("PartitionExists(p1)", got, err, true)
	got, err = j.PartitionExists(ctx, orders, "tp1")
	check("PartitionExists(tp1)", got, err, false)
	got, err = j.TempPartitionExists(ctx, orders, "tp1")
	check("TempPartitionExists(tp1)", got, err, true)
	got, err = j.TableExists(ctx, orders)
	check("TableExists(orders)", got, err, true)
	got, err = j.TableExists(ctx, planner.TableAddr{DB: "sales", Table: "order"})
	check("TableExists(order)", got, err, false)
	got, err = j.TableExists(ctx, planner.TableAddr{DB: "nodb", Table: "x"})
	check("TableExists(nodb.x)", got, err, false)

	if err := j.EnsurePartition(ctx, orders, "p9", "not a value"); err == nil || IsRetryable(err) {
		t.Errorf("EnsurePartition with a bad value = %v, want a permanent error", err)
	}
	if slices.ContainsFunc(sim.ddl, func(s string) bool { return strings.Contains(s, "p9") }) {
		t.Error("DDL sent for a bad value")
	}
}
