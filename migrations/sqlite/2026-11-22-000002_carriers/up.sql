-- FMCSA lookups, cached (survives restarts; shared by instances on PostgreSQL).
-- lookup_key is `mc:<digits>` or `dot:<digits>`; record_json keeps what QCMobile said.
CREATE TABLE carriers (
    lookup_key TEXT PRIMARY KEY NOT NULL,
    mc_number TEXT,
    dot_number TEXT,
    found BOOLEAN NOT NULL,
    record_json TEXT NOT NULL,
    legal_name TEXT,
    fetched_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);

-- Every verification answered, for the call's story and the ineligible-reason metrics.
CREATE TABLE verifications (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    call_id TEXT,
    mc_number TEXT,
    dot_number TEXT,
    status TEXT NOT NULL CHECK (status IN ('eligible', 'ineligible', 'not_found', 'unavailable')),
    eligible BOOLEAN,
    reasons_json TEXT NOT NULL,
    warnings_json TEXT NOT NULL,
    source TEXT NOT NULL,
    stale BOOLEAN NOT NULL DEFAULT 0,
    legal_name TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX verifications_call ON verifications (call_id);
CREATE INDEX verifications_created ON verifications (created_at);
CREATE INDEX verifications_mc ON verifications (mc_number, created_at);
