-- vnh schema, version 8: a new ticket's offer does not touch tickets_firm_state.
--
-- tickets_firm_state (firm_id, state) puts each firm's tickets together, so every ticket a
-- group commit offered landed on its own firm's leaf page: ~18 of the ~75 pages a commit of
-- ~17 tickets wrote to the WAL (bench/notes.md), each 4 KiB written, fsynced and copied back
-- by the checkpointer. Offers are transient and already have their own small index
-- (tickets_offer_expiry, state = 'offered'), through which the firm's offers are found; this
-- index now keeps every other state. A ticket enters it once, when its offer is accepted (it
-- left it and came back at the same moment before, one delete and one insert more).
-- store::list_tickets reads a firm's tickets from the two indexes and merges them by id.
DROP INDEX tickets_firm_state;
CREATE INDEX tickets_firm_state ON tickets(firm_id, state) WHERE state <> 'offered';
