package starrocks

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/srplan/srplan/executor"
	"github.com/srplan/srplan/lang"
	"github.com/srplan/srplan/planner"
	sim "github.com/srplan/srplan/sim/starrocks"
	"github.com/srplan/srplan/state"
)

// localDir is a staging directory for the simulators: file:// URLs of a
// test's temporary directory.
type localDir struct{ root string }

func (d localDir) url(rel string) string { return "file://" + filepath.Join(d.root, rel) + "/" }

// files returns the file:// URLs of the regular files under rel, sorted.
func (d localDir) files(t *testing.T, rel string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(filepath.Join(d.root, rel), func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if e.Type().IsRegular() {
			out = append(out, "file://"+p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

// clear is the executor's Prepare: it empties the directory.
func (d localDir) clear(rel string) func(context.Context) error {
	return func(context.Context) error {
		dir := filepath.Join(d.root, rel)
		if err := os.RemoveAll(dir); err != nil {
			return err
		}
		return os.MkdirAll(dir, 0o755)
	}
}

var copyCols = []planner.Column{{Name: "id", Type: "bigint(20)"}, {Name: "dt", Type: "date"}, {Name: "amount", Type: "decimal(10, 2)"}}

const copyRows = "INSERT INTO sales.orders VALUES (1, '2024-01-01', 1.50), (2, '2024-01-01', NULL), (3, '2024-01-01', 0.00), (4, '2024-01-02', 9.99)"

// copyPartition moves p20240101 from src to dst the way the executor does
// for a partition the target already has: export, temporary partition,
// load, replace. It returns the files loaded.
func copyPartition(t *testing.T, src, dst *Jobs, dstClient *Client, dir localDir, method lang.Method, format string, split *lang.Split, where string) []string {
	t.Helper()
	ctx := context.Background()
	label := "srplan_copy_" + string(method)
	var submitted []string
	_, err := src.Export(ctx, executor.ExportRequest{
		Table: orders, Partition: "p20240101", Columns: copyCols, Method: method, DirURL: dir.url("x"),
		Label: label + "_export", Split: split, Where: where, Prepare: dir.clear("x"),
		OnSubmitted: func(id string) { submitted = append(submitted, id) },
	})
	if err != nil {
		t.Fatalf("export: %v", err)
	}
	if len(submitted) != 1 {
		t.Errorf("OnSubmitted calls %v, want one", submitted)
	}
	files := dir.files(t, "x")
	if len(files) == 0 {
		t.Fatal("export wrote no files")
	}
	parts, err := readPartitions(ctx, dstClient, orders, false)
	if err != nil {
		t.Fatal(err)
	}
	value := parts.parts[0].Value
	if err := dst.ResetTempPartition(ctx, orders, "tp_copy", value); err != nil {
		t.Fatal(err)
	}
	req := executor.LoadRequest{Table: orders, Partition: "p20240101", TempPartition: "tp_copy", FileURLs: files,
		Format: format, Columns: copyCols, Label: label}
	if err := dst.Load(ctx, req); err != nil {
		t.Fatalf("load: %v", err)
	}
	if err := dst.ReplacePartition(ctx, orders, "p20240101", "tp_copy"); err != nil {
		t.Fatal(err)
	}
	return files
}

func assertSameChecksum(t *testing.T, src, dst *Jobs, where string) {
	t.Helper()
	ctx := context.Background()
	rule := lang.VerifyRule{Mode: lang.VerifyChecksum}
	s, err := src.Verify(ctx, executor.VerifyRequest{Table: orders, Partition: "p20240101", Columns: copyCols, Rule: rule, Where: where})
	if err != nil {
		t.Fatal(err)
	}
	d, err := dst.Verify(ctx, executor.VerifyRequest{Table: orders, Partition: "p20240101", Columns: copyCols, Rule: rule})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(s, d, cmpIgnoreAt); diff != "" {
		t.Errorf("source and target differ after the copy (-source +target):\n%s", diff)
	}
}

func TestJobsSimExportThenBrokerLoad(t *testing.T) {
	ctx := context.Background()
	hash := ChecksumFuncFor(planner.Version{Major: 3, Minor: 1, Patch: 11}, planner.Version{Major: 3, Minor: 3, Patch: 2})
	_, srcClient, src := simJobs(t, "3.1.11", sim.SharedData, hash)
	_, dstClient, dst := simJobs(t, "3.3.2", sim.SharedNothing, hash)
	execAll(t, srcClient, copyRows)
	execAll(t, dstClient, "INSERT INTO sales.orders VALUES (99, '2024-01-01', 5.00)") // stale target rows
	dir := localDir{t.TempDir()}

	files := copyPartition(t, src, dst, dstClient, dir, lang.MethodExport, "csv", nil, "")
	assertSameChecksum(t, src, dst, "")
	if n := countRows(t, dstClient, "SELECT COUNT(*) FROM sales.orders PARTITION (p20240101)"); n != 3 {
		t.Errorf("target partition has %d rows, want 3", n)
	}

	// The same label again: looked up, never loaded twice.
	if err := dst.ResetTempPartition(ctx, orders, "tp_again", "[types: [DATE]; keys: [2024-01-01]; ..types: [DATE]; keys: [2024-01-02]; )"); err != nil {
		t.Fatal(err)
	}
	err := dst.Load(ctx, executor.LoadRequest{Table: orders, TempPartition: "tp_again", FileURLs: files, Format: "csv", Columns: copyCols, Label: "srplan_copy_export"})
	if err != nil {
		t.Fatalf("a load under a finished label: %v", err)
	}
	if n := countRows(t, dstClient, "SELECT COUNT(*) FROM sales.orders TEMPORARY PARTITION (tp_again)"); n != 0 {
		t.Errorf("the finished label loaded %d rows again", n)
	}
	if st, _, err := dst.LabelState(ctx, "sales", "srplan_copy_export"); err != nil || st != executor.LabelFinished {
		t.Errorf("LabelState = %s, %v; want finished", st, err)
	}
	if st, _, err := dst.LabelState(ctx, "sales", "never_used"); err != nil || st != executor.LabelUnknown {
		t.Errorf("LabelState of an unused label = %s, %v; want unknown", st, err)
	}
	if q := src.Watcher().Queries() + dst.Watcher().Queries(); q == 0 {
		t.Error("no status queries counted")
	}
}

func TestJobsSimFilesSplitThenInsertFromFiles(t *testing.T) {
	_, srcClient, src := simJobs(t, "3.3.2", sim.SharedNothing, "xx_hash3_64")
	_, dstClient, dst := simJobs(t, "3.3.2", sim.SharedData, "xx_hash3_64")
	execAll(t, srcClient, copyRows)
	dir := localDir{t.TempDir()}

	files := copyPartition(t, src, dst, dstClient, dir, lang.MethodFiles, "parquet", &lang.Split{Column: "id", Parts: 3}, "")
	for _, f := range files {
		if !strings.Contains(f, "/split-") {
			t.Errorf("file %s is not in a part directory", f)
		}
	}
	assertSameChecksum(t, src, dst, "")
	if n := countRows(t, dstClient, "SELECT COUNT(*) FROM sales.orders PARTITION (p20240101)"); n != 3 {
		t.Errorf("target partition has %d rows, want 3", n)
	}

	// The INSERT's label again: looked up, never loaded twice.
	ctx := context.Background()
	if err := dst.ResetTempPartition(ctx, orders, "tp_again", "[types: [DATE]; keys: [2024-01-01]; ..types: [DATE]; keys: [2024-01-02]; )"); err != nil {
		t.Fatal(err)
	}
	err := dst.Load(ctx, executor.LoadRequest{Table: orders, TempPartition: "tp_again", FileURLs: files, Format: "parquet", Columns: copyCols, Label: "srplan_copy_files"})
	if err != nil {
		t.Fatalf("a load under a finished label: %v", err)
	}
	if n := countRows(t, dstClient, "SELECT COUNT(*) FROM sales.orders TEMPORARY PARTITION (tp_again)"); n != 0 {
		t.Errorf("the finished label loaded %d rows again", n)
	}
}

func TestJobsSimLoadCancelledLabelIsReused(t *testing.T) {
	ctx := context.Background()
	_, srcClient, src := simJobs(t, "3.3.2", sim.SharedNothing, "")
	dstSim, dstClient, dst := simJobs(t, "3.3.2", sim.SharedNothing, "")
	execAll(t, srcClient, copyRows)
	dir := localDir{t.TempDir()}
	if _, err := src.Export(ctx, executor.ExportRequest{Table: orders, Partition: "p20240101", Columns: copyCols,
		Method: lang.MethodExport, DirURL: dir.url("x"), Prepare: dir.clear("x")}); err != nil {
		t.Fatal(err)
	}
	req := executor.LoadRequest{Table: orders, Partition: "p20240101", FileURLs: dir.files(t, "x"), Format: "csv", Columns: copyCols, Label: "srplan_reuse"}

	dstSim.Controls().SetCancelRate(1, 1)
	err := dst.Load(ctx, req)
	var je *JobError
	if !errors.As(err, &je) {
		t.Fatalf("Load with every job cancelled = %v, want a *JobError", err)
	}
	if st, _, _ := dst.LabelState(ctx, "sales", "srplan_reuse"); st != executor.LabelCancelled {
		t.Errorf("LabelState = %s, want cancelled", st)
	}
	dstSim.Controls().SetCancelRate(0, 1)
	if err := dst.Load(ctx, req); err != nil {
		t.Fatalf("Load after the cancel: %v", err)
	}
	if n := countRows(t, dstClient, "SELECT COUNT(*) FROM sales.orders PARTITION (p20240101)"); n != 3 {
		t.Errorf("target has %d rows, want 3", n)
	}
}

func TestJobsSimFilesLabelSettlesReruns(t *testing.T) {
	ctx := context.Background()
	_, srcClient, src := simJobs(t, "3.3.2", sim.SharedNothing, "")
	execAll(t, srcClient, copyRows)
	dir := localDir{t.TempDir()}
	prepared := 0
	req := executor.ExportRequest{Table: orders, Partition: "p20240101", Columns: copyCols, Method: lang.MethodFiles,
		DirURL: dir.url("x"), Label: "srplan_export_once",
		Prepare: func(ctx context.Context) error { prepared++; return dir.clear("x")(ctx) }}
	if _, err := src.Export(ctx, req); err != nil {
		t.Fatal(err)
	}
	first := dir.files(t, "x")
	// A rerun after an interruption: the label finished, so its files are
	// kept and nothing runs again.
	if _, err := src.Export(ctx, req); err != nil {
		t.Fatal(err)
	}
	if prepared != 1 || !slices.Equal(first, dir.files(t, "x")) || len(first) == 0 {
		t.Errorf("rerun: Prepare called %d times, files %v then %v; want one Prepare and the same files", prepared, first, dir.files(t, "x"))
	}
	if st, _, err := src.LabelState(ctx, "sales", "srplan_export_once"); err != nil || st != executor.LabelFinished {
		t.Errorf("LabelState of the export label = %s, %v; want finished", st, err)
	}
}

func TestJobsSimUnpartitionedCSVThroughShadow(t *testing.T) {
	ctx := context.Background()
	_, srcClient, src := simJobs(t, "3.1.11", sim.SharedNothing, "")
	_, dstClient, dst := simJobs(t, "3.3.2", sim.SharedNothing, "")
	users := planner.TableAddr{DB: "sales", Table: "users"}
	cols := []planner.Column{{Name: "uid", Type: "bigint(20)", Key: true}, {Name: "name", Type: "varchar(64)", Nullable: true}}
	values := []string{"ann", "", "line1\nline2\r\n", "tab\there, comma", `quote's "dq"`, `back\slash`, "  padded  "}
	for i, v := range values {
		execAll(t, srcClient, "INSERT INTO sales.users VALUES ("+strconv.Itoa(i+1)+", "+QuoteString(v)+")")
	}
	execAll(t, srcClient, "INSERT INTO sales.users VALUES (100, NULL)")
	execAll(t, dstClient, "INSERT INTO sales.users VALUES (1, 'old')")
	dir := localDir{t.TempDir()}

	copyUsers := func(label string) {
		t.Helper()
		if _, err := src.Export(ctx, executor.ExportRequest{Table: users, Columns: cols, Method: lang.MethodExport,
			DirURL: dir.url(label), Prepare: dir.clear(label)}); err != nil {
			t.Fatal(err)
		}
		if err := dst.ResetShadowTable(ctx, users, "srplan_shadow_"+label); err != nil {
			t.Fatal(err)
		}
		shadow := planner.TableAddr{DB: "sales", Table: "srplan_shadow_" + label}
		if err := dst.Load(ctx, executor.LoadRequest{Table: shadow, FileURLs: dir.files(t, label), Format: "csv", Columns: cols, Label: label}); err != nil {
			t.Fatal(err)
		}
		if err := dst.OverwriteFromShadow(ctx, users, shadow.Table, label+"_ow"); err != nil {
			t.Fatal(err)
		}
		if err := dst.DropTable(ctx, shadow); err != nil {
			t.Fatal(err)
		}
	}
	verify := func() (*state.VerifyResult, *state.VerifyResult) {
		t.Helper()
		rule := lang.VerifyRule{Mode: lang.VerifyChecksum}
		s, err := src.Verify(ctx, executor.VerifyRequest{Table: users, Columns: cols, Rule: rule})
		if err != nil {
			t.Fatal(err)
		}
		d, err := dst.Verify(ctx, executor.VerifyRequest{Table: users, Columns: cols, Rule: rule})
		if err != nil {
			t.Fatal(err)
		}
		return s, d
	}

	copyUsers("srplan_users_1")
	if s, d := verify(); s.RowCount != int64(len(values)+1) || s.Checksum != d.Checksum || s.RowCount != d.RowCount {
		t.Errorf("after the copy: source %+v, target %+v; want %d equal rows", s, d, len(values)+1)
	}

	// The residual risk of CSV: a string that is literally \N arrives as
	// NULL. Verification must see it.
	execAll(t, srcClient, `INSERT INTO sales.users VALUES (1, '\\N')`)
	copyUsers("srplan_users_2")
	if s, d := verify(); s.Checksum == d.Checksum {
		t.Errorf("the string \\N became NULL on the target and the checksums still agree (%s)", s.Checksum)
	}
}

func TestJobsSimFilesWhereAndSplit(t *testing.T) {
	_, srcClient, src := simJobs(t, "3.2.9", sim.SharedNothing, "xx_hash3_64")
	_, dstClient, dst := simJobs(t, "3.5.0", sim.SharedData, "xx_hash3_64")
	execAll(t, srcClient, copyRows)
	where := "amount IS NOT NULL"
	copyPartition(t, src, dst, dstClient, localDir{t.TempDir()}, lang.MethodFiles, "parquet", &lang.Split{Column: "amount", Parts: 2}, where)
	assertSameChecksum(t, src, dst, where)
	if n := countRows(t, dstClient, "SELECT COUNT(*) FROM sales.orders PARTITION (p20240101)"); n != 2 {
		t.Errorf("target partition has %d rows, want the 2 the filter keeps", n)
	}
}

func TestJobsSimConcurrentLoadsOneDatabase(t *testing.T) {
	ctx := context.Background()
	_, srcClient, src := simJobs(t, "3.3.2", sim.SharedNothing, "")
	dstSim, dstClient, dst := simJobs(t, "3.3.2", sim.SharedNothing, "")
	execAll(t, srcClient, copyRows)
	dir := localDir{t.TempDir()}
	if _, err := src.Export(ctx, executor.ExportRequest{Table: orders, Partition: "p20240101", Columns: copyCols,
		Method: lang.MethodExport, DirURL: dir.url("x"), Prepare: dir.clear("x")}); err != nil {
		t.Fatal(err)
	}
	files := dir.files(t, "x")
	dstSim.Controls().SetJobModel(sim.JobModel{ThroughputBytesPerSec: 500, TimeScale: 1}) // jobs run a few polls long
	const n = 6
	errs := make(chan error, n)
	for i := range n {
		go func() {
			errs <- dst.Load(ctx, executor.LoadRequest{Table: orders, Partition: "p20240101", FileURLs: files, Format: "csv",
				Columns: copyCols, Label: "srplan_concurrent_" + strconv.Itoa(i)})
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if got := countRows(t, dstClient, "SELECT COUNT(*) FROM sales.orders PARTITION (p20240101)"); got != 3*n {
		t.Errorf("%d loads of 3 rows left %d rows, want %d", n, got, 3*n)
	}
}

func TestJobsSimExportCancelsEarlierJobOfTheDirectory(t *testing.T) {
	ctx := context.Background()
	srcSim, srcClient, src := simJobs(t, "3.1.11", sim.SharedData, "")
	execAll(t, srcClient, copyRows)
	dir := localDir{t.TempDir()}

	// An export an earlier process left running into the same directory:
	// a partition about a thousand times larger than the one exported
	// now, so that at the simulated rate it is still running when the new
	// export starts and the new one ends quickly.
	var big strings.Builder
	big.WriteString("INSERT INTO sales.orders VALUES ")
	for i := range 3000 {
		if i > 0 {
			big.WriteString(", ")
		}
		big.WriteString("(" + strconv.Itoa(1000+i) + ", '2024-01-02', 1.00)")
	}
	execAll(t, srcClient, big.String())
	srcSim.Controls().SetJobModel(sim.JobModel{ThroughputBytesPerSec: 200, TimeScale: 1})
	execAll(t, srcClient, ExportSQL(ExportSpec{Table: orders, Partition: "p20240102", Columns: columnNames(copyCols), Dir: dir.url("x"), Timeout: time.Hour}))

	id, err := src.Export(ctx, executor.ExportRequest{Table: orders, Partition: "p20240101", Columns: copyCols,
		Method: lang.MethodExport, DirURL: dir.url("x"), Prepare: dir.clear("x")})
	if err != nil {
		t.Fatal(err)
	}
	files := dir.files(t, "x")
	if len(files) == 0 {
		t.Fatal("no files")
	}
	for _, f := range files {
		if !strings.Contains(f, id.FilePrefix) {
			t.Errorf("file %s is not from job %s", f, id.Job)
		}
	}
	res, err := queryAll(ctx, srcClient, ShowExportSQL("sales", ""))
	if err != nil {
		t.Fatal(err)
	}
	jobs := exportStatuses(res)
	if len(jobs) != 2 {
		t.Fatalf("SHOW EXPORT lists %d jobs, want 2", len(jobs))
	}
	for qid, st := range jobs {
		if want := qid == id.Job; st.Finished() != want || st.Cancelled() == want {
			t.Errorf("job %s is %s; want only the new job %s finished and the old one cancelled", qid, st.State, id.Job)
		}
	}
}

func TestJobsSimLoadFailuresAreClassified(t *testing.T) {
	ctx := context.Background()
	_, srcClient, src := simJobs(t, "3.3.2", sim.SharedNothing, "")
	dstSim, _, dst := simJobs(t, "3.3.2", sim.SharedNothing, "")
	execAll(t, srcClient, copyRows)
	dir := localDir{t.TempDir()}
	if _, err := src.Export(ctx, executor.ExportRequest{Table: orders, Partition: "p20240101", Columns: copyCols,
		Method: lang.MethodExport, DirURL: dir.url("x"), Prepare: dir.clear("x")}); err != nil {
		t.Fatal(err)
	}
	files := dir.files(t, "x")
	tests := []struct {
		kind, text, format string
		retry              bool
	}{
		{sim.KindLoad, "type:TIMEOUT; msg:load timeout", "csv", true},
		{sim.KindLoad, "type:ETL_RUN_FAIL; msg:No such file or directory", "csv", false},
		{sim.KindInsert, "Too many tasks in queue", "parquet", true},
	}
	for i, tc := range tests {
		dstSim.Controls().FailNext(tc.kind, 1, tc.text)
		req := executor.LoadRequest{Table: orders, Partition: "p20240101", FileURLs: files, Format: tc.format,
			Columns: copyCols, Label: "srplan_fail_" + strconv.Itoa(i)}
		if tc.format == "parquet" {
			req.FileURLs = []string{"file:///nonexistent.parquet"}
		}
		err := dst.Load(ctx, req)
		if err == nil || !strings.Contains(err.Error(), tc.text[len(tc.text)-10:]) || IsRetryable(err) != tc.retry {
			t.Errorf("%s %q: Load error = %v (retryable %v), want retryable %v", tc.kind, tc.text, err, IsRetryable(err), tc.retry)
		}
	}
}
