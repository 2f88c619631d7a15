-- vnh schema, version 9: writing an offer's frame touches no page of its firm's.
--
-- The outbox's UNIQUE (firm_id, seq) index put each firm's frames together, so every frame a
-- group commit wrote landed on its own firm's leaf page of that index: ~18 of the ~57 pages
-- a commit of ~17 tickets wrote to the WAL at version 8 (bench/notes.md). The frames
-- themselves are stored in the order they were written (version 6), and a firm's frames are
-- in seq order there too, so what that index was read for — a firm's frames after a seq, on
-- reconnect and on re-send, and the ones to escalate — is a scan by rowid from where the
-- firm's unacknowledged frames begin: firms.outbox_from, kept by each Ack (every frame of
-- the firm with seq > acked_seq has id >= outbox_from; 0 would be correct, only slower).
--
-- What the unique index guaranteed is kept by the triggers below: a frame must carry its
-- firm's next_seq, and writing it moves next_seq on (so a seq is taken once and none is
-- skipped); next_seq never goes back; nothing is deleted from the outbox (so no rowid is ever
-- reused). store::check_consistency also checks that
-- each firm's frames are numbered 1, 2, 3, … in the order they were written. An index on
-- (ticket_id, firm_id), appended to as tickets are created, serves the per-ticket questions
-- (the consistency checks, a supervisor's "what was sent for this ticket").
ALTER TABLE firms ADD COLUMN outbox_from INTEGER NOT NULL DEFAULT 0 CHECK (outbox_from >= 0);
UPDATE firms SET outbox_from = coalesce(
  (SELECT min(o.id) FROM outbox o WHERE o.firm_id = firms.id AND o.seq > firms.acked_seq),
  (SELECT coalesce(max(id), 0) + 1 FROM outbox));
CREATE TABLE outbox_v9 (
  id INTEGER PRIMARY KEY,
  firm_id INTEGER NOT NULL REFERENCES firms(id),
  seq INTEGER NOT NULL CHECK (seq >= 1),
  kind TEXT NOT NULL CHECK (kind = 'offer' OR kind = 'withdrawn' OR kind = 'cancelled'),
  ticket_id INTEGER NOT NULL REFERENCES tickets(id),
  frame BLOB NOT NULL,
  created_at INTEGER NOT NULL,
  sends INTEGER NOT NULL DEFAULT 0,
  last_sent_at INTEGER,
  escalated_at INTEGER
);
INSERT INTO outbox_v9(id, firm_id, seq, kind, ticket_id, frame, created_at, sends, last_sent_at, escalated_at)
  SELECT id, firm_id, seq, kind, ticket_id, frame, created_at, sends, last_sent_at, escalated_at FROM outbox ORDER BY id;
DROP TABLE outbox;
ALTER TABLE outbox_v9 RENAME TO outbox;
CREATE INDEX outbox_ticket ON outbox(ticket_id, firm_id);
CREATE TRIGGER outbox_seq_issued BEFORE INSERT ON outbox
WHEN NEW.seq <> (SELECT next_seq FROM firms WHERE id = NEW.firm_id)
BEGIN SELECT RAISE(ABORT, 'an outbox frame must carry its firm''s next seq'); END;
CREATE TRIGGER outbox_seq_taken AFTER INSERT ON outbox
BEGIN UPDATE firms SET next_seq = NEW.seq + 1 WHERE id = NEW.firm_id; END;
CREATE TRIGGER firms_next_seq_forward BEFORE UPDATE OF next_seq ON firms
WHEN NEW.next_seq < OLD.next_seq
BEGIN SELECT RAISE(ABORT, 'a firm''s next_seq never goes back'); END;
CREATE TRIGGER outbox_append_only_d BEFORE DELETE ON outbox
BEGIN SELECT RAISE(ABORT, 'the outbox is append-only'); END;
