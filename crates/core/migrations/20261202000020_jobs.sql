-- Delayed bulk jobs (Active or Archive over a selection): kept until done, so a restart catches
-- up every job whose time has passed and a crash resumes a running job after its last chunk.
CREATE TABLE jobs (
    id           BLOB    PRIMARY KEY,
    action       TEXT    NOT NULL CHECK (action IN ('activate', 'archive')),
    -- The table's filter (JSON) of a "select all N matching" job; NULL for picked customers,
    -- who are listed in job_profiles.
    filter       TEXT,
    -- The instant the filter's Last seen window counts back from: when it was scheduled.
    resolved_at  INTEGER NOT NULL,
    total        INTEGER NOT NULL CHECK (total > 0),
    created_at   INTEGER NOT NULL,
    run_at       INTEGER NOT NULL,
    state        TEXT    NOT NULL CHECK (state IN ('pending', 'running', 'done', 'cancelled')),
    -- The last customer (by id) a committed chunk covered; the next chunk starts after it.
    cursor       BLOB,
    applied      INTEGER NOT NULL DEFAULT 0,
    completed_at INTEGER,
    notified_at  INTEGER
);
CREATE INDEX jobs_by_state ON jobs (state, run_at);

-- The customers picked for a job, in id order for its chunks; dropped once it is done.
CREATE TABLE job_profiles (
    job_id     BLOB NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    profile_id BLOB NOT NULL,
    PRIMARY KEY (job_id, profile_id)
) WITHOUT ROWID;
