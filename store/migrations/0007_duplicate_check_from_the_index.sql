-- vnh schema, version 7: the likely-duplicate check at creation reads one index and no rows.
--
-- The check lists an elder's open tickets of the same category, newest first (at most 20).
-- Through tickets_elder (elder_id, category, checkout_at) it found the never-checked-out ones
-- together, but had to read each one's row for its state (a cancelled ticket is never checked
-- out either) and its number: up to 20 row reads per creation, each at a random place in the
-- tickets table. A ticket is open exactly when closed_at is NULL (cancel and check-out set it;
-- store::insert_ticket and store::save_ticket refuse a row that breaks this), so with closed_at
-- and ticket_no in the index the check is answered from the index alone. The continuity query
-- (elder, category, checkout_at range) uses the same index as before.
DROP INDEX tickets_elder;
CREATE INDEX tickets_elder ON tickets(elder_id, category, checkout_at, closed_at, ticket_no);
