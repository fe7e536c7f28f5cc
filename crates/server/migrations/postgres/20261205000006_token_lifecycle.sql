-- A token's life: when it expires (NULL: never), when it last signed a request in (kept to the
-- hour), and when it was revoked; a manager can be disabled, which stops all their tokens.
ALTER TABLE tokens ADD COLUMN expires_at BIGINT;
ALTER TABLE tokens ADD COLUMN last_used_at BIGINT;
ALTER TABLE tokens ADD COLUMN revoked_at BIGINT;
ALTER TABLE managers ADD COLUMN disabled_at BIGINT;
