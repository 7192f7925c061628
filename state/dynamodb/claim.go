package dynamodb

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/srplan/srplan/state"
)

var _ state.Claimer = (*Store)(nil)

// claimKey is the key of the claim item of a partition:
// pk "<ws>#claim", sk "<db.table>\x00<partition>".
func (s *Store) claimKey(k state.PartitionKey) map[string]types.AttributeValue {
	return key(s.pk("claim"), k.Table+"\x00"+k.Partition)
}

// Claim implements state.Claimer with one conditional PutItem of the
// partition's claim item (attributes holder, info as state.ClaimInfo JSON,
// expires in Unix nanoseconds): it succeeds when no claim exists, when
// info.Holder holds it (a renewal), or when the claim's expiry has passed
// by this store's clock (a takeover). Otherwise it reads the claim with a
// consistent read and returns it as current.
func (s *Store) Claim(ctx context.Context, k state.PartitionKey, info state.ClaimInfo) (bool, *state.ClaimInfo, error) {
	if err := s.usable(ctx); err != nil {
		return false, nil, err
	}
	if err := state.CheckClaim(k, info); err != nil {
		return false, nil, err
	}
	info.Expires = info.Expires.UTC().Round(0)
	raw, err := json.Marshal(&info)
	if err != nil {
		return false, nil, s.wrap("claim in", err)
	}
	const attempts = 3 // the claim may lapse or be released between the put and the read of it
	for range attempts {
		now := s.clock()
		it := s.claimKey(k)
		it["holder"] = &types.AttributeValueMemberS{Value: info.Holder}
		it["info"] = &types.AttributeValueMemberS{Value: string(raw)}
		it["expires"] = &types.AttributeValueMemberN{Value: strconv.FormatInt(info.Expires.UnixNano(), 10)}
		_, err := s.client.PutItem(ctx, &dynamodb.PutItemInput{
			TableName:           aws.String(s.table),
			Item:                it,
			ConditionExpression: aws.String("attribute_not_exists(pk) OR holder = :h OR expires < :now"),
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":h":   &types.AttributeValueMemberS{Value: info.Holder},
				":now": &types.AttributeValueMemberN{Value: strconv.FormatInt(now.UnixNano(), 10)},
			},
		})
		if err == nil {
			return true, nil, nil
		}
		if !conditionFailed(err) {
			return false, nil, s.wrap(fmt.Sprintf("claim %s/%s in", k.Table, k.Partition), err)
		}
		cur, err := s.readClaim(ctx, k)
		if err != nil {
			return false, nil, err
		}
		if cur != nil && !cur.Expires.Before(s.clock()) {
			return false, cur, nil
		}
	}
	return false, nil, s.wrap(fmt.Sprintf("claim %s/%s in", k.Table, k.Partition), errors.New("the claim changed hands during every attempt"))
}

// readClaim returns the claim on k, or nil when there is none.
func (s *Store) readClaim(ctx context.Context, k state.PartitionKey) (*state.ClaimInfo, error) {
	out, err := s.client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(s.table), Key: s.claimKey(k), ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return nil, s.wrap(fmt.Sprintf("read claim %s/%s of", k.Table, k.Partition), err)
	}
	if out.Item == nil {
		return nil, nil
	}
	c := new(state.ClaimInfo)
	if err := json.Unmarshal([]byte(str(out.Item, "info")), c); err != nil {
		return nil, &state.UnusableError{Path: s.location(), Err: fmt.Errorf("decode claim %s/%s: %w", k.Table, k.Partition, err)}
	}
	return c, nil
}

// Release implements state.Claimer with a DeleteItem conditioned on the
// holder; a failed condition (the claim is another holder's, or gone) is
// the documented no-op.
func (s *Store) Release(ctx context.Context, k state.PartitionKey, holder string) error {
	if err := s.usable(ctx); err != nil {
		return err
	}
	if holder == "" {
		return errors.New("state: release claim: empty holder")
	}
	_, err := s.client.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName:                 aws.String(s.table),
		Key:                       s.claimKey(k),
		ConditionExpression:       aws.String("holder = :h"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":h": &types.AttributeValueMemberS{Value: holder}},
	})
	if err != nil && !conditionFailed(err) {
		return s.wrap(fmt.Sprintf("release claim %s/%s in", k.Table, k.Partition), err)
	}
	return nil
}
