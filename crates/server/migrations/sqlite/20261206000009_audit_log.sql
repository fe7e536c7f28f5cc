-- The audit log: every pushed mutation the server processed, applied or refused, with its
-- manager, time, app, and the values it replaced and wrote (`detail`, JSON). Pruning the sync
-- bookkeeping leaves it alone; it goes with its workspace.
CREATE TABLE audit_log (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id    BLOB    NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    at              INTEGER NOT NULL,
    manager_email   TEXT    NOT NULL,
    client_id       BLOB    NOT NULL,
    mutation_id     INTEGER NOT NULL,
    name            TEXT    NOT NULL,
    outcome         TEXT    NOT NULL CHECK (outcome IN ('applied', 'refused')),
    refusal_code    TEXT,
    refusal_message TEXT,
    detail          TEXT    NOT NULL
);
CREATE INDEX audit_log_by_workspace ON audit_log (workspace_id, seq);
CREATE INDEX audit_log_by_time ON audit_log (workspace_id, at);
