-- Loads from the TMS (SPEC §13.2): why a load left the board (`withdrawn_by_sync`), and
-- how the polled feed is doing, shared by every instance.
ALTER TABLE loads ADD COLUMN status_reason TEXT;

CREATE TABLE load_feed (
    url TEXT PRIMARY KEY NOT NULL,
    etag TEXT,
    last_attempt_at BIGINT,
    last_success_at BIGINT,
    last_error TEXT,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    -- The last applied sync's report, as JSON.
    last_report TEXT
);
