-- A client id belongs to the manager who first pushed under it: another manager of the same
-- workspace pushing or pulling under it is refused (403). NULL until that first push.
ALTER TABLE clients ADD COLUMN manager_id UUID;
