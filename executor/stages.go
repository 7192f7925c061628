package executor

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/srplan/srplan/lang"
	"github.com/srplan/srplan/planner"
	"github.com/srplan/srplan/providers/s3"
	"github.com/srplan/srplan/state"
)

// block returns the spec table block that selected the table.
func (p *part) block() *lang.Table {
	for _, b := range p.r.cfg.Spec.Tables {
		if b.Pattern == p.tc.Block {
			return b
		}
	}
	return &lang.Table{Verify: lang.VerifyRule{Mode: lang.VerifyChecksum}}
}

func (p *part) exportDir() string {
	return s3.ExportDir(p.r.cfg.Job, p.tc.Source.DB, p.tc.Source.Table, p.pc.Addr.Partition, p.pc.Fingerprint.VisibleVersion)
}

// export writes the partition to staging and records the manifest. A
// manifest already in the directory (this version's) means an earlier run
// finished the export: it is reused.
func (p *part) export(ctx context.Context) error {
	dir := p.exportDir()
	p.rec.ExportPath = p.st.URL(dir)
	if m, err := s3.ReadManifest(ctx, p.st, dir); err == nil && m.SourceVersion == p.pc.Fingerprint.VisibleVersion {
		return p.recordManifest(ctx, m)
	}
	if err := p.save(ctx, state.StageExporting, state.StatusRunning, p.rec.LastError); err != nil {
		return err
	}
	b := p.block()
	res, err := p.src.Export(ctx, ExportRequest{
		Table: p.tc.Source, Partition: p.partitionClause(), Columns: p.tc.Columns,
		Method: p.tc.Method, DirURL: p.st.URL(dir), Properties: p.st.StarRocksProperties(),
		Label: loadLabel(p.r.cfg.Job+"/export", p.tc.Source.String(), p.pc.Addr.Partition, p.pc.Fingerprint.VisibleVersion, len(p.rec.Jobs)),
		Where: b.Where, Split: b.Split,
		Prepare: func(ctx context.Context) error {
			_, err := p.st.DeletePrefix(ctx, dir)
			return err
		},
	})
	if err != nil {
		return fmt.Errorf("export %s: %w", p.pc.Addr, err)
	}
	m, err := s3.BuildManifest(ctx, p.st, dir, s3.Manifest{
		Table: p.tc.Source.String(), Partition: p.pc.Addr.Partition,
		SourceVersion: p.pc.Fingerprint.VisibleVersion, SourceVersionTime: p.pc.Fingerprint.VisibleVersionTime,
		Format: p.tc.Format, Rows: p.pc.Rows, Job: res.Job,
	}, res.FilePrefix)
	if err != nil {
		return fmt.Errorf("list the export of %s: %w", p.pc.Addr, err)
	}
	if err := s3.WriteManifest(ctx, p.st, dir, m); err != nil {
		return fmt.Errorf("write the manifest of %s: %w", p.pc.Addr, err)
	}
	p.rec.Jobs = append(p.rec.Jobs, res.Job)
	return p.recordManifest(ctx, m)
}

func (p *part) recordManifest(ctx context.Context, m *s3.Manifest) error {
	raw, err := json.Marshal(m)
	if err != nil {
		return err
	}
	p.rec.Manifest = raw
	p.rec.Attempts = 0
	return p.save(ctx, state.StageExported, state.StatusOK, "")
}

// partitionClause is the partition to read or write: "" for an
// unpartitioned table (its single partition is named like the table).
func (p *part) partitionClause() string {
	if p.tc.PartitionKind == planner.Unpartitioned {
		return ""
	}
	return p.pc.Addr.Partition
}

// loadStage loads the staged files so that readers of the target see the
// old partition or the new one, never a mix: through a temporary
// partition replaced in one statement, through a shadow table and a
// labelled overwrite (unpartitioned tables), or straight into a partition
// that does not exist yet (expression partitioning creates it on load).
func (p *part) loadStage(ctx context.Context) error {
	var m s3.Manifest
	if err := json.Unmarshal(p.rec.Manifest, &m); err != nil || len(m.Files) == 0 && m.Rows != 0 {
		return fmt.Errorf("load %s: the recorded manifest is unusable (%v): run apply with -replace %s", p.pc.Addr, err, p.pc.Addr)
	}
	if p.rec.Stage != state.StageLoading || len(p.rec.Labels) == 0 {
		label := loadLabel(p.r.cfg.Job, p.tc.Source.String(), p.pc.Addr.Partition, p.pc.Fingerprint.VisibleVersion, len(p.rec.Labels))
		p.rec.Labels = append(p.rec.Labels, label)
		if err := p.save(ctx, state.StageLoading, state.StatusRunning, p.rec.LastError); err != nil {
			return err
		}
	}
	label := p.rec.Labels[len(p.rec.Labels)-1]
	files := make([]string, len(m.Files))
	for i, f := range m.Files {
		files[i] = p.ld.URL(f.Key)
	}
	req := LoadRequest{Table: p.tc.Target, FileURLs: files, Format: p.tc.Format, Columns: p.tc.Columns,
		Properties: p.ld.StarRocksProperties(), Label: label}
	if err := p.settleEarlierAttempts(ctx, label); err != nil {
		return fmt.Errorf("load %s: %w", p.pc.Addr, err)
	}
	var err error
	switch {
	case len(files) == 0:
		err = p.loadEmpty(ctx, label)
	case p.tc.PartitionKind == planner.Unpartitioned:
		err = p.loadShadow(ctx, req)
	default:
		err = p.loadPartition(ctx, req)
	}
	if err != nil {
		return fmt.Errorf("load %s: %w", p.pc.Addr, err)
	}
	p.rec.Attempts = 0
	return p.save(ctx, state.StageLoaded, state.StatusOK, "")
}

// settlePollInterval is how often settleEarlierAttempts looks again.
var settlePollInterval = 2 * time.Second

// settleEarlierAttempts waits until no earlier load attempt of this
// partition is still running on the target. A process killed mid-load
// leaves its job running; if the source then moved, this attempt has a new
// label, and without waiting both jobs could land: twice the rows where
// the earlier one loads straight into a partition, or old data
// overwriting new through a late shadow-table overwrite. Once the earlier
// job ended, the partition's existence (checked next) routes this attempt
// through a temporary partition, which replaces whatever it loaded.
func (p *part) settleEarlierAttempts(ctx context.Context, current string) error {
	for _, l := range p.rec.Labels {
		if l == current {
			continue
		}
		for _, label := range []string{l, l + "_ow"} {
			for {
				st, _, err := p.dst.LabelState(ctx, p.tc.Target.DB, label)
				if err != nil {
					return err
				}
				if st != LabelRunning {
					break
				}
				if err := sleep(ctx, settlePollInterval); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// loadEmpty handles an export with no rows: the target partition is
// emptied the same atomic way (an empty temporary partition replaces it).
func (p *part) loadEmpty(ctx context.Context, label string) error {
	if p.tc.PartitionKind == planner.Unpartitioned {
		shadow := shadowTableName(label)
		if err := p.dst.ResetShadowTable(ctx, p.tc.Target, shadow); err != nil {
			return err
		}
		if err := p.dst.OverwriteFromShadow(ctx, p.tc.Target, shadow, label+"_ow"); err != nil {
			return err
		}
		return p.dropShadowTables(ctx)
	}
	exists, err := p.dst.PartitionExists(ctx, p.tc.Target, p.pc.Addr.Partition)
	if err != nil || !exists {
		return err // nothing to empty
	}
	tp := tempPartitionName(label)
	if err := p.dropOldTempPartitions(ctx, tp); err != nil {
		return err
	}
	if err := p.dst.ResetTempPartition(ctx, p.tc.Target, tp, p.pc.Value); err != nil {
		return err
	}
	return p.dst.ReplacePartition(ctx, p.tc.Target, p.pc.Addr.Partition, tp)
}

func (p *part) loadShadow(ctx context.Context, req LoadRequest) error {
	shadow := shadowTableName(req.Label)
	shadowAddr := planner.TableAddr{DB: p.tc.Target.DB, Table: shadow}
	ow := req.Label + "_ow"
	owState, _, err := p.dst.LabelState(ctx, p.tc.Target.DB, ow)
	if err != nil {
		return err
	}
	if owState == LabelFinished {
		return p.dropShadowTables(ctx)
	}
	st, _, err := p.dst.LabelState(ctx, p.tc.Target.DB, req.Label)
	if err != nil {
		return err
	}
	if st != LabelFinished {
		if st != LabelRunning {
			if err := p.dst.ResetShadowTable(ctx, p.tc.Target, shadow); err != nil {
				return err
			}
		}
		req.Table = shadowAddr
		if err := p.dst.Load(ctx, req); err != nil {
			return err
		}
	}
	if err := p.dst.OverwriteFromShadow(ctx, p.tc.Target, shadow, ow); err != nil {
		return err
	}
	return p.dropShadowTables(ctx)
}

// dropShadowTables drops the shadow tables of every recorded attempt for
// this table, the current one's included, once the overwrite is done. An
// attempt abandoned mid-load (srplan stopped, then the source moved, so
// the next run starts a new label and shadow) would otherwise leave its
// shadow table, a copy of the table's data, on the target for good.
func (p *part) dropShadowTables(ctx context.Context) error {
	for _, l := range p.rec.Labels {
		if err := p.dst.DropTable(ctx, planner.TableAddr{DB: p.tc.Target.DB, Table: shadowTableName(l)}); err != nil {
			return err
		}
	}
	return nil
}

func (p *part) loadPartition(ctx context.Context, req LoadRequest) error {
	part := p.pc.Addr.Partition
	if p.tc.PartitionKind != planner.ExpressionPartitions {
		if err := p.dst.EnsurePartition(ctx, p.tc.Target, part, p.pc.Value); err != nil {
			return err
		}
	}
	exists, err := p.dst.PartitionExists(ctx, p.tc.Target, part)
	if err != nil {
		return err
	}
	st, _, err := p.dst.LabelState(ctx, p.tc.Target.DB, req.Label)
	if err != nil {
		return err
	}
	tp := tempPartitionName(req.Label)
	if !exists {
		// Expression partitioning: the load creates the partition. The label
		// makes this exactly-once; a rerun after a crash finds the partition
		// and takes the temporary-partition path instead.
		if st == LabelFinished {
			return nil
		}
		return p.dst.Load(ctx, req)
	}
	switch st {
	case LabelFinished:
		has, err := p.dst.TempPartitionExists(ctx, p.tc.Target, tp)
		if err != nil || !has {
			return err // already replaced before an interruption
		}
	case LabelRunning:
		req.TempPartition = tp
		if err := p.dst.Load(ctx, req); err != nil {
			return err
		}
	default:
		if err := p.dropOldTempPartitions(ctx, tp); err != nil {
			return err
		}
		if err := p.dst.ResetTempPartition(ctx, p.tc.Target, tp, p.pc.Value); err != nil {
			return err
		}
		req.TempPartition = tp
		if err := p.dst.Load(ctx, req); err != nil {
			return err
		}
	}
	return p.dst.ReplacePartition(ctx, p.tc.Target, part, tp)
}

// dropOldTempPartitions drops the temporary partitions that earlier
// attempts for this partition may have left (one per recorded label):
// StarRocks refuses a temporary partition whose range overlaps another's.
func (p *part) dropOldTempPartitions(ctx context.Context, keep string) error {
	for _, l := range p.rec.Labels {
		if tp := tempPartitionName(l); tp != keep {
			if err := p.dst.DropTempPartition(ctx, p.tc.Target, tp); err != nil {
				return err
			}
		}
	}
	return nil
}

// verify compares both sides and records the results. If the source
// partition moved during the copy, the copy is of an older version: the
// record stays failed at verifying so the next plan recopies it.
func (p *part) verify(ctx context.Context) error {
	if err := p.save(ctx, state.StageVerifying, state.StatusRunning, p.rec.LastError); err != nil {
		return err
	}
	b := p.block()
	part := p.partitionClause()
	srcRes, err := p.src.Verify(ctx, VerifyRequest{Table: p.tc.Source, Partition: part, Columns: p.tc.Columns, Rule: b.Verify, Where: b.Where})
	if err != nil {
		return fmt.Errorf("verify %s on the source: %w", p.pc.Addr, err)
	}
	ver, err := p.src.PartitionVersion(ctx, p.tc.Source, p.pc.Addr.Partition)
	if err != nil {
		return fmt.Errorf("verify %s: read the source version: %w", p.pc.Addr, err)
	}
	if ver != p.pc.Fingerprint.VisibleVersion {
		return p.fail(ctx, state.StageVerifying, fmt.Errorf("source partition changed during the copy (version %d -> %d); the next plan recopies it",
			p.pc.Fingerprint.VisibleVersion, ver))
	}
	dstRes, err := p.dst.Verify(ctx, VerifyRequest{Table: p.tc.Target, Partition: part, Columns: p.tc.Columns, Rule: b.Verify})
	if err != nil {
		return fmt.Errorf("verify %s on the target: %w", p.pc.Addr, err)
	}
	p.rec.VerifySource, p.rec.VerifyTarget = srcRes, dstRes
	if diff := compareVerify(srcRes, dstRes); diff != "" {
		return p.fail(ctx, state.StageVerifying, fmt.Errorf("verification failed: %s; the next plan recopies it", diff))
	}
	fp := p.pc.Fingerprint
	p.rec.LastDone = &fp
	p.rec.Attempts = 0
	return p.save(ctx, state.StageDone, state.StatusOK, "")
}

// compareVerify returns "" when both sides agree, else what differs.
func compareVerify(s, t *state.VerifyResult) string {
	if s.RowCount != t.RowCount {
		return fmt.Sprintf("row count %d on the source, %d on the target", s.RowCount, t.RowCount)
	}
	if s.Checksum != t.Checksum {
		return fmt.Sprintf("checksum %s on the source, %s on the target", s.Checksum, t.Checksum)
	}
	for col, v := range s.Sums {
		if t.Sums[col] != v {
			return fmt.Sprintf("sum(%s) %s on the source, %s on the target", col, v, t.Sums[col])
		}
	}
	return ""
}
