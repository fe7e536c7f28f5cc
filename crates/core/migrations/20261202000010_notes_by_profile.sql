-- The Details window reads a customer's notes: pulled notes are found by their customer without
-- walking every pulled record.
CREATE INDEX synced_notes_by_profile ON synced_records (json_extract(record, '$.value.profileId'))
    WHERE kind = 'note';
