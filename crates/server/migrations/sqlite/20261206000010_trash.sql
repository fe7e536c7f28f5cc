-- The Trash: a deleted customer keeps their row, and everything attached to it, with who
-- deleted them and when (milliseconds since 1970), until a restore clears both or the purge,
-- TRASH_DAYS later, deletes the row.
ALTER TABLE profiles ADD COLUMN trashed_at INTEGER;
ALTER TABLE profiles ADD COLUMN trashed_by TEXT;
CREATE INDEX profiles_in_trash ON profiles (trashed_at) WHERE trashed_at IS NOT NULL;
