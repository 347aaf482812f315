-- The voice platform's sessions as its status events describe them. A session is not a
-- call by itself: it lands on the call whose id is the session's id, or that a finalize
-- linked to it (`call_id`), so session events never count a call twice.
CREATE TABLE platform_sessions (
    session_id TEXT PRIMARY KEY NOT NULL,
    run_id TEXT,
    use_case_id TEXT,
    status TEXT,
    started_at BIGINT,
    ended_at BIGINT,
    call_id TEXT,
    updated_at BIGINT NOT NULL
);
CREATE INDEX platform_sessions_call ON platform_sessions (call_id);
