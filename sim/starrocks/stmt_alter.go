package starrocks

import (
	"context"
	"strings"

	"github.com/dolthub/vitess/go/sqltypes"
)

// handleAlterTable implements the partition maintenance of STARROCKS.md 7:
// ADD [TEMPORARY] PARTITION(S), DROP [TEMPORARY] PARTITION(S), REPLACE
// PARTITION ... WITH TEMPORARY PARTITION, TRUNCATE PARTITION and SWAP WITH.
// Schema changes are not simulated.
func handleAlterTable(_ context.Context, s *Session, st *Statement) (*sqltypes.Result, error) {
	p := &parser{src: st.SQL, toks: st.Toks, i: 2}
	db, name, err := tableRef(s, p)
	if err != nil {
		return nil, err
	}
	snap, err := s.c.store.Table(db, name)
	if err != nil {
		return nil, err
	}
	if err := s.require("ALTER", "TABLE", name); err != nil {
		return nil, err
	}
	store := s.c.store
	switch {
	case p.acceptKw("ADD"):
		temp := p.acceptKw("TEMPORARY")
		var specs []partitionSpec
		switch {
		case p.acceptKw("PARTITIONS"):
			b, err := parseBatch(p)
			if err != nil {
				return nil, err
			}
			if specs, err = expandBatch(snap.Def, b); err != nil {
				return nil, err
			}
		case p.acceptKw("PARTITION"):
			if p.isKw("START") {
				b, err := parseBatch(p)
				if err != nil {
					return nil, err
				}
				if specs, err = expandBatch(snap.Def, b); err != nil {
					return nil, err
				}
				break
			}
			spec, err := parsePartitionSpec(p, snap.Def)
			if err != nil {
				return nil, err
			}
			if p.acceptKw("DISTRIBUTED", "BY") {
				dist, err := parseDistribution(p)
				if err != nil {
					return nil, err
				}
				spec.Buckets = dist.Buckets
			}
			specs = []partitionSpec{spec}
		default:
			return nil, unsupportedAlter(st.SQL)
		}
		if err := p.expectEnd(); err != nil {
			return nil, err
		}
		return okResult(0), store.AddPartitions(db, name, specs, temp)
	case p.acceptKw("DROP"):
		temp := p.acceptKw("TEMPORARY")
		var names []string
		ifExists := false
		switch {
		case p.acceptKw("PARTITIONS"):
			ifExists = p.acceptKw("IF", "EXISTS")
			if p.isKw("WHERE") {
				return nil, errUnsupportedStatement("DROP PARTITIONS WHERE")
			}
			if names, err = p.identList(); err != nil {
				return nil, err
			}
		case p.acceptKw("PARTITION"):
			ifExists = p.acceptKw("IF", "EXISTS")
			n, err := p.ident()
			if err != nil {
				return nil, err
			}
			names = []string{n}
		default:
			return nil, unsupportedAlter(st.SQL)
		}
		p.acceptKw("FORCE")
		if err := p.expectEnd(); err != nil {
			return nil, err
		}
		for _, n := range names {
			if err := store.DropPartition(db, name, n, temp, ifExists); err != nil {
				return nil, err
			}
		}
		return okResult(0), nil
	case p.acceptKw("REPLACE"):
		if !p.acceptKw("PARTITION") && !p.acceptKw("PARTITIONS") {
			return nil, p.unexpected()
		}
		parts, err := p.identList()
		if err != nil {
			return nil, err
		}
		if err := p.expectKw("WITH", "TEMPORARY"); err != nil {
			return nil, err
		}
		if !p.acceptKw("PARTITION") && !p.acceptKw("PARTITIONS") {
			return nil, p.unexpected()
		}
		temps, err := p.identList()
		if err != nil {
			return nil, err
		}
		strict, useTemp := true, false
		if p.acceptKw("PROPERTIES") {
			props, err := p.properties()
			if err != nil {
				return nil, err
			}
			for _, pr := range props {
				switch pr.Key {
				case "strict_range":
					strict = !strings.EqualFold(pr.Value, "false")
				case "use_temp_partition_name":
					useTemp = strings.EqualFold(pr.Value, "true")
				default:
					return nil, errDDLf("Unknown properties: {%s=%s}", pr.Key, pr.Value)
				}
			}
		}
		if err := p.expectEnd(); err != nil {
			return nil, err
		}
		return okResult(0), store.ReplacePartitions(db, name, parts, temps, strict, useTemp)
	case p.acceptKw("TRUNCATE"):
		if !p.acceptKw("PARTITION") && !p.acceptKw("PARTITIONS") {
			return nil, p.unexpected()
		}
		parts, err := p.identList()
		if err != nil {
			return nil, err
		}
		if err := p.expectEnd(); err != nil {
			return nil, err
		}
		return okResult(0), store.Truncate(db, name, parts)
	case p.acceptKw("SWAP", "WITH"):
		other, err := p.ident()
		if err != nil {
			return nil, err
		}
		if err := p.expectEnd(); err != nil {
			return nil, err
		}
		if err := s.require("ALTER", "TABLE", other); err != nil {
			return nil, err
		}
		return okResult(0), store.SwapTables(db, name, other)
	}
	return nil, unsupportedAlter(st.SQL)
}

func unsupportedAlter(src string) error {
	return newError(errSyntax, "Getting syntax error. Detail message: ALTER TABLE clause not supported by the StarRocks simulator: "+src+".")
}
