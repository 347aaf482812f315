//! The aggregate queries. The SQL is plain and portable (integer epoch milliseconds,
//! CAST for averages and sums) and runs unchanged on SQLite and PostgreSQL; only
//! integers this module computes are formatted into it.

use crate::calls::classify::{Outcome, Sentiment};
use crate::db::{to_ms, DbConnection};
use crate::error::AppResult;
use crate::types::Money;
use chrono::{DateTime, SecondsFormat, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Double, Nullable, Text};
use serde_json::{json, Map, Value};
use std::collections::HashMap;

#[derive(QueryableByName, Debug)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName, Debug)]
struct KeyCount {
    #[diesel(sql_type = Nullable<Text>)]
    k: Option<String>,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName, Debug)]
struct PairCount {
    #[diesel(sql_type = Nullable<Text>)]
    a: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    b: Option<String>,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName, Debug)]
struct Averages {
    #[diesel(sql_type = BigInt)]
    n: i64,
    #[diesel(sql_type = Nullable<Double>)]
    avg_rate: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    avg_posted: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    avg_premium: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    avg_premium_pct: Option<f64>,
    #[diesel(sql_type = Nullable<BigInt>)]
    revenue: Option<i64>,
}

#[derive(QueryableByName, Debug)]
struct Avg {
    #[diesel(sql_type = Nullable<Double>)]
    v: Option<f64>,
}

#[derive(QueryableByName, Debug)]
struct Bucket {
    #[diesel(sql_type = BigInt)]
    b: i64,
    #[diesel(sql_type = BigInt)]
    n: i64,
    #[diesel(sql_type = Nullable<BigInt>)]
    total: Option<i64>,
    #[diesel(sql_type = Nullable<Double>)]
    pct: Option<f64>,
}

fn load<T: QueryableByName<diesel::pg::Pg> + QueryableByName<diesel::sqlite::Sqlite> + 'static>(
    conn: &mut DbConnection,
    sql: &str,
) -> QueryResult<Vec<T>> {
    crate::per_backend!(conn, c => diesel::sql_query(sql).load::<T>(c))
}

fn count(conn: &mut DbConnection, sql: &str) -> QueryResult<i64> {
    Ok(load::<Count>(conn, sql)?.first().map(|c| c.n).unwrap_or(0))
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

fn ratio(n: i64, d: i64) -> f64 {
    if d == 0 {
        0.0
    } else {
        (n as f64 / d as f64 * 1000.0).round() / 1000.0
    }
}

fn dollars(cents: f64) -> f64 {
    (cents).round() / 100.0
}

#[derive(QueryableByName, Debug)]
struct StageCount {
    #[diesel(sql_type = BigInt)]
    stage: i64,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// The funnel over the calls of `[f, t)` (epoch ms): calls, verified, pitched, negotiated,
/// booked. Each stage counts the calls that got at least that far, whenever their
/// verification, searches, negotiation or booking happened: a call that booked at the
/// posted rate without a counter-offer, or with FMCSA unreachable, still passed the
/// stages before it. So the figures never go up from one stage to the next.
fn funnel(conn: &mut DbConnection, f: i64, t: i64) -> QueryResult<[i64; 5]> {
    let rows = load::<StageCount>(
        conn,
        &format!(
            "SELECT CAST(x.stage AS BIGINT) AS stage, COUNT(*) AS n FROM (SELECT CASE \
               WHEN EXISTS (SELECT 1 FROM bookings bk WHERE bk.call_id = c.call_id AND bk.status = 'active') THEN 4 \
               WHEN EXISTS (SELECT 1 FROM negotiations ng WHERE ng.call_id = c.call_id) THEN 3 \
               WHEN EXISTS (SELECT 1 FROM searches s WHERE s.call_id = c.call_id AND s.result_count > 0) THEN 2 \
               WHEN EXISTS (SELECT 1 FROM verifications v WHERE v.call_id = c.call_id AND v.status = 'eligible') THEN 1 \
               ELSE 0 END AS stage FROM calls c WHERE c.occurred_at >= {f} AND c.occurred_at < {t}) x GROUP BY x.stage"
        ),
    )?;
    let mut reached = [0i64; 5];
    for r in rows {
        for n in reached.iter_mut().take(r.stage.clamp(0, 4) as usize + 1) {
            *n += r.n;
        }
    }
    Ok(reached)
}

pub fn summary(conn: &mut DbConnection, from: DateTime<Utc>, to: DateTime<Utc>) -> AppResult<Value> {
    let (f, t) = (to_ms(from), to_ms(to));
    let in_calls = format!("occurred_at >= {f} AND occurred_at < {t}");
    let created = format!("created_at >= {f} AND created_at < {t}");

    // `calls` too comes from the funnel's one statement, so no stage can exceed it.
    let [calls, verified, pitched, negotiated, booked_calls] = funnel(conn, f, t)?;

    // Verification.
    let by_status: HashMap<String, i64> = load::<KeyCount>(
        conn,
        &format!("SELECT status AS k, COUNT(*) AS n FROM verifications WHERE {created} GROUP BY status"),
    )?
    .into_iter()
    .filter_map(|r| r.k.map(|k| (k, r.n)))
    .collect();
    let verifications: i64 = by_status.values().sum();
    let ineligible =
        by_status.get("ineligible").copied().unwrap_or(0) + by_status.get("not_found").copied().unwrap_or(0);
    let decided = ineligible + by_status.get("eligible").copied().unwrap_or(0);
    let carriers_verified = count(
        conn,
        &format!(
            "SELECT COUNT(DISTINCT mc_number) AS n FROM verifications WHERE {created} AND status <> 'unavailable'"
        ),
    )?;
    // Reason lists are JSON arrays in text: group identical lists in SQL, split in Rust.
    let reason_lists = load::<KeyCount>(
        conn,
        &format!(
            "SELECT reasons_json AS k, COUNT(*) AS n FROM verifications WHERE {created} \
             AND status IN ('ineligible', 'not_found') GROUP BY reasons_json"
        ),
    )?;
    let mut reasons: HashMap<String, i64> = HashMap::new();
    for r in reason_lists {
        let list: Vec<String> = r.k.as_deref().and_then(|k| serde_json::from_str(k).ok()).unwrap_or_default();
        for reason in list {
            *reasons.entry(reason).or_default() += r.n;
        }
    }
    let mut top_reasons: Vec<(String, i64)> = reasons.into_iter().collect();
    top_reasons.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));

    // Searches and unmet demand.
    let searches = count(conn, &format!("SELECT COUNT(*) AS n FROM searches WHERE {created}"))?;
    let no_match = count(conn, &format!("SELECT COUNT(*) AS n FROM searches WHERE {created} AND result_count = 0"))?;
    let unmet_rows = load::<KeyCount>(
        conn,
        &format!(
            "SELECT criteria_json AS k, COUNT(*) AS n FROM searches WHERE {created} AND result_count = 0 \
             GROUP BY criteria_json ORDER BY n DESC LIMIT 200"
        ),
    )?;
    // (origin, destination, equipment) as asked.
    type Asked = (Option<String>, Option<String>, Option<String>);
    let mut unmet: HashMap<Asked, i64> = HashMap::new();
    for r in unmet_rows {
        let c: Value = r.k.as_deref().and_then(|k| serde_json::from_str(k).ok()).unwrap_or(Value::Null);
        let text = |k: &str| {
            c.get(k).and_then(|v| v.as_str().map(str::to_string).or_else(|| (!v.is_null()).then(|| v.to_string())))
        };
        let place = |k: &str| text(k).map(|p| crate::geo::gazetteer().resolve(&p).describe());
        let equipment = text("equipment_type")
            .map(|e| crate::loads::model::canonical_equipment(&e).map(str::to_string).unwrap_or(e));
        *unmet.entry((place("origin"), place("destination"), equipment)).or_default() += r.n;
    }
    let mut unmet: Vec<_> = unmet.into_iter().collect();
    unmet.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| format!("{:?}", a.0).cmp(&format!("{:?}", b.0))));

    // Money: what we agreed versus what we posted, on active bookings.
    let money = load::<Averages>(
        conn,
        &format!(
            "SELECT COUNT(*) AS n, \
               CAST(AVG(rate_cents) AS DOUBLE PRECISION) AS avg_rate, \
               CAST(AVG(posted_cents) AS DOUBLE PRECISION) AS avg_posted, \
               CAST(AVG(rate_cents - posted_cents) AS DOUBLE PRECISION) AS avg_premium, \
               CAST(AVG(CAST(rate_cents - posted_cents AS DOUBLE PRECISION) / posted_cents) AS DOUBLE PRECISION) AS avg_premium_pct, \
               CAST(SUM(rate_cents) AS BIGINT) AS revenue \
             FROM bookings WHERE {created} AND status = 'active'"
        ),
    )?
    .into_iter()
    .next();
    let cancelled =
        count(conn, &format!("SELECT COUNT(*) AS n FROM bookings WHERE cancelled_at >= {f} AND cancelled_at < {t}"))?;
    let avg_rounds = load::<Avg>(
        conn,
        &format!(
            "SELECT CAST(AVG(rounds) AS DOUBLE PRECISION) AS v FROM negotiations WHERE {created} AND status = 'agreed'"
        ),
    )?
    .first()
    .and_then(|a| a.v);
    let avg_duration = load::<Avg>(
        conn,
        &format!("SELECT CAST(AVG(duration_seconds) AS DOUBLE PRECISION) AS v FROM calls WHERE {in_calls} AND duration_seconds IS NOT NULL"),
    )?
    .first()
    .and_then(|a| a.v);

    // Outcomes and sentiment, and sentiment by outcome.
    let pairs = load::<PairCount>(
        conn,
        &format!("SELECT outcome AS a, sentiment AS b, COUNT(*) AS n FROM calls WHERE {in_calls} GROUP BY outcome, sentiment"),
    )?;
    let mut outcomes: Map<String, Value> = Outcome::ALL.iter().map(|o| (o.as_str().to_string(), json!(0))).collect();
    outcomes.insert("unclassified".into(), json!(0));
    let mut sentiments: Map<String, Value> =
        Sentiment::ALL.iter().map(|s| (s.as_str().to_string(), json!(0))).collect();
    sentiments.insert("unclassified".into(), json!(0));
    let mut by_outcome: Map<String, Value> = Outcome::ALL
        .iter()
        .map(|o| (o.as_str().to_string(), json!({"positive": 0, "neutral": 0, "negative": 0})))
        .collect();
    for p in &pairs {
        let o = p.a.clone().unwrap_or_else(|| "unclassified".into());
        let s = p.b.clone().unwrap_or_else(|| "unclassified".into());
        let add = |m: &mut Map<String, Value>, k: &str| {
            let cur = m.get(k).and_then(Value::as_i64).unwrap_or(0);
            m.insert(k.to_string(), json!(cur + p.n));
        };
        add(&mut outcomes, &o);
        add(&mut sentiments, &s);
        if let Some(Value::Object(inner)) = by_outcome.get_mut(&o) {
            if inner.contains_key(&s) {
                let cur = inner.get(&s).and_then(Value::as_i64).unwrap_or(0);
                inner.insert(s.clone(), json!(cur + p.n));
            }
        }
    }

    // Lanes: searched lanes (resolved by the loads pitched) and booked lanes.
    let booked_lanes = load::<PairCount>(
        conn,
        &format!(
            "SELECT l.origin AS a, l.destination AS b, COUNT(*) AS n FROM bookings bk JOIN loads l ON l.load_id = bk.load_id \
             WHERE bk.created_at >= {f} AND bk.created_at < {t} AND bk.status = 'active' GROUP BY l.origin, l.destination"
        ),
    )?;
    let lane_revenue = load::<PairCount>(
        conn,
        &format!(
            "SELECT l.origin AS a, l.destination AS b, CAST(SUM(bk.rate_cents) AS BIGINT) AS n FROM bookings bk \
             JOIN loads l ON l.load_id = bk.load_id WHERE bk.created_at >= {f} AND bk.created_at < {t} \
             AND bk.status = 'active' GROUP BY l.origin, l.destination"
        ),
    )?;
    let negotiated_lanes = load::<PairCount>(
        conn,
        &format!(
            "SELECT l.origin AS a, l.destination AS b, COUNT(*) AS n FROM negotiations ng JOIN loads l ON l.load_id = ng.load_id \
             WHERE ng.created_at >= {f} AND ng.created_at < {t} GROUP BY l.origin, l.destination"
        ),
    )?;
    let mut lanes: HashMap<(String, String), (i64, i64, i64)> = HashMap::new();
    for r in negotiated_lanes {
        if let (Some(a), Some(b)) = (r.a, r.b) {
            lanes.entry((a, b)).or_default().0 += r.n;
        }
    }
    for r in booked_lanes {
        if let (Some(a), Some(b)) = (r.a, r.b) {
            lanes.entry((a, b)).or_default().1 += r.n;
        }
    }
    for r in lane_revenue {
        if let (Some(a), Some(b)) = (r.a, r.b) {
            lanes.entry((a, b)).or_default().2 += r.n;
        }
    }
    let mut lanes: Vec<_> = lanes.into_iter().collect();
    lanes.sort_by(|a, b| (b.1 .1, b.1 .0).cmp(&(a.1 .1, a.1 .0)).then(a.0.cmp(&b.0)));

    let equipment_booked = load::<KeyCount>(
        conn,
        &format!(
            "SELECT l.equipment_type AS k, COUNT(*) AS n FROM bookings bk JOIN loads l ON l.load_id = bk.load_id \
             WHERE bk.created_at >= {f} AND bk.created_at < {t} AND bk.status = 'active' GROUP BY l.equipment_type"
        ),
    )?;
    let equipment_negotiated = load::<KeyCount>(
        conn,
        &format!(
            "SELECT l.equipment_type AS k, COUNT(*) AS n FROM negotiations ng JOIN loads l ON l.load_id = ng.load_id \
             WHERE ng.created_at >= {f} AND ng.created_at < {t} GROUP BY l.equipment_type"
        ),
    )?;
    let mut equipment: HashMap<String, (i64, i64)> = HashMap::new();
    for r in equipment_negotiated {
        if let Some(k) = r.k {
            equipment.entry(k).or_default().0 += r.n;
        }
    }
    for r in equipment_booked {
        if let Some(k) = r.k {
            equipment.entry(k).or_default().1 += r.n;
        }
    }
    let mut equipment: Vec<_> = equipment.into_iter().collect();
    equipment.sort_by(|a, b| (b.1 .1, b.1 .0).cmp(&(a.1 .1, a.1 .0)).then(a.0.cmp(&b.0)));

    let m = money.as_ref();
    let bookings = m.map(|m| m.n).unwrap_or(0);
    Ok(json!({
        "period": {"from": from.to_rfc3339_opts(SecondsFormat::Secs, true), "to": to.to_rfc3339_opts(SecondsFormat::Secs, true)},
        "calls": calls,
        "verifications": verifications,
        "carriers_verified": carriers_verified,
        "ineligible": ineligible,
        "ineligible_share": ratio(ineligible, decided),
        // Verifications with a verdict (FMCSA outages excluded): the share's denominator.
        "verifications_decided": decided,
        "top_ineligible_reasons": top_reasons.iter().take(8).map(|(r, n)| json!({"reason": r, "count": n})).collect::<Vec<_>>(),
        "searches": searches,
        "searches_no_match": no_match,
        "unmet_demand": unmet.iter().take(10).map(|((o, d, e), n)| json!({"origin": o, "destination": d, "equipment_type": e, "count": n})).collect::<Vec<_>>(),
        "funnel": {"calls": calls, "verified": verified, "pitched": pitched, "negotiated": negotiated, "booked": booked_calls},
        "booking_rate": ratio(booked_calls, calls),
        "avg_rounds_to_agreement": avg_rounds.map(|r| (r * 100.0).round() / 100.0),
        "avg_agreed_rate": m.and_then(|m| m.avg_rate).map(dollars),
        "avg_posted_rate": m.and_then(|m| m.avg_posted).map(dollars),
        "avg_premium_usd": m.and_then(|m| m.avg_premium).map(dollars),
        "avg_premium_pct": m.and_then(|m| m.avg_premium_pct).map(|p| round1(p * 100.0)),
        "booked_revenue": Money(m.and_then(|m| m.revenue).unwrap_or(0)),
        "bookings": bookings,
        "bookings_cancelled": cancelled,
        "outcomes": outcomes,
        "sentiments": sentiments,
        "sentiment_by_outcome": by_outcome,
        "top_lanes": lanes.iter().take(10).map(|((o, d), (neg, booked, rev))| json!({
            "origin": o, "destination": d, "negotiations": neg, "bookings": booked, "revenue": Money(*rev),
        })).collect::<Vec<_>>(),
        "top_equipment": equipment.iter().take(10).map(|(e, (neg, booked))| json!({
            "equipment_type": e, "negotiations": neg, "bookings": booked,
        })).collect::<Vec<_>>(),
        "avg_call_duration_seconds": avg_duration.map(round1),
    }))
}

pub fn timeseries(conn: &mut DbConnection, from: DateTime<Utc>, to: DateTime<Utc>, hourly: bool) -> AppResult<Value> {
    let size: i64 = if hourly { 3_600_000 } else { 86_400_000 };
    // Buckets are aligned to UTC hours or days.
    let (f, t) = (to_ms(from).div_euclid(size) * size, to_ms(to));
    let series = |conn: &mut DbConnection, table: &str, at: &str, filter: &str, total: &str, pct: &str| {
        load::<Bucket>(
            conn,
            &format!(
                "SELECT ({at} - {f}) / {size} AS b, COUNT(*) AS n, {total} AS total, {pct} AS pct FROM {table} \
                 WHERE {at} >= {f} AND {at} < {t} {filter} GROUP BY ({at} - {f}) / {size}"
            ),
        )
    };
    let none_total = "CAST(NULL AS BIGINT)";
    let none_pct = "CAST(NULL AS DOUBLE PRECISION)";
    let calls = series(conn, "calls", "occurred_at", "", none_total, none_pct)?;
    let booked = series(
        conn,
        "bookings",
        "created_at",
        "AND status = 'active'",
        "CAST(SUM(rate_cents) AS BIGINT)",
        "CAST(AVG(CAST(rate_cents - posted_cents AS DOUBLE PRECISION) / posted_cents) AS DOUBLE PRECISION)",
    )?;
    let negotiated = series(conn, "negotiations", "created_at", "", none_total, none_pct)?;
    let index = |rows: Vec<Bucket>| rows.into_iter().map(|r| (r.b, r)).collect::<HashMap<i64, Bucket>>();
    let (calls, booked, negotiated) = (index(calls), index(booked), index(negotiated));
    let n_buckets = ((t - f) + size - 1) / size;
    let points: Vec<Value> = (0..n_buckets)
        .map(|i| {
            let b = booked.get(&i);
            json!({
                "t": crate::db::from_ms(f + i * size).to_rfc3339_opts(SecondsFormat::Secs, true),
                "calls": calls.get(&i).map(|r| r.n).unwrap_or(0),
                "booked": b.map(|r| r.n).unwrap_or(0),
                "revenue": Money(b.and_then(|r| r.total).unwrap_or(0)),
                "negotiated": negotiated.get(&i).map(|r| r.n).unwrap_or(0),
                "avg_premium_pct": b.and_then(|r| r.pct).map(|p| round1(p * 100.0)),
            })
        })
        .collect();
    Ok(json!({"bucket": if hourly { "hour" } else { "day" }, "points": points}))
}
