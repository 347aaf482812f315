CREATE TABLE loads (
    load_id TEXT PRIMARY KEY NOT NULL,
    origin TEXT NOT NULL,
    origin_city TEXT NOT NULL,
    origin_state TEXT NOT NULL,
    origin_lat DOUBLE PRECISION,
    origin_lon DOUBLE PRECISION,
    origin_tz TEXT NOT NULL,
    destination TEXT NOT NULL,
    destination_city TEXT NOT NULL,
    destination_state TEXT NOT NULL,
    destination_lat DOUBLE PRECISION,
    destination_lon DOUBLE PRECISION,
    destination_tz TEXT NOT NULL,
    pickup_at BIGINT NOT NULL,
    delivery_at BIGINT,
    equipment_type TEXT NOT NULL,
    equipment TEXT NOT NULL,
    loadboard_rate_cents BIGINT NOT NULL CHECK (loadboard_rate_cents > 0),
    max_rate_cents BIGINT,
    notes TEXT,
    weight_lb BIGINT,
    commodity_type TEXT,
    num_of_pieces BIGINT,
    miles BIGINT,
    dimensions TEXT,
    status TEXT NOT NULL DEFAULT 'available' CHECK (status IN ('available', 'booked', 'cancelled')),
    booked_call_id TEXT,
    is_seed BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX loads_status_equipment_pickup ON loads (status, equipment, pickup_at);
CREATE INDEX loads_status_pickup ON loads (status, pickup_at);
CREATE INDEX loads_origin_state ON loads (origin_state);

CREATE TABLE searches (
    id BIGSERIAL PRIMARY KEY,
    call_id TEXT,
    mc_number TEXT,
    criteria_json TEXT NOT NULL,
    result_count INTEGER NOT NULL,
    load_ids_json TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX searches_call ON searches (call_id);
CREATE INDEX searches_created ON searches (created_at);

CREATE TABLE api_keys (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    scope TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at BIGINT
);

CREATE TABLE dashboard_sessions (
    token_hash TEXT PRIMARY KEY NOT NULL,
    scope TEXT NOT NULL,
    key_label TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX dashboard_sessions_expires ON dashboard_sessions (expires_at);
