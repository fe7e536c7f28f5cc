-- The customers of the audit entries written before audit_profiles existed, so their History
-- starts with the log, not with the upgrade.
INSERT OR IGNORE INTO audit_profiles (workspace_id, profile_id, seq)
SELECT workspace_id, unhex(replace(customer, '-', '')), seq
FROM (
    SELECT a.workspace_id AS workspace_id, a.seq AS seq,
           CASE c.value ->> 'record'
               WHEN 'property_value' THEN substr(c.value ->> 'key', 1, 36)
               WHEN 'segment_member' THEN substr(c.value ->> 'key', 38, 36)
               ELSE c.value ->> 'key'
           END AS customer
    FROM audit_log AS a, json_each(a.detail) AS c
    WHERE a.outcome = 'applied'
      AND c.value ->> 'record' IN ('profile', 'picture', 'property_value', 'segment_member')
)
WHERE length(customer) = 36;
