//! `LOADS_FEED_URL`: the TMS's list of loads, polled every `FEED_INTERVAL_SECS` with
//! `If-None-Match` and applied as a snapshot through the same code as
//! `POST /loads/sync`. A feed that fails (unreachable, an error status, a body that is
//! not a list of loads, an empty list) changes nothing on the board: it is logged,
//! counted (`carrier_sales_loads_feed_polls_total{outcome="failed"}`) and shown on the
//! dashboard's load board with its reason. Every instance polls; applying a snapshot
//! twice changes nothing the second time, and a withdrawal is announced once.

use super::index::LoadIndex;
use super::store::sync::{self as store, Polled};
use super::views::SyncMode;
use crate::state::AppState;
use actix_web::web;
use chrono::Utc;
use std::sync::Weak;
use std::time::Duration;

/// Starts polling when `LOADS_FEED_URL` is set; stops when the app state is dropped.
pub fn spawn_poller(state: Weak<AppState>, index: web::Data<LoadIndex>) {
    let Some(st) = state.upgrade() else { return };
    let Some(url) = st.settings.loads.feed_url.clone() else { return };
    let every = Duration::from_secs(st.settings.loads.feed_interval_secs);
    let timeout = Duration::from_secs(st.settings.loads.feed_interval_secs.min(60));
    drop(st);
    let client = match crate::http::tls::client_builder().timeout(timeout).build() {
        Ok(c) => c,
        Err(e) => {
            log::error!("loads feed: cannot build the HTTP client, {url} will not be polled: {e}");
            return;
        }
    };
    log::info!("loads feed: polling {url} every {} s", every.as_secs());
    actix_web::rt::spawn(async move {
        loop {
            let Some(st) = state.upgrade() else { return };
            poll_once(&st, &client, &url, &index).await;
            drop(st);
            tokio::time::sleep(every).await;
        }
    });
}

async fn poll_once(st: &AppState, client: &reqwest::Client, url: &str, index: &web::Data<LoadIndex>) {
    let key = url.to_string();
    let etag = st.db.read(move |c| store::feed_state(c, &key).map_err(crate::error::AppError::from)).await;
    let etag = etag.ok().flatten().and_then(|f| f.etag);
    let outcome = fetch_and_apply(st, client, url, etag.as_deref(), index).await;
    let t = crate::telemetry::telemetry();
    let now_ms = crate::db::to_ms(Utc::now());
    let key = url.to_string();
    let recorded = match outcome {
        Ok(Some((report, etag))) => {
            t.loads_feed_polls.with_label_values(&["applied"]).inc();
            log::info!(
                "loads feed: applied {url}: {} inserted, {} updated, {} withdrawn, {} unchanged, {} rejected",
                report.inserted,
                report.updated,
                report.withdrawn,
                report.unchanged,
                report.rejected.len()
            );
            st.db
                .write(move |c| Ok(store::record_poll(c, &key, Polled::Applied(&report, etag.as_deref()), now_ms)?))
                .await
        }
        Ok(None) => {
            t.loads_feed_polls.with_label_values(&["not_modified"]).inc();
            st.db.write(move |c| Ok(store::record_poll(c, &key, Polled::NotModified, now_ms)?)).await
        }
        Err(why) => {
            t.loads_feed_polls.with_label_values(&["failed"]).inc();
            log::warn!("loads feed: {url}: {why}; nothing on the board was changed");
            st.db.write(move |c| Ok(store::record_poll(c, &key, Polled::Failed(&why), now_ms)?)).await
        }
    };
    if let Err(e) = recorded {
        log::warn!("loads feed: could not record the poll of {url}: {e}");
    }
}

/// The applied report and the answer's ETag; `None` for 304; why it failed.
async fn fetch_and_apply(
    st: &AppState,
    client: &reqwest::Client,
    url: &str,
    etag: Option<&str>,
    index: &web::Data<LoadIndex>,
) -> Result<Option<(super::views::SyncReport, Option<String>)>, String> {
    let mut req = client.get(url).header("accept", "application/json, text/csv");
    if let Some(tag) = etag {
        req = req.header("if-none-match", tag);
    }
    let res = req.send().await.map_err(|e| format!("could not be fetched ({})", crate::http::tls::error_chain(&e)))?;
    let status = res.status();
    if status == reqwest::StatusCode::NOT_MODIFIED {
        return Ok(None);
    }
    if !status.is_success() {
        return Err(format!("answered HTTP {}", status.as_u16()));
    }
    let new_tag = res.headers().get("etag").and_then(|v| v.to_str().ok()).map(str::to_string);
    let body = res.bytes().await.map_err(|e| format!("its body could not be read ({e})"))?;
    let records = actix_web::rt::task::spawn_blocking(move || super::import::records_from_bytes(&body))
        .await
        .map_err(|e| format!("reading it failed ({e})"))?
        .map_err(|e| format!("is not a list of loads ({})", client_message(e)))?;
    let index = index.clone();
    let report = st
        .db
        .write(move |c| {
            let report = store::apply(c, SyncMode::Snapshot, &records, Utc::now());
            index.mark_stale();
            report
        })
        .await
        .map_err(|e| format!("was refused: {}", client_message(e)))?;
    Ok(Some((report, new_tag)))
}

fn client_message(e: crate::error::AppError) -> String {
    match e {
        crate::error::AppError::Client { message, .. } => message,
        other => other.to_string(),
    }
}
