//! One portable schema for both backends (same table and column names in
//! `migrations/sqlite` and `migrations/postgres`). Money in cents, times in epoch
//! milliseconds (UTC), so aggregates and comparisons are plain integer SQL on both.

diesel::table! {
    loads (load_id) {
        load_id -> Text,
        origin -> Text,
        origin_city -> Text,
        origin_state -> Text,
        origin_lat -> Nullable<Double>,
        origin_lon -> Nullable<Double>,
        origin_tz -> Text,
        destination -> Text,
        destination_city -> Text,
        destination_state -> Text,
        destination_lat -> Nullable<Double>,
        destination_lon -> Nullable<Double>,
        destination_tz -> Text,
        pickup_at -> BigInt,
        delivery_at -> Nullable<BigInt>,
        equipment_type -> Text,
        equipment -> Text,
        loadboard_rate_cents -> BigInt,
        max_rate_cents -> Nullable<BigInt>,
        notes -> Nullable<Text>,
        weight_lb -> Nullable<BigInt>,
        commodity_type -> Nullable<Text>,
        num_of_pieces -> Nullable<BigInt>,
        miles -> Nullable<BigInt>,
        dimensions -> Nullable<Text>,
        status -> Text,
        booked_call_id -> Nullable<Text>,
        is_seed -> Bool,
        created_at -> BigInt,
        updated_at -> BigInt,
        status_reason -> Nullable<Text>,
    }
}

diesel::table! {
    searches (id) {
        id -> BigInt,
        call_id -> Nullable<Text>,
        mc_number -> Nullable<Text>,
        criteria_json -> Text,
        result_count -> Integer,
        load_ids_json -> Text,
        created_at -> BigInt,
    }
}

diesel::table! {
    api_keys (id) {
        id -> Text,
        name -> Text,
        scope -> Text,
        key_hash -> Text,
        created_at -> BigInt,
        last_used_at -> Nullable<BigInt>,
        revoked_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    dashboard_sessions (token_hash) {
        token_hash -> Text,
        scope -> Text,
        key_label -> Text,
        created_at -> BigInt,
        expires_at -> BigInt,
        key_hash -> Text,
    }
}

diesel::table! {
    calls (call_id) {
        call_id -> Text,
        mc_number -> Nullable<Text>,
        carrier_name -> Nullable<Text>,
        load_id -> Nullable<Text>,
        started_at -> Nullable<BigInt>,
        ended_at -> Nullable<BigInt>,
        duration_seconds -> Nullable<BigInt>,
        outcome -> Nullable<Text>,
        sentiment -> Nullable<Text>,
        classified_by -> Nullable<Text>,
        outcome_by_agent -> Bool,
        sentiment_by_agent -> Bool,
        outcome_conflict -> Bool,
        agreed_rate_cents -> Nullable<BigInt>,
        initial_offer_cents -> Nullable<BigInt>,
        negotiation_rounds -> Nullable<BigInt>,
        transferred -> Nullable<Bool>,
        transcript_json -> Nullable<Text>,
        summary -> Nullable<Text>,
        extracted_json -> Nullable<Text>,
        carrier_phone -> Nullable<Text>,
        callback_at -> Nullable<BigInt>,
        platform_status -> Nullable<Text>,
        run_id -> Nullable<Text>,
        first_seen_at -> BigInt,
        occurred_at -> BigInt,
        finalized_at -> Nullable<BigInt>,
        updated_at -> BigInt,
    }
}

diesel::table! {
    negotiations (call_id, load_id) {
        call_id -> Text,
        load_id -> Text,
        mc_number -> Nullable<Text>,
        status -> Text,
        posted_cents -> BigInt,
        ceiling_cents -> BigInt,
        last_counter_cents -> Nullable<BigInt>,
        agreed_rate_cents -> Nullable<BigInt>,
        final_offer_cents -> Nullable<BigInt>,
        rounds -> Integer,
        created_at -> BigInt,
        updated_at -> BigInt,
    }
}

diesel::table! {
    negotiation_rounds (call_id, load_id, round) {
        call_id -> Text,
        load_id -> Text,
        round -> Integer,
        offer_cents -> BigInt,
        decision -> Text,
        counter_cents -> Nullable<BigInt>,
        agreed_cents -> Nullable<BigInt>,
        final_offer_cents -> Nullable<BigInt>,
        message -> Text,
        created_at -> BigInt,
        reason -> Nullable<Text>,
    }
}

diesel::table! {
    bookings (booking_id) {
        booking_id -> Text,
        load_id -> Text,
        call_id -> Text,
        mc_number -> Text,
        carrier_name -> Nullable<Text>,
        rate_cents -> BigInt,
        posted_cents -> BigInt,
        rep_name -> Text,
        rep_contact -> Text,
        verification_pending -> Bool,
        status -> Text,
        summary -> Text,
        created_at -> BigInt,
        cancelled_at -> Nullable<BigInt>,
        cancel_reason -> Nullable<Text>,
        cancelled_by -> Nullable<Text>,
    }
}

diesel::table! {
    rep_rotation (id) {
        id -> Integer,
        next_index -> BigInt,
    }
}

diesel::table! {
    events (id) {
        id -> BigInt,
        kind -> Text,
        call_id -> Nullable<Text>,
        payload_json -> Text,
        created_at -> BigInt,
    }
}

diesel::allow_tables_to_appear_in_same_query!(loads, searches, api_keys, dashboard_sessions);
diesel::allow_tables_to_appear_in_same_query!(calls, negotiations, negotiation_rounds, bookings, loads, events);

diesel::table! {
    carriers (lookup_key) {
        lookup_key -> Text,
        mc_number -> Nullable<Text>,
        dot_number -> Nullable<Text>,
        found -> Bool,
        record_json -> Text,
        legal_name -> Nullable<Text>,
        fetched_at -> BigInt,
        expires_at -> BigInt,
    }
}

diesel::table! {
    verifications (id) {
        id -> BigInt,
        call_id -> Nullable<Text>,
        mc_number -> Nullable<Text>,
        dot_number -> Nullable<Text>,
        status -> Text,
        eligible -> Nullable<Bool>,
        reasons_json -> Text,
        warnings_json -> Text,
        source -> Text,
        stale -> Bool,
        legal_name -> Nullable<Text>,
        created_at -> BigInt,
    }
}

diesel::allow_tables_to_appear_in_same_query!(carriers, verifications);
diesel::allow_tables_to_appear_in_same_query!(calls, verifications);

diesel::table! {
    rejected_webhooks (rejected_id) {
        rejected_id -> Text,
        route -> Text,
        received_at -> BigInt,
        error -> Text,
        error_line -> BigInt,
        error_column -> BigInt,
        body -> Text,
        request_id -> Nullable<Text>,
        replayed_at -> Nullable<BigInt>,
        replay_call_id -> Nullable<Text>,
    }
}

diesel::table! {
    platform_sessions (session_id) {
        session_id -> Text,
        run_id -> Nullable<Text>,
        use_case_id -> Nullable<Text>,
        status -> Nullable<Text>,
        started_at -> Nullable<BigInt>,
        ended_at -> Nullable<BigInt>,
        call_id -> Nullable<Text>,
        updated_at -> BigInt,
    }
}

diesel::allow_tables_to_appear_in_same_query!(calls, platform_sessions);

diesel::table! {
    webhook_endpoints (endpoint_id) {
        endpoint_id -> Text,
        url -> Text,
        events -> Text,
        description -> Nullable<Text>,
        secret -> Text,
        created_at -> BigInt,
        deleted_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    webhook_deliveries (seq) {
        seq -> BigInt,
        delivery_id -> Text,
        endpoint_id -> Text,
        event_id -> Text,
        event_type -> Text,
        body -> Text,
        status -> Text,
        attempts -> Integer,
        created_at -> BigInt,
        retry_until -> BigInt,
        next_attempt_at -> BigInt,
        lease_until -> BigInt,
        lease_token -> Nullable<Text>,
        last_status_code -> Nullable<Integer>,
        last_error -> Nullable<Text>,
        delivered_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    webhook_attempts (delivery_id, attempt) {
        delivery_id -> Text,
        attempt -> Integer,
        at -> BigInt,
        status_code -> Nullable<Integer>,
        latency_ms -> BigInt,
        error -> Nullable<Text>,
    }
}

diesel::allow_tables_to_appear_in_same_query!(webhook_endpoints, webhook_deliveries);

diesel::table! {
    load_feed (url) {
        url -> Text,
        etag -> Nullable<Text>,
        last_attempt_at -> Nullable<BigInt>,
        last_success_at -> Nullable<BigInt>,
        last_error -> Nullable<Text>,
        consecutive_failures -> Integer,
        last_report -> Nullable<Text>,
    }
}
