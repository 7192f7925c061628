package executor

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/srplan/srplan/planner"
	"github.com/srplan/srplan/state"
)

// fakeCluster is an in-memory stand-in for both sides, for unit tests of
// the executor's own logic (ordering, retries, throttles, resume). The
// integration tests run the same pipeline against the simulator.
type fakeCluster struct {
	mu sync.Mutex
	// rows per "db.table/partition" (formal) and per temp partition/shadow.
	rows  map[string]int64
	temps map[string]int64
	// tempValues holds each temporary partition's range text.
	tempValues map[string]string
	labels     map[string]LabelState
	versions   map[string]int64
	exports    int
	loads      int
	// failNext fails the next n exports/loads with a retryable error.
	failExports, failLoads int
	permanent              bool
	// inflight counts running exports/loads; peak is the maximum seen.
	inflightExp, inflightLoad, peakExp, peakLoad int
	delay                                        time.Duration
	cpu                                          float64
	ddl                                          []string
	// lateFile makes every export find, after Prepare cleared its
	// directory, a file that a cancelled earlier job renamed into it late
	// (as a StarRocks EXPORT cancelled mid-rename can), holding the
	// partition's rows once more.
	lateFile bool
}

func newFake() *fakeCluster {
	return &fakeCluster{rows: map[string]int64{}, temps: map[string]int64{}, tempValues: map[string]string{}, labels: map[string]LabelState{}, versions: map[string]int64{}}
}

type retryErr struct{ msg string }

func (e retryErr) Error() string   { return e.msg }
func (e retryErr) Retryable() bool { return true }

func key(t planner.TableAddr, p string) string { return t.String() + "/" + p }

func (f *fakeCluster) Export(ctx context.Context, req ExportRequest) (ExportResult, error) {
	f.mu.Lock()
	f.exports++
	if f.failExports > 0 {
		f.failExports--
		f.mu.Unlock()
		if f.permanent {
			return ExportResult{}, fmt.Errorf("Access denied; you need the EXPORT privilege")
		}
		return ExportResult{}, retryErr{"too many export tasks"}
	}
	f.inflightExp++
	f.peakExp = max(f.peakExp, f.inflightExp)
	f.mu.Unlock()
	defer func() { f.mu.Lock(); f.inflightExp--; f.mu.Unlock() }()
	if req.Prepare != nil {
		if err := req.Prepare(ctx); err != nil {
			return ExportResult{}, err
		}
	}
	if err := sleep(ctx, f.delay); err != nil {
		return ExportResult{}, err
	}
	// The export writes one file holding the partition's row count.
	dir := strings.TrimPrefix(req.DirURL, "file://")
	f.mu.Lock()
	n, late := f.rows[key(req.Table, req.Partition)], f.lateFile
	f.mu.Unlock()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return ExportResult{}, err
	}
	res := ExportResult{Job: "q-" + req.Partition, FilePrefix: "data_q-" + req.Partition + "_"}
	files := []string{res.FilePrefix + "0.csv"}
	if late {
		files = append(files, "data_q-late_0.csv")
	}
	for _, name := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(strconv.FormatInt(n, 10)), 0o644); err != nil {
			return ExportResult{}, err
		}
	}
	return res, nil
}

func (f *fakeCluster) PartitionVersion(_ context.Context, t planner.TableAddr, p string) (int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.versions[key(t, p)], nil
}

func (f *fakeCluster) Verify(_ context.Context, req VerifyRequest) (*state.VerifyResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := f.rows[key(req.Table, req.Partition)]
	return &state.VerifyResult{Mode: "count", RowCount: n}, nil
}

func (f *fakeCluster) Health(context.Context) ([]NodeLoad, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return []NodeLoad{{Node: "n1", CPUPct: f.cpu}}, nil
}

func (f *fakeCluster) CreateDatabase(_ context.Context, db string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ddl = append(f.ddl, "CREATE DATABASE "+db)
	return nil
}

func (f *fakeCluster) CreateTable(_ context.Context, ddl string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ddl = append(f.ddl, ddl)
	return nil
}

func (f *fakeCluster) EnsurePartition(_ context.Context, t planner.TableAddr, p, _ string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.rows[key(t, p)]; !ok {
		f.rows[key(t, p)] = 0
	}
	return nil
}

func (f *fakeCluster) PartitionExists(_ context.Context, t planner.TableAddr, p string) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	_, ok := f.rows[key(t, p)]
	return ok, nil
}

func (f *fakeCluster) ResetTempPartition(_ context.Context, t planner.TableAddr, tp, value string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	// Like StarRocks: temporary partitions of one table may not overlap.
	for k, v := range f.tempValues {
		if value != "" && k != key(t, tp) && strings.HasPrefix(k, t.String()+"/") && v == value {
			return fmt.Errorf("Range %s is intersected with range of temporary partition %s", value, k)
		}
	}
	f.temps[key(t, tp)] = 0
	f.tempValues[key(t, tp)] = value
	return nil
}

func (f *fakeCluster) DropTempPartition(_ context.Context, t planner.TableAddr, tp string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.temps, key(t, tp))
	delete(f.tempValues, key(t, tp))
	return nil
}

func (f *fakeCluster) TempPartitionExists(_ context.Context, t planner.TableAddr, tp string) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	_, ok := f.temps[key(t, tp)]
	return ok, nil
}

func (f *fakeCluster) ReplacePartition(_ context.Context, t planner.TableAddr, p, tp string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	n, ok := f.temps[key(t, tp)]
	if !ok {
		return fmt.Errorf("temporary partition %s does not exist", tp)
	}
	f.rows[key(t, p)] = n
	delete(f.temps, key(t, tp))
	delete(f.tempValues, key(t, tp))
	return nil
}

func (f *fakeCluster) ResetShadowTable(_ context.Context, t planner.TableAddr, shadow string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rows[key(planner.TableAddr{DB: t.DB, Table: shadow}, "")] = 0
	return nil
}

func (f *fakeCluster) TableExists(context.Context, planner.TableAddr) (bool, error) { return true, nil }

func (f *fakeCluster) OverwriteFromShadow(_ context.Context, t planner.TableAddr, shadow, label string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rows[key(t, "")] = f.rows[key(planner.TableAddr{DB: t.DB, Table: shadow}, "")]
	f.labels[label] = LabelFinished
	return nil
}

func (f *fakeCluster) DropTable(_ context.Context, t planner.TableAddr) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.rows, key(t, ""))
	return nil
}

func (f *fakeCluster) LabelState(_ context.Context, _, label string) (LabelState, string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if s, ok := f.labels[label]; ok {
		return s, "", nil
	}
	return LabelUnknown, "", nil
}

func (f *fakeCluster) Load(ctx context.Context, req LoadRequest) error {
	f.mu.Lock()
	f.loads++
	if f.labels[req.Label] == LabelFinished || f.labels[req.Label] == LabelRunning {
		f.mu.Unlock()
		return fmt.Errorf("Label [%s] has already been used.", req.Label)
	}
	if f.failLoads > 0 {
		f.failLoads--
		f.labels[req.Label] = LabelCancelled
		f.mu.Unlock()
		return retryErr{"load cancelled: timeout"}
	}
	f.labels[req.Label] = LabelRunning
	f.inflightLoad++
	f.peakLoad = max(f.peakLoad, f.inflightLoad)
	f.mu.Unlock()
	defer func() { f.mu.Lock(); f.inflightLoad--; f.mu.Unlock() }()
	if err := sleep(ctx, f.delay); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	n := int64(0)
	for _, u := range req.FileURLs {
		b, err := os.ReadFile(strings.TrimPrefix(u, "file://"))
		if err != nil {
			return err
		}
		v, _ := strconv.ParseInt(string(b), 10, 64)
		n += v
	}
	switch {
	case req.TempPartition != "":
		f.temps[key(req.Table, req.TempPartition)] += n
	default:
		f.rows[key(req.Table, req.Partition)] += n
	}
	f.labels[req.Label] = LabelFinished
	return nil
}

var (
	_ Source = (*fakeCluster)(nil)
	_ Target = (*fakeCluster)(nil)
)
