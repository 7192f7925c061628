package starrocks

import (
	"bufio"
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	gsql "github.com/dolthub/go-mysql-server/sql"
)

// snapshotInfo is the job info file of a snapshot (__info_<timestamp>).
type snapshotInfo struct {
	Name       string                        `json:"name"`
	BackupTime string                        `json:"backup_time"`
	Database   string                        `json:"database"`
	DatabaseID int64                         `json:"database_id"`
	Tables     map[string]*snapshotTableInfo `json:"backup_objs"`
}

// snapshotTableInfo describes one backed-up table.
type snapshotTableInfo struct {
	ID         int64               `json:"id"`
	Name       string              `json:"name"`
	Partitions []*snapshotPartInfo `json:"partitions"`
}

// snapshotPartInfo describes one backed-up partition and its data file.
type snapshotPartInfo struct {
	Name     string     `json:"name"`
	ID       int64      `json:"id"`
	Version  int64      `json:"version"`
	Rows     int64      `json:"row_count"`
	DataSize int64      `json:"data_size"`
	Buckets  int        `json:"buckets"`
	Lower    rangeKey   `json:"lower,omitempty"`
	Upper    rangeKey   `json:"upper,omitempty"`
	Values   [][]keyVal `json:"values,omitempty"`
	DataFile string     `json:"data_file"`
}

// snapshotMeta is the meta file of a snapshot: the table definitions
// RESTORE recreates tables from, and their CREATE TABLE text (with the
// backed-up partitions) for people reading the repository.
type snapshotMeta struct {
	Tables map[string]*TableDef `json:"tables"`
	DDL    map[string]string    `json:"ddl"`
}

// backupTimestamp renders a backup time as StarRocks does
// (2023-02-07-14-45-53-143).
func backupTimestamp(t time.Time) string {
	return fmt.Sprintf("%s-%03d", t.Format("2006-01-02-15-04-05"), t.Nanosecond()/int(time.Millisecond))
}

// withChecksum names a file by its content's md5, as the repository does.
func withChecksum(name string, data []byte) string {
	sum := md5.Sum(data)
	return name + "." + hex.EncodeToString(sum[:])
}

// encodePartitionRows renders rows as JSON lines of text values (NULL as
// null, VARBINARY in base64) that decodePartitionRows turns back into the
// same storage values.
func encodePartitionRows(d *TableDef, rows []gsql.Row) []byte {
	var buf bytes.Buffer
	line := make([]any, len(d.Columns))
	for _, r := range rows {
		for i, c := range d.Columns {
			switch {
			case r[i] == nil:
				line[i] = nil
			case c.Type.Base == "VARBINARY":
				b, _ := r[i].([]byte)
				line[i] = base64.StdEncoding.EncodeToString(b)
			default:
				s, _ := renderValue(c.Type, r[i])
				line[i] = s
			}
		}
		b, _ := json.Marshal(line)
		buf.Write(b)
		buf.WriteByte('\n')
	}
	return buf.Bytes()
}

// decodePartitionRows reads rows written by encodePartitionRows.
func decodePartitionRows(d *TableDef, data []byte) ([]gsql.Row, error) {
	var out []gsql.Row
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 1<<30)
	for sc.Scan() {
		var line []*string
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			return nil, fmt.Errorf("corrupt snapshot data: %v", err)
		}
		if len(line) != len(d.Columns) {
			return nil, fmt.Errorf("corrupt snapshot data: %d values for %d columns", len(line), len(d.Columns))
		}
		row := make(gsql.Row, len(line))
		for i, c := range d.Columns {
			if line[i] == nil {
				continue
			}
			if c.Type.Base == "VARBINARY" {
				b, err := base64.StdEncoding.DecodeString(*line[i])
				if err != nil {
					return nil, fmt.Errorf("corrupt snapshot data: %v", err)
				}
				row[i] = b
				continue
			}
			v, ok := parseCSVValue(c.Type, *line[i])
			if !ok {
				return nil, fmt.Errorf("corrupt snapshot data: column %s value %q", c.Name, *line[i])
			}
			row[i] = v
		}
		out = append(out, row)
	}
	return out, sc.Err()
}

// snapshotEntry is one snapshot found in a repository.
type snapshotEntry struct {
	Name, Timestamp, InfoKey string
}

// listSnapshots lists the snapshots of a repository, by name and
// timestamp.
func listSnapshots(ctx context.Context, st objectStore, repo *repository) ([]snapshotEntry, error) {
	root := repo.root() + "/"
	objs, err := st.List(ctx, root)
	if err != nil {
		return nil, err
	}
	var out []snapshotEntry
	for _, o := range objs {
		rest := strings.TrimPrefix(o.Key, root)
		dir, file, ok := strings.Cut(rest, "/")
		if !ok || !strings.HasPrefix(dir, "__ss_") || !strings.HasPrefix(file, "__info_") || strings.Contains(file, "/") {
			continue
		}
		ts := strings.TrimPrefix(file, "__info_")
		if i := strings.LastIndex(ts, "."); i >= 0 {
			ts = ts[:i]
		}
		out = append(out, snapshotEntry{Name: strings.TrimPrefix(dir, "__ss_"), Timestamp: ts, InfoKey: o.Key})
	}
	sort.Slice(out, func(a, b int) bool {
		if out[a].Name != out[b].Name {
			return out[a].Name < out[b].Name
		}
		return out[a].Timestamp < out[b].Timestamp
	})
	return out, nil
}

// readSnapshot reads the info and meta files of one snapshot.
func readSnapshot(ctx context.Context, st objectStore, repo *repository, e snapshotEntry) (*snapshotInfo, *snapshotMeta, error) {
	data, err := readAll(ctx, st, e.InfoKey)
	if err != nil {
		return nil, nil, err
	}
	info := &snapshotInfo{}
	if err := json.Unmarshal(data, info); err != nil {
		return nil, nil, fmt.Errorf("corrupt snapshot info file: %v", err)
	}
	dir := joinKey(repo.root(), "__ss_"+e.Name) + "/"
	objs, err := st.List(ctx, dir+"__meta")
	if err != nil {
		return nil, nil, err
	}
	if len(objs) == 0 {
		return nil, nil, fmt.Errorf("cannot find meta file of snapshot %s", e.Name)
	}
	raw, err := readAll(ctx, st, objs[len(objs)-1].Key)
	if err != nil {
		return nil, nil, err
	}
	meta := &snapshotMeta{}
	if err := json.Unmarshal(raw, meta); err != nil {
		return nil, nil, fmt.Errorf("corrupt snapshot meta file: %v", err)
	}
	return info, meta, nil
}
