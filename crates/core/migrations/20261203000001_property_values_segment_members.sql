-- Property values and hand-picked segment members, the commonest pulled records (about two per
-- customer), get tables of their own: two ids and a value. `synced_records` kept each as JSON with
-- its key spelt out and found them through indexes on JSON expressions: a first sync of a million
-- customers wrote, moved and indexed about 600 MB of JSON for them. Migrations are only ever
-- added, never edited.

CREATE TABLE property_values (
    profile_id  BLOB NOT NULL,
    property_id BLOB NOT NULL,
    value       TEXT NOT NULL,
    PRIMARY KEY (profile_id, property_id)
) WITHOUT ROWID;

-- A segment's property rule reads the values of one property.
CREATE INDEX property_values_by_property ON property_values (property_id);

CREATE TABLE segment_members (
    segment_id BLOB NOT NULL,
    profile_id BLOB NOT NULL,
    PRIMARY KEY (segment_id, profile_id)
) WITHOUT ROWID;

-- During a bulk load they arrive in random key order: staged in order of arrival, they are moved
-- in key order when the load ends (a NULL value, or `present` 0, is a deletion).
CREATE TABLE staged_property_values (
    profile_id  BLOB NOT NULL,
    property_id BLOB NOT NULL,
    value       TEXT
);

CREATE TABLE staged_segment_members (
    segment_id BLOB    NOT NULL,
    profile_id BLOB    NOT NULL,
    present    INTEGER NOT NULL CHECK (present IN (0, 1))
);

INSERT OR REPLACE INTO property_values (profile_id, property_id, value)
SELECT unhex(replace(record ->> '$.value.profileId', '-', '')),
       unhex(replace(record ->> '$.value.propertyId', '-', '')),
       record ->> '$.value.value'
FROM synced_records WHERE kind = 'property_value';

INSERT OR IGNORE INTO segment_members (segment_id, profile_id)
SELECT unhex(replace(record ->> '$.value.segmentId', '-', '')),
       unhex(replace(record ->> '$.value.profileId', '-', ''))
FROM synced_records WHERE kind = 'segment_member';

-- A load under way keeps its order of arrival.
INSERT INTO staged_property_values (profile_id, property_id, value)
SELECT unhex(replace(key ->> '$.profileId', '-', '')),
       unhex(replace(key ->> '$.propertyId', '-', '')),
       record ->> '$.value.value'
FROM staged_records WHERE kind = 'property_value' ORDER BY rowid;

INSERT INTO staged_segment_members (segment_id, profile_id, present)
SELECT unhex(replace(key ->> '$.segmentId', '-', '')),
       unhex(replace(key ->> '$.profileId', '-', '')),
       record IS NOT NULL
FROM staged_records WHERE kind = 'segment_member' ORDER BY rowid;

DELETE FROM synced_records WHERE kind IN ('property_value', 'segment_member');
-- Only these two kinds were ever staged.
DROP TABLE staged_records;

DROP INDEX synced_property_values_by_profile;
DROP INDEX synced_property_values_by_property;
DROP INDEX synced_segment_members_by_segment;
