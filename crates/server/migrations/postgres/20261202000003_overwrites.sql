-- Who last set each user-details field of a profile: an edit that replaces that value without
-- having seen it (the value it names as its base is another) tells that manager.
CREATE TABLE field_writes (
    profile_id  UUID    NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    field       TEXT    NOT NULL,
    client_id   UUID    NOT NULL,
    mutation_id BIGINT NOT NULL,
    PRIMARY KEY (profile_id, field)
);

-- An edit replaced unseen by a colleague's later one; clients pull these like any record, and
-- the client that made the replaced edit tells its manager.
CREATE TABLE overwrites (
    id           UUID    PRIMARY KEY,
    workspace_id UUID    NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    profile_id   UUID    NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    client_id    UUID    NOT NULL,
    mutation_id  BIGINT NOT NULL,
    field        TEXT    NOT NULL,
    replaced     TEXT    NOT NULL,
    value        TEXT    NOT NULL,
    by_manager   TEXT    NOT NULL,
    at           BIGINT NOT NULL
);
CREATE INDEX overwrites_by_workspace ON overwrites (workspace_id, id);
CREATE INDEX overwrites_by_profile ON overwrites (profile_id);
