package starrocks

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/dolthub/vitess/go/sqltypes"
)

// handleBrokerLoad validates a LOAD LABEL statement, reserves its label
// and starts the job (STARROCKS.md 5.1). The statement returns at once.
func handleBrokerLoad(_ context.Context, s *Session, st *Statement) (*sqltypes.Result, error) {
	bl, err := parseBrokerLoad(st)
	if err != nil {
		return nil, err
	}
	db, err := s.resolveDB(bl.DB)
	if err != nil {
		return nil, err
	}
	if err := checkLabel(bl.Label); err != nil {
		return nil, err
	}
	opts, err := parseBrokerLoadOptions(bl.Props)
	if err != nil {
		return nil, err
	}
	for _, d := range bl.Descs {
		snap := s.c.store.TableIfExists(db, d.Table)
		if snap == nil {
			return nil, analysisError(fmt.Sprintf("Unknown table '%s'", d.Table))
		}
		if err := s.require("INSERT", "TABLE", d.Table, "LOAD"); err != nil {
			return nil, err
		}
		for _, pn := range d.Partitions {
			if _, ok := snap.Partition(pn, d.Temporary); !ok {
				if d.Temporary {
					return nil, analysisError(fmt.Sprintf("Unknown temporary partition '%s' in table '%s'", pn, d.Table))
				}
				return nil, errUnknownPartition(pn, d.Table)
			}
		}
		if d.Negative && snap.Def.Keys != AggregateKeys {
			return nil, analysisError("Negative is only used when the table is aggregate table with sum aggregate")
		}
		for _, e := range d.Set {
			if snap.Def.column(e.Column) < 0 {
				return nil, analysisError(fmt.Sprintf("Column '%s' does not exist in table '%s'", e.Column, d.Table))
			}
		}
		for _, w := range d.Where {
			if snap.Def.column(w.Column) < 0 {
				return nil, analysisError(fmt.Sprintf("Column '%s' cannot be resolved", w.Column))
			}
		}
		for _, p := range d.Paths {
			if _, err := parseLocation(p); err != nil {
				return nil, analysisError(err.Error())
			}
		}
	}
	j := &loadJob{
		ID: s.c.store.NewID(), Label: bl.Label, DB: db, Table: bl.Descs[0].Table, Type: "BROKER", User: s.User,
		Priority: opts.priority, Timeout: opts.timeout, MaxFilterRatio: opts.maxFilterRatio, Props: opts.props,
		stopCh: make(chan struct{}), state: loadPending, created: s.c.jobNow(),
	}
	if _, err := s.c.store.Labels.Reserve(db, bl.Label, "BROKER", j.ID); err != nil {
		return nil, err
	}
	s.c.jobs.loads.add(j)
	s.c.jobs.countSubmit(KindLoad)
	s.c.jobs.goJob(func(ctx context.Context) { s.c.runBrokerLoad(ctx, j, bl, opts) })
	return okResult(0), nil
}

// loadFail cancels a load job and its label.
func (c *Cluster) loadFail(j *loadJob, typ, msg string) {
	if j.fail(c.jobNow(), typ, msg) {
		c.store.Labels.Update(j.DB, j.Label, LabelCancelled, 0, msg)
	}
}

// brokerFile is one file a data description reads.
type brokerFile struct {
	desc *dataDesc
	st   objectStore
	obj  objectInfo
}

// runBrokerLoad runs one Broker Load: list the files (PENDING), wait for a
// slot (QUEUEING), read and convert every row (LOADING, paced by the job
// model over the file bytes), check the filter ratio, then commit every
// data description in one transaction.
func (c *Cluster) runBrokerLoad(ctx context.Context, j *loadJob, bl *brokerLoadStmt, opts brokerLoadOptions) {
	fault := c.jobs.drawFault(KindLoad)
	props := propMap(bl.BrokerProps)
	var files []brokerFile
	for _, d := range bl.Descs {
		n := 0
		for _, p := range d.Paths {
			loc, _ := parseLocation(p)
			st, err := openStore(ctx, loc, props)
			if err != nil {
				c.loadFail(j, failEtlRunFail, err.Error())
				return
			}
			objs, err := expandPattern(ctx, st, loc.Key)
			if err != nil {
				c.loadFail(j, failEtlRunFail, "failed to get file status: "+err.Error())
				return
			}
			for _, o := range objs {
				files = append(files, brokerFile{desc: d, st: st, obj: o})
			}
			n += len(objs)
		}
		if n == 0 {
			c.loadFail(j, failEtlRunFail, fmt.Sprintf("No source file in this table(%s).", d.Table))
			return
		}
	}
	var total int64
	for _, f := range files {
		total += f.obj.Size
	}
	j.mu.Lock()
	j.fileNumber, j.fileSize = int64(len(files)), total
	j.mu.Unlock()
	if !j.setState(loadQueueing, c.jobNow()) {
		return
	}
	for !c.jobs.loads.tryAcquire() {
		t := time.NewTimer(5 * time.Millisecond)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-j.stopCh:
			t.Stop()
			return
		case <-t.C:
		}
	}
	defer c.jobs.loads.release()
	if !j.setState(loadLoading, c.jobNow()) {
		return
	}
	c.store.Labels.Update(j.DB, j.Label, LabelLoading, 0, "")
	ctx, cancel, timedOut := c.jobs.withJobTimeout(ctx, opts.timeout)
	defer cancel()
	conv := &loadConverter{c: c, strict: opts.strict}
	var done int64
	for _, f := range files {
		data, err := readAll(ctx, f.st, f.obj.Key)
		if err != nil {
			if ctx.Err() == nil {
				c.loadFail(j, failEtlRunFail, err.Error())
			}
			return
		}
		if err := conv.addFile(j.DB, f, data); err != nil {
			c.loadFail(j, failEtlRunFail, err.Error())
			return
		}
		done += f.obj.Size
		if !c.jobs.pace(ctx, j.stopCh, f.obj.Size, nil) {
			if timedOut() {
				c.loadFail(j, failTimeout, "loading timeout to cancel")
			}
			return
		}
		j.mu.Lock()
		if total > 0 && j.state == loadLoading {
			j.progress = int(float64(done) / float64(total) * 99)
		}
		j.scanRows, j.scanBytes = conv.scanned, done
		j.mu.Unlock()
	}
	switch {
	case fault.failText != "":
		c.loadFail(j, failLoadRunFail, fault.failText)
		return
	case fault.cancelled:
		c.loadFail(j, failLoadRunFail, cancelRateMsg)
		return
	}
	selected := conv.scanned - conv.unselected
	if conv.filtered > 0 && float64(conv.filtered) > float64(selected)*opts.maxFilterRatio {
		j.mu.Lock()
		j.filteredRows, j.unselectedRows = conv.filtered, conv.unselected
		j.mu.Unlock()
		c.loadFail(j, failQualityUnsatisfied, qualityFailMsg)
		return
	}
	c.commitLoad(j, conv)
}

// commitLoad publishes the converted rows as one transaction, unless the
// job was cancelled meanwhile (the job lock orders the two).
func (c *Cluster) commitLoad(j *loadJob, conv *loadConverter) {
	j.mu.Lock()
	if j.state == loadCancelled {
		j.mu.Unlock()
		return
	}
	res, err := c.store.LoadAll(conv.requests())
	now := c.jobNow()
	if err != nil {
		j.state, j.failType, j.failMsg, j.finished = loadCancelled, failLoadRunFail, sqlErrorText(err), now
		j.mu.Unlock()
		c.store.Labels.Update(j.DB, j.Label, LabelCancelled, 0, sqlErrorText(err))
		return
	}
	var sink, txn int64
	for _, r := range res {
		sink += r.Rows
		txn = r.TxnID
	}
	j.state, j.progress, j.finished, j.txnID = loadFinished, 100, now, txn
	j.scanRows, j.filteredRows, j.unselectedRows, j.sinkRows = conv.scanned, conv.filtered, conv.unselected, sink
	j.mu.Unlock()
	c.store.Labels.Update(j.DB, j.Label, LabelFinished, txn, "")
}

// formatOf is a data description's file format: FORMAT AS, else the file
// extension (".parquet"/".parq" read as Parquet, anything else as CSV).
func formatOf(d *dataDesc, key string) string {
	if d.Format != "" {
		return d.Format
	}
	k := strings.ToLower(key)
	if strings.HasSuffix(k, ".parquet") || strings.HasSuffix(k, ".parq") {
		return "PARQUET"
	}
	return "CSV"
}
