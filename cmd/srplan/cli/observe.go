package cli

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/srplan/srplan/lang"
	"github.com/srplan/srplan/planner"
	"github.com/srplan/srplan/providers/starrocks"
)

// observed holds the catalogs read before planning and the open clients.
type observed struct {
	sources map[string]*planner.Catalog
	targets map[string]*planner.Catalog
	clients map[string]*starrocks.Client // "source.NAME" / "target.NAME"
}

func (o *observed) close() {
	for _, c := range o.clients {
		c.Close()
	}
}

// observe connects to every cluster the spec's tables use (in parallel) and
// reads the catalogs the plan needs. Errors name the cluster and host.
func observe(ctx context.Context, cfg *lang.Config) (*observed, error) {
	o := &observed{sources: map[string]*planner.Catalog{}, targets: map[string]*planner.Catalog{}, clients: map[string]*starrocks.Client{}}
	type job struct {
		kind string
		c    *lang.Cluster
	}
	var jobs []job
	used := map[string]bool{}
	for _, t := range cfg.Tables {
		used["source."+t.From] = true
		used["target."+t.To] = true
	}
	for _, n := range sortedKeys(cfg.Sources) {
		if used["source."+n] {
			jobs = append(jobs, job{"source", cfg.Sources[n]})
		}
	}
	for _, n := range sortedKeys(cfg.Targets) {
		if used["target."+n] {
			jobs = append(jobs, job{"target", cfg.Targets[n]})
		}
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	errs := make([]error, len(jobs))
	for i, j := range jobs {
		wg.Go(func() {
			cat, cl, err := readCluster(ctx, cfg, j.kind, j.c)
			if err != nil {
				errs[i] = err
				return
			}
			mu.Lock()
			defer mu.Unlock()
			o.clients[j.kind+"."+j.c.Name] = cl
			if j.kind == "source" {
				o.sources[j.c.Name] = cat
			} else {
				o.targets[j.c.Name] = cat
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			o.close()
			return nil, err
		}
	}
	return o, nil
}

func readCluster(ctx context.Context, cfg *lang.Config, kind string, c *lang.Cluster) (*planner.Catalog, *starrocks.Client, error) {
	// A connection lost while reading (not while connecting: an unreachable
	// FE is reported at once) is tried again, like a job's retryable error.
	for attempt := 1; ; attempt++ {
		cat, cl, err := readClusterOnce(ctx, cfg, kind, c)
		if _, connecting := errors.AsType[*starrocks.ConnectError](err); err == nil || connecting ||
			attempt == catalogAttempts || !starrocks.IsRetryable(err) {
			return cat, cl, err
		}
		select {
		case <-ctx.Done():
			return nil, nil, err
		case <-time.After(time.Duration(attempt) * time.Second):
		}
	}
}

// catalogAttempts is how often a cluster's catalog read is tried.
const catalogAttempts = 3

func readClusterOnce(ctx context.Context, cfg *lang.Config, kind string, c *lang.Cluster) (*planner.Catalog, *starrocks.Client, error) {
	cl, err := starrocks.Open(ctx, c)
	if err != nil {
		return nil, nil, err
	}
	info, err := starrocks.DetectCluster(ctx, cl.DB(), c.Name)
	if err != nil {
		cl.Close()
		return nil, nil, fmt.Errorf("%s %q: %w", kind, c.Name, err)
	}
	var tables []*lang.Table
	for _, t := range cfg.Tables {
		if (kind == "source" && t.From == c.Name) || (kind == "target" && t.To == c.Name) {
			tables = append(tables, t)
		}
	}
	cat, err := starrocks.ReadCatalog(ctx, cl.DB(), info, starrocks.SelectorFromTables(tables, lang.ClusterKind(kind)))
	if err != nil {
		cl.Close()
		return nil, nil, fmt.Errorf("read catalog of %s %q: %w", kind, c.Name, err)
	}
	return cat, cl, nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
