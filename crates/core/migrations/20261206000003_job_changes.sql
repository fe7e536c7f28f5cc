-- Which of a job's customers it changed (their status was not yet the one it set): Undo of a job
-- that has fired sets those back, and only those still as the job left them.
ALTER TABLE job_targets ADD COLUMN changed INTEGER NOT NULL DEFAULT 0;
