package starrocks

import (
	"context"
	"io"
	"net"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/srplan/srplan/lang"
	"github.com/srplan/srplan/planner"
	sim "github.com/srplan/srplan/sim/starrocks"
)

const simRootPassword = "root-Pw-5531"

var simStartMu sync.Mutex

// testClock is a settable clock for the simulator's version times.
type testClock struct{ now atomic.Pointer[time.Time] }

func newTestClock(t time.Time) *testClock {
	c := &testClock{}
	c.set(t)
	return c
}

func (c *testClock) set(t time.Time) { c.now.Store(&t) }
func (c *testClock) Now() time.Time  { return *c.now.Load() }

// startSim starts a simulated cluster that stops with t. clock may be nil.
func startSim(t *testing.T, version string, mode sim.Mode, clock *testClock) *sim.Cluster {
	t.Helper()
	opts := sim.Options{Version: version, Mode: mode, RootPassword: simRootPassword, Quiet: true}
	if clock != nil {
		opts.Now = clock.Now
	}
	// go-mysql-server v0.20.0 initialises global status variables when an
	// engine is created, so simulators are started one at a time.
	simStartMu.Lock()
	c, err := sim.Start(opts)
	simStartMu.Unlock()
	if err != nil {
		t.Fatalf("start simulator %s %s: %v", version, mode, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// simCluster is a source block pointing at the given hosts as root.
func simCluster(password string, hosts ...string) *lang.Cluster {
	return &lang.Cluster{
		Kind: lang.SourceCluster, Type: "starrocks", Name: "old",
		Hosts: hosts, User: "root", Password: lang.NewSecret(password),
		ConnectTimeout: 2 * time.Second, ReadTimeout: 10 * time.Second,
	}
}

// openSim connects to c as root through Open.
func openSim(t *testing.T, c *sim.Cluster) *Client {
	t.Helper()
	client, err := Open(context.Background(), simCluster(simRootPassword, c.Addr()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	return client
}

func execAll(t *testing.T, q Querier, stmts ...string) {
	t.Helper()
	for _, s := range stmts {
		if _, err := q.ExecContext(context.Background(), s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

var simSchema = []string{
	"CREATE DATABASE sales",
	"CREATE TABLE sales.orders (\n" +
		"  id BIGINT NOT NULL,\n  dt DATE NOT NULL,\n  amount DECIMAL(10, 2) NULL\n" +
		") DUPLICATE KEY(id, dt)\n" +
		"PARTITION BY RANGE(dt) (\n" +
		"  PARTITION p20240101 VALUES [('2024-01-01'), ('2024-01-02')),\n" +
		"  PARTITION p20240102 VALUES [('2024-01-02'), ('2024-01-03'))\n" +
		") DISTRIBUTED BY HASH(id) BUCKETS 2 PROPERTIES (\"replication_num\" = \"1\")",
	"CREATE TABLE sales.users (uid BIGINT NOT NULL, name VARCHAR(64) NULL) PRIMARY KEY(uid)\n" +
		"DISTRIBUTED BY HASH(uid) BUCKETS 1 PROPERTIES (\"replication_num\" = \"1\")",
	"CREATE TABLE sales.events (ts DATETIME NOT NULL, kind VARCHAR(16) NULL, n BIGINT NULL) DUPLICATE KEY(ts)\n" +
		"PARTITION BY date_trunc('day', ts) DISTRIBUTED BY HASH(ts) BUCKETS 1 PROPERTIES (\"replication_num\" = \"1\")",
}

var simInserts = []string{
	"INSERT INTO sales.orders VALUES (1, '2024-01-01', 1.50), (2, '2024-01-01', 2.50)",
	"INSERT INTO sales.users VALUES (1, 'ann')",
	"INSERT INTO sales.events VALUES ('2024-03-01 10:00:00', 'click', 1), ('2024-03-02 11:00:00', 'view', 2)",
}

// timeRule says where VisibleVersionTime comes from on a profile.
type timeRule int

const (
	timeFromShowPartitions timeRule = iota // shared-nothing
	timeFromPartitionsMeta                 // shared-data, 3.3+
	timeNever                              // shared-data without partitions_meta
)

func TestCatalogAgainstSimulator(t *testing.T) {
	t.Parallel()
	profiles := map[string]struct {
		version  string
		mode     sim.Mode
		want     planner.ClusterInfo
		timeRule timeRule
	}{
		"3.3.2 shared-nothing": {
			version: "3.3.2", mode: sim.SharedNothing, timeRule: timeFromShowPartitions,
			want: planner.ClusterInfo{Name: "old", Version: planner.Version{Major: 3, Minor: 3, Patch: 2}, Mode: planner.SharedNothing},
		},
		"3.1.11 shared-data": {
			version: "3.1.11", mode: sim.SharedData, timeRule: timeNever,
			want: planner.ClusterInfo{Name: "old", Version: planner.Version{Major: 3, Minor: 1, Patch: 11}, Mode: planner.SharedData},
		},
		"3.3.2 shared-data": {
			version: "3.3.2", mode: sim.SharedData, timeRule: timeFromPartitionsMeta,
			want: planner.ClusterInfo{Name: "old", Version: planner.Version{Major: 3, Minor: 3, Patch: 2}, Mode: planner.SharedData},
		},
	}
	for name, pr := range profiles {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			created := time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)
			loaded := created.Add(30 * time.Minute)
			clock := newTestClock(created)
			client := openSim(t, startSim(t, pr.version, pr.mode, clock))
			info, err := DetectCluster(ctx, client, "old")
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(pr.want, info); diff != "" {
				t.Fatalf("DetectCluster (-want +got):\n%s", diff)
			}
			execAll(t, client, simSchema...)
			sel := Patterns{{DB: "sales", Table: "*"}, {DB: "nowhere", Table: "*"}}

			before, err := ReadCatalog(ctx, client, info, sel)
			if err != nil {
				t.Fatal(err)
			}
			checkSimTables(t, before)
			if n := len(before.Tables[planner.TableAddr{DB: "sales", Table: "events"}].Partitions); n != 0 {
				t.Errorf("events has %d partitions before any load, want 0", n)
			}

			clock.set(loaded)
			execAll(t, client, simInserts...)
			after, err := ReadCatalog(ctx, client, info, sel)
			if err != nil {
				t.Fatal(err)
			}
			checkSimTables(t, after)

			orders := planner.TableAddr{DB: "sales", Table: "orders"}
			users := planner.TableAddr{DB: "sales", Table: "users"}
			events := planner.TableAddr{DB: "sales", Table: "events"}
			if diff := cmp.Diff([]string{"p20240101", "p20240102"}, partNames(after.Tables[orders].Partitions)); diff != "" {
				t.Errorf("orders partitions (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]string{"users"}, partNames(after.Tables[users].Partitions)); diff != "" {
				t.Errorf("users partitions (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]string{"p20240301", "p20240302"}, partNames(after.Tables[events].Partitions)); diff != "" {
				t.Errorf("events partitions (-want +got):\n%s", diff)
			}
			versionDelta := func(a planner.TableAddr, part string) int64 {
				return partVersion(after.Tables[a], part) - partVersion(before.Tables[a], part)
			}
			for _, c := range []struct {
				table planner.TableAddr
				part  string
				want  int64
			}{{orders, "p20240101", 1}, {orders, "p20240102", 0}, {users, "users", 1}} {
				if got := versionDelta(c.table, c.part); got != c.want {
					t.Errorf("%s/%s VisibleVersion moved by %d after the inserts, want %d", c.table, c.part, got, c.want)
				}
			}
			wantTimes := map[string]time.Time{
				"orders/p20240101": loaded, "orders/p20240102": created, "users/users": loaded,
				"events/p20240301": loaded, "events/p20240302": loaded,
			}
			gotTimes := map[string]time.Time{}
			for _, tbl := range after.Tables {
				for _, p := range tbl.Partitions {
					gotTimes[tbl.Addr.Table+"/"+p.Name] = p.VisibleVersionTime
				}
			}
			if pr.timeRule == timeNever {
				for k := range wantTimes {
					wantTimes[k] = time.Time{}
				}
			}
			if diff := cmp.Diff(wantTimes, gotTimes); diff != "" {
				t.Errorf("VisibleVersionTime by partition (-want +got):\n%s", diff)
			}
		})
	}
}

// checkSimTables asserts what ReadCatalog read of the simSchema tables.
func checkSimTables(t *testing.T, cat *planner.Catalog) {
	t.Helper()
	if diff := cmp.Diff([]string{"sales"}, cat.Databases); diff != "" {
		t.Errorf("Databases (-want +got):\n%s", diff)
	}
	type shape struct {
		KeysType         string
		Kind             planner.PartitionKind
		PartitionColumns []string
		Columns          []planner.Column
	}
	want := map[string]shape{
		"orders": {"DUPLICATE", planner.RangePartitioned, []string{"dt"}, []planner.Column{
			{Name: "id", Type: "bigint(20)", Key: true},
			{Name: "dt", Type: "date", Key: true},
			{Name: "amount", Type: "decimal(10, 2)", Nullable: true},
		}},
		"users": {"PRIMARY", planner.Unpartitioned, nil, []planner.Column{
			{Name: "uid", Type: "bigint(20)", Key: true},
			{Name: "name", Type: "varchar(64)", Nullable: true},
		}},
		"events": {"DUPLICATE", planner.ExpressionPartitions, []string{"ts"}, []planner.Column{
			{Name: "ts", Type: "datetime", Key: true},
			{Name: "kind", Type: "varchar(16)", Nullable: true},
			{Name: "n", Type: "bigint(20)", Nullable: true},
		}},
	}
	got := map[string]shape{}
	for a, tbl := range cat.Tables {
		got[a.Table] = shape{tbl.KeysType, tbl.PartitionKind, tbl.PartitionColumns, tbl.Columns}
		if !strings.HasPrefix(tbl.CreateSQL, "CREATE TABLE") {
			t.Errorf("%s CreateSQL = %q", a, tbl.CreateSQL)
		}
		if tbl.Properties["replication_num"] == "" {
			t.Errorf("%s properties %v lack replication_num", a, tbl.Properties)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("tables (-want +got):\n%s", diff)
	}
}

func partNames(ps []planner.Partition) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Name)
	}
	slices.Sort(out)
	return out
}

func partition(t *planner.Table, name string) planner.Partition {
	for _, p := range t.Partitions {
		if p.Name == name {
			return p
		}
	}
	return planner.Partition{}
}

func partVersion(t *planner.Table, part string) int64 { return partition(t, part).VisibleVersion }

func TestOpenAgainstSimulator(t *testing.T) {
	t.Parallel()
	c := startSim(t, "3.3.2", sim.SharedNothing, nil)
	dead := closedPort(t)

	t.Run("wrong password", func(t *testing.T) {
		t.Parallel()
		const wrong = "wrong-Pw-9917"
		_, err := Open(context.Background(), simCluster(wrong, c.Addr()))
		if err == nil {
			t.Fatal("Open succeeded with a wrong password")
		}
		want := `connect to source "old" at ` + c.Addr() + `: access denied for user "root": check user and password`
		if err.Error() != want {
			t.Errorf("error\n got %s\nwant %s", err, want)
		}
		for _, secret := range []string{wrong, simRootPassword} {
			if strings.Contains(err.Error(), secret) {
				t.Errorf("error %q contains a password", err)
			}
		}
	})
	t.Run("first host dead", func(t *testing.T) {
		t.Parallel()
		client, err := Open(context.Background(), simCluster(simRootPassword, dead, c.Addr()))
		if err != nil {
			t.Fatal(err)
		}
		defer client.Close()
		if client.Addr() != c.Addr() {
			t.Errorf("client uses %s, want the live FE %s", client.Addr(), c.Addr())
		}
		if _, err := DetectCluster(context.Background(), client, "old"); err != nil {
			t.Errorf("query through the second host: %v", err)
		}
	})
	t.Run("unreachable host", func(t *testing.T) {
		t.Parallel()
		_, err := Open(context.Background(), simCluster(simRootPassword, dead))
		assertConnectError(t, err, `connect to source "old" at `+dead+`: connection refused`)
	})
	t.Run("logins dropped twice, then answered", func(t *testing.T) {
		t.Parallel()
		// An FE (or a proxy before it) that restarts: the first two
		// connections are taken and closed during the login.
		var accepted atomic.Int32
		addr := fakeServer(t, func(conn net.Conn) {
			defer conn.Close()
			if accepted.Add(1) <= 2 {
				return
			}
			up, err := net.Dial("tcp", c.Addr())
			if err != nil {
				return
			}
			defer up.Close()
			go func() { _, _ = io.Copy(up, conn); up.Close() }()
			_, _ = io.Copy(conn, up)
		})
		client, err := Open(context.Background(), simCluster(simRootPassword, addr))
		if err != nil {
			t.Fatalf("Open after two dropped logins: %v", err)
		}
		defer client.Close()
		if _, err := DetectCluster(context.Background(), client, "old"); err != nil {
			t.Errorf("query after two dropped logins: %v", err)
		}
		if n := accepted.Load(); n != 3 {
			t.Errorf("%d connections, want 3 (two dropped, one answered)", n)
		}
	})
	t.Run("every login dropped", func(t *testing.T) {
		t.Parallel()
		var accepted atomic.Int32
		addr := fakeServer(t, func(conn net.Conn) { accepted.Add(1); conn.Close() })
		_, err := Open(context.Background(), simCluster(simRootPassword, addr))
		assertConnectError(t, err, `connect to source "old" at `+addr+`: the server closed the connection during the login`)
		if n, want := accepted.Load(), int32(len(handshakeRetryPauses)+1); n != want {
			t.Errorf("%d connections, want %d (the first and one per pause)", n, want)
		}
	})
}

func TestCatalogPrivilegeErrorAgainstSimulator(t *testing.T) {
	t.Parallel()
	const readerPassword = "reader-Pw-3308"
	simStartMu.Lock()
	c, err := sim.Start(sim.Options{
		Version: "3.3.2", RootPassword: simRootPassword, Quiet: true,
		Users: []sim.User{{Name: "reader", Password: readerPassword, Denied: []string{"SELECT"}}},
	})
	simStartMu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	execAll(t, openSim(t, c), simSchema[:3]...)

	cluster := simCluster(readerPassword, c.Addr())
	cluster.User = "reader"
	reader, err := Open(context.Background(), cluster)
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	_, err = ReadCatalog(context.Background(), reader, planner.ClusterInfo{Name: "old"}, Patterns{{DB: "sales", Table: "users"}})
	if err == nil {
		t.Fatal("ReadCatalog succeeded for a user without SELECT")
	}
	for _, s := range []string{`read catalog of cluster "old": table sales.users: `, "`sales`.`users`"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not contain %q", err, s)
		}
	}
	if strings.Contains(err.Error(), readerPassword) {
		t.Errorf("error %q contains the password", err)
	}
}
