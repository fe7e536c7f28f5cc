-- A pull reads a workspace's records by id: the index on the workspace alone let SQLite walk every
-- profile of the workspace for each lookup; keyed on (workspace_id, id) it seeks each id.
DROP INDEX profiles_by_workspace;
CREATE INDEX profiles_by_workspace ON profiles (workspace_id, id);
DROP INDEX segments_by_workspace;
CREATE INDEX segments_by_workspace ON segments (workspace_id, id);
