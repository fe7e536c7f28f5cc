-- Archiving or activating a customer changes only its status. While the status led every sort
-- index, each such change moved the customer's entry in nine B-trees of the whole store, and a
-- bulk job over 100,000 customers rewrote most pages of every index. The sort indexes now hold
-- their column and the id alone; the table filters the status row by row as it walks them, or,
-- when a status is rare, reads its customers through profiles_by_status and sorts them.
-- profiles_by_status is keyed by rowid, so a job applied in rowid order touches few of its pages.

DROP INDEX IF EXISTS profiles_by_username;
DROP INDEX IF EXISTS profiles_by_email;
DROP INDEX IF EXISTS profiles_by_phone;
DROP INDEX IF EXISTS profiles_by_location;
DROP INDEX IF EXISTS profiles_by_created;
DROP INDEX IF EXISTS profiles_by_last_seen;
DROP INDEX IF EXISTS profiles_by_sessions;
DROP INDEX IF EXISTS profiles_by_status;

-- A first sync under way keeps its indexes' definitions to build them when it ends: the new
-- ones below take their place.
DELETE FROM deferred_indexes WHERE name LIKE 'profiles\_by\_%' ESCAPE '\';

CREATE INDEX profiles_by_username  ON profiles (username, id);
CREATE INDEX profiles_by_email     ON profiles (email_blank, email, id);
CREATE INDEX profiles_by_phone     ON profiles (phone_blank, phone, id);
CREATE INDEX profiles_by_location  ON profiles (location_blank, location, id);
CREATE INDEX profiles_by_created   ON profiles (created_at, id);
CREATE INDEX profiles_by_last_seen ON profiles (last_seen_at, id);
CREATE INDEX profiles_by_sessions  ON profiles (sessions, id);
CREATE INDEX profiles_by_status    ON profiles (status, seq);

-- A job's picked customers by rowid, the order its chunks go in (they were by id, scattered
-- across the table). A customer deleted meanwhile is simply not found.
CREATE TABLE job_targets (
    job_id BLOB    NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    seq    INTEGER NOT NULL,
    PRIMARY KEY (job_id, seq)
) WITHOUT ROWID;

INSERT OR IGNORE INTO job_targets (job_id, seq)
SELECT t.job_id, p.seq FROM job_profiles AS t JOIN profiles AS p ON p.id = t.profile_id;

DROP TABLE job_profiles;

-- The last rowid a committed chunk covered, in place of the last id. A job that was running when
-- this store was upgraded starts again from its first customer: those it changed already have
-- the status it sets and are passed over, so none is changed or queued twice.
ALTER TABLE jobs ADD COLUMN after_seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs DROP COLUMN cursor;
UPDATE jobs SET applied = 0 WHERE state = 'running';
