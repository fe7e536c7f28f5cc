-- The Details window reads a customer's bot sessions and completed goals, and a session's
-- messages: pulled records of those kinds are found by their customer or session.
CREATE INDEX synced_sessions_by_profile ON synced_records (json_extract(record, '$.value.profileId'))
    WHERE kind = 'session';
CREATE INDEX synced_goal_completions_by_profile
    ON synced_records (json_extract(record, '$.value.profileId'))
    WHERE kind = 'goal_completion';
CREATE INDEX synced_messages_by_session ON synced_records (json_extract(record, '$.value.sessionId'))
    WHERE kind = 'message';
