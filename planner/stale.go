package planner

import (
	"fmt"
	"sort"
)

// Stale compares a saved plan with what is true now (in's config, recorded
// state and source catalogs) and returns one line per thing that moved. An
// empty result means the saved plan may be applied as it is.
func Stale(saved *Plan, in Input) []string {
	var out, moved []string
	if in.Config != nil && saved.ConfigHash != in.Config.Hash {
		out = append(out, "the spec changed since the plan was saved")
	}
	var lineage string
	var serial uint64
	if in.Prior != nil {
		lineage, serial = in.Prior.Meta.Lineage, in.Prior.Meta.Serial
	}
	// A plan made before any state existed (serial 0) applies to a state
	// that is still empty, whatever lineage the new file was given.
	if saved.StateLineage != lineage && (saved.StateSerial != 0 || serial != 0) {
		out = append(out, fmt.Sprintf("the plan was made for state lineage %q, but the state has lineage %q", saved.StateLineage, lineage))
	} else if saved.StateSerial != serial {
		out = append(out, fmt.Sprintf("the state changed since the plan was saved (serial %d, now %d): another apply or state command ran", saved.StateSerial, serial))
	}
	for _, t := range saved.Tables {
		cat := in.Sources[t.SourceCluster]
		var st *Table
		if cat != nil {
			st = cat.Tables[t.Source]
		}
		if st == nil {
			moved = append(moved, fmt.Sprintf("%s no longer exists on source %q", t.Source, t.SourceCluster))
			continue
		}
		byName := make(map[string]*Partition, len(st.Partitions))
		for i := range st.Partitions {
			byName[st.Partitions[i].Name] = &st.Partitions[i]
		}
		for _, pc := range t.Partitions {
			if pc.Action != Copy && pc.Action != Recopy {
				continue
			}
			sp := byName[pc.Addr.Partition]
			switch {
			case sp == nil:
				moved = append(moved, fmt.Sprintf("%s no longer exists on the source", pc.Addr))
			case !sp.Fingerprint().Equal(pc.Fingerprint):
				moved = append(moved, fmt.Sprintf("%s moved on the source: version %d -> %d", pc.Addr, pc.Fingerprint.VisibleVersion, sp.VisibleVersion))
			}
		}
	}
	sort.Strings(moved)
	return append(out, moved...)
}
