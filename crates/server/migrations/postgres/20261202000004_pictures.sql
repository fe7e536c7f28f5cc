-- Each customer's picture: a 256×256 PNG, base64, as the apps make it from the file a manager
-- picked. It goes with its customer.
CREATE TABLE profile_pictures (
    profile_id   UUID    PRIMARY KEY REFERENCES profiles (id) ON DELETE CASCADE,
    workspace_id UUID    NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    png          TEXT    NOT NULL,
    updated_at   BIGINT  NOT NULL
);
CREATE INDEX profile_pictures_by_workspace ON profile_pictures (workspace_id, profile_id);
