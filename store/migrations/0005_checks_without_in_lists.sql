-- vnh schema, version 5: the same CHECK constraints on tickets and outbox, written so that
-- SQLite checks them without building a temporary table on every insert.
--
-- SQLite evaluates `x IN ('a', 'b', 'c')` with three or more constants by filling an ephemeral
-- B-tree with the list, once per statement execution. Six such constraints on tickets and one
-- on outbox cost every ticket creation seven temporary B-trees (allocated, filled and freed in
-- the single writer thread: with their malloc and page-fault traffic the largest single cost
-- in the writer's profile, see bench/notes.md). The same conditions as chains of `=` (or `<>`)
-- are plain comparisons; NULL still passes the column's CHECK as before (its NOT NULL is what
-- refuses it).
--
-- Only the text of the constraints changes, not what they accept, so rows already stored
-- satisfy them and no table is rebuilt: the table definitions in sqlite_schema are edited in
-- place, as SQLite documents for changing CHECK constraints ("ALTER TABLE", section "Making
-- Other Kinds Of Table Schema Changes"). The migration runner bumps the schema cookie and runs
-- an integrity check before the commit (store/migrations.cpp). Lists of one or two values are
-- compiled as comparisons already and stay as they are.
PRAGMA writable_schema = ON;

UPDATE sqlite_schema SET sql =
  replace(replace(replace(replace(replace(replace(replace(sql,
    'CHECK (category IN (''life_care'', ''medical_care'', ''emotional_comfort'', ''emergency_aid''))',
    'CHECK (category = ''life_care'' OR category = ''medical_care'' OR category = ''emotional_comfort'' OR category = ''emergency_aid'')'),
    'CHECK (channel IN (''hotline'', ''device'', ''app'', ''import''))',
    'CHECK (channel = ''hotline'' OR channel = ''device'' OR channel = ''app'' OR channel = ''import'')'),
    'CHECK (state IN (''created'', ''offered'', ''accepted'', ''in_service'', ''completed'',',
    'CHECK (state = ''created'' OR state = ''offered'' OR state = ''accepted'' OR state = ''in_service'' OR state = ''completed'' OR'),
    '''cancelled'', ''unassigned'', ''disputed'')),',
    'state = ''cancelled'' OR state = ''unassigned'' OR state = ''disputed''),'),
    'CHECK (dispute IN (''none'', ''open'', ''cleared'', ''upheld''))',
    'CHECK (dispute = ''none'' OR dispute = ''open'' OR dispute = ''cleared'' OR dispute = ''upheld'')'),
    'CHECK (state NOT IN (''accepted'', ''in_service'', ''completed'', ''disputed'') OR firm_id IS NOT NULL)',
    'CHECK ((state <> ''accepted'' AND state <> ''in_service'' AND state <> ''completed'' AND state <> ''disputed'') OR firm_id IS NOT NULL)'),
    'CHECK (state NOT IN (''in_service'', ''completed'', ''disputed'') OR checkin_at IS NOT NULL)',
    'CHECK ((state <> ''in_service'' AND state <> ''completed'' AND state <> ''disputed'') OR checkin_at IS NOT NULL)')
WHERE type = 'table' AND name = 'tickets';

UPDATE sqlite_schema SET sql =
  replace(sql,
    'CHECK (kind IN (''offer'', ''withdrawn'', ''cancelled''))',
    'CHECK (kind = ''offer'' OR kind = ''withdrawn'' OR kind = ''cancelled'')')
WHERE type = 'table' AND name = 'outbox';

PRAGMA writable_schema = OFF;
