package starrocks

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/zeebo/xxh3"
)

func TestPreparedStatementGates(t *testing.T) {
	tests := map[string]struct {
		version   string
		insertErr string
		selectErr string
	}{
		"3.1 refuses the binary protocol": {"3.1.11", "Error 1064 (HY000): Unsupported command(COM_STMT_PREPARE)", "Error 1064 (HY000): Unsupported command(COM_STMT_PREPARE)"},
		"3.2 prepares queries only":       {"3.2.10", "Error 1295 (HY000): This command is not supported in the prepared statement protocol yet", ""},
		"3.5 prepares queries only":       {"3.5.0", "Error 1295 (HY000): This command is not supported in the prepared statement protocol yet", ""},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			c := startCluster(t, tc.version, SharedNothing)
			interp := rootDB(t, c, "d")
			mustExec(t, interp, "CREATE TABLE t (k int, v varchar(10)) DISTRIBUTED BY HASH(k)")
			// interpolateParams=true (the DSN default) never prepares.
			mustExec(t, interp, "INSERT INTO t VALUES (?, ?)", 1, "it's")
			_, rows := query(t, interp, "SELECT v FROM t WHERE k = ?", 1)
			if diff := cmp.Diff([][]string{{"it's"}}, rows); diff != "" {
				t.Errorf("interpolated query (-want +got):\n%s", diff)
			}
			raw, err := sql.Open("mysql", "root@tcp("+c.Addr()+")/d")
			if err != nil {
				t.Fatal(err)
			}
			defer raw.Close()
			_, err = raw.Exec("INSERT INTO t VALUES (?, ?)", 2, "x")
			if err == nil || err.Error() != tc.insertErr {
				t.Errorf("prepared INSERT: got %v, want %s", err, tc.insertErr)
			}
			var v string
			err = raw.QueryRow("SELECT v FROM t WHERE k = ?", 1).Scan(&v)
			switch {
			case tc.selectErr == "" && (err != nil || v != "it's"):
				t.Errorf("prepared SELECT: got %q, %v", v, err)
			case tc.selectErr != "" && (err == nil || err.Error() != tc.selectErr):
				t.Errorf("prepared SELECT: got %v, want %s", err, tc.selectErr)
			}
		})
	}
}

func TestAuthentication(t *testing.T) {
	c := startCluster(t, "3.3.2", SharedNothing, func(o *Options) {
		o.RootPassword = "rootpw"
		o.Users = []User{{Name: "alice", Password: "secret"}}
	})
	tests := map[string]struct {
		user, password, want string
	}{
		"root":           {"root", "rootpw", ""},
		"extra user":     {"alice", "secret", ""},
		"wrong password": {"alice", "nope", "Error 1045 (28000): Access denied for user 'alice'@'127.0.0.1' (using password: YES)"},
		"no password":    {"root", "", "Error 1045 (28000): Access denied for user 'root'@'127.0.0.1' (using password: NO)"},
		"unknown user":   {"bob", "x", "Error 1045 (28000): Access denied for user 'bob'@'127.0.0.1' (using password: YES)"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			db := openDB(t, c, tc.user, tc.password, "")
			err := db.Ping()
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tc.want {
				t.Errorf("ping: got %q, want %q", got, tc.want)
			}
		})
	}
}

// TestPrivilegeDenials pins the 3.x access-denied text. [unconfirmed]
// errno 5203/42000 (StarRocks' ERR_ACCESS_DENIED); clients should match the
// "Access denied" text rather than the number.
func TestPrivilegeDenials(t *testing.T) {
	c := startCluster(t, "3.3.2", SharedNothing, func(o *Options) {
		o.Users = []User{
			{Name: "reader", Password: "r", Denied: []string{"INSERT", "CREATE", "ALTER"}},
			{Name: "writer", Password: "w", Denied: []string{"SELECT"}},
		}
	})
	root := rootDB(t, c, "d")
	mustExec(t, root, rangeTableDDL)
	reader := openDB(t, c, "reader", "r", "d")
	writer := openDB(t, c, "writer", "w", "d")
	const tail = " for this operation. Please ask the admin to grant permission(s) or try activating existing roles using <set [default] role>. Current role(s): NONE. Inactivated role(s): NONE."
	denied := func(priv, on string) string {
		return "Error 5203 (42000): Access denied; you need (at least one of) the " + priv + " privilege(s) on " + on + tail
	}
	tests := []struct {
		db   *sql.DB
		stmt string
		want string
	}{
		{reader, "INSERT INTO t VALUES ('2024-01-01', 1, 1)", denied("INSERT", "TABLE t")},
		{reader, "CREATE TABLE x (k int) DISTRIBUTED BY HASH(k)", denied("CREATE TABLE", "DATABASE d")},
		{reader, "ALTER TABLE t DROP PARTITION p20240101", denied("ALTER", "TABLE t")},
		{writer, "SELECT * FROM t", denied("SELECT", "TABLE t")},
		{writer, "SHOW PARTITIONS FROM t", denied("SELECT", "TABLE t")},
		{writer, "INSERT INTO t SELECT * FROM t", denied("SELECT", "TABLE t")},
	}
	for _, tc := range tests {
		if got := execErr(t, tc.db, tc.stmt); got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.stmt, got, tc.want)
		}
	}
	_, rows := query(t, reader, "SELECT count(*) FROM t")
	if rows[0][0] != "0" {
		t.Errorf("reader count = %s", rows[0][0])
	}
	mustExec(t, writer, "INSERT INTO t VALUES ('2024-01-01', 1, 1)")
}

// TestFunctionsPerVersion pins function values and gates. Choices where
// STARROCKS.md is silent: murmur_hash3_32 uses seed 104729 and chains the
// seed over arguments (the values match StarRocks' documented examples);
// current_version() is "<version> <hash>" as on the function's doc page
// [unconfirmed]; the unknown-function text is the 3.x analyzer's
// "No matching function with signature" [unconfirmed wording].
func TestFunctionsPerVersion(t *testing.T) {
	tests := map[string]struct {
		version string
		query   string
		want    []string
		err     string
	}{
		"murmur on 3.1":          {"3.1.11", "SELECT murmur_hash3_32('hello'), murmur_hash3_32('hello', 'world'), murmur_hash3_32(NULL)", []string{"1321743225", "984713481", nullCell}, ""},
		"xxhash missing on 3.1":  {"3.1.11", "SELECT xx_hash3_64('hello')", nil, "Error 1064 (HY000): Getting analyzing error. Detail message: No matching function with signature: xx_hash3_64(varchar)."},
		"crc32 missing on 3.2":   {"3.2.0", "SELECT crc32('hello')", nil, "Error 1064 (HY000): Getting analyzing error. Detail message: No matching function with signature: crc32(varchar)."},
		"xxhash on 3.2":          {"3.2.0", "SELECT xx_hash3_64(''), xx_hash3_64('hello'), xx_hash3_64(NULL)", []string{"3244421341483603138", "-7685981735718036227", nullCell}, ""},
		"crc32 on 3.3":           {"3.3.2", "SELECT crc32('hello'), crc32(NULL)", []string{"907060870", nullCell}, ""},
		"concat_ws skips NULL":   {"3.3.2", "SELECT concat_ws('|', 'a', NULL, 'b')", []string{"a|b"}, ""},
		"current_version":        {"3.5.0", "SELECT current_version() LIKE '3.5.0 %', version(), @@version_comment", []string{"1", "5.1.0", "StarRocks version 3.5.0"}, ""},
		"date_trunc":             {"3.3.2", "SELECT date_trunc('month', '2024-05-06 07:08:09')", []string{"2024-05-01 00:00:00"}, ""},
		"unknown function":       {"3.3.2", "SELECT nope(1)", nil, "Error 1064 (HY000): Getting analyzing error. Detail message: No matching function with signature: nope()."},
		"hash of a row checksum": {"3.3.2", "SELECT xx_hash3_64(concat_ws('\x01', ifnull(cast(1 as string), '\\N'), 'x'))", []string{fmt.Sprint(int64(xxh3.HashString("1\x01x")))}, ""},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			db := rootDB(t, startCluster(t, tc.version, SharedNothing), "")
			_, rows, err := tryQuery(db, tc.query)
			if tc.err != "" {
				if err == nil || err.Error() != tc.err {
					t.Errorf("got %v, want %s", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([][]string{tc.want}, rows); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestNodes(t *testing.T) {
	t.Run("shared-nothing backends", func(t *testing.T) {
		c := startCluster(t, "3.3.2", SharedNothing)
		c.Controls().SetNodeLoad(42.25, 61.5)
		db := rootDB(t, c, "")
		cols, _ := query(t, db, "SHOW BACKENDS")
		want := []string{"BackendId", "IP", "HeartbeatPort", "BePort", "HttpPort", "BrpcPort", "LastStartTime",
			"LastHeartbeat", "Alive", "SystemDecommissioned", "ClusterDecommissioned", "TabletNum", "DataUsedCapacity",
			"AvailCapacity", "TotalCapacity", "UsedPct", "MaxDiskUsedPct", "ErrMsg", "Version", "Status",
			"DataTotalCapacity", "DataUsedPct", "CpuCores", "MemLimit", "NumRunningQueries", "MemUsedPct", "CpuUsedPct",
			"DataCacheMetrics", "Location"}
		if diff := cmp.Diff(want, cols); diff != "" {
			t.Errorf("columns (-want +got):\n%s", diff)
		}
		rows := rowMaps(t, db, "SHOW BACKENDS")
		if len(rows) != nodeCount {
			t.Fatalf("%d backends, want %d", len(rows), nodeCount)
		}
		r := rows[0]
		if r["CpuUsedPct"] != "42.2 %" && r["CpuUsedPct"] != "42.3 %" || r["MemUsedPct"] != "61.50 %" || r["Alive"] != "true" ||
			r["TotalCapacity"] != "2.000 TB" || !strings.HasPrefix(r["Version"], "3.3.2-") || !json.Valid([]byte(r["Status"])) {
			t.Errorf("backend row: %v", r)
		}
		_, viaProc := query(t, db, "SHOW PROC '/backends'")
		if len(viaProc) != nodeCount {
			t.Errorf("SHOW PROC '/backends' lists %d nodes", len(viaProc))
		}
		if _, nodes := query(t, db, "SHOW COMPUTE NODES"); len(nodes) != 0 {
			t.Errorf("shared-nothing cluster lists %d compute nodes", len(nodes))
		}
	})
	t.Run("shared-data compute nodes", func(t *testing.T) {
		c := startCluster(t, "3.1.11", SharedData)
		c.Controls().SetNodeLoad(10, 20)
		db := rootDB(t, c, "")
		cols, rows := query(t, db, "SHOW COMPUTE NODES")
		want := []string{"ComputeNodeId", "IP", "HeartbeatPort", "BePort", "HttpPort", "BrpcPort", "LastStartTime",
			"LastHeartbeat", "Alive", "SystemDecommissioned", "ClusterDecommissioned", "ErrMsg", "Version", "CpuCores",
			"NumRunningQueries", "MemUsedPct", "CpuUsedPct", "HasStoragePath", "StarletPort", "WorkerId"}
		if diff := cmp.Diff(want, cols); diff != "" {
			t.Errorf("columns (-want +got):\n%s", diff)
		}
		if len(rows) != nodeCount {
			t.Errorf("%d compute nodes, want %d", len(rows), nodeCount)
		}
		m := rowMaps(t, db, "SHOW COMPUTE NODES")[0]
		if m["CpuUsedPct"] != "10.0 %" || m["MemUsedPct"] != "20.00 %" {
			t.Errorf("load columns: %v", m)
		}
		bcols, backends := query(t, db, "SHOW BACKENDS")
		if len(backends) != 0 || bcols[len(bcols)-1] != "WarehouseName" {
			t.Errorf("shared-data SHOW BACKENDS: columns %v rows %v", bcols, backends)
		}
	})
}

func TestCatalogStatements(t *testing.T) {
	c := startCluster(t, "3.3.2", SharedNothing)
	db := rootDB(t, c, "d")
	mustExec(t, db, "CREATE TABLE t1 (k int) DISTRIBUTED BY HASH(k)")
	mustExec(t, db, "CREATE TABLE IF NOT EXISTS t1 (k int) DISTRIBUTED BY HASH(k)")
	_, rows := query(t, db, "SHOW DATABASES")
	if diff := cmp.Diff([][]string{{"_statistics_"}, {"d"}, {"information_schema"}, {"sys"}}, rows); diff != "" {
		t.Errorf("SHOW DATABASES (-want +got):\n%s", diff)
	}
	cols, rows := query(t, db, "SHOW TABLES FROM d")
	if diff := cmp.Diff([]string{"Tables_in_d"}, cols); diff != "" || len(rows) != 1 {
		t.Errorf("SHOW TABLES: %v %v", cols, rows)
	}
	cols, _ = query(t, db, "DESC t1")
	if diff := cmp.Diff([]string{"Field", "Type", "Null", "Key", "Default", "Extra"}, cols); diff != "" {
		t.Errorf("DESC columns (-want +got):\n%s", diff)
	}
	// [unconfirmed] DESC values: lower-case type without integer width,
	// Null YES/NO, Key true/false, Default "NULL" when none, Extra the
	// aggregate function.
	mustExec(t, db, "CREATE TABLE agg (k bigint NOT NULL, s decimal(10, 2) SUM DEFAULT \"0\", c varchar(8) REPLACE) AGGREGATE KEY(k) DISTRIBUTED BY HASH(k)")
	_, rows = query(t, db, "DESC agg")
	wantDesc := [][]string{
		{"k", "bigint", "NO", "true", "NULL", ""},
		{"s", "decimal(10,2)", "YES", "false", "0", "SUM"},
		{"c", "varchar(8)", "YES", "false", "NULL", "REPLACE"},
	}
	if diff := cmp.Diff(wantDesc, rows); diff != "" {
		t.Errorf("DESC values (-want +got):\n%s", diff)
	}
	errs := map[string]string{
		"CREATE TABLE t1 (k int) DISTRIBUTED BY HASH(k)": "Error 1050 (42S01): Table 't1' already exists",
		"CREATE DATABASE d":  "Error 1007 (HY000): Can't create database 'd'; database exists",
		"DROP DATABASE nope": "Error 1008 (HY000): Can't drop database 'nope'; database doesn't exist",
		"DROP TABLE nope":    "Error 1051 (42S02): Unknown table 'nope'",
		"USE nope":           "Error 1049 (42000): Unknown database 'nope'",
		"CREATE TABLE x (k int) DISTRIBUTED BY HASH(k) PROPERTIES ('foo' = 'bar')":                               "Error 1064 (HY000): Unknown properties: {foo=bar}",
		"CREATE TABLE x (k int) DISTRIBUTED BY HASH(k) PROPERTIES ('storage_volume' = 'builtin_storage_volume')": "Error 1064 (HY000): Unknown properties: {storage_volume=builtin_storage_volume}",
		"CREATE TABLE x (k int) DISTRIBUTED BY HASH(k) PROPERTIES ('replication_num' = '4')":                     "Error 1064 (HY000): Table replication num should be less than or equal to the number of available BE nodes. You can change this default by setting the replication_num table properties. Current alive backend is [10001, 10002, 10003]. , table=x, default_replication_num=3",
		"CREATE TABLE x (k int, v int) PRIMARY KEY(v) DISTRIBUTED BY HASH(v)":                                    "Error 1064 (HY000): Key columns should be a ordered prefix of the schema.",
		"UPDATE t1 SET k = 1":    "Error 1064 (HY000): Getting syntax error. Detail message: statement not supported by the StarRocks simulator: UPDATE t1 SET.",
		"SELECT * FROM t1 WHERE": "",
	}
	for stmt, want := range errs {
		got := execErr(t, db, stmt)
		if want != "" && got != want {
			t.Errorf("%s:\n got %s\nwant %s", stmt, got, want)
		}
	}
	sd := rootDB(t, startCluster(t, "3.5.0", SharedData), "d")
	if got := execErr(t, sd, "CREATE TABLE x (k int) DISTRIBUTED BY HASH(k) PROPERTIES ('storage_medium' = 'SSD')"); got != "Error 1064 (HY000): Unknown properties: {storage_medium=SSD}" {
		t.Errorf("shared-data storage_medium: %s", got)
	}
	mustExec(t, db, "DROP TABLE t1")
	mustExec(t, db, "DROP TABLE IF EXISTS t1")
	mustExec(t, db, "DROP DATABASE d")
}

func TestControls(t *testing.T) {
	c := startCluster(t, "3.3.2", SharedNothing)
	db := rootDB(t, c, "d")
	mustExec(t, db, "CREATE TABLE t (k int) DISTRIBUTED BY HASH(k)")
	c.Controls().FailNext(KindQuery, 1, "injected query failure")
	c.Controls().FailNext(KindInsert, 1, "injected insert failure")
	if _, _, err := tryQuery(db, "SELECT 1"); err == nil || err.Error() != "Error 1064 (HY000): injected query failure" {
		t.Errorf("injected query failure: %v", err)
	}
	query(t, db, "SELECT 1")
	if got := execErr(t, db, "INSERT INTO t VALUES (1)"); got != "Error 1064 (HY000): injected insert failure" {
		t.Errorf("injected insert failure: %s", got)
	}
	mustExec(t, db, "INSERT INTO t VALUES (1)")

	conn, err := db.Conn(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := conn.PingContext(t.Context()); err != nil {
		t.Fatal(err)
	}
	c.Controls().CloseConnections()
	if err := conn.PingContext(t.Context()); err == nil {
		t.Error("connection still usable after CloseConnections")
	}

	got := c.Counters()
	for fam, n := range map[string]int64{"SELECT": 2, "INSERT": 2, "CREATE TABLE": 1} {
		if got.ByFamily[fam] != n {
			t.Errorf("counter %s = %d, want %d (all: %v)", fam, got.ByFamily[fam], n, got.ByFamily)
		}
	}
	var sum int64
	for _, n := range got.ByFamily {
		sum += n
	}
	if sum != got.Total {
		t.Errorf("Total %d != sum of families %d", got.Total, sum)
	}

	c.Controls().SetCancelRate(0.5, 42)
	var draws []bool
	for i := 0; i < 8; i++ {
		draws = append(draws, c.Controls().drawCancel())
	}
	c.Controls().SetCancelRate(0.5, 42)
	for i, want := range draws {
		if got := c.Controls().drawCancel(); got != want {
			t.Fatalf("draw %d not reproducible with the same seed", i)
		}
	}
}

func TestControlHTTP(t *testing.T) {
	c := startCluster(t, "3.3.2", SharedNothing)
	addr, err := c.ServeControl("")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ServeControl("0.0.0.0:0"); err == nil {
		t.Error("non-loopback control address accepted")
	}
	post := func(path, body string) int {
		resp, err := http.Post("http://"+addr+path, "application/json", bytes.NewBufferString(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		return resp.StatusCode
	}
	for path, body := range map[string]string{
		"/fail":              `{"kind":"QUERY","count":1,"error":"boom"}`,
		"/backends":          `{"cpu":91,"mem":12}`,
		"/cancel-rate":       `{"rate":0.25,"seed":3}`,
		"/time-scale":        `{"scale":0.01}`,
		"/close-connections": `{}`,
		"/purge-labels":      `{}`,
	} {
		if code := post(path, body); code != http.StatusOK {
			t.Errorf("POST %s: status %d", path, code)
		}
	}
	if code := post("/fail", `{"kind":"NOPE","count":1,"error":"x"}`); code != http.StatusBadRequest {
		t.Errorf("bad fault kind: status %d", code)
	}
	if m := c.Controls().JobModel(); m.TimeScale != 0.01 {
		t.Errorf("time scale = %v", m.TimeScale)
	}
	db := rootDB(t, c, "")
	if _, _, err := tryQuery(db, "SELECT 1"); err == nil || !strings.Contains(err.Error(), "boom") {
		t.Errorf("fault set over HTTP: %v", err)
	}
	if m := rowMaps(t, db, "SHOW BACKENDS")[0]; m["CpuUsedPct"] != "91.0 %" {
		t.Errorf("node load set over HTTP: %s", m["CpuUsedPct"])
	}
	resp, err := http.Get("http://" + addr + "/counters")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got Counters
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	if got.ByFamily["SHOW BACKENDS"] != 1 || got.Total == 0 {
		t.Errorf("counters over HTTP: %+v", got)
	}
}

func TestStartOptions(t *testing.T) {
	for _, o := range []Options{{}, {Version: "3.0.1"}, {Version: "3.3.2", Addr: "0.0.0.0:0"}, {Version: "3.3.2", Users: []User{{Name: "root"}}}} {
		if c, err := Start(o); err == nil {
			c.Close()
			t.Errorf("Start(%+v): want an error", o)
		}
	}
	c := startCluster(t, "3.3.2", "")
	if c.Mode() != SharedNothing || !strings.HasPrefix(c.Addr(), "127.0.0.1:") {
		t.Errorf("defaults: mode %s addr %s", c.Mode(), c.Addr())
	}
	dsn := c.DSN("u", "p", "db")
	if !strings.Contains(dsn, "interpolateParams=true") || strings.Contains(dsn, "parseTime=true") {
		t.Errorf("DSN %s", dsn)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestSessionStatements(t *testing.T) {
	c := startCluster(t, "3.3.2", SharedNothing)
	multi, err := sql.Open("mysql", c.DSN("root", "", "")+"&multiStatements=true")
	if err != nil {
		t.Fatal(err)
	}
	defer multi.Close()
	mustExec(t, multi, "CREATE DATABASE m; USE m; CREATE TABLE x (k int) DISTRIBUTED BY HASH(k); INSERT INTO x VALUES (1), (2)")
	db := rootDB(t, c, "m")
	_, rows := query(t, db, "SELECT count(*) FROM x")
	if rows[0][0] != "2" {
		t.Errorf("multi-statement load: count %s, want 2", rows[0][0])
	}
	mustExec(t, db, "SET query_timeout = 600")
	mustExec(t, db, "SET NAMES utf8mb4")
	if got := execErr(t, db, "SET no_such_variable = 1"); got != "Error 1193 (HY000): Unknown system variable 'no_such_variable'" {
		t.Errorf("unknown variable: %s", got)
	}
	_, rows = query(t, db, "SELECT table_name, table_rows FROM information_schema.tables WHERE table_schema = 'm'")
	if diff := cmp.Diff([][]string{{"x", "2"}}, rows); diff != "" {
		t.Errorf("information_schema.tables (-want +got):\n%s", diff)
	}
	if got := execErr(t, db, "SELECT * FROM X"); got != "Error 1064 (HY000): Getting analyzing error. Detail message: Unknown table 'm.X'." {
		t.Errorf("table names are case-sensitive: %s", got)
	}
}
