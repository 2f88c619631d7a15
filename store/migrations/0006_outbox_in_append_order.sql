-- vnh schema, version 6: the outbox stored in the order frames are written, with its
-- (firm_id, seq) key as a separate index.
--
-- As a WITHOUT ROWID table keyed by (firm_id, seq), each new frame (~230 bytes) went to the
-- end of its firm's range, somewhere in the middle of the B-tree: a different leaf page for
-- each firm in a group commit, and every few frames per firm that leaf overflowed and SQLite
-- rebalanced it with its neighbours and their parent, since the quick append path is only for
-- the tree's last page. The outbox was ~40 % of the pages intake wrote to the WAL (~2 per
-- ticket, bench/notes.md). Stored by rowid, frames are appended to the table's last page,
-- shared by the whole group, and only the small index entry (firm, seq) lands at the firm's
-- place; its pages hold ~300 entries, so they rarely split.
--
-- The table is rebuilt once (rows, constraints and values unchanged), in the order the frames
-- were written. Nothing references the outbox; replays read it through the index in seq order
-- exactly as before.
CREATE TABLE outbox_v6 (
  id INTEGER PRIMARY KEY,
  firm_id INTEGER NOT NULL REFERENCES firms(id),
  seq INTEGER NOT NULL CHECK (seq >= 1),
  kind TEXT NOT NULL CHECK (kind = 'offer' OR kind = 'withdrawn' OR kind = 'cancelled'),
  ticket_id INTEGER NOT NULL REFERENCES tickets(id),
  frame BLOB NOT NULL,
  created_at INTEGER NOT NULL,
  sends INTEGER NOT NULL DEFAULT 0,
  last_sent_at INTEGER,
  escalated_at INTEGER,
  UNIQUE (firm_id, seq)
);
INSERT INTO outbox_v6(firm_id, seq, kind, ticket_id, frame, created_at, sends, last_sent_at, escalated_at)
  SELECT firm_id, seq, kind, ticket_id, frame, created_at, sends, last_sent_at, escalated_at FROM outbox
  ORDER BY created_at, firm_id, seq;
DROP TABLE outbox;
ALTER TABLE outbox_v6 RENAME TO outbox;
