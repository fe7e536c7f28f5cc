-- Customer profiles, the All users table's indexes, and its substring search.
-- Migrations are only ever added, never edited.

CREATE TABLE profiles (
    seq                INTEGER PRIMARY KEY,
    id                 BLOB    NOT NULL UNIQUE,
    email              TEXT    NOT NULL DEFAULT '' COLLATE NOCASE,
    first_name         TEXT    NOT NULL DEFAULT '',
    last_name          TEXT    NOT NULL DEFAULT '',
    phone              TEXT    NOT NULL DEFAULT '',
    location           TEXT    NOT NULL DEFAULT '' COLLATE NOCASE,
    -- Derived by the model's Username rule on every write, so the column can be indexed.
    username           TEXT    NOT NULL COLLATE NOCASE,
    created_at         INTEGER NOT NULL,
    last_seen_at       INTEGER NOT NULL,
    device             TEXT    NOT NULL DEFAULT '',
    sessions           INTEGER NOT NULL DEFAULT 0 CHECK (sessions >= 0),
    live_chat_takeover INTEGER NOT NULL DEFAULT 0 CHECK (live_chat_takeover IN (0, 1)),
    status             TEXT    NOT NULL CHECK (status IN ('active', 'archived')),
    kind               TEXT    NOT NULL CHECK (kind IN ('registered', 'anonymous')),
    platform           TEXT    NOT NULL,
    -- Empty values sort after every other value (ascending); these columns carry that rule into
    -- the indexes so keyset pagination never needs NULL handling.
    email_blank        INTEGER GENERATED ALWAYS AS (email = '') VIRTUAL,
    phone_blank        INTEGER GENERATED ALWAYS AS (phone = '') VIRTUAL,
    location_blank     INTEGER GENERATED ALWAYS AS (location = '') VIRTUAL
);

-- One index per sortable column, led by status because the table always filters on it.
CREATE INDEX profiles_by_username  ON profiles (status, username, id);
CREATE INDEX profiles_by_email     ON profiles (status, email_blank, email, id);
CREATE INDEX profiles_by_phone     ON profiles (status, phone_blank, phone, id);
CREATE INDEX profiles_by_location  ON profiles (status, location_blank, location, id);
CREATE INDEX profiles_by_created   ON profiles (status, created_at, id);
CREATE INDEX profiles_by_last_seen ON profiles (status, last_seen_at, id);
CREATE INDEX profiles_by_sessions  ON profiles (status, sessions, id);
CREATE INDEX profiles_by_status    ON profiles (status, id);

-- Substring search on name, email and phone: a trigram index answers any query of three or more
-- characters without scanning the table.
CREATE VIRTUAL TABLE profiles_search USING fts5(
    name, email, phone,
    content = '', contentless_delete = 1, tokenize = 'trigram'
);

CREATE TRIGGER profiles_search_insert AFTER INSERT ON profiles BEGIN
    INSERT INTO profiles_search (rowid, name, email, phone)
    VALUES (new.seq, new.first_name || ' ' || new.last_name, new.email, new.phone);
END;

CREATE TRIGGER profiles_search_delete AFTER DELETE ON profiles BEGIN
    DELETE FROM profiles_search WHERE rowid = old.seq;
END;

CREATE TRIGGER profiles_search_update AFTER UPDATE OF first_name, last_name, email, phone ON profiles BEGIN
    DELETE FROM profiles_search WHERE rowid = old.seq;
    INSERT INTO profiles_search (rowid, name, email, phone)
    VALUES (new.seq, new.first_name || ' ' || new.last_name, new.email, new.phone);
END;

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
