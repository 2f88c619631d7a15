-- Schema version 20: the supervisors' alerts (an emergency, a ticket no firm took, a visit
-- flagged, a dispute, a firm that stopped acknowledging) are kept until a supervisor
-- acknowledges them, with who and when (SPEC §15); a reload or a second screen sees the same.
CREATE TABLE alerts (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL CHECK (length(kind) BETWEEN 1 AND 40),
  ticket_no TEXT,
  firm_code TEXT,
  detail TEXT NOT NULL DEFAULT '{}',  -- the alert as it was pushed (JSON)
  raised_at INTEGER NOT NULL,
  acknowledged_by TEXT,
  acknowledged_at INTEGER,
  CHECK ((acknowledged_by IS NULL) = (acknowledged_at IS NULL))
);
CREATE INDEX alerts_open ON alerts(id) WHERE acknowledged_at IS NULL;
