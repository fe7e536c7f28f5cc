-- The platform's data: workspaces, their managers and tokens, the profiles and everything attached
-- to them, and the sync bookkeeping (clients, processed mutations, the change log).
-- Migrations are only ever added, never edited. Times are Unix milliseconds (UTC).

CREATE TABLE workspaces (
    id                    BLOB    PRIMARY KEY,
    name                  TEXT    NOT NULL UNIQUE,
    data_protection_email TEXT    NOT NULL,
    -- Bumped under the row's write lock by every processed mutation: versions commit in order,
    -- so a pull never steps over a version that a slower transaction has yet to commit.
    version               INTEGER NOT NULL DEFAULT 0,
    -- Tombstones up to this version have been pruned: an older cookie gets a reset.
    pruned_version        INTEGER NOT NULL DEFAULT 0,
    created_at            INTEGER NOT NULL
);

CREATE TABLE managers (
    id           BLOB    PRIMARY KEY,
    workspace_id BLOB    NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    email        TEXT    NOT NULL,
    role         TEXT    NOT NULL CHECK (role IN ('admin', 'agent')),
    time_zone    TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    UNIQUE (workspace_id, email)
);

-- Only the SHA-256 of a token is kept: a leaked database gives no usable token.
CREATE TABLE tokens (
    token_hash TEXT    PRIMARY KEY,
    manager_id BLOB    NOT NULL REFERENCES managers (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL
);

CREATE TABLE clients (
    id               BLOB    PRIMARY KEY,
    workspace_id     BLOB    NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    last_mutation_id INTEGER NOT NULL DEFAULT 0
);

-- Every processed mutation, with its rejection if it was refused: a repeated push reports the
-- same rejection, and a pull page tells which mutations its versions include.
CREATE TABLE mutations (
    client_id         BLOB    NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    mutation_id       INTEGER NOT NULL,
    version           INTEGER NOT NULL,
    name              TEXT    NOT NULL,
    manager_id        BLOB    NOT NULL,
    rejection_code    TEXT,
    rejection_message TEXT,
    rejection_fields  TEXT,
    processed_at      INTEGER NOT NULL,
    PRIMARY KEY (client_id, mutation_id)
);
CREATE INDEX mutations_by_version ON mutations (client_id, version);

-- The newest version of every record (or its tombstone): a pull walks this in version order.
CREATE TABLE changes (
    workspace_id BLOB    NOT NULL,
    kind         TEXT    NOT NULL,
    entity_key   TEXT    NOT NULL,
    version      INTEGER NOT NULL,
    deleted      INTEGER NOT NULL CHECK (deleted IN (0, 1)),
    PRIMARY KEY (workspace_id, kind, entity_key)
);
CREATE INDEX changes_by_version ON changes (workspace_id, version, kind, entity_key);

CREATE TABLE profiles (
    id                 BLOB    PRIMARY KEY,
    workspace_id       BLOB    NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    email              TEXT    NOT NULL,
    first_name         TEXT    NOT NULL,
    last_name          TEXT    NOT NULL,
    phone              TEXT    NOT NULL,
    location           TEXT    NOT NULL,
    created_at         INTEGER NOT NULL,
    last_seen_at       INTEGER NOT NULL,
    device             TEXT    NOT NULL,
    sessions           INTEGER NOT NULL CHECK (sessions >= 0),
    live_chat_takeover INTEGER NOT NULL CHECK (live_chat_takeover IN (0, 1)),
    status             TEXT    NOT NULL CHECK (status IN ('active', 'archived')),
    kind               TEXT    NOT NULL CHECK (kind IN ('registered', 'anonymous')),
    platform           TEXT    NOT NULL
);
CREATE INDEX profiles_by_workspace ON profiles (workspace_id);

CREATE TABLE property_definitions (
    id           BLOB PRIMARY KEY,
    workspace_id BLOB NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    description  TEXT NOT NULL,
    format       TEXT NOT NULL CHECK (format IN ('text', 'number', 'date', 'boolean', 'choice')),
    -- A JSON array of strings.
    choices      TEXT NOT NULL
);
CREATE INDEX property_definitions_by_workspace ON property_definitions (workspace_id, name);

CREATE TABLE property_values (
    profile_id   BLOB NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    property_id  BLOB NOT NULL REFERENCES property_definitions (id) ON DELETE CASCADE,
    workspace_id BLOB NOT NULL,
    value        TEXT NOT NULL,
    PRIMARY KEY (profile_id, property_id)
);
CREATE INDEX property_values_by_property ON property_values (property_id);

CREATE TABLE notes (
    id           BLOB    PRIMARY KEY,
    workspace_id BLOB    NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    profile_id   BLOB    NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    author       TEXT    NOT NULL,
    body         TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX notes_by_profile ON notes (profile_id);

CREATE TABLE segments (
    id           BLOB PRIMARY KEY,
    workspace_id BLOB NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    description  TEXT NOT NULL,
    -- A JSON array of the model's SegmentRule.
    rules        TEXT NOT NULL
);
CREATE INDEX segments_by_workspace ON segments (workspace_id);

CREATE TABLE segment_members (
    segment_id   BLOB NOT NULL REFERENCES segments (id) ON DELETE CASCADE,
    profile_id   BLOB NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    workspace_id BLOB NOT NULL,
    PRIMARY KEY (segment_id, profile_id)
);
CREATE INDEX segment_members_by_profile ON segment_members (profile_id);

CREATE TABLE goals (
    id           BLOB PRIMARY KEY,
    workspace_id BLOB NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    bot          TEXT NOT NULL
);

CREATE TABLE sessions (
    id                 BLOB    PRIMARY KEY,
    workspace_id       BLOB    NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    profile_id         BLOB    NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    bot                TEXT    NOT NULL,
    platform           TEXT    NOT NULL,
    device             TEXT    NOT NULL,
    started_at         INTEGER NOT NULL,
    ended_at           INTEGER NOT NULL,
    goal_completed     INTEGER NOT NULL CHECK (goal_completed IN (0, 1)),
    live_chat_takeover INTEGER NOT NULL CHECK (live_chat_takeover IN (0, 1))
);
CREATE INDEX sessions_by_profile ON sessions (profile_id);

CREATE TABLE messages (
    id           BLOB    PRIMARY KEY,
    workspace_id BLOB    NOT NULL,
    session_id   BLOB    NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    sender       TEXT    NOT NULL CHECK (sender IN ('customer', 'bot', 'agent')),
    body         TEXT    NOT NULL,
    sent_at      INTEGER NOT NULL
);
CREATE INDEX messages_by_session ON messages (session_id);

CREATE TABLE goal_completions (
    id           BLOB    PRIMARY KEY,
    workspace_id BLOB    NOT NULL,
    goal_id      BLOB    NOT NULL REFERENCES goals (id) ON DELETE CASCADE,
    profile_id   BLOB    NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    session_id   BLOB    NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    completed_at INTEGER NOT NULL
);
CREATE INDEX goal_completions_by_profile ON goal_completions (profile_id);
CREATE INDEX goal_completions_by_session ON goal_completions (session_id);
CREATE INDEX goal_completions_by_goal ON goal_completions (goal_id);

-- A request outlives its profile: it is the record that the customer's data was asked for.
CREATE TABLE data_requests (
    id              BLOB    PRIMARY KEY,
    workspace_id    BLOB    NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    profile_id      BLOB    NOT NULL,
    kind            TEXT    NOT NULL CHECK (kind IN ('export', 'delete')),
    state           TEXT    NOT NULL CHECK (state IN ('queued', 'sent', 'failed')),
    reason          TEXT    NOT NULL,
    -- Who the customer was when asked, for the email: the profile may be gone by then.
    customer        TEXT    NOT NULL,
    requested_by    TEXT    NOT NULL,
    requested_at    INTEGER NOT NULL,
    attempts        INTEGER NOT NULL,
    next_attempt_at INTEGER,
    sent_at         INTEGER
);
-- Only requests with a planned attempt have a time: the mailer's walk is short.
CREATE INDEX data_requests_due ON data_requests (next_attempt_at);
