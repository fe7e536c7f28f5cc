-- A first sync into an empty store loads in bulk: the profiles' sort indexes are dropped while the
-- pages arrive and built once at the end, and records of `synced_records` are staged in order of
-- arrival, then moved in key order. What the load still has to do survives a crash here, so the
-- sync that resumes it also ends it. Migrations are only ever added, never edited.

ALTER TABLE sync_state ADD COLUMN bulk_load INTEGER NOT NULL DEFAULT 0 CHECK (bulk_load IN (0, 1));

-- The definitions of the indexes dropped for the load, built again when it ends.
CREATE TABLE deferred_indexes (
    name TEXT PRIMARY KEY,
    sql  TEXT NOT NULL
) WITHOUT ROWID;

-- Records pulled during the load, in order of arrival; a NULL record is a deletion. The newest
-- of each key goes to `synced_records` when the load ends.
CREATE TABLE staged_records (
    kind    TEXT    NOT NULL,
    key     TEXT    NOT NULL,
    record  TEXT,
    version INTEGER NOT NULL
);
