package starrocks

import (
	"encoding/json"
	"strconv"

	gsql "github.com/dolthub/go-mysql-server/sql"
	"github.com/dolthub/go-mysql-server/sql/types"
	"github.com/dolthub/vitess/go/sqltypes"
)

// information_schema.loads (STARROCKS.md 5.4): Broker Load and INSERT jobs
// of every database. The older column set (JOB_ID, DATABASE_NAME, ...) is
// served before 3.4 and the newer one (ID, DB_NAME, ..., JOB_ID) from 3.4;
// the switch release is [unconfirmed] (Appendix A lists the new columns
// under 3.4).

type loadsColumn struct {
	name string
	typ  gsql.Type
	val  func(c *Cluster, v loadView) any
}

var (
	loadsText     = types.LongText
	loadsInt      = types.Int64
	loadsDatetime = types.MustCreateDatetimeType(sqltypes.Datetime, 0)
)

func loadsColumns(prof profile) []loadsColumn {
	id := func(_ *Cluster, v loadView) any { return v.ID }
	label := func(_ *Cluster, v loadView) any { return v.Label }
	db := func(_ *Cluster, v loadView) any { return v.DB }
	state := func(_ *Cluster, v loadView) any { return showLoadState(v) }
	progress := func(_ *Cluster, v loadView) any { return loadProgress(v) }
	typ := func(_ *Cluster, v loadView) any { return v.Type }
	prio := func(_ *Cluster, v loadView) any { return v.Priority }
	scan := func(_ *Cluster, v loadView) any { return v.scanRows }
	filtered := func(_ *Cluster, v loadView) any { return v.filteredRows }
	unselected := func(_ *Cluster, v loadView) any { return v.unselectedRows }
	sink := func(_ *Cluster, v loadView) any { return v.sinkRows }
	created := func(_ *Cluster, v loadView) any { return jobTimeValue(v.created) }
	loadStart := func(_ *Cluster, v loadView) any { return jobTimeValue(v.loadStart) }
	finish := func(_ *Cluster, v loadView) any { return jobTimeValue(v.finished) }
	errMsg := func(_ *Cluster, v loadView) any {
		if v.failType == "" {
			return nil
		}
		return "type:" + v.failType + "; msg:" + v.failMsg
	}
	tracking := func(_ *Cluster, v loadView) any {
		if s := trackingSQL(v); s != "" {
			return s
		}
		return nil
	}
	empty := func(*Cluster, loadView) any { return "" }
	null := func(*Cluster, loadView) any { return nil }
	if !prof.loadsNewLayout() {
		return []loadsColumn{
			{"JOB_ID", loadsInt, id}, {"LABEL", loadsText, label}, {"DATABASE_NAME", loadsText, db},
			{"STATE", loadsText, state}, {"PROGRESS", loadsText, progress}, {"TYPE", loadsText, typ},
			{"PRIORITY", loadsText, prio}, {"SCAN_ROWS", loadsInt, scan}, {"FILTERED_ROWS", loadsInt, filtered},
			{"UNSELECTED_ROWS", loadsInt, unselected}, {"SINK_ROWS", loadsInt, sink}, {"ETL_INFO", loadsText, empty},
			{"TASK_INFO", loadsText, func(_ *Cluster, v loadView) any { return loadTaskInfo(v) }},
			{"CREATE_TIME", loadsDatetime, created}, {"ETL_START_TIME", loadsDatetime, loadStart},
			{"ETL_FINISH_TIME", loadsDatetime, loadStart}, {"LOAD_START_TIME", loadsDatetime, loadStart},
			{"LOAD_FINISH_TIME", loadsDatetime, finish},
			{"JOB_DETAILS", loadsText, func(_ *Cluster, v loadView) any { return loadDetails(v) }},
			{"ERROR_MSG", loadsText, errMsg}, {"TRACKING_URL", loadsText, null}, {"TRACKING_SQL", loadsText, tracking},
			{"REJECTED_RECORD_PATH", loadsText, null},
		}
	}
	return []loadsColumn{
		{"ID", loadsInt, id}, {"LABEL", loadsText, label}, {"PROFILE_ID", loadsText, null}, {"DB_NAME", loadsText, db},
		{"TABLE_NAME", loadsText, func(_ *Cluster, v loadView) any { return v.Table }},
		{"USER", loadsText, func(_ *Cluster, v loadView) any { return v.User }},
		{"WAREHOUSE", loadsText, func(*Cluster, loadView) any { return "default_warehouse" }},
		{"STATE", loadsText, state}, {"PROGRESS", loadsText, progress}, {"TYPE", loadsText, typ},
		{"PRIORITY", loadsText, prio}, {"SCAN_ROWS", loadsInt, scan},
		{"SCAN_BYTES", loadsInt, func(_ *Cluster, v loadView) any { return v.scanBytes }},
		{"FILTERED_ROWS", loadsInt, filtered}, {"UNSELECTED_ROWS", loadsInt, unselected}, {"SINK_ROWS", loadsInt, sink},
		{"RUNTIME_DETAILS", loadsText, func(_ *Cluster, v loadView) any { return loadDetails(v) }},
		{"CREATE_TIME", loadsDatetime, created}, {"LOAD_START_TIME", loadsDatetime, loadStart},
		{"LOAD_COMMIT_TIME", loadsDatetime, finish}, {"LOAD_FINISH_TIME", loadsDatetime, finish},
		{"PROPERTIES", loadsText, func(_ *Cluster, v loadView) any {
			props := map[string]string{"timeout": strconv.FormatInt(v.Timeout, 10), "max_filter_ratio": javaDouble(v.MaxFilterRatio)}
			for k, val := range v.Props {
				props[k] = val
			}
			b, _ := json.Marshal(props)
			return string(b)
		}},
		{"ERROR_MSG", loadsText, errMsg}, {"TRACKING_SQL", loadsText, tracking},
		{"REJECTED_RECORD_PATH", loadsText, null}, {"JOB_ID", loadsInt, id},
	}
}

// registerLoadsTable installs information_schema.loads (3.1+).
func (c *Cluster) registerLoadsTable() {
	cols := loadsColumns(c.prof)
	schema := make(gsql.Schema, len(cols))
	for i, col := range cols {
		schema[i] = &gsql.Column{Name: col.name, Type: col.typ, Nullable: true, Source: "loads", DatabaseSource: "information_schema"}
	}
	c.provider.registerInfoSchemaTable(infoSchemaTable{
		Name:      "loads",
		Schema:    schema,
		Available: func(profile) bool { return true },
		Rows: func(*gsql.Context) ([]gsql.Row, error) {
			var rows []gsql.Row
			for _, j := range c.jobs.loads.list("") {
				v := j.view()
				r := make(gsql.Row, len(cols))
				for i, col := range cols {
					r[i] = col.val(c, v)
				}
				rows = append(rows, r)
			}
			return rows, nil
		},
	})
}
