package s3

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// The manifest file, written last into an export directory, marks the
// export complete:
//
//	{
//	  "format_version": 1,
//	  "table": "sales.orders",
//	  "partition": "p20240101",
//	  "source_version": 42,
//	  "source_version_time": "2024-01-02T03:04:05Z",     (omitted when unknown)
//	  "format": "csv",                                     ("csv" | "parquet")
//	  "files": [{"key": "<dir>data_x_0_0_0.csv", "size": 123, "etag": "..."}],
//	  "rows": 1000,                                        (-1 when unknown)
//	  "created_at": "2024-01-02T03:05:00Z",
//	  "job": "<export job id>"
//	}
const (
	// ManifestName is the manifest's file name inside an export directory.
	ManifestName = "_manifest.json"
	// ManifestVersion is the format_version this srplan writes and reads.
	ManifestVersion = 1
	// exportTempPrefix names the directory EXPORT writes into while it runs.
	exportTempPrefix = "__starrocks_export_tmp_"
)

// Data file formats a manifest names.
const (
	FormatCSV     = "csv"
	FormatParquet = "parquet"
)

// Manifest describes a finished export: which files it wrote and what
// source state they hold. Loaders, including event-driven ones on another
// host, load a partition only once its manifest and every file it lists
// are present (Complete).
type Manifest struct {
	// Version is the format version, ManifestVersion (WriteManifest fills
	// in a zero).
	Version int `json:"format_version"`
	// Table is the source table, "db.table".
	Table string `json:"table"`
	// Partition is the source partition name ("" for a whole table).
	Partition string `json:"partition"`
	// SourceVersion is the partition's VisibleVersion when it was exported.
	SourceVersion int64 `json:"source_version"`
	// SourceVersionTime is its VisibleVersionTime, zero when unknown.
	SourceVersionTime time.Time `json:"source_version_time,omitzero"`
	// Format is FormatCSV or FormatParquet.
	Format string `json:"format"`
	// Files are the data files, sorted by key.
	Files []ManifestFile `json:"files"`
	// Rows is the source row count, -1 when unknown.
	Rows int64 `json:"rows"`
	// CreatedAt is when the manifest was built.
	CreatedAt time.Time `json:"created_at"`
	// Job is the export job id (EXPORT query id or INSERT label).
	Job string `json:"job"`
}

// ManifestFile is one data file of a manifest.
type ManifestFile struct {
	// Key is relative to the storage (not to the export directory).
	Key string `json:"key"`
	// Size in bytes.
	Size int64 `json:"size"`
	// ETag as the exporting storage reported it; informative only, since a
	// copy to another service gets another ETag.
	ETag string `json:"etag,omitempty"`
}

// ManifestKey returns the manifest's key in export directory dir (a '/'
// is added when dir lacks one).
func ManifestKey(dir string) string { return dirKey(dir) + ManifestName }

// dirKey returns dir ending in '/' ("" stays "").
func dirKey(dir string) string {
	if dir == "" || strings.HasSuffix(dir, "/") {
		return dir
	}
	return dir + "/"
}

// Validate reports the first problem that would make m unusable to a
// loader: wrong version, no table, unknown format, or a file key that is
// invalid or listed twice.
func (m *Manifest) Validate() error {
	if m.Version != ManifestVersion {
		return fmt.Errorf("manifest format_version %d: this srplan reads version %d", m.Version, ManifestVersion)
	}
	if m.Table == "" {
		return errors.New("manifest names no table")
	}
	if m.Format != FormatCSV && m.Format != FormatParquet {
		return fmt.Errorf("manifest format %q: want %q or %q", m.Format, FormatCSV, FormatParquet)
	}
	seen := make(map[string]bool, len(m.Files))
	for _, f := range m.Files {
		if err := checkKey(f.Key); err != nil {
			return fmt.Errorf("manifest file: %w", err)
		}
		if seen[f.Key] {
			return fmt.Errorf("manifest lists %q twice", f.Key)
		}
		if f.Size < 0 {
			return fmt.Errorf("manifest file %q: negative size", f.Key)
		}
		seen[f.Key] = true
	}
	return nil
}

// WriteManifest validates m (setting a zero Version to ManifestVersion)
// and writes it as the manifest of export directory dir. Write it only
// after every data file is in place: its presence means "complete".
func WriteManifest(ctx context.Context, s Storage, dir string, m *Manifest) error {
	if m.Version == 0 {
		m.Version = ManifestVersion
	}
	if err := m.Validate(); err != nil {
		return fmt.Errorf("write %s: %w", s.URL(ManifestKey(dir)), err)
	}
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("write %s: %w", s.URL(ManifestKey(dir)), err)
	}
	return s.Put(ctx, ManifestKey(dir), append(data, '\n'))
}

// ReadManifest reads and validates the manifest of export directory dir.
// It returns an error wrapping ErrNotFound when there is none, and refuses
// a manifest of a newer format version, naming it.
func ReadManifest(ctx context.Context, s Storage, dir string) (*Manifest, error) {
	data, err := s.Get(ctx, ManifestKey(dir))
	if err != nil {
		return nil, err
	}
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("read %s: not a manifest: %w", s.URL(ManifestKey(dir)), err)
	}
	if m.Version > ManifestVersion {
		return nil, fmt.Errorf("read %s: manifest format_version %d was written by a newer srplan (this one reads %d): upgrade srplan",
			s.URL(ManifestKey(dir)), m.Version, ManifestVersion)
	}
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("read %s: %w", s.URL(ManifestKey(dir)), err)
	}
	return &m, nil
}

// BuildManifest lists export directory dir and returns base with Files set
// to what an export left there, sorted by key. It leaves out the manifest
// itself, anything under a StarRocks temporary export directory
// (__starrocks_export_tmp_*), zero-byte objects (directory markers, success
// markers; an empty data file holds no rows) and keys ending in '/'. When
// only is not empty, it also leaves out every file whose name (the key's
// last segment) does not start with it: the files of other jobs.
// Version is set to ManifestVersion and a zero CreatedAt to the current
// time (UTC). The result is not written: see WriteManifest.
func BuildManifest(ctx context.Context, s Storage, dir string, base Manifest, only string) (*Manifest, error) {
	dir = dirKey(dir)
	objs, err := s.List(ctx, dir)
	if err != nil {
		return nil, err
	}
	m := base
	m.Version = ManifestVersion
	if m.CreatedAt.IsZero() {
		m.CreatedAt = time.Now().UTC()
	}
	m.Files = []ManifestFile{}
	for _, o := range objs {
		rel := strings.TrimPrefix(o.Key, dir)
		if o.Size == 0 || rel == ManifestName || strings.HasSuffix(o.Key, "/") || inExportTemp(rel) {
			continue
		}
		if only != "" && !strings.HasPrefix(rel[strings.LastIndex(rel, "/")+1:], only) {
			continue
		}
		m.Files = append(m.Files, ManifestFile{Key: o.Key, Size: o.Size, ETag: o.ETag})
	}
	slices.SortFunc(m.Files, func(a, b ManifestFile) int { return strings.Compare(a.Key, b.Key) })
	return &m, nil
}

// inExportTemp reports whether rel lies in a StarRocks temporary export
// directory.
func inExportTemp(rel string) bool {
	for seg := range strings.SplitSeq(rel, "/") {
		if strings.HasPrefix(seg, exportTempPrefix) {
			return true
		}
	}
	return false
}

// Complete checks that every file m lists is present in s with its listed
// size, and returns the keys that are missing or have another size, in
// manifest order (none means the export can be loaded). Sizes are compared,
// not ETags: a copy to another service, such as from OSS to S3, keeps the
// size but not the ETag. Files under one directory are checked with one
// listing, not one request per file.
func (m *Manifest) Complete(ctx context.Context, s Storage) (missing []string, err error) {
	if len(m.Files) == 0 {
		return nil, nil
	}
	sizes := make(map[string]int64, len(m.Files))
	for _, dir := range manifestDirs(m.Files) {
		objs, err := s.List(ctx, dir)
		if err != nil {
			return nil, err
		}
		for _, o := range objs {
			sizes[o.Key] = o.Size
		}
	}
	for _, f := range m.Files {
		if size, ok := sizes[f.Key]; !ok || size != f.Size {
			missing = append(missing, f.Key)
		}
	}
	return missing, nil
}

// manifestDirs returns the distinct parent directories of files' keys
// ("" for keys at the storage root), with no directory under another one.
func manifestDirs(files []ManifestFile) []string {
	var dirs []string
	for _, f := range files {
		dir := ""
		if i := strings.LastIndexByte(f.Key, '/'); i >= 0 {
			dir = f.Key[:i+1]
		}
		dirs = append(dirs, dir)
	}
	slices.Sort(dirs)
	dirs = slices.Compact(dirs)
	out := dirs[:0]
	for _, d := range dirs {
		if len(out) > 0 && strings.HasPrefix(d, out[len(out)-1]) {
			continue // already listed with its parent
		}
		out = append(out, d)
	}
	return out
}
