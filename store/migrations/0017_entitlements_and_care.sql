-- vnh schema, version 17: entitlements and care (SPEC §13–§14) — deaths and the recoveries they
-- raise, care targets and their visits, recurring orders, the daily marks of entitlements that
-- changed; the roles `care` and `display`; the ticket channel `recurrence`; the elder status
-- `deceased`.
--
-- Three CHECK constraints accept one or two values more (a channel, two roles, a status). Rows
-- already stored satisfy the wider constraints, so no table is rebuilt: their definitions in
-- sqlite_schema are edited in place, as SQLite documents for changing CHECK constraints
-- ("ALTER TABLE", section "Making Other Kinds Of Table Schema Changes"), like version 5 did.
-- The migration runner bumps the schema cookie and runs an integrity check before the commit.
PRAGMA writable_schema = ON;

UPDATE sqlite_schema SET sql =
  replace(sql,
    'CHECK (channel = ''hotline'' OR channel = ''device'' OR channel = ''app'' OR channel = ''import'')',
    'CHECK (channel = ''hotline'' OR channel = ''device'' OR channel = ''app'' OR channel = ''import'' OR channel = ''recurrence'')')
WHERE type = 'table' AND name = 'tickets';

UPDATE sqlite_schema SET sql =
  replace(sql,
    'OR role = ''admin'' OR role = ''canteen'')',
    'OR role = ''admin'' OR role = ''canteen'' OR role = ''care'' OR role = ''display'')')
WHERE type = 'table' AND name = 'users';

UPDATE sqlite_schema SET sql =
  replace(sql,
    'CHECK (status IN (''active'', ''inactive''))',
    'CHECK (status = ''active'' OR status = ''inactive'' OR status = ''deceased'')')
WHERE type = 'table' AND name = 'elders';

PRAGMA writable_schema = OFF;

-- A death as it was reported: the civil registry's monthly list (`vnh import deaths`) or one call
-- taken by a supervisor. elders.died_on holds the date for the queries that exclude by it.
CREATE TABLE deaths (
  elder_id INTEGER PRIMARY KEY REFERENCES elders(id),
  died_on TEXT NOT NULL,
  source TEXT NOT NULL CHECK (source = 'registry' OR source = 'phone'),
  reported_by TEXT NOT NULL,  -- the user, or "import"
  informant TEXT NOT NULL DEFAULT '',  -- who called (a relative, the community office, …)
  note TEXT NOT NULL DEFAULT '',
  recorded_at INTEGER NOT NULL
) WITHOUT ROWID;

-- What an approved month paid for a day after an elder's death (SPEC §13): proposed when the
-- death is recorded, turned into a negative adjustment of an open month by finance (or waived
-- with a reason). amount_fen is what the firm or canteen was paid for it (> 0).
CREATE TABLE recoveries (
  id INTEGER PRIMARY KEY,
  elder_id INTEGER NOT NULL REFERENCES elders(id),
  paid_month TEXT NOT NULL,  -- the approved month that paid it
  kind TEXT NOT NULL CHECK (kind = 'ticket' OR kind = 'meal'),
  ticket_id INTEGER REFERENCES tickets(id),
  meal_id INTEGER REFERENCES meals(id),
  payee_code TEXT NOT NULL,  -- the firm's or the canteen's code
  service_day TEXT NOT NULL,
  amount_fen INTEGER NOT NULL CHECK (amount_fen > 0),
  state TEXT NOT NULL DEFAULT 'proposed' CHECK (state = 'proposed' OR state = 'adjusted' OR state = 'waived'),
  adjustment_id INTEGER REFERENCES settlement_adjustments(id),
  decided_by TEXT,
  decided_at INTEGER,
  note TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  CHECK ((kind = 'ticket') = (ticket_id IS NOT NULL)),
  CHECK ((kind = 'meal') = (meal_id IS NOT NULL)),
  CHECK ((state = 'proposed') = (decided_at IS NULL))
);
CREATE UNIQUE INDEX recoveries_ticket ON recoveries(ticket_id) WHERE ticket_id IS NOT NULL;
CREATE UNIQUE INDEX recoveries_meal ON recoveries(meal_id) WHERE meal_id IS NOT NULL;
CREATE INDEX recoveries_state ON recoveries(state, paid_month);

-- A settlement adjustment may pay (or recover from) a canteen as well as a firm.
ALTER TABLE settlement_adjustments ADD COLUMN payee TEXT NOT NULL DEFAULT 'firm'
  CHECK (payee = 'firm' OR payee = 'canteen');

-- Care targets (SPEC §14): the elders a care worker visits, why (flags) and how often (tier).
-- due_at is the next visit's due time, kept by the writer: the last visit (or the day the elder
-- became a target) plus the tier's interval, or 24 hours after an event that pulled it forward.
CREATE TABLE care_targets (
  elder_id INTEGER PRIMARY KEY REFERENCES elders(id),
  flags TEXT NOT NULL DEFAULT '',  -- joined by '|' in the order of SPEC §7
  tier TEXT NOT NULL CHECK (tier = 'high' OR tier = 'key' OR tier = 'general'),
  care_worker_id INTEGER REFERENCES users(id),
  since INTEGER NOT NULL,
  last_visit_at INTEGER,
  due_at INTEGER NOT NULL,
  event_at INTEGER,          -- the event that pulled the visit forward, until the next visit
  event_kind TEXT,
  event_ref TEXT,
  updated_at INTEGER NOT NULL,
  CHECK ((event_at IS NULL) = (event_kind IS NULL))
) WITHOUT ROWID;
CREATE INDEX care_targets_due ON care_targets(due_at);
CREATE INDEX care_targets_worker ON care_targets(care_worker_id, due_at);

CREATE TABLE care_visits (
  id INTEGER PRIMARY KEY,
  elder_id INTEGER NOT NULL REFERENCES elders(id),
  visited_at INTEGER NOT NULL,
  method TEXT NOT NULL CHECK (method = 'in_person' OR method = 'phone' OR method = 'video'),
  living TEXT NOT NULL CHECK (living = 'good' OR living = 'fair' OR living = 'poor'),
  safety TEXT NOT NULL CHECK (safety = 'good' OR safety = 'fair' OR safety = 'poor'),
  health TEXT NOT NULL CHECK (health = 'good' OR health = 'fair' OR health = 'poor'),
  needs TEXT NOT NULL DEFAULT '',
  note TEXT NOT NULL DEFAULT '',
  ticket_id INTEGER REFERENCES tickets(id),  -- a ticket opened from a finding
  recorded_by TEXT NOT NULL,
  recorded_at INTEGER NOT NULL
);
CREATE INDEX care_visits_elder ON care_visits(elder_id, visited_at);
CREATE INDEX care_visits_time ON care_visits(visited_at);

-- Recurring orders (SPEC §14): an item's ticket or a canteen's meal order on the days an RRULE
-- subset gives, generated lead_days ahead. recurrence_occurrences holds one row per occurrence
-- made, so a restart or a second run of the job finds it and makes nothing twice.
CREATE TABLE recurrences (
  id INTEGER PRIMARY KEY,
  elder_id INTEGER NOT NULL REFERENCES elders(id),
  item_id INTEGER REFERENCES catalog_items(id),
  canteen_id INTEGER REFERENCES canteens(id),
  slot TEXT CHECK (slot IS NULL OR slot = 'breakfast' OR slot = 'lunch' OR slot = 'dinner'),
  mode TEXT CHECK (mode IS NULL OR mode = 'pickup' OR mode = 'delivery'),
  rule TEXT NOT NULL,
  window_start TEXT NOT NULL,  -- HH:MM, business time
  window_end TEXT NOT NULL,
  starts_on TEXT NOT NULL,
  notes TEXT NOT NULL DEFAULT '',
  state TEXT NOT NULL DEFAULT 'active' CHECK (state = 'active' OR state = 'paused' OR state = 'ended'),
  paused_until TEXT,  -- the last day skipped; NULL: until resumed
  ended_at INTEGER,
  end_reason TEXT,
  occurrences_made INTEGER NOT NULL DEFAULT 0,
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  CHECK ((item_id IS NULL) <> (canteen_id IS NULL)),
  CHECK ((canteen_id IS NULL) = (slot IS NULL)),
  CHECK ((state = 'ended') = (ended_at IS NOT NULL))
);
CREATE INDEX recurrences_elder ON recurrences(elder_id);
CREATE INDEX recurrences_live ON recurrences(state) WHERE state <> 'ended';

CREATE TABLE recurrence_occurrences (
  recurrence_id INTEGER NOT NULL REFERENCES recurrences(id),
  day TEXT NOT NULL,
  outcome TEXT NOT NULL CHECK (outcome = 'ticket' OR outcome = 'meal_order' OR outcome = 'skipped'),
  ticket_id INTEGER REFERENCES tickets(id),
  meal_order_id INTEGER REFERENCES meal_orders(id),
  detail TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  PRIMARY KEY (recurrence_id, day)
) WITHOUT ROWID;

-- The daily eligibility job's marks (SPEC §13): an elder whose entitlements changed on a day (a
-- birthday that crosses a meal band, a programme's min_age, the 80th) — what the screen pop
-- shows that day. gains is a JSON array of what the elder gained.
CREATE TABLE entitlement_changes (
  elder_id INTEGER NOT NULL REFERENCES elders(id),
  day TEXT NOT NULL,
  gains TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (elder_id, day)
) WITHOUT ROWID;
CREATE INDEX entitlement_changes_day ON entitlement_changes(day);
