CREATE TABLE calls (
    call_id TEXT PRIMARY KEY NOT NULL,
    mc_number TEXT,
    carrier_name TEXT,
    load_id TEXT,
    started_at BIGINT,
    ended_at BIGINT,
    duration_seconds BIGINT,
    outcome TEXT,
    sentiment TEXT,
    classified_by TEXT,
    -- Whether the stored label came from the agent (kept over later service guesses).
    outcome_by_agent BOOLEAN NOT NULL DEFAULT FALSE,
    sentiment_by_agent BOOLEAN NOT NULL DEFAULT FALSE,
    outcome_conflict BOOLEAN NOT NULL DEFAULT FALSE,
    agreed_rate_cents BIGINT,
    initial_offer_cents BIGINT,
    negotiation_rounds BIGINT,
    transferred BOOLEAN,
    transcript_json TEXT,
    summary TEXT,
    extracted_json TEXT,
    carrier_phone TEXT,
    callback_at BIGINT,
    platform_status TEXT,
    run_id TEXT,
    first_seen_at BIGINT NOT NULL,
    -- The call's time for periods and ordering: started_at when known, else first seen.
    occurred_at BIGINT NOT NULL,
    finalized_at BIGINT,
    updated_at BIGINT NOT NULL
);
CREATE INDEX calls_occurred ON calls (occurred_at, call_id);
CREATE INDEX calls_mc ON calls (mc_number);

CREATE TABLE negotiations (
    call_id TEXT NOT NULL,
    load_id TEXT NOT NULL,
    mc_number TEXT,
    status TEXT NOT NULL CHECK (status IN ('open', 'agreed', 'rejected')),
    posted_cents BIGINT NOT NULL,
    ceiling_cents BIGINT NOT NULL,
    last_counter_cents BIGINT,
    agreed_rate_cents BIGINT,
    final_offer_cents BIGINT,
    rounds INTEGER NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (call_id, load_id)
);
CREATE INDEX negotiations_updated ON negotiations (updated_at);

-- The primary key makes round counting race-free: two writers of the same round
-- cannot both succeed.
CREATE TABLE negotiation_rounds (
    call_id TEXT NOT NULL,
    load_id TEXT NOT NULL,
    round INTEGER NOT NULL CHECK (round BETWEEN 1 AND 3),
    offer_cents BIGINT NOT NULL,
    decision TEXT NOT NULL,
    counter_cents BIGINT,
    agreed_cents BIGINT,
    final_offer_cents BIGINT,
    message TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (call_id, load_id, round)
);

CREATE TABLE bookings (
    booking_id TEXT PRIMARY KEY NOT NULL,
    load_id TEXT NOT NULL,
    call_id TEXT NOT NULL,
    mc_number TEXT NOT NULL,
    carrier_name TEXT,
    rate_cents BIGINT NOT NULL,
    posted_cents BIGINT NOT NULL,
    rep_name TEXT NOT NULL,
    rep_contact TEXT NOT NULL,
    verification_pending BOOLEAN NOT NULL DEFAULT FALSE,
    status TEXT NOT NULL CHECK (status IN ('active', 'cancelled')),
    summary TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    cancelled_at BIGINT,
    cancel_reason TEXT,
    cancelled_by TEXT
);
-- At most one active booking per load, whatever the application does.
CREATE UNIQUE INDEX bookings_one_active_per_load ON bookings (load_id) WHERE status = 'active';
CREATE INDEX bookings_call ON bookings (call_id);
CREATE INDEX bookings_created ON bookings (created_at);

CREATE TABLE rep_rotation (
    id INTEGER PRIMARY KEY NOT NULL,
    next_index BIGINT NOT NULL
);
INSERT INTO rep_rotation (id, next_index) VALUES (1, 0);

CREATE TABLE events (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    kind TEXT NOT NULL,
    call_id TEXT,
    payload_json TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX events_created ON events (created_at);
