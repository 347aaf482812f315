//! What an anonymous client can do to the process itself: grow `/metrics`, hold
//! connections open with a body that never arrives.

use crate::helpers::*;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The method labels `/metrics` carries for `http_requests_total`.
fn method_labels(metrics: &str) -> std::collections::BTreeSet<String> {
    metrics
        .lines()
        .filter(|l| {
            l.starts_with("carrier_sales_http_requests_total{")
                || l.starts_with("carrier_sales_http_request_duration_seconds")
        })
        .filter_map(|l| l.split("method=\"").nth(1))
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_string)
        .collect()
}

#[actix_web::test]
async fn invented_methods_never_become_metric_labels() {
    let app = spawn_app().await;
    for i in 0..20 {
        let invented = format!("X{}{}", i, "ABCDEFGHIJKLMNOPQRSTUVWXYZ".repeat(8));
        let method = reqwest::Method::from_bytes(invented.as_bytes()).unwrap();
        let res = app.client.request(method, app.url(&format!("/api/v1/loads/{invented}"))).send().await.unwrap();
        assert!(res.status().is_client_error(), "{}", res.status());
    }
    let metrics = app.client.get(app.url("/metrics")).send().await.unwrap().text().await.unwrap();
    assert!(!metrics.contains("ABCDEFGHIJKLMNOPQRSTUVWXYZ"), "an invented method or path reached /metrics");
    let allowed = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "other"];
    let labels = method_labels(&metrics);
    assert!(labels.contains("other"), "{labels:?}");
    assert!(labels.iter().all(|l| allowed.contains(&l.as_str())), "{labels:?}");
}
