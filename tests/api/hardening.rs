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

/// Everything the server sends until it closes the connection or `within` runs out;
/// `true` when it closed.
async fn read_until_closed(conn: &mut tokio::net::TcpStream, within: Duration) -> (String, bool) {
    let deadline = tokio::time::Instant::now() + within;
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match tokio::time::timeout_at(deadline, conn.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return (String::from_utf8_lossy(&got).into_owned(), true),
            Ok(Ok(n)) => got.extend_from_slice(&buf[..n]),
            Err(_) => return (String::from_utf8_lossy(&got).into_owned(), false),
        }
    }
}

#[actix_web::test]
async fn a_body_that_never_arrives_gets_408_and_the_connection_closes() {
    let app = spawn_with(|s| s.server.body_timeout_secs = 1).await;
    let port = app.address.rsplit(':').next().unwrap();
    let mut conn = tokio::net::TcpStream::connect(format!("127.0.0.1:{port}")).await.unwrap();
    let head = format!(
        "POST /api/v1/loads HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: {ADMIN_KEY}\r\n\
         Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{{"
    );
    conn.write_all(head.as_bytes()).await.unwrap();
    let started = Instant::now();
    let (answer, closed) = read_until_closed(&mut conn, Duration::from_secs(8)).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("\"request_timeout\""), "{answer}");
    assert!(closed, "the connection is still open after {:?}", started.elapsed());
    assert!(started.elapsed() < Duration::from_secs(6), "took {:?}", started.elapsed());
}

#[actix_web::test]
async fn the_connection_cap_counts_across_all_workers() {
    // Two workers, two connections in all: one each.
    let app = spawn_with(|s| {
        s.server.workers = 2;
        s.server.max_connections = 2;
    })
    .await;
    let port = app.address.rsplit(':').next().unwrap().to_string();
    let get = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    let mut held = Vec::new();
    for _ in 0..2 {
        let mut c = tokio::net::TcpStream::connect(format!("127.0.0.1:{port}")).await.unwrap();
        c.write_all(get).await.unwrap();
        let mut buf = [0u8; 1024];
        let n = tokio::time::timeout(Duration::from_secs(3), c.read(&mut buf)).await.expect("answered").unwrap();
        assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"));
        held.push(c);
    }
    let mut third = tokio::net::TcpStream::connect(format!("127.0.0.1:{port}")).await.unwrap();
    third.write_all(get).await.unwrap();
    let mut buf = [0u8; 1024];
    assert!(
        tokio::time::timeout(Duration::from_millis(1500), third.read(&mut buf)).await.is_err(),
        "a third connection was served while two were open"
    );
    drop(held.pop());
    let n = tokio::time::timeout(Duration::from_secs(3), third.read(&mut buf))
        .await
        .expect("served once a connection closed")
        .unwrap();
    assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"));
}
