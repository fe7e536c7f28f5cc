-- Which audit entries changed each customer (their user details, status, Trash, picture,
-- property values, segment memberships): a customer's History reads theirs without walking the
-- workspace's whole log.
CREATE TABLE audit_profiles (
    workspace_id UUID NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    profile_id   UUID NOT NULL,
    seq          BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, profile_id, seq)
);
