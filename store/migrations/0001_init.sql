-- vnh schema, version 1. Integrity lives here as well as in C++: NOT NULL, CHECK, UNIQUE and
-- foreign keys. Times are INTEGER Unix milliseconds (UTC); money INTEGER fen; scores INTEGER
-- hundredths. Personal data (ID numbers, phones, addresses) is stored encrypted (*_enc) with
-- a keyed blind index (*_bidx) for exact lookup and a masked copy (*_masked) for display.

CREATE TABLE areas (
  code TEXT PRIMARY KEY CHECK (length(code) IN (6, 9, 12) AND code NOT GLOB '*[^0-9]*'),
  name TEXT NOT NULL CHECK (length(name) > 0),
  parent_code TEXT REFERENCES areas(code),
  level TEXT NOT NULL CHECK (level IN ('district', 'street', 'community')),
  CHECK ((level = 'district' AND length(code) = 6) OR (level = 'street' AND length(code) = 9)
         OR (level = 'community' AND length(code) = 12)),
  CHECK (parent_code IS NULL OR (length(parent_code) < length(code)
                                 AND substr(code, 1, length(parent_code)) = parent_code))
) WITHOUT ROWID;
CREATE INDEX areas_parent ON areas(parent_code);

CREATE TABLE catalog_items (
  id INTEGER PRIMARY KEY,
  code TEXT NOT NULL UNIQUE CHECK (length(code) BETWEEN 1 AND 32),
  name TEXT NOT NULL CHECK (length(name) > 0),
  category TEXT NOT NULL CHECK (category IN ('life_care', 'medical_care', 'emotional_comfort', 'emergency_aid')),
  unit TEXT NOT NULL CHECK (length(unit) > 0),
  standard_price_fen INTEGER NOT NULL CHECK (standard_price_fen >= 0),
  market_price_fen INTEGER NOT NULL CHECK (market_price_fen > 0),
  duration_min INTEGER NOT NULL CHECK (duration_min > 0),
  meal INTEGER NOT NULL CHECK (meal IN (0, 1)),
  active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  CHECK (standard_price_fen * 5 <= market_price_fen * 4)
);

CREATE TABLE elders (
  id INTEGER PRIMARY KEY,
  id_number_enc BLOB NOT NULL,
  id_number_bidx BLOB NOT NULL UNIQUE,
  id_number_masked TEXT NOT NULL,
  id_tail TEXT NOT NULL CHECK (length(id_tail) = 4),
  name TEXT NOT NULL CHECK (length(name) > 0),
  birth_date TEXT NOT NULL,
  sex TEXT NOT NULL CHECK (sex IN ('M', 'F')),
  community_code TEXT NOT NULL REFERENCES areas(code),
  lat REAL NOT NULL CHECK (lat BETWEEN -90 AND 90),
  lon REAL NOT NULL CHECK (lon BETWEEN -180 AND 180),
  address_enc BLOB,
  category TEXT NOT NULL CHECK (category IN ('A', 'B', 'C', 'D')),
  registered_on TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'inactive')),
  status_reason TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX elders_name ON elders(name);
CREATE INDEX elders_id_tail ON elders(id_tail);
CREATE INDEX elders_community ON elders(community_code);

CREATE TABLE elder_phones (
  elder_id INTEGER NOT NULL REFERENCES elders(id),
  phone_bidx BLOB NOT NULL,
  phone_enc BLOB NOT NULL,
  phone_masked TEXT NOT NULL,
  position INTEGER NOT NULL CHECK (position >= 0),
  PRIMARY KEY (elder_id, phone_bidx)
) WITHOUT ROWID;
CREATE INDEX elder_phones_bidx ON elder_phones(phone_bidx);

CREATE TABLE emergency_contacts (
  id INTEGER PRIMARY KEY,
  elder_id INTEGER NOT NULL REFERENCES elders(id),
  name TEXT NOT NULL CHECK (length(name) > 0),
  relation TEXT NOT NULL DEFAULT '',
  phone_enc BLOB NOT NULL,
  phone_masked TEXT NOT NULL
);
CREATE INDEX emergency_contacts_elder ON emergency_contacts(elder_id);

CREATE TABLE firms (
  id INTEGER PRIMARY KEY,
  code TEXT NOT NULL UNIQUE CHECK (length(code) BETWEEN 1 AND 32),
  name TEXT NOT NULL CHECK (length(name) > 0),
  base_lat REAL NOT NULL CHECK (base_lat BETWEEN -90 AND 90),
  base_lon REAL NOT NULL CHECK (base_lon BETWEEN -180 AND 180),
  daily_capacity INTEGER NOT NULL CHECK (daily_capacity > 0),
  status TEXT NOT NULL CHECK (status IN ('active', 'suspended', 'exited')),
  token_hash BLOB UNIQUE,
  token_issued_at INTEGER,
  next_seq INTEGER NOT NULL DEFAULT 1 CHECK (next_seq >= 1),
  acked_seq INTEGER NOT NULL DEFAULT 0 CHECK (acked_seq >= 0 AND acked_seq < next_seq),
  created_at INTEGER NOT NULL
);

CREATE TABLE firm_areas (
  firm_id INTEGER NOT NULL REFERENCES firms(id),
  area_code TEXT NOT NULL REFERENCES areas(code),
  category TEXT NOT NULL CHECK (category IN ('life_care', 'medical_care', 'emotional_comfort', 'emergency_aid')),
  PRIMARY KEY (firm_id, area_code, category)
) WITHOUT ROWID;

CREATE TABLE staff (
  id INTEGER PRIMARY KEY,
  firm_id INTEGER NOT NULL REFERENCES firms(id),
  code TEXT NOT NULL CHECK (length(code) BETWEEN 1 AND 32),
  name TEXT NOT NULL CHECK (length(name) > 0),
  phone_enc BLOB NOT NULL,
  phone_masked TEXT NOT NULL,
  skills TEXT NOT NULL,
  started_on TEXT,
  active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  last_lat REAL,
  last_lon REAL,
  last_seen_at INTEGER,
  UNIQUE (firm_id, code)
);

CREATE TABLE ticket_counters (
  day TEXT PRIMARY KEY,
  last INTEGER NOT NULL CHECK (last >= 0)
) WITHOUT ROWID;

CREATE TABLE tickets (
  id INTEGER PRIMARY KEY,
  ticket_no TEXT NOT NULL UNIQUE CHECK (length(ticket_no) BETWEEN 1 AND 40),
  elder_id INTEGER NOT NULL REFERENCES elders(id),
  item_id INTEGER NOT NULL REFERENCES catalog_items(id),
  category TEXT NOT NULL CHECK (category IN ('life_care', 'medical_care', 'emotional_comfort', 'emergency_aid')),
  channel TEXT NOT NULL CHECK (channel IN ('hotline', 'device', 'app', 'import')),
  urgency TEXT NOT NULL CHECK (urgency IN ('normal', 'emergency')),
  window_start INTEGER NOT NULL,
  window_end INTEGER NOT NULL CHECK (window_end >= window_start),
  notes TEXT NOT NULL DEFAULT '',
  state TEXT NOT NULL CHECK (state IN ('created', 'offered', 'accepted', 'in_service', 'completed',
                                        'cancelled', 'unassigned', 'disputed')),
  firm_id INTEGER REFERENCES firms(id),
  staff_code TEXT,
  offer_expires_at INTEGER,
  offer_seq INTEGER,
  offers_made INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  created_by TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  accepted_at INTEGER,
  checkin_at INTEGER,
  checkin_lat REAL,
  checkin_lon REAL,
  checkin_photo TEXT,
  checkout_at INTEGER,
  checkout_lat REAL,
  checkout_lon REAL,
  checkout_photo TEXT,
  closed_at INTEGER,
  cancel_reason TEXT,
  unassigned_reason TEXT,
  dispute TEXT NOT NULL DEFAULT 'none' CHECK (dispute IN ('none', 'open', 'cleared', 'upheld')),
  held_exceptions INTEGER NOT NULL DEFAULT 0 CHECK (held_exceptions >= 0),
  CHECK (state <> 'offered' OR (firm_id IS NOT NULL AND offer_expires_at IS NOT NULL)),
  CHECK (state NOT IN ('accepted', 'in_service', 'completed', 'disputed') OR firm_id IS NOT NULL),
  CHECK (state NOT IN ('in_service', 'completed', 'disputed') OR checkin_at IS NOT NULL),
  CHECK (state NOT IN ('completed', 'disputed') OR checkout_at IS NOT NULL),
  CHECK ((state = 'disputed') = (dispute IN ('open', 'upheld')))
);
CREATE INDEX tickets_state ON tickets(state);
CREATE INDEX tickets_firm_state ON tickets(firm_id, state);
CREATE INDEX tickets_checkout ON tickets(checkout_at) WHERE checkout_at IS NOT NULL;
CREATE INDEX tickets_elder ON tickets(elder_id, category, checkout_at);
CREATE INDEX tickets_offer_expiry ON tickets(offer_expires_at) WHERE state = 'offered';
CREATE INDEX tickets_accepted ON tickets(firm_id, accepted_at) WHERE accepted_at IS NOT NULL;
CREATE INDEX tickets_staff ON tickets(firm_id, staff_code, checkin_at);
CREATE INDEX tickets_created ON tickets(created_at);

CREATE TABLE ticket_events (
  id INTEGER PRIMARY KEY,
  ticket_id INTEGER NOT NULL REFERENCES tickets(id),
  at INTEGER NOT NULL,
  type TEXT NOT NULL,
  actor TEXT NOT NULL,
  from_state TEXT,
  to_state TEXT,
  firm_code TEXT,
  detail TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX ticket_events_ticket ON ticket_events(ticket_id, id);
CREATE TRIGGER ticket_events_append_only_u BEFORE UPDATE ON ticket_events
BEGIN SELECT RAISE(ABORT, 'ticket_events is append-only'); END;
CREATE TRIGGER ticket_events_append_only_d BEFORE DELETE ON ticket_events
BEGIN SELECT RAISE(ABORT, 'ticket_events is append-only'); END;

-- Firms that declined or let an offer time out: not offered the same ticket again.
CREATE TABLE ticket_declines (
  ticket_id INTEGER NOT NULL REFERENCES tickets(id),
  firm_id INTEGER NOT NULL REFERENCES firms(id),
  kind TEXT NOT NULL CHECK (kind IN ('declined', 'timeout', 'withdrawn')),
  reason TEXT NOT NULL DEFAULT '',
  at INTEGER NOT NULL,
  PRIMARY KEY (ticket_id, firm_id)
) WITHOUT ROWID;

CREATE TABLE visit_exceptions (
  id INTEGER PRIMARY KEY,
  ticket_id INTEGER NOT NULL REFERENCES tickets(id),
  type TEXT NOT NULL CHECK (type IN ('distance', 'short_visit', 'checkout_before_checkin', 'foreign_worker', 'device_clock')),
  detail TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'cleared', 'upheld')),
  reason_code TEXT,
  note TEXT,
  resolved_by TEXT,
  resolved_at INTEGER,
  created_at INTEGER NOT NULL,
  UNIQUE (ticket_id, type),
  CHECK ((status = 'open') = (reason_code IS NULL))
);
CREATE INDEX visit_exceptions_status ON visit_exceptions(status, created_at);

CREATE TABLE callback_samples (
  sample_date TEXT NOT NULL,
  ticket_id INTEGER NOT NULL REFERENCES tickets(id),
  firm_id INTEGER NOT NULL REFERENCES firms(id),
  reasons TEXT NOT NULL,
  done INTEGER NOT NULL DEFAULT 0 CHECK (done IN (0, 1)),
  PRIMARY KEY (sample_date, ticket_id)
) WITHOUT ROWID;

CREATE TABLE callbacks (
  id INTEGER PRIMARY KEY,
  ticket_id INTEGER NOT NULL REFERENCES tickets(id),
  called_at INTEGER NOT NULL,
  reached INTEGER NOT NULL CHECK (reached IN (0, 1)),
  rating INTEGER CHECK (rating BETWEEN 1 AND 5),
  service_received INTEGER CHECK (service_received IN (0, 1)),
  comment TEXT NOT NULL DEFAULT '',
  operator TEXT NOT NULL,
  sample_date TEXT,
  CHECK ((reached = 1 AND rating IS NOT NULL AND service_received IS NOT NULL)
         OR (reached = 0 AND rating IS NULL AND service_received IS NULL))
);
CREATE INDEX callbacks_ticket ON callbacks(ticket_id);

CREATE TABLE complaints (
  id INTEGER PRIMARY KEY,
  ticket_id INTEGER NOT NULL REFERENCES tickets(id),
  filed_at INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('open', 'investigating', 'substantiated', 'rejected')),
  description TEXT NOT NULL DEFAULT '',
  filed_by TEXT NOT NULL,
  investigator TEXT,
  finding TEXT NOT NULL DEFAULT '',
  closed_at INTEGER,
  closed_by TEXT,
  CHECK ((status IN ('substantiated', 'rejected')) = (closed_at IS NOT NULL))
);
CREATE INDEX complaints_ticket ON complaints(ticket_id);
CREATE INDEX complaints_filed ON complaints(filed_at);

CREATE TABLE inspections (
  firm_id INTEGER NOT NULL REFERENCES firms(id),
  month TEXT NOT NULL CHECK (month GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]'),
  enterprise_building INTEGER NOT NULL CHECK (enterprise_building BETWEEN 0 AND 10000),
  service_norms INTEGER NOT NULL CHECK (service_norms BETWEEN 0 AND 10000),
  staff_management INTEGER NOT NULL CHECK (staff_management BETWEEN 0 AND 10000),
  entered_by TEXT NOT NULL,
  entered_at INTEGER NOT NULL,
  PRIMARY KEY (firm_id, month)
) WITHOUT ROWID;

CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  username TEXT NOT NULL UNIQUE CHECK (length(username) BETWEEN 1 AND 64),
  display_name TEXT NOT NULL DEFAULT '',
  role TEXT NOT NULL CHECK (role IN ('operator', 'supervisor', 'inspector', 'finance', 'admin')),
  password_hash TEXT NOT NULL,
  active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  failed_logins INTEGER NOT NULL DEFAULT 0,
  locked_until INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  password_changed_at INTEGER NOT NULL
);

CREATE TABLE sessions (
  token_hash BLOB PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id),
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  revoked INTEGER NOT NULL DEFAULT 0 CHECK (revoked IN (0, 1))
) WITHOUT ROWID;

-- Hash-chained audit log: hash = SHA-256(prev_hash || canonical row); see `vnh audit verify`.
CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  subject TEXT NOT NULL,
  detail TEXT NOT NULL,
  prev_hash BLOB NOT NULL,
  hash BLOB NOT NULL UNIQUE
);
CREATE TRIGGER audit_log_append_only_u BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_append_only_d BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

CREATE TABLE idempotency_keys (
  key TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id),
  request_hash BLOB NOT NULL,
  ticket_id INTEGER NOT NULL REFERENCES tickets(id),
  created_at INTEGER NOT NULL
) WITHOUT ROWID;

-- Durable partner frames (offers, withdrawals, cancellations), per-firm seq.
CREATE TABLE outbox (
  firm_id INTEGER NOT NULL REFERENCES firms(id),
  seq INTEGER NOT NULL CHECK (seq >= 1),
  kind TEXT NOT NULL CHECK (kind IN ('offer', 'withdrawn', 'cancelled')),
  ticket_id INTEGER NOT NULL REFERENCES tickets(id),
  frame BLOB NOT NULL,
  created_at INTEGER NOT NULL,
  sends INTEGER NOT NULL DEFAULT 0,
  last_sent_at INTEGER,
  escalated_at INTEGER,
  PRIMARY KEY (firm_id, seq)
) WITHOUT ROWID;

CREATE TABLE partner_commands (
  firm_id INTEGER NOT NULL REFERENCES firms(id),
  request_id TEXT NOT NULL,
  result BLOB NOT NULL,
  at INTEGER NOT NULL,
  PRIMARY KEY (firm_id, request_id)
) WITHOUT ROWID;

CREATE TABLE policies (
  digest TEXT PRIMARY KEY,
  effective_month TEXT NOT NULL,
  source TEXT NOT NULL,
  body TEXT NOT NULL,
  loaded_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE settlement_runs (
  month TEXT PRIMARY KEY,
  status TEXT NOT NULL CHECK (status IN ('draft', 'approved')),
  policy_digest TEXT NOT NULL,
  run_by TEXT NOT NULL,
  run_at INTEGER NOT NULL,
  approved_by TEXT,
  approved_at INTEGER,
  csv BLOB NOT NULL,
  html BLOB NOT NULL,
  totals TEXT NOT NULL,
  CHECK ((status = 'approved') = (approved_by IS NOT NULL)),
  CHECK (approved_by IS NULL OR approved_by <> run_by)
) WITHOUT ROWID;

CREATE TABLE settlement_lines (
  month TEXT NOT NULL REFERENCES settlement_runs(month) ON DELETE CASCADE,
  firm_code TEXT NOT NULL,
  firm_name TEXT NOT NULL,
  tickets_completed INTEGER NOT NULL,
  tickets_eligible INTEGER NOT NULL,
  subsidy_fen INTEGER NOT NULL,
  copay_fen INTEGER NOT NULL,
  score_e INTEGER,
  score_n INTEGER,
  score_q INTEGER NOT NULL,
  score_h INTEGER,
  score_total INTEGER,
  coefficient INTEGER NOT NULL,
  deductions_fen INTEGER NOT NULL,
  payout_fen INTEGER NOT NULL CHECK (payout_fen >= 0),
  exit_review INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (month, firm_code)
) WITHOUT ROWID;

CREATE TABLE settlement_adjustments (
  id INTEGER PRIMARY KEY,
  month TEXT NOT NULL,
  firm_code TEXT NOT NULL,
  amount_fen INTEGER NOT NULL,
  corrects_month TEXT NOT NULL,
  reason TEXT NOT NULL CHECK (length(reason) > 0),
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
