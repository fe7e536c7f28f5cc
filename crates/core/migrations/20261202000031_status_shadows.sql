-- The server's copy of a customer whose only pending changes are of its status (a bulk job's
-- Active or Archive): its row with the status it had, so the copy is the status alone, kept by
-- rowid beside the rows a job's chunk changes. A full copy in profile_shadows supersedes it as soon
-- as another change is made; a row that goes takes its copy with it.
CREATE TABLE status_shadows (
    seq    INTEGER PRIMARY KEY,
    status TEXT    NOT NULL CHECK (status IN ('active', 'archived'))
);

CREATE TRIGGER status_shadows_delete AFTER DELETE ON profiles BEGIN
    DELETE FROM status_shadows WHERE seq = old.seq;
END;
