-- vnh schema, version 10: incoming calls as records (SPEC §11).
--
-- A call rings, is answered by one operator (the PBX's answer or a console's claim) and ends,
-- or is missed (hung up unanswered, or not answered within hotline.ring_timeout_s). The
-- caller's number is personal data: encrypted, with a keyed blind index for "this number's
-- calls" and a masked copy for lists. call_links records the tickets, complaints and callbacks
-- made during the call.
CREATE TABLE calls (
  id INTEGER PRIMARY KEY,
  call_id TEXT NOT NULL UNIQUE,
  caller_enc BLOB,
  caller_bidx BLOB,
  caller_masked TEXT NOT NULL,
  line TEXT NOT NULL DEFAULT '',
  received_at INTEGER NOT NULL,
  reported_by TEXT NOT NULL,
  elders_matched INTEGER NOT NULL DEFAULT 0,
  state TEXT NOT NULL DEFAULT 'ringing'
    CHECK (state = 'ringing' OR state = 'answered' OR state = 'ended' OR state = 'missed'),
  answered_by TEXT,
  answered_at INTEGER,
  ended_at INTEGER,
  outcome TEXT CHECK (outcome IS NULL OR outcome = 'ticket' OR outcome = 'information' OR outcome = 'complaint'
                      OR outcome = 'callback' OR outcome = 'wrong_number' OR outcome = 'silent'),
  outcome_note TEXT NOT NULL DEFAULT '',
  outcome_by TEXT,
  CHECK ((state = 'answered' OR state = 'ended') = (answered_by IS NOT NULL) OR state = 'missed'),
  CHECK ((state = 'ended' OR state = 'missed') = (ended_at IS NOT NULL))
);
-- The call log newest first, per state (ringing calls, the missed-call queue) and in all.
CREATE INDEX calls_state ON calls(state, received_at);
CREATE INDEX calls_received ON calls(received_at);
CREATE INDEX calls_caller ON calls(caller_bidx, received_at) WHERE caller_bidx IS NOT NULL;
-- An operator's calls in progress (tickets made meanwhile are linked to the call).
CREATE INDEX calls_answered_by ON calls(answered_by, state) WHERE state = 'answered';

CREATE TABLE call_links (
  call_row INTEGER NOT NULL REFERENCES calls(id),
  kind TEXT NOT NULL CHECK (kind = 'ticket' OR kind = 'complaint' OR kind = 'callback'),
  ref_id INTEGER NOT NULL,
  linked_at INTEGER NOT NULL,
  PRIMARY KEY (call_row, kind, ref_id)
) WITHOUT ROWID;
CREATE INDEX call_links_ref ON call_links(kind, ref_id);
