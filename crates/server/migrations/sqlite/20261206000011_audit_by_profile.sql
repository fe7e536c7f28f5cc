-- Which audit entries changed each customer (their user details, status, Trash, picture,
-- property values, segment memberships): a customer's History reads theirs without walking the
-- workspace's whole log.
CREATE TABLE audit_profiles (
    workspace_id BLOB NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    profile_id   BLOB NOT NULL,
    seq          INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, profile_id, seq)
);
