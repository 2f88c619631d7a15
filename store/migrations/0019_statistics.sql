-- Schema version 19: the command screen's statistics (SPEC §15) at a district's size. Seven
-- years of Lanzhou are ~7.6 M tickets; a year's service mix read from the tickets themselves is
-- a million rows, so the writer keeps per-day summaries as tickets change (triggers, in the
-- writer's own transaction: a summary can never disagree with the tickets it counts) and the
-- statistics read a few hundred summary rows per month asked for.
--
-- A ticket counts on the business day it was created. The day and hour are local to the
-- offset in stats_zone (UTC+8: a Chinese district's time zone has one offset all year).

-- Tickets are offered at this time (the offer the firm accepted, for its offer→accept time).
ALTER TABLE tickets ADD COLUMN offered_at INTEGER;

CREATE TABLE stats_zone (offset_ms INTEGER NOT NULL);
INSERT INTO stats_zone VALUES (28800000);

-- Tickets created per day by one dimension: item (its id), street (the elder's street code),
-- hour (local hour of creation), channel, firm (the firm holding it once accepted, '' before).
CREATE TABLE stats_tickets (
  dim TEXT NOT NULL CHECK (dim = 'item' OR dim = 'street' OR dim = 'hour' OR dim = 'channel' OR dim = 'firm'),
  day INTEGER NOT NULL,  -- days since 1970-01-01, local
  key TEXT NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (dim, day, key)
) WITHOUT ROWID;

-- The day's overview: of the tickets created that day, how many are now completed (or
-- disputed), cancelled, unassigned; emergencies (not imported) and those accepted within 60 s
-- of creation; check-ins and those inside the requested window.
CREATE TABLE stats_days (
  day INTEGER PRIMARY KEY,
  created INTEGER NOT NULL DEFAULT 0,
  completed INTEGER NOT NULL DEFAULT 0,
  cancelled INTEGER NOT NULL DEFAULT 0,
  unassigned INTEGER NOT NULL DEFAULT 0,
  emergencies INTEGER NOT NULL DEFAULT 0,
  emergencies_60s INTEGER NOT NULL DEFAULT 0,
  checkins INTEGER NOT NULL DEFAULT 0,
  on_time INTEGER NOT NULL DEFAULT 0
);

-- Offers made to each firm and accepted by it, by the day the ticket was created.
CREATE TABLE stats_offers (
  firm_id INTEGER NOT NULL,
  day INTEGER NOT NULL,
  offers INTEGER NOT NULL DEFAULT 0,
  accepted INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (day, firm_id)
) WITHOUT ROWID;

-- Offer→accept times in whole seconds (3600 holds an hour and more), by creation day.
CREATE TABLE stats_accept (
  day INTEGER NOT NULL,
  seconds INTEGER NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (day, seconds)
) WITHOUT ROWID;

-- Canteen meals served and subsidised per business day (meals are only ever inserted).
CREATE TABLE stats_meals (
  day INTEGER PRIMARY KEY,
  served INTEGER NOT NULL,
  subsidised INTEGER NOT NULL
);

-- One plain upsert per dimension, and no IN lists: a compound SELECT or an IN list of three or
-- more would build a temporary table for every ticket written.
CREATE TRIGGER stats_ticket_insert AFTER INSERT ON tickets BEGIN
  INSERT INTO stats_tickets(dim, day, key, n)
    VALUES ('item', (NEW.created_at + (SELECT offset_ms FROM stats_zone)) / 86400000, CAST(NEW.item_id AS TEXT), 1)
  ON CONFLICT (dim, day, key) DO UPDATE SET n = n + 1;
  INSERT INTO stats_tickets(dim, day, key, n)
    VALUES ('channel', (NEW.created_at + (SELECT offset_ms FROM stats_zone)) / 86400000, NEW.channel, 1)
  ON CONFLICT (dim, day, key) DO UPDATE SET n = n + 1;
  INSERT INTO stats_tickets(dim, day, key, n)
    VALUES ('street', (NEW.created_at + (SELECT offset_ms FROM stats_zone)) / 86400000,
            coalesce((SELECT substr(community_code, 1, 9) FROM elders WHERE id = NEW.elder_id), ''), 1)
  ON CONFLICT (dim, day, key) DO UPDATE SET n = n + 1;
  INSERT INTO stats_tickets(dim, day, key, n)
    VALUES ('hour', (NEW.created_at + (SELECT offset_ms FROM stats_zone)) / 86400000,
            CAST(((NEW.created_at + (SELECT offset_ms FROM stats_zone)) / 3600000) % 24 AS TEXT), 1)
  ON CONFLICT (dim, day, key) DO UPDATE SET n = n + 1;
  INSERT INTO stats_tickets(dim, day, key, n)
    VALUES ('firm', (NEW.created_at + (SELECT offset_ms FROM stats_zone)) / 86400000,
            CASE WHEN (NEW.state = 'accepted' OR NEW.state = 'in_service' OR NEW.state = 'completed' OR NEW.state = 'disputed') THEN CAST(NEW.firm_id AS TEXT) ELSE '' END, 1)
  ON CONFLICT (dim, day, key) DO UPDATE SET n = n + 1;
  INSERT INTO stats_days(day, created, completed, cancelled, unassigned, emergencies, emergencies_60s, checkins, on_time)
    SELECT (NEW.created_at + offset_ms) / 86400000, 1,
           (NEW.state = 'completed' OR NEW.state = 'disputed'), NEW.state = 'cancelled', NEW.state = 'unassigned',
           NEW.urgency = 'emergency' AND NEW.channel <> 'import',
           coalesce(NEW.urgency = 'emergency' AND NEW.channel <> 'import' AND NEW.accepted_at - NEW.created_at <= 60000, 0),
           NEW.checkin_at IS NOT NULL, coalesce(NEW.checkin_at BETWEEN NEW.window_start AND NEW.window_end, 0)
    FROM stats_zone WHERE true
  ON CONFLICT (day) DO UPDATE SET created = created + 1, completed = completed + excluded.completed,
    cancelled = cancelled + excluded.cancelled, unassigned = unassigned + excluded.unassigned,
    emergencies = emergencies + excluded.emergencies, emergencies_60s = emergencies_60s + excluded.emergencies_60s,
    checkins = checkins + excluded.checkins, on_time = on_time + excluded.on_time;
  INSERT INTO stats_offers(firm_id, day, offers)
    SELECT NEW.firm_id, (NEW.created_at + offset_ms) / 86400000, 1 FROM stats_zone
    WHERE NEW.state = 'offered'
  ON CONFLICT (day, firm_id) DO UPDATE SET offers = offers + 1;
END;

-- What a ticket counts in stats_days changes with its state, acceptance and check-in.
CREATE TRIGGER stats_ticket_days AFTER UPDATE OF state, accepted_at, checkin_at ON tickets BEGIN
  UPDATE stats_days SET
    completed = completed + ((NEW.state = 'completed' OR NEW.state = 'disputed')) - ((OLD.state = 'completed' OR OLD.state = 'disputed')),
    cancelled = cancelled + (NEW.state = 'cancelled') - (OLD.state = 'cancelled'),
    unassigned = unassigned + (NEW.state = 'unassigned') - (OLD.state = 'unassigned'),
    emergencies_60s = emergencies_60s
      + coalesce(NEW.urgency = 'emergency' AND NEW.channel <> 'import' AND NEW.accepted_at - NEW.created_at <= 60000, 0)
      - coalesce(OLD.urgency = 'emergency' AND OLD.channel <> 'import' AND OLD.accepted_at - OLD.created_at <= 60000, 0),
    checkins = checkins + (NEW.checkin_at IS NOT NULL) - (OLD.checkin_at IS NOT NULL),
    on_time = on_time + coalesce(NEW.checkin_at BETWEEN NEW.window_start AND NEW.window_end, 0)
                      - coalesce(OLD.checkin_at BETWEEN OLD.window_start AND OLD.window_end, 0)
  WHERE day = (NEW.created_at + (SELECT offset_ms FROM stats_zone)) / 86400000;
END;

-- The firm a ticket counts for changes when it is accepted, or goes back to dispatch.
CREATE TRIGGER stats_ticket_firm AFTER UPDATE OF state, firm_id ON tickets
WHEN (CASE WHEN (OLD.state = 'accepted' OR OLD.state = 'in_service' OR OLD.state = 'completed' OR OLD.state = 'disputed') THEN OLD.firm_id END)
     IS NOT (CASE WHEN (NEW.state = 'accepted' OR NEW.state = 'in_service' OR NEW.state = 'completed' OR NEW.state = 'disputed') THEN NEW.firm_id END)
BEGIN
  UPDATE stats_tickets SET n = n - 1
  WHERE dim = 'firm' AND day = (NEW.created_at + (SELECT offset_ms FROM stats_zone)) / 86400000
    AND key = CASE WHEN (OLD.state = 'accepted' OR OLD.state = 'in_service' OR OLD.state = 'completed' OR OLD.state = 'disputed')
                   THEN CAST(OLD.firm_id AS TEXT) ELSE '' END;
  INSERT INTO stats_tickets(dim, day, key, n)
    SELECT 'firm', (NEW.created_at + offset_ms) / 86400000,
           CASE WHEN (NEW.state = 'accepted' OR NEW.state = 'in_service' OR NEW.state = 'completed' OR NEW.state = 'disputed') THEN CAST(NEW.firm_id AS TEXT) ELSE '' END, 1
    FROM stats_zone WHERE true
  ON CONFLICT (dim, day, key) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER stats_ticket_offered AFTER UPDATE OF offers_made ON tickets
WHEN NEW.state = 'offered' AND NEW.offers_made > OLD.offers_made
BEGIN
  INSERT INTO stats_offers(firm_id, day, offers)
    SELECT NEW.firm_id, (NEW.created_at + offset_ms) / 86400000, 1 FROM stats_zone WHERE true
  ON CONFLICT (day, firm_id) DO UPDATE SET offers = offers + 1;
END;

CREATE TRIGGER stats_ticket_accepted AFTER UPDATE OF state ON tickets
WHEN OLD.state = 'offered' AND NEW.state = 'accepted'
BEGIN
  INSERT INTO stats_offers(firm_id, day, accepted)
    SELECT NEW.firm_id, (NEW.created_at + offset_ms) / 86400000, 1 FROM stats_zone WHERE true
  ON CONFLICT (day, firm_id) DO UPDATE SET accepted = accepted + 1;
  INSERT INTO stats_accept(day, seconds, n)
    SELECT (NEW.created_at + offset_ms) / 86400000, min(3600, max(0, (NEW.accepted_at - NEW.offered_at) / 1000)), 1
    FROM stats_zone WHERE NEW.offered_at IS NOT NULL AND NEW.accepted_at IS NOT NULL
  ON CONFLICT (day, seconds) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER stats_meal_insert AFTER INSERT ON meals BEGIN
  INSERT INTO stats_meals(day, served, subsidised)
    VALUES (CAST(julianday(NEW.day) - 2440587.5 AS INTEGER), 1, NEW.government_fen > 0)
  ON CONFLICT (day) DO UPDATE SET served = served + 1, subsidised = subsidised + excluded.subsidised;
END;

-- The summaries of what is already there.
INSERT INTO stats_tickets(dim, day, key, n)
  SELECT 'item', (created_at + 28800000) / 86400000, CAST(item_id AS TEXT), count(*) FROM tickets GROUP BY 2, 3;
INSERT INTO stats_tickets(dim, day, key, n)
  SELECT 'channel', (created_at + 28800000) / 86400000, channel, count(*) FROM tickets GROUP BY 2, 3;
INSERT INTO stats_tickets(dim, day, key, n)
  SELECT 'street', (t.created_at + 28800000) / 86400000, substr(e.community_code, 1, 9), count(*)
  FROM tickets t JOIN elders e ON e.id = t.elder_id GROUP BY 2, 3;
INSERT INTO stats_tickets(dim, day, key, n)
  SELECT 'hour', (created_at + 28800000) / 86400000, CAST(((created_at + 28800000) / 3600000) % 24 AS TEXT), count(*)
  FROM tickets GROUP BY 2, 3;
INSERT INTO stats_tickets(dim, day, key, n)
  SELECT 'firm', (created_at + 28800000) / 86400000,
         CASE WHEN (state = 'accepted' OR state = 'in_service' OR state = 'completed' OR state = 'disputed') THEN CAST(firm_id AS TEXT) ELSE '' END, count(*)
  FROM tickets GROUP BY 2, 3;
INSERT INTO stats_days(day, created, completed, cancelled, unassigned, emergencies, emergencies_60s, checkins, on_time)
  SELECT (created_at + 28800000) / 86400000, count(*), sum((state = 'completed' OR state = 'disputed')), sum(state = 'cancelled'),
         sum(state = 'unassigned'), sum(urgency = 'emergency' AND channel <> 'import'),
         sum(coalesce(urgency = 'emergency' AND channel <> 'import' AND accepted_at - created_at <= 60000, 0)),
         sum(checkin_at IS NOT NULL), sum(coalesce(checkin_at BETWEEN window_start AND window_end, 0))
  FROM tickets GROUP BY 1;
-- (Before version 19 only a ticket's last firm was kept: its offers count for that firm.)
INSERT INTO stats_offers(firm_id, day, offers, accepted)
  SELECT firm_id, (created_at + 28800000) / 86400000, sum(offers_made), sum(accepted_at IS NOT NULL)
  FROM tickets WHERE firm_id IS NOT NULL AND channel <> 'import' GROUP BY 1, 2;
INSERT INTO stats_meals(day, served, subsidised)
  SELECT CAST(julianday(day) - 2440587.5 AS INTEGER), count(*), sum(government_fen > 0) FROM meals GROUP BY 1;

-- The overview's other facts, read by time from their own (small) tables.
CREATE INDEX visit_exceptions_created ON visit_exceptions(created_at, ticket_id);
CREATE INDEX callbacks_called ON callbacks(called_at, reached, rating);
DROP INDEX complaints_filed;
CREATE INDEX complaints_filed ON complaints(filed_at, status);
