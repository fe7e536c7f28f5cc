-- The Trash: a deleted customer keeps their row (and everything attached to it stays where it
-- is), marked with when it went to the Trash (milliseconds since 1970) and by whom (empty while
-- this manager's delete has not synced), until Restore clears the mark or Delete forever, or the
-- server's purge, deletes the row. A mark, not a move: the sort indexes do not hold it, so a
-- delete of 100,000 customers rewrites one small index rather than every index of the table.
-- The table, its counts and the search index leave marked rows out.
ALTER TABLE profiles ADD COLUMN trashed_at INTEGER;
ALTER TABLE profiles ADD COLUMN trashed_by TEXT;

-- The Trash view lists the latest deleted first.
CREATE INDEX profiles_in_trash ON profiles (trashed_at DESC, id) WHERE trashed_at IS NOT NULL;

-- The counts are of the table's customers: those in the Trash are left out.
DROP TRIGGER profile_counts_insert;
DROP TRIGGER profile_counts_delete;
DROP TRIGGER profile_counts_update;

CREATE TRIGGER profile_counts_insert AFTER INSERT ON profiles WHEN new.trashed_at IS NULL BEGIN
    INSERT INTO profile_counts (status, kind, platform, profiles)
    VALUES (new.status, new.kind, new.platform, 1)
    ON CONFLICT (status, kind, platform) DO UPDATE SET profiles = profiles + 1;
END;

CREATE TRIGGER profile_counts_delete AFTER DELETE ON profiles WHEN old.trashed_at IS NULL BEGIN
    UPDATE profile_counts SET profiles = profiles - 1
    WHERE status = old.status AND kind = old.kind AND platform = old.platform;
END;

CREATE TRIGGER profile_counts_leave AFTER UPDATE OF status, kind, platform, trashed_at ON profiles
WHEN old.trashed_at IS NULL BEGIN
    UPDATE profile_counts SET profiles = profiles - 1
    WHERE status = old.status AND kind = old.kind AND platform = old.platform;
END;

CREATE TRIGGER profile_counts_enter AFTER UPDATE OF status, kind, platform, trashed_at ON profiles
WHEN new.trashed_at IS NULL BEGIN
    INSERT INTO profile_counts (status, kind, platform, profiles)
    VALUES (new.status, new.kind, new.platform, 1)
    ON CONFLICT (status, kind, platform) DO UPDATE SET profiles = profiles + 1;
END;
