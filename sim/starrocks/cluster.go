package starrocks

import (
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"

	sqle "github.com/dolthub/go-mysql-server"
	"github.com/dolthub/go-mysql-server/server"
	gsql "github.com/dolthub/go-mysql-server/sql"
	"github.com/dolthub/go-mysql-server/sql/analyzer"
	"github.com/dolthub/vitess/go/mysql"
	vtlog "github.com/dolthub/vitess/go/vt/log"
	gomysql "github.com/go-sql-driver/mysql"
	"github.com/sirupsen/logrus"
)

// Cluster is a running simulated StarRocks cluster.
type Cluster struct {
	opts      Options
	prof      profile
	store     *Store
	controls  *Controls
	functions *functionSet
	router    router
	provider  *gmsProvider
	engine    *sqle.Engine
	server    *server.Server
	handler   *srHandler
	loads     pendingLoads
	jobs      *jobManager
	denied    map[string]map[string]bool // user -> denied families
	passwords map[string]string
	logger    *log.Logger

	countMu  sync.Mutex
	counters Counters

	closeOnce sync.Once
	serveDone chan struct{}
	httpMu    sync.Mutex
	httpSrvs  []*http.Server
}

// Counters is a snapshot of the statements a cluster received.
type Counters struct {
	// Total is the number of statements received.
	Total int64 `json:"total"`
	// ByFamily counts statements by family, e.g. "SELECT",
	// "SHOW PARTITIONS", "INSERT", "CREATE TABLE", "COM_STMT_PREPARE".
	ByFamily map[string]int64 `json:"by_family"`
	// Jobs counts jobs submitted by kind (KindExport, KindLoad for Broker
	// Load, KindInsert for INSERT INTO FILES and INSERT from FILES(),
	// KindBackup, KindRestore), including jobs that later failed.
	Jobs map[string]int64 `json:"jobs"`
}

var quietOnce sync.Once

// silenceEngineLogs turns off the engine's and the wire layer's logging.
// Both log through process-wide loggers, so this is done once, before any
// server goroutine starts.
func silenceEngineLogs() {
	quietOnce.Do(func() {
		logrus.SetOutput(io.Discard)
		logrus.SetLevel(logrus.PanicLevel)
		nop := func(...any) {}
		nopf := func(string, ...any) {}
		vtlog.Info, vtlog.Warning, vtlog.Error = nop, nop, nop
		vtlog.Infof, vtlog.Warningf, vtlog.Errorf = nopf, nopf, nopf
	})
}

// quietLogger is the logger given to engine sessions.
var quietLogger = func() *logrus.Logger {
	l := logrus.New()
	l.SetOutput(io.Discard)
	l.SetLevel(logrus.PanicLevel)
	return l
}()

func quietSessionLogger(s gsql.Session) { s.SetLogger(logrus.NewEntry(quietLogger)) }

// engineInitMu serialises engine construction across clusters.
var engineInitMu sync.Mutex

// Start starts a simulated cluster listening on opts.Addr.
func Start(opts Options) (*Cluster, error) {
	opts, prof, err := opts.normalize()
	if err != nil {
		return nil, err
	}
	silenceEngineLogs()
	c := &Cluster{
		opts:      opts,
		prof:      prof,
		store:     newStore(prof, opts.Now),
		controls:  newControls(),
		functions: newFunctionSet(prof),
		denied:    map[string]map[string]bool{},
		passwords: map[string]string{"root": opts.RootPassword},
		counters:  Counters{ByFamily: map[string]int64{}},
		serveDone: make(chan struct{}),
	}
	if !opts.Quiet {
		c.logger = log.New(os.Stderr, "srsim: ", log.LstdFlags)
	}
	for _, u := range opts.Users {
		c.passwords[u.Name] = u.Password
		c.denied[u.Name] = map[string]bool{}
		for _, f := range u.Denied {
			c.denied[u.Name][strings.ToUpper(strings.TrimSpace(f))] = true
		}
	}
	c.provider = newGMSProvider(c)
	c.jobs = newJobManager(c)
	c.registerStatements()
	c.registerJobStatements()
	c.registerInfoSchemaTables()
	c.registerJobInfoSchemaTables()

	a := analyzer.NewBuilder(c.provider).AddPostValidationRule(fixSumTypesRuleID, fixSumTypesRule).Build()
	a.Catalog.InfoSchema = c.provider.is
	// sqle.New initialises go-mysql-server's process-wide status
	// variables; concurrent Starts would race on them.
	engineInitMu.Lock()
	c.engine = sqle.New(a, &sqle.Config{})
	engineInitMu.Unlock()
	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		c.engine.Close()
		return nil, fmt.Errorf("starrocks sim: listen on %s: %w", opts.Addr, err)
	}
	cfg := server.Config{
		Protocol:                "tcp",
		Listener:                ln,
		Version:                 mysqlCompatVersion,
		ProtocolListenerFactory: c.listenerFactory,
	}
	srv, err := server.NewServerWithHandler(cfg, c.engine, gsql.NewContext, c.sessionBuilder, nil, func(h mysql.Handler) (mysql.Handler, error) {
		c.handler = newSRHandler(c, h)
		return c.handler, nil
	})
	if err != nil {
		ln.Close()
		c.engine.Close()
		return nil, fmt.Errorf("starrocks sim: start server: %w", err)
	}
	c.server = srv
	c.controls.closeConns = c.handler.closeAll
	c.controls.purgeLabels = c.purgeLabels
	c.startLabelCleaner()
	go func() {
		defer close(c.serveDone)
		_ = srv.Start()
	}()
	c.logf("StarRocks %s (%s) simulator listening on %s", prof.Version, prof.Mode, c.Addr())
	return c, nil
}

// listenerFactory builds the wire listener with the simulator's own
// authentication (StarRocks' access-denied texts).
func (c *Cluster) listenerFactory(cfg server.Config, lc mysql.ListenerConfig, _ server.ServerEventListener) (server.ProtocolListener, error) {
	lc.AuthServer = &authServer{c: c}
	l, err := mysql.NewListenerWithConfig(lc)
	if err != nil {
		return nil, err
	}
	l.ServerVersion = cfg.Version
	return l, nil
}

// sessionBuilder creates the engine session of a connection.
func (c *Cluster) sessionBuilder(_ context.Context, conn *mysql.Conn, addr string) (gsql.Session, error) {
	host := "127.0.0.1"
	if ra := conn.RemoteAddr(); ra != nil {
		host = ra.String()
	}
	s := gsql.NewBaseSessionWithClientServer(addr, gsql.Client{Address: host, User: conn.User, Capabilities: conn.Capabilities}, conn.ConnectionID)
	quietSessionLogger(s)
	ctx := gsql.NewEmptyContext()
	for k, v := range map[string]any{"version_comment": c.prof.versionComment(), "version": mysqlCompatVersion} {
		if err := s.InitSessionVariable(ctx, k, v); err != nil {
			return nil, fmt.Errorf("starrocks sim: init session variable %s: %w", k, err)
		}
	}
	return s, nil
}

func (c *Cluster) inner() mysql.Handler { return c.handler.inner }

// Addr returns the MySQL-protocol address, "127.0.0.1:port".
func (c *Cluster) Addr() string { return c.server.Listener.Addr().String() }

// Version returns the imitated StarRocks version.
func (c *Cluster) Version() string { return c.prof.Version }

// Mode returns the imitated architecture.
func (c *Cluster) Mode() Mode { return c.prof.Mode }

// Store returns the cluster's catalog and data store.
func (c *Cluster) Store() *Store { return c.store }

// DSN returns a go-sql-driver/mysql DSN for the cluster with
// interpolateParams=true and parseTime=false.
func (c *Cluster) DSN(user, password, db string) string {
	cfg := gomysql.NewConfig()
	cfg.User = user
	cfg.Passwd = password
	cfg.Net = "tcp"
	cfg.Addr = c.Addr()
	cfg.DBName = db
	cfg.InterpolateParams = true
	cfg.ParseTime = false
	return cfg.FormatDSN()
}

// Controls returns the fault-injection and test controls.
func (c *Cluster) Controls() *Controls { return c.controls }

// Counters returns a snapshot of the statement counters.
func (c *Cluster) Counters() Counters {
	c.countMu.Lock()
	defer c.countMu.Unlock()
	out := Counters{Total: c.counters.Total, ByFamily: make(map[string]int64, len(c.counters.ByFamily))}
	for k, v := range c.counters.ByFamily {
		out.ByFamily[k] = v
	}
	out.Jobs = c.jobs.submittedCounts()
	return out
}

func (c *Cluster) count(family string) {
	c.countMu.Lock()
	defer c.countMu.Unlock()
	c.counters.Total++
	c.counters.ByFamily[family]++
}

// logf writes to the statement log unless Quiet.
func (c *Cluster) logf(format string, args ...any) {
	if c.logger != nil {
		c.logger.Printf(format, args...)
	}
}

// Close stops the listener, the control endpoints, every connection and
// every running job (which ends where it stands). It is idempotent.
func (c *Cluster) Close() error {
	c.closeOnce.Do(func() {
		_ = c.server.Close()
		c.handler.closeAll()
		<-c.serveDone
		c.jobs.stop()
		c.httpMu.Lock()
		for _, s := range c.httpSrvs {
			_ = s.Close()
		}
		c.httpMu.Unlock()
		_ = c.engine.Close()
	})
	return nil
}
