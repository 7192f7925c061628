package dynamodb

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/srplan/srplan/state"
)

// errLockHeld is the cause carried by the *state.LockError Lock returns.
var errLockHeld = errors.New("the lock is held by another srplan process")

func (s *Store) lockKey() map[string]types.AttributeValue { return key(s.pk("lock"), "lock") }

// Lock implements state.Locker with a conditional put of the lock item: it
// succeeds when no one holds the lock or the holder's lease has run out
// (by this store's clock), which takes a dead holder's lock over. Otherwise
// it returns a *state.LockError naming the holder. On success it sets
// info.ID, fills a zero info.Created, and renews the lease every lease/3
// until Unlock or Close; a holder that stops renewing (killed) loses the
// lock once the lease has passed.
func (s *Store) Lock(ctx context.Context, info *state.LockInfo) (string, error) {
	if err := s.usable(ctx); err != nil {
		return "", err
	}
	if info == nil {
		return "", errors.New("state: lock: no lock info")
	}
	h := *info
	h.ID = newLockID()
	if h.Created.IsZero() {
		h.Created = s.clock().UTC().Round(0)
	}
	raw, err := json.Marshal(&h)
	if err != nil {
		return "", s.wrap("lock", err)
	}
	const attempts = 3 // the holder may release between the put and the read of it
	for range attempts {
		now := s.clock()
		it := s.lockKey()
		it["id"] = &types.AttributeValueMemberS{Value: h.ID}
		it["holder"] = &types.AttributeValueMemberS{Value: string(raw)}
		it["expires"] = &types.AttributeValueMemberN{Value: strconv.FormatInt(now.Add(s.lease).UnixNano(), 10)}
		_, err = s.client.PutItem(ctx, &dynamodb.PutItemInput{
			TableName:                 aws.String(s.table),
			Item:                      it,
			ConditionExpression:       aws.String("attribute_not_exists(pk) OR expires < :now"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":now": &types.AttributeValueMemberN{Value: strconv.FormatInt(now.UnixNano(), 10)}},
		})
		if err == nil {
			info.ID, info.Created = h.ID, h.Created
			s.renew(h.ID)
			return h.ID, nil
		}
		if !conditionFailed(err) {
			return "", s.wrap("lock", err)
		}
		cur, err := s.Holder(ctx)
		if err != nil {
			return "", err
		}
		if cur != nil {
			return "", &state.LockError{Holder: cur, Err: errLockHeld}
		}
	}
	return "", s.wrap("lock", errors.New("the lock changed hands during every attempt"))
}

// renew starts the lease renewal of lock id.
func (s *Store) renew(id string) {
	ctx, stop := context.WithCancel(context.Background())
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		stop()
		return
	}
	s.renewal[id] = stop
	s.wg.Add(1)
	s.mu.Unlock()
	go func() {
		defer s.wg.Done()
		defer stop()
		t := time.NewTicker(s.lease / 3)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			expires := s.clock().Add(s.lease).UnixNano()
			_, err := s.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
				TableName:           aws.String(s.table),
				Key:                 s.lockKey(),
				UpdateExpression:    aws.String("SET expires = :e"),
				ConditionExpression: aws.String("id = :id"),
				ExpressionAttributeValues: map[string]types.AttributeValue{
					":e":  &types.AttributeValueMemberN{Value: strconv.FormatInt(expires, 10)},
					":id": &types.AttributeValueMemberS{Value: id},
				},
			})
			if conditionFailed(err) {
				// Released, or taken over after the lease ran out:
				// the lock is no longer ours to renew.
				s.stopRenewal(id)
				return
			}
			// Other errors are retried at the next tick, while the
			// lease lasts.
		}
	}()
}

// stopRenewal stops renewing lock id, if s renews it.
func (s *Store) stopRenewal(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if stop, ok := s.renewal[id]; ok {
		stop()
		delete(s.renewal, id)
	}
}

// Unlock implements state.Locker: it deletes the lock item if its ID is
// id, whichever store or process took it (force-unlock passes the ID a
// *state.LockError reported). It fails when the state is not locked or
// is locked under another ID ("lock ID mismatch").
func (s *Store) Unlock(ctx context.Context, id string) error {
	if err := s.usable(ctx); err != nil {
		return err
	}
	if id == "" {
		return errors.New("state: unlock: empty lock ID")
	}
	_, err := s.client.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName:                 aws.String(s.table),
		Key:                       s.lockKey(),
		ConditionExpression:       aws.String("id = :id"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":id": &types.AttributeValueMemberS{Value: id}},
	})
	if err == nil {
		s.stopRenewal(id)
		return nil
	}
	if !conditionFailed(err) {
		return s.wrap("unlock", err)
	}
	cur, err := s.Holder(ctx)
	if err != nil {
		return err
	}
	if cur == nil {
		return fmt.Errorf("state: unlock %s: the state is not locked", id)
	}
	return fmt.Errorf("state: unlock %s: lock ID mismatch: held by %s", id, cur)
}

// Holder returns the lock's holder, or nil when the state is unlocked. A
// holder whose lease has run out is returned as recorded.
func (s *Store) Holder(ctx context.Context) (*state.LockInfo, error) {
	h, _, err := s.readLock(ctx)
	return h, err
}

// readLock reads the lock item: its holder (nil when the state is
// unlocked) and its lease's expiry in Unix nanoseconds (0 when the item
// records none).
func (s *Store) readLock(ctx context.Context) (*state.LockInfo, int64, error) {
	if err := s.usable(ctx); err != nil {
		return nil, 0, err
	}
	out, err := s.client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(s.table), Key: s.lockKey(), ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return nil, 0, s.wrap("read lock of", err)
	}
	if out.Item == nil {
		return nil, 0, nil
	}
	h := new(state.LockInfo)
	if err := json.Unmarshal([]byte(str(out.Item, "holder")), h); err != nil {
		return nil, 0, &state.UnusableError{Path: s.location(), Err: fmt.Errorf("decode lock holder: %w", err)}
	}
	var exp int64
	if n, ok := out.Item["expires"].(*types.AttributeValueMemberN); ok {
		exp, _ = strconv.ParseInt(n.Value, 10, 64)
	}
	return h, exp, nil
}

// newLockID returns a random lock ID of 32 hex digits.
func newLockID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return hex.EncodeToString(b[:])
}

// LiveHolder returns the lock's holder when its lease has not run out by
// this store's clock, or nil when no one holds the lock or the holder
// stopped renewing it (a process that is gone).
func (s *Store) LiveHolder(ctx context.Context) (*state.LockInfo, error) {
	h, exp, err := s.readLock(ctx)
	if err != nil || h == nil || exp < s.clock().UnixNano() {
		return nil, err
	}
	return h, nil
}
