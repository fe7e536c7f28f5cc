-- The client side of sync: the outbox of local mutations, the sync state, the server's refusals,
-- the server's copy of profiles with pending local edits, and pulled records of kinds the client
-- has no table for yet. Migrations are only ever added, never edited.

-- Mutations not yet confirmed by a pull, numbered 1, 2, 3… per client without gaps: the number
-- is taken from sync_state inside the local write's transaction, so a trimmed outbox never
-- reuses one.
CREATE TABLE outbox (
    id         INTEGER PRIMARY KEY CHECK (id > 0),
    name       TEXT    NOT NULL,
    args       TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);

-- One row: this installation's sync identity and progress.
CREATE TABLE sync_state (
    id                    INTEGER PRIMARY KEY CHECK (id = 1),
    client_id             BLOB    NOT NULL,
    -- The last mutation id handed out; the next local write takes the one after it.
    last_issued_mutation  INTEGER NOT NULL DEFAULT 0,
    -- Where the next pull starts; NULL to start from nothing.
    cookie                TEXT,
    -- The last mutation a pulled page confirmed: the server must never report less.
    confirmed_mutation    INTEGER NOT NULL DEFAULT 0,
    -- How many pull pages were applied, so generic records know their order of arrival.
    pulled_pages          INTEGER NOT NULL DEFAULT 0,
    last_synced_at        INTEGER,
    last_error_code       TEXT,
    last_error            TEXT
);

-- Mutations the server refused for good, with its reason; the manager dismisses them.
CREATE TABLE rejections (
    mutation_id INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL,
    code        TEXT    NOT NULL,
    message     TEXT    NOT NULL,
    fields      TEXT    NOT NULL DEFAULT '[]',
    rejected_at INTEGER NOT NULL,
    dismissed   INTEGER NOT NULL DEFAULT 0 CHECK (dismissed IN (0, 1))
);

-- The server's version of each profile that pending mutations change: a pull updates it, and
-- the local row is rebuilt from it with the pending mutations on top (rebase); once none is
-- pending (confirmed or refused), the local row becomes the server's again.
CREATE TABLE profile_shadows (
    id     BLOB PRIMARY KEY,
    record TEXT NOT NULL
) WITHOUT ROWID;

-- Pulled records of kinds without a table of their own yet (properties, notes, segments,
-- sessions…), kept whole so nothing pulled is lost; `version` is the pull page that last wrote
-- the record, so they can be replayed in order of arrival.
CREATE TABLE synced_records (
    kind    TEXT    NOT NULL,
    key     TEXT    NOT NULL,
    record  TEXT    NOT NULL,
    version INTEGER NOT NULL,
    PRIMARY KEY (kind, key)
) WITHOUT ROWID;
