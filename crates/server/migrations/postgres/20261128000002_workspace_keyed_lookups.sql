-- A pull reads a workspace's records by id: keyed on (workspace_id, id), as in SQLite, each
-- lookup seeks its id instead of walking the workspace.
DROP INDEX profiles_by_workspace;
CREATE INDEX profiles_by_workspace ON profiles (workspace_id, id);
DROP INDEX segments_by_workspace;
CREATE INDEX segments_by_workspace ON segments (workspace_id, id);
