package e2e

import (
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/srplan/srplan/providers/s3/s3test"
)

// The crash campaign runs `srplan apply -json` against two srsim
// processes (which outlive it), kills it with SIGKILL at random moments,
// many times per round, while the source keeps taking writes (rows into
// existing partitions, new range and expression partitions, rewritten
// dimension rows). Each round ends with an apply that must finish the
// work, then the full check: every partition done in state, the same row
// counts and checksums on both sides, no duplicated key, no temporary
// partition or shadow table left, and an empty plan.
//
// The moments are drawn from a seeded generator: aimed at a stage (a
// progress event of that stage, then a random delay) or purely random
// (a random delay after the start). The seed is printed when the test
// fails and SRPLAN_CAMPAIGN_SEED replays it.

// campaignConfig is one configuration of the crash campaign: where the
// stage and the state live and which srplan processes one attempt runs.
type campaignConfig struct {
	name string
	// storage returns the stage; nil (or a nil result) is a local
	// directory.
	storage func(t *testing.T) *storageBlock
	// rig, when set, is the migration to run (its own simulators, spec
	// and workspace for the apply that ends each round) instead of a
	// killRig made with storage.
	rig func(t *testing.T) *killRig
	// check, when set, runs after the end-of-round checks.
	check func(t *testing.T, c *campaign, round int)
	// prepare edits the workspace once it is written (another state
	// backend, say); nil leaves it as it is.
	prepare func(t *testing.T, w *workspace)
	// fleet are the srplan processes one attempt starts at once (several
	// workers or roles), each in its own workspace; each is killed on its
	// own. Empty is one `apply -auto-approve -json` with extra in the
	// campaign's workspace.
	fleet []fleetMember
	// restart kills a drawn part of the fleet at the moment, starts those
	// processes again and kills the whole fleet a drawn while later;
	// otherwise the whole fleet is killed at the moment.
	restart bool
	// extra are arguments added to the default fleet's apply and to the
	// apply that ends each round (-lock-timeout, say).
	extra []string
	// rounds and kills per round.
	rounds, kills int
	// budget bounds the time spent killing: once spent, the remaining
	// rounds are skipped (the last check still runs). Zero is no bound.
	budget time.Duration
}

// campaignFigures are one configuration's results, for RELIABILITY.md.
type campaignFigures struct {
	Campaign string `json:"campaign"`
	Config   string `json:"config"`
	Seed     uint64 `json:"seed"`
	Long     bool   `json:"long"`
	Rounds   int    `json:"rounds"`
	// Kills are the SIGKILLs that hit a running srplan, by the moment
	// they were aimed at ("random" for a random delay).
	Kills    int            `json:"kills"`
	ByMoment map[string]int `json:"kills_by_moment"`
	// EndedFirst counts attempts that ended (exit 0) before their kill.
	EndedFirst int `json:"ended_before_kill"`
	// LoadLabels are the load labels the target ran (event-driven
	// configuration: each one job, one finished load per partition
	// version).
	LoadLabels   int     `json:"load_labels,omitempty"`
	SourceWrites int     `json:"source_writes"`
	Seconds      float64 `json:"seconds"`
	Failed       bool    `json:"failed"`
	comparison
}

// TestCrashCampaign runs the crash campaign with a local stage and with
// a MinIO stage, both with bbolt state. The short form kills apply 56
// times in all (2 configurations x 4 rounds x 7 kills) unless its time
// budget runs out first; the long form (SRPLAN_TEST_LONG=1) 240 times
// (2 x 10 x 12), with no time budget.
func TestCrashCampaign(t *testing.T) {
	t.Parallel()
	rounds, kills, budget := 4, 7, 150*time.Second
	if longCampaigns() {
		rounds, kills, budget = 10, 12, 0
	}
	seed := campaignSeed(t)
	for i, cc := range []campaignConfig{
		{name: "local stage, bbolt state"},
		{name: "MinIO stage, bbolt state", storage: minioStage},
	} {
		cc.rounds, cc.kills, cc.budget = rounds, kills, budget
		t.Run(cc.name, func(t *testing.T) {
			t.Parallel()
			runCampaign(t, cc, seed+uint64(i))
		})
	}
}

// minioStage is an s3 stage in a new bucket of the test MinIO.
func minioStage(t *testing.T) *storageBlock {
	env := s3test.Endpoint(t)
	bucket := s3test.NewBucket(t, env)
	return &storageBlock{url: "s3://" + bucket + "/stage", endpoint: env.Endpoint, region: env.Region,
		accessKey: env.AccessKey, secretKey: env.SecretKey}
}

// campaignSeed is SRPLAN_CAMPAIGN_SEED, or a new seed. It is printed
// when t fails.
func campaignSeed(t *testing.T) uint64 {
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv(envCampaignSeed); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("%s=%q: %v", envCampaignSeed, s, err)
		}
		seed = n
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("campaign seed %d: replay with %s=%d", seed, envCampaignSeed, seed)
		}
	})
	return seed
}

// campaign is one running configuration.
type campaign struct {
	cfg       campaignConfig
	rng       *rand.Rand
	k         *killRig
	days      []string // range partitions of shop.orders
	eventDays []string // days with rows in shop.events
	writes    int
	fig       campaignFigures
}

// runCampaign runs cc with seed and records its figures.
func runCampaign(t *testing.T, cc campaignConfig, seed uint64) {
	start := time.Now()
	var k *killRig
	if cc.rig != nil {
		k = cc.rig(t)
	} else {
		var storage *storageBlock
		if cc.storage != nil {
			storage = cc.storage(t)
		}
		k = newKillRigWith(t, storage)
	}
	c := &campaign{
		cfg: cc, rng: rand.New(rand.NewPCG(seed, seed^0x5eed)),
		k:         k,
		days:      slices.Clone(orderDays),
		eventDays: slices.Clone(eventDays),
		fig:       campaignFigures{Campaign: "crash", Config: cc.name, Seed: seed, Long: longCampaigns(), ByMoment: map[string]int{}},
	}
	if cc.prepare != nil {
		cc.prepare(t, c.k.w)
	}
	t.Cleanup(func() {
		c.fig.Seconds = time.Since(start).Round(time.Second).Seconds()
		c.fig.Failed = t.Failed()
		c.fig.SourceWrites = c.writes
		recordFigures(t, c.fig)
	})
	for round := range cc.rounds {
		if cc.budget > 0 && time.Since(start) > cc.budget {
			t.Logf("time budget %s spent after %d rounds (%d kills)", cc.budget, round, c.fig.Kills)
			break
		}
		c.fig.Rounds++
		c.write(t, round)
		// An attempt that ended before its kill (nothing left to do, or a
		// long delay) does not count: the round goes on until it has its
		// kills, within twice as many attempts.
		killsBefore := c.fig.Kills
		for n := 0; c.fig.Kills-killsBefore < cc.kills && n < 2*cc.kills; n++ {
			if c.rng.IntN(3) == 0 {
				c.write(t, round)
			}
			if !c.attempt(t, round) {
				c.write(t, round)
			}
		}
		c.finish(t, round)
		if t.Failed() {
			return
		}
	}
}

// A killMoment aims a kill at the first progress event of type typ (and
// stage, when set), after a random delay of up to maxDelay.
type killMoment struct {
	typ, stage string
	maxDelay   time.Duration
}

func (m killMoment) String() string {
	if m.typ == "" {
		return "random"
	}
	return strings.TrimSuffix(m.typ+" "+m.stage, " ")
}

// killMoments cover every stage of the pipeline; the empty moment is a
// purely random delay after the start.
var killMoments = []killMoment{
	{typ: "started", maxDelay: 500 * time.Millisecond},
	{typ: "stage_started", stage: "exporting", maxDelay: 1200 * time.Millisecond},
	{typ: "stage_done", stage: "exporting", maxDelay: 300 * time.Millisecond},
	{typ: "stage_started", stage: "loading", maxDelay: 1200 * time.Millisecond},
	{typ: "stage_done", stage: "loading", maxDelay: 300 * time.Millisecond},
	{typ: "stage_started", stage: "verifying", maxDelay: 200 * time.Millisecond},
	{typ: "partition_done", maxDelay: 300 * time.Millisecond},
	{maxDelay: 3 * time.Second},
	{maxDelay: 3 * time.Second},
}

// fleetMember is one process of an attempt: its name in the kill
// records, its workspace (its own local state file) and its arguments.
type fleetMember struct {
	name string
	w    *workspace
	args []string
}

// fleet is the configuration's processes for one attempt.
func (c *campaign) fleet() []fleetMember {
	if len(c.cfg.fleet) > 0 {
		return c.cfg.fleet
	}
	return []fleetMember{{name: "apply", w: c.k.w, args: append([]string{"apply", "-auto-approve", "-json"}, c.cfg.extra...)}}
}

// attempt starts the fleet, waits for a drawn moment and kills every
// process of it, in a random order (with restart: a drawn part of it,
// which is started again, and the whole fleet a drawn while later). A
// process that ended first must have exited 0. It reports whether any
// process was killed.
func (c *campaign) attempt(t *testing.T, round int) bool {
	t.Helper()
	m := killMoments[c.rng.IntN(len(killMoments))]
	delay := time.Duration(c.rng.Int64N(int64(m.maxDelay) + 1))
	fleet := c.fleet()
	procs := make([]*proc, len(fleet))
	for i, f := range fleet {
		procs[i] = f.w.start(t, f.args...)
	}
	hit, last := c.await(t, procs, m, delay)
	killed := false
	kill := func(i int, at string) {
		p := procs[i]
		p.kill()
		switch code := p.cmd.ProcessState.ExitCode(); {
		case code < 0:
			killed = true
			c.fig.Kills++
			c.fig.ByMoment[at]++
			c.k.record("round %d: %s killed at %s +%s (last event: %s)", round, fleet[i].name, hit, delay, last)
		case code == 0:
			c.fig.EndedFirst++
			c.k.record("round %d: %s ended by itself before %s +%s", round, fleet[i].name, m, delay)
		default:
			t.Fatalf("round %d: %s exited %d by itself, with no fault injected:\n%s", round, fleet[i].name, code, p.output())
		}
	}
	if c.cfg.restart {
		// A drawn, non-empty part of the fleet dies now and is started
		// again at once; the survivors keep running.
		some := c.rng.Perm(len(procs))[:1+c.rng.IntN(len(procs))]
		for _, i := range some {
			kill(i, m.String())
		}
		for _, i := range some {
			procs[i] = fleet[i].w.start(t, fleet[i].args...)
		}
		m = killMoment{maxDelay: 4 * time.Second}
		delay = time.Duration(c.rng.Int64N(int64(m.maxDelay) + 1))
		hit, last = c.await(t, procs, m, delay)
	}
	for n, i := range c.rng.Perm(len(procs)) {
		if n > 0 {
			time.Sleep(time.Duration(c.rng.IntN(200)) * time.Millisecond)
		}
		kill(i, m.String())
	}
	return killed
}

// await waits until moment m (then delay) or until every process ended.
// It returns what was hit and the last progress event seen.
func (c *campaign) await(t *testing.T, procs []*proc, m killMoment, delay time.Duration) (hit, last string) {
	t.Helper()
	deadline := time.NewTimer(commandTimeout)
	defer deadline.Stop()
	lines := make(chan string)
	stop := make(chan struct{})
	defer close(stop)
	for _, p := range procs {
		go func() {
			for line := range p.lines {
				select {
				case lines <- line:
				case <-stop:
					return
				}
			}
		}()
	}
	ended := func() bool {
		for _, p := range procs {
			select {
			case <-p.done:
			default:
				return false
			}
		}
		return true
	}
	hit = "start"
	if m.typ != "" {
		hit = ""
	wait:
		for {
			select {
			case line := <-lines:
				e, ok := parseEvent(line)
				if !ok {
					continue
				}
				last = fmt.Sprintf("%s %s %s", e.Type, e.Stage, e.Addr)
				if e.Type == m.typ && (m.stage == "" || e.Stage == m.stage) {
					hit = m.String() + " " + e.Addr
					break wait
				}
			case <-time.After(100 * time.Millisecond):
				if ended() {
					return "the end", last
				}
			case <-deadline.C:
				t.Fatalf("srplan neither reached %s nor ended within %s", m, commandTimeout)
			}
		}
	}
	timer := time.NewTimer(delay)
	defer timer.Stop()
	for {
		select {
		case line := <-lines:
			if e, ok := parseEvent(line); ok {
				last = fmt.Sprintf("%s %s %s", e.Type, e.Stage, e.Addr)
			}
		case <-time.After(100 * time.Millisecond):
			if ended() {
				return hit, last
			}
		case <-timer.C:
			return hit, last
		}
	}
}

// write makes the source take writes: rows into existing partitions of
// every table kind, and sometimes a new range or expression partition.
func (c *campaign) write(t *testing.T, round int) {
	t.Helper()
	c.writes++
	tag := fmt.Sprintf(" r%dw%d", round, c.writes)
	src := c.k.src
	for _, d := range c.days {
		if c.rng.IntN(2) == 0 {
			addOrders(t, src, d, nextOrderID(t, src), 1+c.rng.IntN(20))
		}
	}
	if c.rng.IntN(4) == 0 {
		last, err := time.Parse(time.DateOnly, c.days[len(c.days)-1])
		if err != nil {
			t.Fatal(err)
		}
		day, next := last.AddDate(0, 0, 1).Format(time.DateOnly), last.AddDate(0, 0, 2).Format(time.DateOnly)
		src.exec(t, fmt.Sprintf("ALTER TABLE shop.orders ADD PARTITION %s VALUES [('%s'), ('%s'))", partName(day), day, next))
		c.days = append(c.days, day)
		addOrders(t, src, day, nextOrderID(t, src), 5+c.rng.IntN(40))
	}
	if c.rng.IntN(2) == 0 {
		first := 1 + c.rng.IntN(seedRows)
		upsertCustomers(t, src, first, 1+c.rng.IntN(30), tag)
	}
	switch c.rng.IntN(4) {
	case 0:
		last, err := time.Parse(time.DateOnly, c.eventDays[len(c.eventDays)-1])
		if err != nil {
			t.Fatal(err)
		}
		day := last.AddDate(0, 0, 1).Format(time.DateOnly)
		c.eventDays = append(c.eventDays, day)
		addEvents(t, src, day, 5+c.rng.IntN(30))
	case 1:
		addEvents(t, src, c.eventDays[c.rng.IntN(len(c.eventDays))], 1+c.rng.IntN(10))
	}
}

// finish ends a round: an apply that must finish the work, then the
// checks of killRig.finish and this round's figures.
func (c *campaign) finish(t *testing.T, round int) {
	t.Helper()
	r := c.k.w.run(t, append([]string{"apply", "-auto-approve"}, c.cfg.extra...)...)
	if r.code != 0 {
		t.Fatalf("round %d: the apply after the kills: %s", round, r)
	}
	c.k.w.assertAllDone(t, partitionsPerTable(t, c.k.src))
	assertSameData(t, c.k.src, c.k.dst, allTables...)
	if p := c.k.w.plan(t); len(p) != 0 {
		t.Errorf("round %d: plan after the apply that finished the work lists %v", round, p)
	}
	cmp := compareData(t, c.k.src, c.k.dst)
	c.fig.add(cmp)
	if cmp.Lost != 0 || cmp.Duplicated != 0 || cmp.DuplicateKeys != 0 {
		t.Errorf("round %d: %d rows lost, %d rows duplicated, %d duplicated keys", round, cmp.Lost, cmp.Duplicated, cmp.DuplicateKeys)
	}
	if c.cfg.check != nil {
		c.cfg.check(t, c, round)
	}
}
