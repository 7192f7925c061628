package lang

import (
	"fmt"
	"math/big"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	// Embedded zone data: time_zone must resolve the same way on every host,
	// including minimal containers without /usr/share/zoneinfo.
	_ "time/tzdata"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/gohcl"
)

// Throttle defaults, used for a throttle block that leaves them out.
const (
	DefaultExports = 4
	DefaultLoads   = 4
)

// throttleBody is the body of a throttle block.
type throttleBody struct {
	Exports         hcl.Expression `hcl:"exports,optional"`
	Loads           hcl.Expression `hcl:"loads,optional"`
	SourceMaxCPUPct hcl.Expression `hcl:"source_max_cpu_pct,optional"`
	SourceMaxMemPct hcl.Expression `hcl:"source_max_mem_pct,optional"`
	TargetMaxCPUPct hcl.Expression `hcl:"target_max_cpu_pct,optional"`
	TargetMaxMemPct hcl.Expression `hcl:"target_max_mem_pct,optional"`
	CopyBandwidth   hcl.Expression `hcl:"copy_bandwidth,optional"`
	Windows         []windowBody   `hcl:"window,block"`
}

// windowBody is a window block inside a throttle.
type windowBody struct {
	Name      string         `hcl:"name,label"`
	Hours     hcl.Expression `hcl:"hours,optional"`
	Days      hcl.Expression `hcl:"days,optional"`
	TimeZone  hcl.Expression `hcl:"time_zone,optional"`
	Exports   hcl.Expression `hcl:"exports,optional"`
	Loads     hcl.Expression `hcl:"loads,optional"`
	DefRange  hcl.Range      `hcl:",def_range"`
	NameRange hcl.Range      `hcl:"name,label_range"`
}

// decodeThrottle decodes a `throttle "name"` block.
func (d *decoder) decodeThrottle(b *hcl.Block, first map[string]hcl.Range) *Throttle {
	name := b.Labels[0]
	if !d.blockName(b, "throttle", name, 0, first) {
		return nil
	}
	t := &Throttle{Name: name, Exports: DefaultExports, Loads: DefaultLoads, DeclRange: b.DefRange}
	var raw throttleBody
	d.add(gohcl.DecodeBody(b.Body, nil, &raw))
	if n, ok := d.count(raw.Exports, "exports"); ok {
		t.Exports = n
	}
	if n, ok := d.count(raw.Loads, "loads"); ok {
		t.Loads = n
	}
	for _, p := range []struct {
		expr hcl.Expression
		name string
		dst  *float64
	}{
		{raw.SourceMaxCPUPct, "source_max_cpu_pct", &t.SourceMaxCPUPct},
		{raw.SourceMaxMemPct, "source_max_mem_pct", &t.SourceMaxMemPct},
		{raw.TargetMaxCPUPct, "target_max_cpu_pct", &t.TargetMaxCPUPct},
		{raw.TargetMaxMemPct, "target_max_mem_pct", &t.TargetMaxMemPct},
	} {
		f, ok, diags := d.scope.number(p.expr, p.name)
		d.add(diags)
		if !ok {
			continue
		}
		v, _ := f.Float64()
		if f.Sign() <= 0 || f.Cmp(big.NewFloat(100)) > 0 {
			d.add(hcl.Diagnostics{errorDiag("Percentage out of range",
				fmt.Sprintf("%s must be more than 0 and at most 100, not %s. Leave it out for no limit.", p.name, f.Text('g', 10)),
				p.expr.Range())})
			continue
		}
		*p.dst = v
	}
	t.CopyBandwidth = d.bandwidth(raw.CopyBandwidth)
	seen := map[string]hcl.Range{}
	for i := range raw.Windows {
		w := &raw.Windows[i]
		if prev, dup := seen[w.Name]; dup {
			d.add(hcl.Diagnostics{errorDiag("Duplicate window block",
				fmt.Sprintf("A window named %q was already declared in this throttle at %s. Rename or remove one of them.", w.Name, prev),
				w.DefRange)})
			continue
		}
		seen[w.Name] = w.DefRange
		t.Windows = append(t.Windows, d.decodeWindow(w, t))
	}
	return t
}

// count evaluates an optional concurrency: a whole number >= 0.
func (d *decoder) count(expr hcl.Expression, what string) (int, bool) {
	n, ok, diags := d.scope.integer(expr, what)
	d.add(diags)
	if !ok {
		return 0, false
	}
	if n < 0 {
		d.add(hcl.Diagnostics{errorDiag("Negative concurrency",
			fmt.Sprintf("%s is a number of concurrent jobs and must be 0 or more, not %d; 0 pauses new work.", what, n), expr.Range())})
		return 0, false
	}
	return n, true
}

// decodeWindow decodes a window; exports and loads default to the
// throttle's, time_zone to UTC.
func (d *decoder) decodeWindow(raw *windowBody, t *Throttle) *Window {
	s := d.scope
	w := &Window{Name: raw.Name, Exports: t.Exports, Loads: t.Loads, Location: time.UTC, DeclRange: raw.DefRange}
	if n, ok := d.count(raw.Exports, "exports"); ok {
		w.Exports = n
	}
	if n, ok := d.count(raw.Loads, "loads"); ok {
		w.Loads = n
	}
	hours, ok, diags := s.str(raw.Hours, "hours")
	d.add(diags)
	if ok {
		hr, msg := parseHourRange(hours)
		if msg != "" {
			d.add(hcl.Diagnostics{errorDiag("Invalid window hours", msg, raw.Hours.Range())})
		}
		w.Hours = hr
	}
	days, ranges, daysSet, diags := s.strList(raw.Days, "days")
	d.add(diags)
	have := map[time.Weekday]bool{}
	for i, day := range days {
		wd, ok := parseWeekday(day)
		if !ok {
			d.add(hcl.Diagnostics{errorDiag("Invalid day",
				fmt.Sprintf("%q is not a day of the week. Use mon, tue, wed, thu, fri, sat, sun or the full names.%s", day, didYouMean(strings.ToLower(day), weekdayNames())),
				ranges[i])})
			continue
		}
		if !have[wd] {
			have[wd] = true
			w.Days = append(w.Days, wd)
		}
	}
	if daysSet && len(days) == 0 {
		d.add(hcl.Diagnostics{errorDiag("No days",
			"days is empty, so the window would never be active. List the days, or leave days out for every day.", raw.Days.Range())})
	}
	tz, ok, diags := s.str(raw.TimeZone, "time_zone")
	d.add(diags)
	if ok {
		loc, err := time.LoadLocation(tz)
		if err != nil || tz == "" {
			d.add(hcl.Diagnostics{errorDiag("Invalid time zone",
				fmt.Sprintf("%q is not a known time zone. Use an IANA name such as \"Europe/Berlin\", \"Asia/Shanghai\" or \"UTC\".", tz),
				raw.TimeZone.Range())})
		} else {
			w.Location = loc
		}
	}
	if absent(raw.Hours) && absent(raw.Days) {
		d.add(hcl.Diagnostics{warningDiag("Window always active",
			fmt.Sprintf("The window %q has neither hours nor days, so it is always active and the throttle's own exports and loads never apply. Add hours or days.", raw.Name),
			raw.NameRange)})
	}
	return w
}

// hourRangeRE matches "H:MM-H:MM" or "HH:MM-HH:MM".
var hourRangeRE = regexp.MustCompile(`^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$`)

// parseHourRange parses "HH:MM-HH:MM". The start is 00:00..23:59, the end
// 00:00..24:00; start == end is rejected; start > end wraps midnight. The
// message is empty on success.
func parseHourRange(s string) (*HourRange, string) {
	m := hourRangeRE.FindStringSubmatch(s)
	if m == nil {
		return nil, fmt.Sprintf("hours must look like \"20:00-08:00\" (HH:MM-HH:MM, 24-hour clock), not %q.", s)
	}
	minute := func(h, mm string, end bool) (int, bool) {
		hv, _ := strconv.Atoi(h)
		mv, _ := strconv.Atoi(mm)
		if mv > 59 || hv > 24 || (hv == 24 && (!end || mv != 0)) {
			return 0, false
		}
		return hv*60 + mv, true
	}
	start, ok := minute(m[1], m[2], false)
	if !ok {
		return nil, fmt.Sprintf("The start time %s:%s in %q is not a time of day; use 00:00 to 23:59.", m[1], m[2], s)
	}
	end, ok := minute(m[3], m[4], true)
	if !ok {
		return nil, fmt.Sprintf("The end time %s:%s in %q is not a time of day; use 00:00 to 24:00.", m[3], m[4], s)
	}
	if start == end {
		return nil, fmt.Sprintf("The window %q starts and ends at the same time. Leave hours out for a window that lasts all day.", s)
	}
	return &HourRange{Start: start, End: end}, ""
}

var weekdays = map[string]time.Weekday{
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
}

// parseWeekday accepts "mon" or "monday", in any case.
func parseWeekday(s string) (time.Weekday, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if wd, ok := weekdays[s]; ok {
		return wd, true
	}
	for _, wd := range weekdays {
		if strings.ToLower(wd.String()) == s {
			return wd, true
		}
	}
	return 0, false
}

func weekdayNames() []string {
	names := make([]string, 0, 14)
	for short, wd := range weekdays {
		names = append(names, short, strings.ToLower(wd.String()))
	}
	sort.Strings(names)
	return names
}
