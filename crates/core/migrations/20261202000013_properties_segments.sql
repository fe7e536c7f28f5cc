-- A customer's property values are read by their customer (the Details window) and by their
-- property (a segment's property rule); a segment's hand-picked members by their segment; the
-- customers who completed a goal by the goal (a segment's goal rule).
CREATE INDEX synced_property_values_by_profile
    ON synced_records (json_extract(record, '$.value.profileId'))
    WHERE kind = 'property_value';
CREATE INDEX synced_property_values_by_property
    ON synced_records (json_extract(record, '$.value.propertyId'))
    WHERE kind = 'property_value';
CREATE INDEX synced_segment_members_by_segment
    ON synced_records (json_extract(record, '$.value.segmentId'))
    WHERE kind = 'segment_member';
CREATE INDEX synced_goal_completions_by_goal
    ON synced_records (json_extract(record, '$.value.goalId'))
    WHERE kind = 'goal_completion';
