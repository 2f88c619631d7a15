-- Schema version 14: the audit chain is keyed (SPEC §9). An entry's hash was SHA-256 over the
-- previous hash and its fields, which anyone who could write the file could recompute for a
-- forged entry; it is now HMAC-SHA256 under a subkey of the data key. The code step of this
-- version (store/migrations.cpp) verifies the old chain — a chain already broken is not
-- re-chained, the migration stops —, re-chains every entry under the key, restores the
-- append-only trigger dropped here and appends an `audit.rechain` entry naming the old head.
DROP TRIGGER IF EXISTS audit_log_append_only_u;
