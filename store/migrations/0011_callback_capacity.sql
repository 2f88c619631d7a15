-- vnh schema, version 11: the day's callback sample is capped (SPEC §4.8, callbacks.daily_capacity),
-- and an elder not reached stays in the queue for another try.
--
-- One row per drawn day: what the draw found, what the cap let in, and what it left out, so
-- the queue can say how many risky tickets nobody will call and a supervisor can see when to
-- raise the capacity. Days drawn before this version keep what they drew, with nothing left out.
CREATE TABLE callback_sample_days (
  sample_date TEXT PRIMARY KEY,
  capacity INTEGER NOT NULL,
  risky_total INTEGER NOT NULL,
  risky_left_out INTEGER NOT NULL,
  random_total INTEGER NOT NULL,
  random_left_out INTEGER NOT NULL,
  drawn_at INTEGER NOT NULL
) WITHOUT ROWID;

INSERT INTO callback_sample_days
  SELECT sample_date, count(*), sum(reasons <> 'random'), 0, sum(reasons = 'random'), 0, 0
  FROM callback_samples GROUP BY sample_date;

-- Calls made about a sampled ticket that did not reach the elder; the ticket leaves the queue
-- when one reaches them or after callbacks.max_attempts.
ALTER TABLE callback_samples ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
