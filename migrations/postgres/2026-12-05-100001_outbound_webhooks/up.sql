-- Outbound webhooks (SPEC §13.1): the endpoints admins register, one delivery per event
-- and endpoint (the body fixed when the event happened), and every attempt at it.
CREATE TABLE webhook_endpoints (
    endpoint_id TEXT PRIMARY KEY NOT NULL,
    url TEXT NOT NULL,
    -- The event types, space-separated with a space at each end (" booking.created * "),
    -- so one LIKE finds the endpoints that take a type.
    events TEXT NOT NULL,
    description TEXT,
    secret TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    deleted_at BIGINT
);

CREATE TABLE webhook_deliveries (
    seq BIGSERIAL PRIMARY KEY,
    delivery_id TEXT NOT NULL UNIQUE,
    endpoint_id TEXT NOT NULL REFERENCES webhook_endpoints (endpoint_id),
    event_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    body TEXT NOT NULL,
    -- pending, succeeded or failed
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    -- Retries stop after this (24 hours from the event, or from a manual redelivery).
    retry_until BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    -- An instance sending it holds it until lease_until; 0 when nobody does.
    lease_until BIGINT NOT NULL DEFAULT 0,
    lease_token TEXT,
    last_status_code INTEGER,
    last_error TEXT,
    delivered_at BIGINT,
    UNIQUE (endpoint_id, event_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, seq);

CREATE TABLE webhook_attempts (
    delivery_id TEXT NOT NULL REFERENCES webhook_deliveries (delivery_id) ON DELETE CASCADE,
    attempt INTEGER NOT NULL,
    at BIGINT NOT NULL,
    status_code INTEGER,
    latency_ms BIGINT NOT NULL,
    error TEXT,
    PRIMARY KEY (delivery_id, attempt)
);
