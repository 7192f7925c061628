package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go/logging"

	"github.com/srplan/srplan/lang"
	"github.com/srplan/srplan/state"
	srdynamo "github.com/srplan/srplan/state/dynamodb"
)

// envLease names the environment variable that sets the lease of the
// DynamoDB state lock (a Go duration such as "5s"; default
// srdynamo.DefaultLease). A holder that stops renewing, because it was
// killed, loses the lock once the lease has passed.
const envLease = "SRPLAN_LEASE"

// signingRegion is the region requests to a DynamoDB endpoint override are
// signed for when neither the spec nor the AWS configuration names one.
const signingRegion = "us-east-1"

// lease returns the lock lease from SRPLAN_LEASE, or the default.
func (e *env) lease() (time.Duration, error) {
	v := e.getenv(envLease)
	if v == "" {
		return srdynamo.DefaultLease, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%s=%q: want a positive duration such as 30s", envLease, v)
	}
	return d, nil
}

// dynamoWhere describes where the block's table lives, for messages.
func dynamoWhere(ddb *lang.DynamoDB, region string) string {
	where := "region " + region
	if ddb.Endpoint != "" {
		where = "endpoint " + ddb.Endpoint + ", " + where
	}
	return fmt.Sprintf("DynamoDB table %s (%s)", ddb.Table, where)
}

// newDynamoClient returns a DynamoDB client for the block: the default AWS
// credential chain (environment, shared profile, instance role), the
// block's region (else the AWS configuration's) and its endpoint override.
func newDynamoClient(ctx context.Context, ddb *lang.DynamoDB) (*dynamodb.Client, string, error) {
	var load []func(*config.LoadOptions) error
	if ddb.Region != "" {
		load = append(load, config.WithRegion(ddb.Region))
	}
	cfg, err := config.LoadDefaultConfig(ctx, load...)
	if err != nil {
		return nil, "", fmt.Errorf("load the AWS configuration for DynamoDB table %s: %w", ddb.Table, err)
	}
	if cfg.Region == "" {
		if ddb.Endpoint == "" {
			return nil, "", fmt.Errorf("DynamoDB table %s: no region: set region in the spec's dynamodb block or AWS_REGION in the environment", ddb.Table)
		}
		cfg.Region = signingRegion
	}
	c := dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) {
		// Failures come back as errors; the SDK's own warnings (such as a
		// response body left unread when a renewal is cancelled) are not
		// for the user.
		o.Logger = logging.Nop{}
		// State writes must ride out throttling (ProvisionedThroughput-
		// Exceeded, ThrottlingException) rather than stop the apply after
		// the SDK's default three attempts.
		o.Retryer = retry.NewStandard(func(so *retry.StandardOptions) {
			so.MaxAttempts = dynamoMaxAttempts
			so.MaxBackoff = dynamoMaxBackoff
		})
		if ddb.Endpoint != "" {
			o.BaseEndpoint = aws.String(ddb.Endpoint)
		}
	})
	return c, cfg.Region, nil
}

// The DynamoDB state client's retry policy: up to 10 attempts with
// exponential backoff capped at 10s (about a minute in all).
const (
	dynamoMaxAttempts = 10
	dynamoMaxBackoff  = 10 * time.Second
)

// dynamoError explains a failure to reach the DynamoDB state: where it
// is, what to check, and how to plan from the local file alone.
func dynamoError(ddb *lang.DynamoDB, region, localPath string, err error) error {
	hint := "check that the table exists (create it with 'srplan init -f SPEC'), that AWS credentials are available " +
		"(environment, shared profile or instance role) and allow DynamoDB access, and that the region"
	if ddb.Endpoint != "" {
		hint += " and endpoint are right and the endpoint is reachable"
	} else {
		hint += " is right"
	}
	if _, missing := errors.AsType[*types.ResourceNotFoundException](err); missing {
		hint = "the table does not exist: create it with 'srplan init -f SPEC'"
	}
	return fmt.Errorf("cannot use the shared state in %s, workspace %s: %w\n\n%s. To plan from the local state file alone, pass it explicitly: -state %s",
		dynamoWhere(ddb, region), ddb.Workspace, err, capitalize(hint), localPath)
}

func capitalize(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}

// openDynamo opens the spec's DynamoDB state with the lease of
// SRPLAN_LEASE. It returns the region the client uses, for messages.
func (e *env) openDynamo(cfg *lang.Config) (*srdynamo.Store, string, error) {
	ddb := cfg.State.DynamoDB
	lease, err := e.lease()
	if err != nil {
		return nil, "", err
	}
	client, region, err := newDynamoClient(e.ctx, ddb)
	if err != nil {
		return nil, "", err
	}
	s, err := srdynamo.Open(e.ctx, client, ddb.Table, ddb.Workspace, Version, srdynamo.WithLease(lease))
	if err != nil {
		if _, unusable := errors.AsType[*state.UnusableError](err); unusable {
			return nil, "", err
		}
		return nil, "", dynamoError(ddb, region, cfg.State.Path, err)
	}
	return s, region, nil
}

// openShared opens the shared state of the spec's dynamodb block: the
// DynamoDB store, locked for op when lock is set (waiting up to timeout),
// and then the local bbolt file at state.path as its mirror. Writes go to
// DynamoDB first and are then copied into the file; a failed copy is a
// warning. The records of the two are compared first: when they differ,
// DynamoDB is trusted, one line on stderr says so, and the file is
// refreshed. A local file another process holds (such as an exporter's
// on the same host) is skipped with a note: DynamoDB holds everything.
// A DynamoDB state never written is seeded from the local file's records
// when the lock is held, so a migration begun with a local file carries on.
func (e *env) openShared(cfg *lang.Config, op string, lock bool, timeout time.Duration) (*stateHandle, error) {
	store, region, err := e.openDynamo(cfg)
	if err != nil {
		return nil, err
	}
	h := &stateHandle{locker: store, claims: store, shared: true}
	if lock {
		id, err := state.LockWithContext(e.ctx, store, state.NewLockInfo(op, Version), timeout)
		if err != nil {
			store.Close()
			return nil, err
		}
		h.lockID = id
	}
	warn := func(err error) { fmt.Fprintf(e.stderr, "Warning: %v\n", err) }
	var local state.Store
	path := cfg.State.Path
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		warn(fmt.Errorf("the local copy of the state %s cannot be created: %w; continuing with DynamoDB alone", path, err))
	} else if b, err := state.OpenBolt(path, state.BoltOptions{Timeout: state.DefaultBoltTimeout, SrplanVersion: Version, Create: true}); err != nil {
		if _, busy := errors.AsType[*state.LockError](err); busy {
			fmt.Fprintf(e.stderr, "Note: another srplan process on this host has the local state file %s open; this one keeps no local copy (DynamoDB holds the state).\n", path)
		} else {
			warn(fmt.Errorf("the local copy of the state cannot be used: %w; continuing with DynamoDB alone", err))
		}
	} else {
		local = b
	}
	m := state.NewMirror(store, local, warn)
	h.store = m
	h.release = func() {
		if h.lockID != "" {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := store.Unlock(ctx, h.lockID); err != nil {
				fmt.Fprintf(e.stderr, "Warning: could not release the state lock %s: %v\n", h.lockID, err)
			}
		}
		_ = m.Close()
	}
	if err := e.reconcile(cfg, region, m, lock); err != nil {
		h.release()
		return nil, err
	}
	return h, nil
}

// reconcile compares the DynamoDB state with the local copy, says which
// it trusts when they differ, and refreshes the copy (see openShared).
func (e *env) reconcile(cfg *lang.Config, region string, m *state.Mirror, seed bool) error {
	ddb := cfg.State.DynamoDB
	local := m.Local()
	if seed && local != nil {
		seeded, n, err := seedShared(e.ctx, m)
		if err != nil {
			return dynamoError(ddb, region, cfg.State.Path, err)
		}
		if seeded {
			fmt.Fprintf(e.stderr, "State: DynamoDB table %s (workspace %s) was empty; copied the %d record(s) of the local file %s into it.\n",
				ddb.Table, ddb.Workspace, n, cfg.State.Path)
		}
	}
	r, err := m.Reconcile(e.ctx)
	if err != nil {
		if _, unusable := errors.AsType[*state.UnusableError](err); unusable {
			return err
		}
		return dynamoError(ddb, region, cfg.State.Path, err)
	}
	if !r.Divergence.Empty() {
		fmt.Fprintf(e.stderr, "State: DynamoDB table %s (workspace %s, serial %d) and the local file %s (serial %d) differ in %s; using DynamoDB, the shared state.\n",
			ddb.Table, ddb.Workspace, r.Primary.Meta.Serial, cfg.State.Path, r.LocalMeta.Serial, r.Divergence)
	}
	return nil
}

// seedShared copies the local file's records into the primary when the
// primary was never written (Serial 0) and the file holds records. It
// reports whether it did and how many records it copied.
func seedShared(ctx context.Context, m *state.Mirror) (bool, int, error) {
	p, err := m.Primary().Read(ctx)
	if err != nil {
		return false, 0, err
	}
	if p.Meta.Serial != 0 {
		return false, 0, nil
	}
	l, err := m.Local().Read(ctx)
	if err != nil || len(l.Tables)+len(l.Partitions) == 0 {
		return false, 0, nil // an unreadable local file is reported by Reconcile
	}
	d := state.Compare(l, p)
	if err := m.Primary().Write(ctx, d.Refresh); err != nil {
		return false, 0, err
	}
	return true, len(l.Tables) + len(l.Partitions), nil
}

// readShared reads the spec's DynamoDB state without taking the lock.
func (e *env) readShared(cfg *lang.Config) (*state.Snapshot, error) {
	s, region, err := e.openDynamo(cfg)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	snap, err := s.Read(e.ctx)
	if err != nil {
		return nil, dynamoError(cfg.State.DynamoDB, region, cfg.State.Path, err)
	}
	return snap, nil
}
