-- Which profiles changed, in commit order: the in-memory search index of the All users table
-- catches up by reading exactly these rows instead of the whole table. Rows are pruned once the
-- index has caught up; AUTOINCREMENT keeps ids from being reused, so a gap shows that rows were
-- pruned before this process saw them.

CREATE TABLE profile_changes (
    id  INTEGER PRIMARY KEY AUTOINCREMENT,
    seq INTEGER NOT NULL
);

CREATE TRIGGER profile_changes_insert AFTER INSERT ON profiles BEGIN
    INSERT INTO profile_changes (seq) VALUES (new.seq);
END;

CREATE TRIGGER profile_changes_update AFTER UPDATE ON profiles BEGIN
    INSERT INTO profile_changes (seq) VALUES (new.seq);
END;

CREATE TRIGGER profile_changes_delete AFTER DELETE ON profiles BEGIN
    INSERT INTO profile_changes (seq) VALUES (old.seq);
END;
