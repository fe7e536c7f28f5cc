-- Substring search is answered by the in-memory search index of the All users table (built when
-- the store opens, then kept current from `profile_changes`). The trigram index only stood in for
-- it in the seconds before it was ready, and cost more than anything else in a first sync (about
-- 50 index entries per customer) and in every edit of a name, email or phone. Until the
-- in-memory index is ready, a search scans the table with LIKE. Migrations are only ever added,
-- never edited.

DROP TRIGGER IF EXISTS profiles_search_insert;
DROP TRIGGER IF EXISTS profiles_search_delete;
DROP TRIGGER IF EXISTS profiles_search_update;
DROP TABLE IF EXISTS profiles_search;
