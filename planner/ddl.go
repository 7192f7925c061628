package planner

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/srplan/srplan/lang"
)

// Properties that only mean something in one architecture (STARROCKS.md
// 2.2, 2.3). They are removed when the target runs the other architecture;
// the target then applies its own defaults.
var (
	sharedDataOnlyProps = []string{
		"storage_volume", "datacache.enable", "datacache.partition_duration",
		"enable_async_write_back", "enable_storage_cache", "storage_cache_ttl",
		"persistent_index_type", "file_bundling",
	}
	sharedNothingOnlyProps = []string{
		"storage_medium", "storage_cooldown_time", "replicated_storage", "in_memory",
	}
	// Always removed: cluster-local names and retention rules that would let
	// the target drop history while it is being back-filled.
	alwaysDroppedProps = []string{
		"storage_volume", "colocate_with", "partition_live_number", "partition_retention_condition",
	}
)

var (
	createHead = regexp.MustCompile("(?is)^\\s*CREATE\\s+TABLE\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?(?:`(?:[^`]|``)+`|[A-Za-z0-9_$]+)(?:\\s*\\.\\s*(?:`(?:[^`]|``)+`|[A-Za-z0-9_$]+))?")
	propsHead  = regexp.MustCompile(`(?i)\bPROPERTIES\s*\(`)
	propPair   = regexp.MustCompile(`"((?:[^"\\]|\\.)*)"\s*=\s*"((?:[^"\\]|\\.)*)"`)
)

// RewriteCreateTable turns the source's SHOW CREATE TABLE text into the
// statement that creates the target table: the name becomes
// `db`.`table` with IF NOT EXISTS, the partition and index names that
// SHOW CREATE TABLE prints bare are backquoted (so that names such as
// `order` parse), architecture-specific and cluster-local
// properties are removed (see the lists above), dynamic partitioning is
// turned off while the migration back-fills history, and the spec's
// schema rule is applied last (drop_properties, then properties). Notes say
// what was changed beyond the spec's own rule.
func RewriteCreateTable(createSQL string, target TableAddr, rule lang.SchemaRule, targetMode Mode) (ddl string, notes []string, err error) {
	loc := createHead.FindStringIndex(createSQL)
	if loc == nil {
		return "", nil, fmt.Errorf("rewrite DDL for %s: source DDL does not start with CREATE TABLE", target)
	}
	body := createSQL[loc[1]:]
	head := "CREATE TABLE IF NOT EXISTS " + QuoteIdent(target.DB) + "." + QuoteIdent(target.Table)

	props := map[string]string{}
	var order []string
	before := body
	pl := propsHead.FindAllStringIndex(body, -1)
	if len(pl) > 0 {
		start := pl[len(pl)-1]
		end := matchingParen(body, start[1]-1)
		if end < 0 {
			return "", nil, fmt.Errorf("rewrite DDL for %s: unbalanced PROPERTIES clause", target)
		}
		for _, m := range propPair.FindAllStringSubmatch(body[start[1]:end], -1) {
			if _, dup := props[m[1]]; !dup {
				order = append(order, m[1])
			}
			props[m[1]] = m[2]
		}
		before = strings.TrimRight(body[:start[0]], " \t\r\n")
	} else {
		before = strings.TrimRight(strings.TrimSuffix(strings.TrimSpace(body), ";"), " \t\r\n")
	}

	drop := func(k, why string) {
		if _, ok := props[k]; ok {
			delete(props, k)
			if why != "" {
				notes = append(notes, fmt.Sprintf("property %q removed: %s", k, why))
			}
		}
	}
	for _, k := range alwaysDroppedProps {
		switch k {
		case "storage_volume":
			drop(k, "storage volumes are cluster-local; the target uses its default")
		case "colocate_with":
			drop(k, "colocation groups are cluster-local; recreate them on the target")
		default:
			drop(k, "it would let the target drop partitions while history is copied")
		}
	}
	var foreign []string
	if targetMode == SharedData {
		foreign = sharedNothingOnlyProps
	} else {
		foreign = sharedDataOnlyProps
	}
	for _, k := range foreign {
		drop(k, fmt.Sprintf("not valid on a %s target", targetMode))
	}
	if v, ok := props["dynamic_partition.enable"]; ok && !strings.EqualFold(v, "false") {
		props["dynamic_partition.enable"] = "false"
		notes = append(notes, `property "dynamic_partition.enable" set to "false" during the migration: re-enable it after cut-over`)
	}
	for _, k := range rule.DropProperties {
		delete(props, k)
	}
	specKeys := make([]string, 0, len(rule.Properties))
	for k := range rule.Properties {
		specKeys = append(specKeys, k)
	}
	sort.Strings(specKeys)
	for _, k := range specKeys {
		ek := escapeDQ(k)
		if _, ok := props[ek]; !ok {
			order = append(order, ek)
		}
		props[ek] = escapeDQ(rule.Properties[k])
	}

	var b strings.Builder
	b.WriteString(head)
	b.WriteString(quoteBareNames(before))
	var keys []string
	for _, k := range order {
		if _, ok := props[k]; ok {
			keys = append(keys, k)
		}
	}
	keys = dedup(keys)
	if len(keys) > 0 {
		b.WriteString("\nPROPERTIES (\n")
		for i, k := range keys {
			// Keys and values are kept in their escaped source form.
			b.WriteString(`"` + k + `" = "` + props[k] + `"`)
			if i < len(keys)-1 {
				b.WriteString(",")
			}
			b.WriteString("\n")
		}
		b.WriteString(")")
	}
	b.WriteString(";")
	sort.Strings(notes)
	return b.String(), notes, nil
}

// QuoteIdent quotes a StarRocks identifier with backticks, doubling any
// backtick inside.
func QuoteIdent(s string) string { return "`" + strings.ReplaceAll(s, "`", "``") + "`" }

// matchingParen returns the index of the ')' closing the '(' at open,
// skipping quoted strings, or -1.
func matchingParen(s string, open int) int {
	depth := 0
	var quote byte
	for i := open; i < len(s); i++ {
		c := s[i]
		if quote != 0 {
			if c == '\\' {
				i++
			} else if c == quote {
				quote = 0
			}
			continue
		}
		switch c {
		case '"', '\'', '`':
			quote = c
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

// escapeDQ escapes s for a double-quoted StarRocks string literal.
func escapeDQ(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s)
}

func dedup(in []string) []string {
	seen := make(map[string]bool, len(in))
	out := in[:0]
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
