-- Schema version 12: a visit exception keeps its measured values by name (the console says them
-- in words; `detail` stays the English sentence for logs and CSV). Older exceptions have none.
ALTER TABLE visit_exceptions ADD COLUMN facts TEXT NOT NULL DEFAULT '{}';
