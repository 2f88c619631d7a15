-- Schema version 22: the visit exceptions queue at a district's size (SPEC §15). Seven years of
-- Lanzhou hold ~300,000 open exceptions; counting and paging them through a join to the ticket
-- and the elder for every row took 1.7 s (15 s cold). Each exception now carries its ticket's
-- firm and its elder's street (set when raised, by trigger), and the open ones are indexed by
-- each filter with the queue's order, so a page and its count read one index range (without a
-- filter, visit_exceptions_status (status, created_at) is that index already).
ALTER TABLE visit_exceptions ADD COLUMN firm_id INTEGER;
ALTER TABLE visit_exceptions ADD COLUMN street TEXT;

CREATE TRIGGER visit_exception_queue_keys AFTER INSERT ON visit_exceptions BEGIN
  UPDATE visit_exceptions
  SET firm_id = (SELECT firm_id FROM tickets WHERE id = NEW.ticket_id),
      street = (SELECT substr(e.community_code, 1, 9) FROM tickets t JOIN elders e ON e.id = t.elder_id
                WHERE t.id = NEW.ticket_id)
  WHERE id = NEW.id;
END;

UPDATE visit_exceptions
SET firm_id = (SELECT firm_id FROM tickets WHERE id = visit_exceptions.ticket_id),
    street = (SELECT substr(e.community_code, 1, 9) FROM tickets t JOIN elders e ON e.id = t.elder_id
              WHERE t.id = visit_exceptions.ticket_id);

CREATE INDEX visit_exceptions_open_type ON visit_exceptions(type, created_at, id) WHERE status = 'open';
CREATE INDEX visit_exceptions_open_firm ON visit_exceptions(firm_id, created_at, id) WHERE status = 'open';
CREATE INDEX visit_exceptions_open_street ON visit_exceptions(street, created_at, id) WHERE status = 'open';
