//! The aggregate queries, one named step per block of KPIs. The SQL is plain and
//! portable (integer epoch milliseconds, CAST for averages and sums) and runs unchanged
//! on SQLite and PostgreSQL; only integers this module computes are formatted into it.
//! The other rooms' tables are read here with SQL, never through their modules; the
//! statuses compared are the spellings those rooms store.

use super::views::{
    Bucket, EquipmentFigures, Funnel, LaneFigures, MetricsSummary, Period, ReasonCount, SentimentCounts, TimePoint,
    Timeseries, UnmetDemand,
};
use crate::db::Statement;
use crate::db::{to_ms, DbConnection};
use crate::error::AppResult;
use crate::types::{round1, Money};
use crate::vocab::{Outcome, Sentiment, VerificationFact};
use chrono::{DateTime, SecondsFormat, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Double, Nullable, Text};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};

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
struct BucketRow {
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
    diesel::sql_query(sql).rows::<T>(conn)
}

fn count(conn: &mut DbConnection, sql: &str) -> QueryResult<i64> {
    Ok(load::<Count>(conn, sql)?.first().map(|c| c.n).unwrap_or(0))
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

/// A period's bounds (epoch ms, `[f, t)`) and the filters that select its rows.
struct Window {
    f: i64,
    t: i64,
    /// Calls by their time (start, else first seen).
    in_calls: String,
    /// Rows of the other tables by when they were made.
    created: String,
}

impl Window {
    fn new(from: DateTime<Utc>, to: DateTime<Utc>) -> Window {
        let (f, t) = (to_ms(from), to_ms(to));
        Window {
            f,
            t,
            in_calls: format!("occurred_at >= {f} AND occurred_at < {t}"),
            created: format!("created_at >= {f} AND created_at < {t}"),
        }
    }
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The verification KPIs: how many, how many carriers, how many refused and why.
struct VerificationFigures {
    verifications: i64,
    carriers_verified: i64,
    ineligible: i64,
    decided: i64,
    top_reasons: Vec<ReasonCount>,
}

fn verification_figures(conn: &mut DbConnection, w: &Window) -> QueryResult<VerificationFigures> {
    let created = &w.created;
    let by_status: HashMap<String, i64> = load::<KeyCount>(
        conn,
        &format!("SELECT status AS k, COUNT(*) AS n FROM verifications WHERE {created} GROUP BY status"),
    )?
    .into_iter()
    .filter_map(|r| r.k.map(|k| (k, r.n)))
    .collect();
    let of = |status: &str| by_status.get(status).copied().unwrap_or(0);
    let ineligible = of(VerificationFact::Ineligible.as_str()) + of(VerificationFact::NotFound.as_str());
    let carriers_verified = count(
        conn,
        &format!(
            "SELECT COUNT(DISTINCT mc_number) AS n FROM verifications WHERE {created} AND status <> 'unavailable'"
        ),
    )?;
    Ok(VerificationFigures {
        verifications: by_status.values().sum(),
        carriers_verified,
        ineligible,
        decided: ineligible + of(VerificationFact::Eligible.as_str()),
        top_reasons: top_ineligible_reasons(conn, w)?,
    })
}

/// The eight reasons most often behind a refusal, most frequent first.
fn top_ineligible_reasons(conn: &mut DbConnection, w: &Window) -> QueryResult<Vec<ReasonCount>> {
    // Reason lists are JSON arrays in text: group identical lists in SQL, split in Rust.
    let reason_lists = load::<KeyCount>(
        conn,
        &format!(
            "SELECT reasons_json AS k, COUNT(*) AS n FROM verifications WHERE {} \
             AND status IN ('ineligible', 'not_found') GROUP BY reasons_json",
            w.created
        ),
    )?;
    let mut reasons: HashMap<String, i64> = HashMap::new();
    for r in reason_lists {
        let list: Vec<String> = r.k.as_deref().and_then(|k| serde_json::from_str(k).ok()).unwrap_or_default();
        for reason in list {
            *reasons.entry(reason).or_default() += r.n;
        }
    }
    let mut top: Vec<(String, i64)> = reasons.into_iter().collect();
    top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    Ok(top.into_iter().take(8).map(|(reason, count)| ReasonCount { reason, count }).collect())
}

/// What carriers asked for and nobody had: the ten most asked (origin, destination,
/// equipment) of searches without a match, places and equipment as the service names them.
fn unmet_demand(conn: &mut DbConnection, w: &Window) -> QueryResult<Vec<UnmetDemand>> {
    let unmet_rows = load::<KeyCount>(
        conn,
        &format!(
            "SELECT criteria_json AS k, COUNT(*) AS n FROM searches WHERE {} AND result_count = 0 \
             GROUP BY criteria_json ORDER BY n DESC LIMIT 200",
            w.created
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
            .map(|e| crate::vocab::equipment::canonical_equipment(&e).map(str::to_string).unwrap_or(e));
        *unmet.entry((place("origin"), place("destination"), equipment)).or_default() += r.n;
    }
    let mut unmet: Vec<_> = unmet.into_iter().collect();
    unmet.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| format!("{:?}", a.0).cmp(&format!("{:?}", b.0))));
    Ok(unmet
        .into_iter()
        .take(10)
        .map(|((origin, destination, equipment_type), count)| UnmetDemand {
            origin,
            destination,
            equipment_type,
            count,
        })
        .collect())
}

/// Money on active bookings: what we agreed versus what we posted.
fn booking_money(conn: &mut DbConnection, w: &Window) -> QueryResult<Option<Averages>> {
    Ok(load::<Averages>(
        conn,
        &format!(
            "SELECT COUNT(*) AS n, \
               CAST(AVG(rate_cents) AS DOUBLE PRECISION) AS avg_rate, \
               CAST(AVG(posted_cents) AS DOUBLE PRECISION) AS avg_posted, \
               CAST(AVG(rate_cents - posted_cents) AS DOUBLE PRECISION) AS avg_premium, \
               CAST(AVG(CAST(rate_cents - posted_cents AS DOUBLE PRECISION) / posted_cents) AS DOUBLE PRECISION) AS avg_premium_pct, \
               CAST(SUM(rate_cents) AS BIGINT) AS revenue \
             FROM bookings WHERE {} AND status = 'active'",
            w.created
        ),
    )?
    .into_iter()
    .next())
}

fn average(conn: &mut DbConnection, sql: &str) -> QueryResult<Option<f64>> {
    Ok(load::<Avg>(conn, sql)?.first().and_then(|a| a.v))
}

/// Calls by outcome, by sentiment, and sentiment by outcome: every label present (zero
/// when unused) plus `unclassified` for calls not finalized yet.
struct Labels {
    outcomes: BTreeMap<String, i64>,
    sentiments: BTreeMap<String, i64>,
    by_outcome: BTreeMap<String, SentimentCounts>,
}

fn labels(conn: &mut DbConnection, w: &Window) -> QueryResult<Labels> {
    let pairs = load::<PairCount>(
        conn,
        &format!(
            "SELECT outcome AS a, sentiment AS b, COUNT(*) AS n FROM calls WHERE {} GROUP BY outcome, sentiment",
            w.in_calls
        ),
    )?;
    let unclassified = || ("unclassified".to_string(), 0);
    let mut outcomes: BTreeMap<String, i64> =
        Outcome::ALL.iter().map(|o| (o.as_str().to_string(), 0)).chain([unclassified()]).collect();
    let mut sentiments: BTreeMap<String, i64> =
        Sentiment::ALL.iter().map(|s| (s.as_str().to_string(), 0)).chain([unclassified()]).collect();
    let mut by_outcome: BTreeMap<String, SentimentCounts> =
        Outcome::ALL.iter().map(|o| (o.as_str().to_string(), SentimentCounts::default())).collect();
    for p in &pairs {
        let o = p.a.clone().unwrap_or_else(|| "unclassified".into());
        let s = p.b.clone().unwrap_or_else(|| "unclassified".into());
        *outcomes.entry(o.clone()).or_default() += p.n;
        *sentiments.entry(s.clone()).or_default() += p.n;
        if let Some(counts) = by_outcome.get_mut(&o) {
            match s.as_str() {
                "positive" => counts.positive += p.n,
                "neutral" => counts.neutral += p.n,
                "negative" => counts.negative += p.n,
                _ => {}
            }
        }
    }
    Ok(Labels { outcomes, sentiments, by_outcome })
}

/// Lanes by bookings, then negotiations: negotiated lanes, booked lanes and their revenue.
fn top_lanes(conn: &mut DbConnection, w: &Window) -> QueryResult<Vec<LaneFigures>> {
    let (f, t) = (w.f, w.t);
    let booked = format!("bk.created_at >= {f} AND bk.created_at < {t} AND bk.status = 'active'");
    let negotiated_lanes = load::<PairCount>(
        conn,
        &format!(
            "SELECT l.origin AS a, l.destination AS b, COUNT(*) AS n FROM negotiations ng JOIN loads l ON l.load_id = ng.load_id \
             WHERE ng.created_at >= {f} AND ng.created_at < {t} GROUP BY l.origin, l.destination"
        ),
    )?;
    let booked_lanes = load::<PairCount>(
        conn,
        &format!(
            "SELECT l.origin AS a, l.destination AS b, COUNT(*) AS n FROM bookings bk JOIN loads l ON l.load_id = bk.load_id \
             WHERE {booked} GROUP BY l.origin, l.destination"
        ),
    )?;
    let lane_revenue = load::<PairCount>(
        conn,
        &format!(
            "SELECT l.origin AS a, l.destination AS b, CAST(SUM(bk.rate_cents) AS BIGINT) AS n FROM bookings bk \
             JOIN loads l ON l.load_id = bk.load_id WHERE {booked} GROUP BY l.origin, l.destination"
        ),
    )?;
    // [negotiations, bookings, revenue in cents] by (origin, destination).
    let mut lanes: HashMap<(String, String), [i64; 3]> = HashMap::new();
    for (rows, slot) in [(negotiated_lanes, 0), (booked_lanes, 1), (lane_revenue, 2)] {
        for r in rows {
            if let (Some(a), Some(b)) = (r.a, r.b) {
                lanes.entry((a, b)).or_default()[slot] += r.n;
            }
        }
    }
    let mut lanes: Vec<_> = lanes.into_iter().collect();
    lanes.sort_by(|a, b| (b.1[1], b.1[0]).cmp(&(a.1[1], a.1[0])).then(a.0.cmp(&b.0)));
    Ok(lanes
        .into_iter()
        .take(10)
        .map(|((origin, destination), [negotiations, bookings, revenue])| LaneFigures {
            origin,
            destination,
            negotiations,
            bookings,
            revenue: Money(revenue),
        })
        .collect())
}

/// Equipment types by bookings, then negotiations.
fn top_equipment(conn: &mut DbConnection, w: &Window) -> QueryResult<Vec<EquipmentFigures>> {
    let (f, t) = (w.f, w.t);
    let equipment_negotiated = load::<KeyCount>(
        conn,
        &format!(
            "SELECT l.equipment_type AS k, COUNT(*) AS n FROM negotiations ng JOIN loads l ON l.load_id = ng.load_id \
             WHERE ng.created_at >= {f} AND ng.created_at < {t} GROUP BY l.equipment_type"
        ),
    )?;
    let equipment_booked = load::<KeyCount>(
        conn,
        &format!(
            "SELECT l.equipment_type AS k, COUNT(*) AS n FROM bookings bk JOIN loads l ON l.load_id = bk.load_id \
             WHERE bk.created_at >= {f} AND bk.created_at < {t} AND bk.status = 'active' GROUP BY l.equipment_type"
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
    Ok(equipment
        .into_iter()
        .take(10)
        .map(|(equipment_type, (negotiations, bookings))| EquipmentFigures { equipment_type, negotiations, bookings })
        .collect())
}

/// The KPIs of `[from, to)` (SPEC §9).
pub fn summary(conn: &mut DbConnection, from: DateTime<Utc>, to: DateTime<Utc>) -> AppResult<MetricsSummary> {
    let w = Window::new(from, to);
    // `calls` too comes from the funnel's one statement, so no stage can exceed it.
    let [calls, verified, pitched, negotiated, booked] = funnel(conn, w.f, w.t)?;
    let v = verification_figures(conn, &w)?;
    let searches = count(conn, &format!("SELECT COUNT(*) AS n FROM searches WHERE {}", w.created))?;
    let searches_no_match =
        count(conn, &format!("SELECT COUNT(*) AS n FROM searches WHERE {} AND result_count = 0", w.created))?;
    let money = booking_money(conn, &w)?;
    let m = money.as_ref();
    let bookings_cancelled = count(
        conn,
        &format!("SELECT COUNT(*) AS n FROM bookings WHERE cancelled_at >= {} AND cancelled_at < {}", w.f, w.t),
    )?;
    let avg_rounds = average(
        conn,
        &format!(
            "SELECT CAST(AVG(rounds) AS DOUBLE PRECISION) AS v FROM negotiations WHERE {} AND status = 'agreed'",
            w.created
        ),
    )?;
    let avg_duration = average(
        conn,
        &format!("SELECT CAST(AVG(duration_seconds) AS DOUBLE PRECISION) AS v FROM calls WHERE {} AND duration_seconds IS NOT NULL", w.in_calls),
    )?;
    let labels = labels(conn, &w)?;
    Ok(MetricsSummary {
        period: Period { from: rfc3339(from), to: rfc3339(to) },
        calls,
        verifications: v.verifications,
        carriers_verified: v.carriers_verified,
        ineligible: v.ineligible,
        ineligible_share: ratio(v.ineligible, v.decided),
        verifications_decided: v.decided,
        top_ineligible_reasons: v.top_reasons,
        searches,
        searches_no_match,
        unmet_demand: unmet_demand(conn, &w)?,
        funnel: Funnel { calls, verified, pitched, negotiated, booked },
        booking_rate: ratio(booked, calls),
        avg_rounds_to_agreement: avg_rounds.map(|r| (r * 100.0).round() / 100.0),
        avg_agreed_rate: m.and_then(|m| m.avg_rate).map(dollars),
        avg_posted_rate: m.and_then(|m| m.avg_posted).map(dollars),
        avg_premium_usd: m.and_then(|m| m.avg_premium).map(dollars),
        avg_premium_pct: m.and_then(|m| m.avg_premium_pct).map(|p| round1(p * 100.0)),
        booked_revenue: Money(m.and_then(|m| m.revenue).unwrap_or(0)),
        bookings: m.map(|m| m.n).unwrap_or(0),
        bookings_cancelled,
        outcomes: labels.outcomes,
        sentiments: labels.sentiments,
        sentiment_by_outcome: labels.by_outcome,
        top_lanes: top_lanes(conn, &w)?,
        top_equipment: top_equipment(conn, &w)?,
        avg_call_duration_seconds: avg_duration.map(round1),
    })
}

/// Calls, bookings (with revenue and premium) and negotiations per UTC day or hour of
/// `[from, to)`; every bucket is present, empty ones with zeros.
pub fn timeseries(
    conn: &mut DbConnection,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    hourly: bool,
) -> AppResult<Timeseries> {
    let size: i64 = if hourly { 3_600_000 } else { 86_400_000 };
    // Buckets are aligned to UTC hours or days.
    let (f, t) = (to_ms(from).div_euclid(size) * size, to_ms(to));
    let series = |conn: &mut DbConnection, table: &str, at: &str, filter: &str, total: &str, pct: &str| {
        load::<BucketRow>(
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
    let index = |rows: Vec<BucketRow>| rows.into_iter().map(|r| (r.b, r)).collect::<HashMap<i64, BucketRow>>();
    let (calls, booked, negotiated) = (index(calls), index(booked), index(negotiated));
    let n_buckets = ((t - f) + size - 1) / size;
    let points = (0..n_buckets)
        .map(|i| {
            let b = booked.get(&i);
            TimePoint {
                t: rfc3339(crate::db::from_ms(f + i * size)),
                calls: calls.get(&i).map(|r| r.n).unwrap_or(0),
                booked: b.map(|r| r.n).unwrap_or(0),
                revenue: Money(b.and_then(|r| r.total).unwrap_or(0)),
                negotiated: negotiated.get(&i).map(|r| r.n).unwrap_or(0),
                avg_premium_pct: b.and_then(|r| r.pct).map(|p| round1(p * 100.0)),
            }
        })
        .collect();
    Ok(Timeseries { bucket: if hourly { Bucket::Hour } else { Bucket::Day }, points })
}
