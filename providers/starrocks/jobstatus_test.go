package starrocks

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// resultOf runs a scripted query and returns its resultSet.
func resultOf(t *testing.T, r jobReply) *resultSet {
	t.Helper()
	db, _ := newJobDB(t, func(string) jobReply { return r })
	res, err := queryAll(context.Background(), db, "Q")
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestLoadStatuses(t *testing.T) {
	t.Parallel()
	showLoad := []string{"JobId", "Label", "State", "Progress", "Type", "Priority", "EtlInfo", "TaskInfo", "ErrorMsg", "CreateTime"}
	newIS := []string{"ID", "LABEL", "PROFILE_ID", "DB_NAME", "TABLE_NAME", "STATE", "PROGRESS", "TYPE", "ERROR_MSG", "JOB_ID"}
	tests := map[string]struct {
		res  jobReply
		db   string
		want map[string]JobStatus
	}{
		"show load: newest job of a reused label wins": {
			res: reply(showLoad,
				[]string{"12", "a", "CANCELLED", "ETL:N/A; LOAD:N/A", "BROKER", "NORMAL", "NULL", "{}", "type:TIMEOUT; msg:x", "t"},
				[]string{"15", "a", "LOADING", "ETL:100%; LOAD:40%", "BROKER", "NORMAL", "NULL", "{}", "NULL", "t"},
				[]string{"9", "a", "FINISHED", "", "BROKER", "NORMAL", "NULL", "{}", "NULL", "t"},
				[]string{"13", "b", "FINISHED", "ETL:100%; LOAD:100%", "INSERT", "NORMAL", "NULL", "{}", "N/A", "t"},
			),
			db: "d",
			want: map[string]JobStatus{
				"a": {Found: true, JobID: "15", State: "LOADING", Progress: "ETL:100%; LOAD:40%", Type: "BROKER"},
				"b": {Found: true, JobID: "13", State: "FINISHED", Progress: "ETL:100%; LOAD:100%", Type: "INSERT"},
			},
		},
		"3.1 view: other databases skipped": {
			res: reply(loadsCols31,
				[]string{"1", "a", "other", "FINISHED", "100%", "BROKER", "NORMAL", ""},
				[]string{"2", "a", "d", "cancelled", "0%", "INSERT", "NORMAL", "type:USER_CANCEL; msg:m"},
			),
			db: "d",
			want: map[string]JobStatus{
				"a": {Found: true, JobID: "2", State: "CANCELLED", Progress: "0%", Type: "INSERT", ErrorMsg: "type:USER_CANCEL; msg:m"},
			},
		},
		"newer view: JOB_ID and DB_NAME by name": {
			res: reply(newIS, []string{"77", "x", "p", "d", "t", "PENDING", "0%", "BROKER", "NULL", "70"}),
			db:  "d",
			want: map[string]JobStatus{
				"x": {Found: true, JobID: "70", State: "PENDING", Progress: "0%", Type: "BROKER"},
			},
		},
		"no label column": {res: reply([]string{"a"}, []string{"1"}), db: "d", want: map[string]JobStatus{}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got := loadStatuses(resultOf(t, tc.res), tc.db)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("loadStatuses (-want +got):\n%s", diff)
			}
		})
	}
}

func TestExportStatuses(t *testing.T) {
	t.Parallel()
	res := resultOf(t, reply(exportCols,
		exportRow("1", "q1", "FINISHED", "s3://b/x/", "N/A"),
		exportRow("2", "q2", "EXPORTING", "s3://b/x", "N/A"),
		exportRow("3", "q3", "CANCELLED", "s3://b/y/", "type:RUN_FAIL; msg:boom"),
	))
	all := exportStatuses(res)
	if len(all) != 3 || all["q3"].ErrorMsg != "type:RUN_FAIL; msg:boom" || !all["q3"].Cancelled() || all["q1"].ErrorMsg != "" {
		t.Errorf("exportStatuses = %+v", all)
	}
	at := exportsAtPath(res, "s3://b/x/")
	if len(at) != 2 || !at["q1"].Finished() || at["q2"].Terminal() {
		t.Errorf("exportsAtPath = %+v, want q1 (finished) and q2 (running)", at)
	}
	if (JobStatus{State: "FINISHED"}).Finished() {
		t.Error("a status that was not found reports finished")
	}
}
