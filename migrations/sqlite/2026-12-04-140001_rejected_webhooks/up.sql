-- Webhook bodies the service could not read (SPEC §12.2): kept so nothing the voice
-- platform sent is lost, listed on the dashboard and replayed by an admin.
CREATE TABLE rejected_webhooks (
    rejected_id TEXT PRIMARY KEY NOT NULL,
    route TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    error TEXT NOT NULL,
    error_line BIGINT NOT NULL,
    error_column BIGINT NOT NULL,
    body TEXT NOT NULL,
    request_id TEXT,
    replayed_at BIGINT,
    replay_call_id TEXT
);
CREATE INDEX rejected_webhooks_received ON rejected_webhooks (received_at, rejected_id);
