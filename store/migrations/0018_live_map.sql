-- Schema version 18: the command screen's live map (SPEC §15). A worker's current ticket is
-- found from the open assignments alone: a partial index holding only the tickets a worker
-- is on the way to or at (a few hundred at a time however long the history), so the map of
-- 5,000 workers never reads a worker's past tickets.
CREATE INDEX tickets_staff_open ON tickets(firm_id, staff_code)
  WHERE staff_code IS NOT NULL AND (state = 'accepted' OR state = 'in_service');
