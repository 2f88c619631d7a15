-- Schema version 15: idempotency keys belong to the user who sent them (SPEC §8, §9). A key was
-- global, so a second user sending the same key got the first user's ticket back (or a 422)
-- instead of a ticket of their own. The table is rebuilt keyed by (user, key), rows kept. The
-- request hash is now over the body's canonical JSON (keys sorted, no insignificant spaces),
-- so a client that re-serialises the same request is recognised; a retry still in flight
-- across this upgrade of a request hashed the old way gets 422 and is sent again with a new key.
CREATE TABLE idempotency_keys_v15 (
  user_id INTEGER NOT NULL REFERENCES users(id),
  key TEXT NOT NULL,
  request_hash BLOB NOT NULL,
  ticket_id INTEGER NOT NULL REFERENCES tickets(id),
  created_at INTEGER NOT NULL,
  PRIMARY KEY (user_id, key)
) WITHOUT ROWID;
INSERT INTO idempotency_keys_v15(user_id, key, request_hash, ticket_id, created_at)
  SELECT user_id, key, request_hash, ticket_id, created_at FROM idempotency_keys;
DROP TABLE idempotency_keys;
ALTER TABLE idempotency_keys_v15 RENAME TO idempotency_keys;
