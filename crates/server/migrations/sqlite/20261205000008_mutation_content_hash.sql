-- The SHA-256 of each processed mutation's name and arguments: the same id pushed again with
-- other content (a client put back from a backup, or one whose store lost its last commits) is
-- answered as reused, never skipped as done. NULL for mutations processed before.
ALTER TABLE mutations ADD COLUMN content_hash TEXT;
