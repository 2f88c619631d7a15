-- vnh schema, version 3: fewer B-tree pages written per ticket creation. Every index a new
-- ticket touches at a random place costs a page in the WAL at each group commit, and those
-- pages, not the statements, were most of intake's cost (see bench/notes.md).
--
-- 1. The audit log's hash needs no UNIQUE index: `vnh audit verify` walks the chain in id
--    order and recomputes every hash; a second index over random 32-byte values only cost a
--    random page per entry. The table is rebuilt without it, rows and triggers unchanged.
CREATE TABLE audit_log_v3 (
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  subject TEXT NOT NULL,
  detail TEXT NOT NULL,
  prev_hash BLOB NOT NULL,
  hash BLOB NOT NULL
);
INSERT INTO audit_log_v3(id, at, actor, action, subject, detail, prev_hash, hash)
  SELECT id, at, actor, action, subject, detail, prev_hash, hash FROM audit_log ORDER BY id;
DROP TABLE audit_log;
ALTER TABLE audit_log_v3 RENAME TO audit_log;
CREATE TRIGGER audit_log_append_only_u BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_append_only_d BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

-- 2. Staff visits are only looked up for tickets with a worker assigned.
DROP INDEX tickets_staff;
CREATE INDEX tickets_staff ON tickets(firm_id, staff_code, checkin_at) WHERE staff_code IS NOT NULL;

-- 3. The likely-duplicate check at creation (same elder and category, still open) reads only
--    open tickets instead of the elder's whole history.
CREATE INDEX tickets_open_of_elder ON tickets(elder_id, category)
  WHERE state IN ('created', 'offered', 'accepted', 'in_service', 'unassigned');
