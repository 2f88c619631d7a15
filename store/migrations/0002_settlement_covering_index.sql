-- vnh schema, version 2: the settlement reads a month of tickets in check-out order. A
-- covering index (every column the batch reads, in the order it reads them) turns that into one
-- sequential index scan instead of a random table lookup per ticket. Partial: tickets without a
-- check-out (everything at intake) cost nothing.
DROP INDEX tickets_checkout;
CREATE INDEX tickets_checkout ON tickets(checkout_at, ticket_no, state, firm_id, checkin_at, window_start,
                                         window_end, held_exceptions, elder_id, item_id)
  WHERE checkout_at IS NOT NULL;
