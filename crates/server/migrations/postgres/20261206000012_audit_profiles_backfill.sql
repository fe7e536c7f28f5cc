-- The customers of the audit entries written before audit_profiles existed, so their History
-- starts with the log, not with the upgrade.
INSERT INTO audit_profiles (workspace_id, profile_id, seq)
SELECT DISTINCT workspace_id, customer::uuid, seq
FROM (
    SELECT a.workspace_id AS workspace_id, a.seq AS seq,
           CASE c ->> 'record'
               WHEN 'property_value' THEN substr(c ->> 'key', 1, 36)
               WHEN 'segment_member' THEN substr(c ->> 'key', 38, 36)
               ELSE c ->> 'key'
           END AS customer
    FROM audit_log AS a, jsonb_array_elements(a.detail::jsonb) AS c
    WHERE a.outcome = 'applied'
      AND c ->> 'record' IN ('profile', 'picture', 'property_value', 'segment_member')
) AS changed
WHERE customer ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
ON CONFLICT DO NOTHING;
