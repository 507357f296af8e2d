"""Intelligence records: FollowTheMoney entities in envelopes, stored statement by statement."""
