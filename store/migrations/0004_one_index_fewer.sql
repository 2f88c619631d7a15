-- vnh schema, version 4: one index fewer written per ticket creation.
--
-- The likely-duplicate check at creation (same elder and category, still open) used a partial
-- index of open tickets (version 3). Open tickets are never checked out, so tickets_elder
-- (elder_id, category, checkout_at) already holds them together — NULL checkout_at sorts first
-- — and that index is written anyway. Every new ticket, and every move into or out of the
-- open states, then costs one B-tree page less.
DROP INDEX tickets_open_of_elder;
