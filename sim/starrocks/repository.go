package starrocks

import (
	"context"
	"encoding/json"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/dolthub/vitess/go/sqltypes"
)

// Repositories for BACKUP / RESTORE (STARROCKS.md 6.1). A repository is a
// name bound to a location; its files live under
// <location>/__starrocks_repository_<name>/, so a repository created with
// the same name and location on another cluster sees the same snapshots:
//
//	__repo_info                                  repository info (JSON)
//	__ss_<snapshot>/__info_<timestamp>.<md5>     job info (JSON): tables,
//	                                             partitions, versions
//	__ss_<snapshot>/__meta.<md5>                 table definitions (JSON)
//	__ss_<snapshot>/__ss_content/__db_<id>/__tbl_<id>/__part_<id>/__data.<md5>
//	                                             partition rows (JSON lines)
//
// The layout follows StarRocks' Repository class; the file contents are
// the simulator's own.

// repository is one CREATE REPOSITORY.
type repository struct {
	ID       int64
	Name     string
	ReadOnly bool
	Location string
	Broker   string
	Props    map[string]string
	Created  time.Time
	loc      location
}

// repoRegistry holds the repositories of a cluster.
type repoRegistry struct {
	mu     sync.Mutex
	byName map[string]*repository
}

func (r *repoRegistry) get(name string) *repository {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.byName[name]
}

// root is the key of the repository directory.
func (r *repository) root() string {
	return joinKey(r.loc.Key, "__starrocks_repository_"+r.Name)
}

// store opens the repository's storage.
func (r *repository) store(ctx context.Context) (objectStore, error) {
	return openStore(ctx, r.loc, r.Props)
}

// handleCreateRepository: CREATE [READ ONLY] REPOSITORY r WITH BROKER
// [name] ON LOCATION "..." [PROPERTIES (...)]. The location is checked
// at once: a writable repository writes __repo_info, a read-only one
// lists the location.
func handleCreateRepository(ctx context.Context, s *Session, st *Statement) (*sqltypes.Result, error) {
	p := &parser{src: st.SQL, toks: st.Toks, i: 1}
	ro := p.acceptKw("READ", "ONLY")
	if err := p.expectKw("REPOSITORY"); err != nil {
		return nil, err
	}
	name, err := p.ident()
	if err != nil {
		return nil, err
	}
	if err := p.expectKw("WITH", "BROKER"); err != nil {
		return nil, err
	}
	broker := ""
	if p.peek().isIdent() && !p.isKw("ON", "LOCATION") {
		broker = p.next().val
	}
	if err := p.expectKw("ON", "LOCATION"); err != nil {
		return nil, err
	}
	where, err := p.stringLit()
	if err != nil {
		return nil, err
	}
	var props []property
	if p.acceptKw("PROPERTIES") {
		if props, err = p.properties(); err != nil {
			return nil, err
		}
	}
	if err := p.expectEnd(); err != nil {
		return nil, err
	}
	if err := s.require("REPOSITORY", "SYSTEM", "", "BACKUP", "RESTORE"); err != nil {
		return nil, err
	}
	loc, err := parseLocation(where)
	if err != nil {
		return nil, errDDLf("Failed to create repository: %s", err.Error())
	}
	repo := &repository{Name: name, ReadOnly: ro, Location: where, Broker: broker, Props: propMap(props), Created: s.c.jobNow(), loc: loc}
	reg := s.c.jobs.repos
	reg.mu.Lock()
	_, exists := reg.byName[name]
	reg.mu.Unlock()
	if exists {
		return nil, errDDLf("Failed to create repository: repository with same name already exist: %s", name)
	}
	stor, err := repo.store(ctx)
	if err != nil {
		return nil, errDDLf("Failed to create repository: %s", err.Error())
	}
	infoKey := joinKey(repo.root(), "__repo_info")
	if _, err := stor.List(ctx, repo.root()+"/"); err != nil {
		return nil, errDDLf("Failed to create repository: %s", err.Error())
	}
	if !ro {
		if _, err := readAll(ctx, stor, infoKey); err != nil {
			info, _ := json.Marshal(map[string]any{"name": name, "create_time": repo.Created.UnixMilli()})
			if err := writeAll(ctx, stor, infoKey, info); err != nil {
				return nil, errDDLf("Failed to create repository: %s", err.Error())
			}
		}
	}
	repo.ID = s.c.store.NewID()
	reg.mu.Lock()
	defer reg.mu.Unlock()
	if _, exists := reg.byName[name]; exists {
		return nil, errDDLf("Failed to create repository: repository with same name already exist: %s", name)
	}
	reg.byName[name] = repo
	return okResult(0), nil
}

// handleDropRepository: DROP REPOSITORY r (remote files are kept).
func handleDropRepository(_ context.Context, s *Session, st *Statement) (*sqltypes.Result, error) {
	p := &parser{src: st.SQL, toks: st.Toks, i: 2}
	name, err := p.ident()
	if err != nil {
		return nil, err
	}
	if err := p.expectEnd(); err != nil {
		return nil, err
	}
	if err := s.require("REPOSITORY", "SYSTEM", "", "BACKUP", "RESTORE"); err != nil {
		return nil, err
	}
	if s.c.jobs.repos.get(name) == nil {
		return nil, errDDLf("Repository does not exist")
	}
	if s.c.jobs.backups.runningOnRepo(name) {
		return nil, errDDLf("Backup or restore job is running on this repository. Can not drop it")
	}
	reg := s.c.jobs.repos
	reg.mu.Lock()
	defer reg.mu.Unlock()
	delete(reg.byName, name)
	return okResult(0), nil
}

// showRepositoriesColumns is ShowRepositoriesStmt's TITLE_NAMES.
var showRepositoriesColumns = []string{"RepoId", "RepoName", "CreateTime", "IsReadOnly", "Location", "Broker", "ErrMsg"}

// handleShowRepositories: SHOW REPOSITORIES.
func handleShowRepositories(_ context.Context, s *Session, st *Statement) (*sqltypes.Result, error) {
	p := &parser{src: st.SQL, toks: st.Toks, i: 2}
	if err := p.expectEnd(); err != nil {
		return nil, err
	}
	reg := s.c.jobs.repos
	reg.mu.Lock()
	repos := make([]*repository, 0, len(reg.byName))
	for _, r := range reg.byName {
		repos = append(repos, r)
	}
	reg.mu.Unlock()
	sort.Slice(repos, func(a, b int) bool { return repos[a].ID < repos[b].ID })
	var rows [][]any
	for _, r := range repos {
		broker := r.Broker
		if broker == "" {
			broker = "-"
		}
		rows = append(rows, []any{r.ID, r.Name, jobTime(r.Created), strings.ToLower(boolText(r.ReadOnly)), r.Location, broker, "NULL"})
	}
	return textResult(showRepositoriesColumns, rows), nil
}

func boolText(b bool) string {
	if b {
		return "true"
	}
	return "false"
}
