-- vnh schema, version 16: meal assistance (SPEC §12) — canteens, meal cards, the meals served
-- at their counters, canteen users, the catalog's meal slot, the elder's date of death.
--
-- A meal's split (government_fen / elder_fen) and its rule are fixed when it is recorded, as
-- the counter showed them; `takes_place` is 1 for the meal that took the elder's one subsidised
-- meal of that slot and business day (SPEC §12), so the next one — at any canteen, or a meal
-- ticket checked out later — is a second meal at full price. Card numbers are kept in clear:
-- they identify a card, not a person, and a lost card is revoked by its number at the counter.

CREATE TABLE canteens (
  id INTEGER PRIMARY KEY,
  code TEXT NOT NULL UNIQUE CHECK (length(code) BETWEEN 1 AND 32),
  name TEXT NOT NULL CHECK (length(name) > 0),
  firm_id INTEGER REFERENCES firms(id),
  community_code TEXT NOT NULL REFERENCES areas(code),
  lat REAL NOT NULL CHECK (lat BETWEEN -90 AND 90),
  lon REAL NOT NULL CHECK (lon BETWEEN -180 AND 180),
  status TEXT NOT NULL CHECK (status = 'active' OR status = 'suspended' OR status = 'closed'),
  delivers INTEGER NOT NULL CHECK (delivers IN (0, 1)),
  daily_capacity INTEGER NOT NULL CHECK (daily_capacity > 0),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

-- The users' role check gains `canteen`; a canteen user is bound to one canteen.
CREATE TABLE users_v16 (
  id INTEGER PRIMARY KEY,
  username TEXT NOT NULL UNIQUE CHECK (length(username) BETWEEN 1 AND 64),
  display_name TEXT NOT NULL DEFAULT '',
  role TEXT NOT NULL CHECK (role = 'operator' OR role = 'supervisor' OR role = 'inspector' OR role = 'finance'
                            OR role = 'admin' OR role = 'canteen'),
  password_hash TEXT NOT NULL,
  active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  failed_logins INTEGER NOT NULL DEFAULT 0,
  locked_until INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  password_changed_at INTEGER NOT NULL,
  canteen_id INTEGER REFERENCES canteens(id),
  CHECK ((role = 'canteen') = (canteen_id IS NOT NULL))
);
INSERT INTO users_v16(id, username, display_name, role, password_hash, active, failed_logins, locked_until,
                      created_at, password_changed_at)
  SELECT id, username, display_name, role, password_hash, active, failed_logins, locked_until, created_at,
         password_changed_at FROM users;
DROP TABLE users;
ALTER TABLE users_v16 RENAME TO users;

-- A card is active from the day it was issued until its status changed (status_at, the moment
-- it was reported lost or revoked; NULL for a card imported as not active: never active here).
CREATE TABLE meal_cards (
  id INTEGER PRIMARY KEY,
  card_no TEXT NOT NULL UNIQUE CHECK (length(card_no) BETWEEN 4 AND 64),
  elder_id INTEGER NOT NULL REFERENCES elders(id),
  issued_on TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status = 'active' OR status = 'lost' OR status = 'revoked'),
  status_at INTEGER,
  created_at INTEGER NOT NULL,
  CHECK (status <> 'active' OR status_at IS NULL)
);
CREATE UNIQUE INDEX meal_cards_one_active ON meal_cards(elder_id) WHERE status = 'active';
CREATE INDEX meal_cards_elder ON meal_cards(elder_id);

CREATE TABLE meals (
  id INTEGER PRIMARY KEY,
  canteen_id INTEGER NOT NULL REFERENCES canteens(id),
  elder_id INTEGER NOT NULL REFERENCES elders(id),
  slot TEXT NOT NULL CHECK (slot = 'breakfast' OR slot = 'lunch' OR slot = 'dinner'),
  day TEXT NOT NULL,  -- the business day of served_at, YYYY-MM-DD
  served_at INTEGER NOT NULL,
  mode TEXT NOT NULL CHECK (mode = 'dine_in' OR mode = 'pickup' OR mode = 'delivery'),
  price_fen INTEGER NOT NULL CHECK (price_fen >= 0),
  government_fen INTEGER NOT NULL CHECK (government_fen >= 0 AND government_fen <= price_fen),
  elder_fen INTEGER NOT NULL CHECK (elder_fen = price_fen - government_fen),
  rule TEXT NOT NULL,
  takes_place INTEGER NOT NULL CHECK (takes_place IN (0, 1)),
  -- 'order': delivered on a next-day order (the deliverer saw the elder; no card at the door).
  identified_by TEXT NOT NULL CHECK (identified_by = 'card' OR identified_by = 'qr' OR identified_by = 'id_number'
                                     OR identified_by = 'order'),
  card_id INTEGER REFERENCES meal_cards(id),
  recorded_by TEXT NOT NULL,
  recorded_at INTEGER NOT NULL
);
-- The day's subsidised meal of an elder (one per slot), and the month's meals in time order.
CREATE UNIQUE INDEX meals_one_place ON meals(elder_id, day, slot) WHERE takes_place = 1;
CREATE INDEX meals_elder_day ON meals(elder_id, day);
CREATE INDEX meals_served ON meals(served_at);
CREATE INDEX meals_canteen_day ON meals(canteen_id, day, served_at);

-- The catalog's optional meal slot (SPEC §7): a meal item without one is a lunch.
ALTER TABLE catalog_items ADD COLUMN meal_slot TEXT
  CHECK (meal_slot IS NULL OR meal_slot = 'breakfast' OR meal_slot = 'lunch' OR meal_slot = 'dinner');

-- The date of death (SPEC §13; filled by the deaths of issue 21): meals and services after it
-- are excluded from settlement.
ALTER TABLE elders ADD COLUMN died_on TEXT;

-- The month's canteen settlement is a document of its run, like the firms' CSV and HTML.
ALTER TABLE settlement_runs ADD COLUMN meals_csv BLOB NOT NULL DEFAULT '';

-- Idempotency keys of meals recorded at a counter (SPEC §12: a counter that was offline sends
-- its meals again when the link is back), per user like the tickets' keys.
CREATE TABLE meal_requests (
  user_id INTEGER NOT NULL REFERENCES users(id),
  key TEXT NOT NULL,
  request_hash BLOB NOT NULL,
  meal_id INTEGER NOT NULL REFERENCES meals(id),
  created_at INTEGER NOT NULL,
  PRIMARY KEY (user_id, key)
) WITHOUT ROWID;

-- Next-day orders (SPEC §12): taken until meals.order_cutoff the day before; a delivery order is
-- reported delivered (its meal recorded then) or no-answer (no meal, a welfare check opens).
CREATE TABLE meal_orders (
  id INTEGER PRIMARY KEY,
  elder_id INTEGER NOT NULL REFERENCES elders(id),
  canteen_id INTEGER NOT NULL REFERENCES canteens(id),
  day TEXT NOT NULL,
  slot TEXT NOT NULL CHECK (slot = 'breakfast' OR slot = 'lunch' OR slot = 'dinner'),
  mode TEXT NOT NULL CHECK (mode = 'pickup' OR mode = 'delivery'),
  delivery_fee_fen INTEGER NOT NULL DEFAULT 0 CHECK (delivery_fee_fen >= 0),
  state TEXT NOT NULL DEFAULT 'ordered'
    CHECK (state = 'ordered' OR state = 'cancelled' OR state = 'delivered' OR state = 'no_answer' OR state = 'served'),
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  reported_by TEXT,
  reported_at INTEGER,
  report_lat REAL,
  report_lon REAL,
  note TEXT NOT NULL DEFAULT '',
  meal_id INTEGER REFERENCES meals(id),
  CHECK ((state = 'delivered' OR state = 'served') = (meal_id IS NOT NULL))
);
CREATE UNIQUE INDEX meal_orders_one ON meal_orders(elder_id, day, slot) WHERE state <> 'cancelled';
CREATE INDEX meal_orders_canteen_day ON meal_orders(canteen_id, day, slot);

-- A delivery nobody answered (SPEC §12): the operators call the elder and the emergency
-- contacts within 15 minutes; nobody reached within 60, the community's care worker goes.
-- Each step is an alert until the check is closed.
CREATE TABLE welfare_checks (
  id INTEGER PRIMARY KEY,
  elder_id INTEGER NOT NULL REFERENCES elders(id),
  order_id INTEGER REFERENCES meal_orders(id),
  opened_at INTEGER NOT NULL,
  opened_by TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'open' CHECK (state = 'open' OR state = 'escalated' OR state = 'closed'),
  call_due_at INTEGER NOT NULL,
  escalate_due_at INTEGER NOT NULL,
  first_call_at INTEGER,
  reached_at INTEGER,
  opened_alerted INTEGER NOT NULL DEFAULT 0 CHECK (opened_alerted IN (0, 1)),
  call_overdue_alerted INTEGER NOT NULL DEFAULT 0 CHECK (call_overdue_alerted IN (0, 1)),
  escalated_at INTEGER,
  care_worker_sent_at INTEGER,
  closed_at INTEGER,
  closed_by TEXT,
  outcome TEXT CHECK (outcome IS NULL OR outcome = 'elder_safe' OR outcome = 'elder_away' OR outcome = 'hospital'
                      OR outcome = 'emergency_sent' OR outcome = 'other'),
  note TEXT NOT NULL DEFAULT '',
  CHECK ((state = 'closed') = (closed_at IS NOT NULL))
);
CREATE INDEX welfare_checks_open ON welfare_checks(state, opened_at) WHERE state <> 'closed';

CREATE TABLE welfare_check_events (
  id INTEGER PRIMARY KEY,
  check_id INTEGER NOT NULL REFERENCES welfare_checks(id),
  at INTEGER NOT NULL,
  by TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind = 'opened' OR kind = 'call' OR kind = 'reached' OR kind = 'call_overdue'
                            OR kind = 'escalated' OR kind = 'care_worker_sent' OR kind = 'closed'),
  detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX welfare_check_events_check ON welfare_check_events(check_id, at);
