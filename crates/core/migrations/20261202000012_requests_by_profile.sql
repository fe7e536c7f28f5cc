-- The Details window lists a customer's export and delete requests.
CREATE INDEX synced_requests_by_profile ON synced_records (json_extract(record, '$.value.profileId'))
    WHERE kind = 'request';
