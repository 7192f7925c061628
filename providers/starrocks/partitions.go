package starrocks

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/srplan/srplan/planner"
)

// Column names of SHOW [TEMPORARY] PARTITIONS (STARROCKS.md 1.2 and 1.3).
// Shared-nothing and shared-data tables share the names below except
// VisibleVersionTime, which only shared-nothing tables report.
const (
	colPartitionID        = "PartitionId"
	colPartitionName      = "PartitionName"
	colVisibleVersion     = "VisibleVersion"
	colVisibleVersionTime = "VisibleVersionTime"
	colRange              = "Range"
	colList               = "List"
	colBuckets            = "Buckets"
	colDataSize           = "DataSize"
	colRowCount           = "RowCount"
)

// versionTimeLayout is how the FE prints VisibleVersionTime and how the
// MySQL text protocol carries DATETIME values.
const versionTimeLayout = "2006-01-02 15:04:05"

// partitionList is the parsed result of one SHOW PARTITIONS statement.
type partitionList struct {
	parts []planner.Partition
	// hasVersionTime reports whether the result had a VisibleVersionTime
	// column; shared-data tables do not (STARROCKS.md 1.3).
	hasVersionTime bool
}

// readPartitions runs SHOW [TEMPORARY] PARTITIONS for t and parses it.
func readPartitions(ctx context.Context, q Querier, t planner.TableAddr, temp bool) (partitionList, error) {
	res, err := queryAll(ctx, q, ShowPartitionsSQL(t, temp))
	if err != nil {
		return partitionList{}, err
	}
	return parsePartitions(res, t)
}

// parsePartitions maps every row of a SHOW PARTITIONS result to a
// planner.Partition, by column name. PartitionName and VisibleVersion are
// required; every other column is optional and unknown columns are
// ignored. A value that is present but malformed is an error naming the
// table, the partition and the column.
func parsePartitions(res *resultSet, t planner.TableAddr) (partitionList, error) {
	nameCol, ok := res.col(colPartitionName)
	if !ok {
		return partitionList{}, fmt.Errorf("partitions of %s: column %s missing from the result", t, colPartitionName)
	}
	verCol, ok := res.col(colVisibleVersion)
	if !ok {
		return partitionList{}, fmt.Errorf("partitions of %s: column %s missing from the result", t, colVisibleVersion)
	}
	idCol, hasID := res.col(colPartitionID)
	timeCol, hasTime := res.col(colVisibleVersionTime)
	valueCol, hasValue := res.col(colRange)
	if !hasValue {
		valueCol, hasValue = res.col(colList)
	}
	bucketsCol, hasBuckets := res.col(colBuckets)
	sizeCol, hasSize := res.col(colDataSize)
	rowsCol, hasRows := res.col(colRowCount)

	out := partitionList{parts: make([]planner.Partition, 0, len(res.rows)), hasVersionTime: hasTime}
	for i := range res.rows {
		name, ok := res.cell(i, nameCol)
		if !ok {
			return partitionList{}, fmt.Errorf("partitions of %s: row %d has no %s", t, i+1, colPartitionName)
		}
		bad := func(col, v string, err error) error {
			return fmt.Errorf("partitions of %s: partition %s: %s %q: %w", t, name, col, v, err)
		}
		p := planner.Partition{Name: name}
		v, ok := res.cell(i, verCol)
		if !ok {
			return partitionList{}, fmt.Errorf("partitions of %s: partition %s has no %s", t, name, colVisibleVersion)
		}
		var err error
		if p.VisibleVersion, err = strconv.ParseInt(v, 10, 64); err != nil {
			return partitionList{}, bad(colVisibleVersion, v, err)
		}
		if v, ok := cellIf(res, i, idCol, hasID); ok {
			if p.ID, err = strconv.ParseInt(v, 10, 64); err != nil {
				return partitionList{}, bad(colPartitionID, v, err)
			}
		}
		if v, ok := cellIf(res, i, timeCol, hasTime); ok {
			if p.VisibleVersionTime, err = parseVersionTime(v); err != nil {
				return partitionList{}, bad(colVisibleVersionTime, v, err)
			}
		}
		if v, ok := cellIf(res, i, valueCol, hasValue); ok {
			p.Value = v
		}
		if v, ok := cellIf(res, i, bucketsCol, hasBuckets); ok {
			if p.Buckets, err = strconv.Atoi(v); err != nil {
				return partitionList{}, bad(colBuckets, v, err)
			}
		}
		if v, ok := cellIf(res, i, sizeCol, hasSize); ok {
			if p.DataSize, err = ParseDataSize(v); err != nil {
				return partitionList{}, bad(colDataSize, v, err)
			}
		}
		if v, ok := cellIf(res, i, rowsCol, hasRows); ok {
			if p.RowCount, err = strconv.ParseInt(v, 10, 64); err != nil {
				return partitionList{}, bad(colRowCount, v, err)
			}
		}
		out.parts = append(out.parts, p)
	}
	return out, nil
}

// cellIf is res.cell for a column that may be absent.
func cellIf(res *resultSet, i, c int, present bool) (string, bool) {
	if !present {
		return "", false
	}
	return res.cell(i, c)
}

// parseVersionTime parses "yyyy-MM-dd HH:mm:ss" (optionally with fractional
// seconds) as UTC. srplan sets the session time zone to UTC (see
// WithTimeZone), so the FE prints times in UTC.
func parseVersionTime(s string) (time.Time, error) {
	layout := versionTimeLayout
	if strings.Contains(s, ".") {
		layout += ".999999999"
	}
	t, err := time.ParseInLocation(layout, s, time.UTC)
	if err != nil {
		return time.Time{}, fmt.Errorf("want yyyy-MM-dd HH:mm:ss")
	}
	return t, nil
}
