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
    }
}

diesel::allow_tables_to_appear_in_same_query!(loads, searches, api_keys, dashboard_sessions);
