-- The last History read from the server for each customer whose Details asked for it: shown
-- again, with a note, while the server cannot be reached. Entries as the server sends them (JSON).
CREATE TABLE profile_history (
    profile_id BLOB    NOT NULL,
    seq        INTEGER NOT NULL,
    entry      TEXT    NOT NULL,
    PRIMARY KEY (profile_id, seq)
) WITHOUT ROWID;

-- The customer an edit listed beside the refusals was of (an edit a colleague replaced): the
-- notice opens their History.
ALTER TABLE rejections ADD COLUMN profile_id BLOB;
