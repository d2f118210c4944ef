//! The local API of the Arazzo runner benchmark (bench/arazzo): the five operations of
//! bench/arazzo/orders.openapi.yaml, answered from the request alone, on one thread.
//!
//! ```text
//! cargo run --release -p weft-bench --example arazzo_mock -- [PORT]   # 0: any free port
//! ```
//!
//! It prints `listening on http://127.0.0.1:PORT` once ready. `GET /__stats` returns
//! `{"requests": n, "errors": e, "handler_ns": t}`: how many API requests it answered, how
//! many of them it refused (any status but 200: a runner that sent a wrong value), and the
//! time it spent on them (from the request's head to its response, body read included),
//! which the benchmark subtracts from the runners' wall time. `POST /__reset` zeroes them.

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::net::TcpListener;

#[path = "arazzo_common/api.rs"]
mod api;

#[derive(Default)]
struct Stats {
    requests: AtomicU64,
    errors: AtomicU64,
    handler_ns: AtomicU64,
    next_id: AtomicU64,
}

fn reply(status: StatusCode, body: &Value) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body.to_string())));
    *response.status_mut() = status;
    response.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/json"),
    );
    response
}

async fn handle(
    stats: Arc<Stats>,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let started = Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let query = request.uri().query().unwrap_or_default().to_owned();
    match (&method, path.as_str()) {
        (&Method::GET, "/__stats") => {
            return Ok(reply(
                StatusCode::OK,
                &json!({
                    "requests": stats.requests.load(Ordering::Relaxed),
                    "errors": stats.errors.load(Ordering::Relaxed),
                    "handler_ns": stats.handler_ns.load(Ordering::Relaxed),
                }),
            ));
        }
        (&Method::POST, "/__reset") => {
            stats.requests.store(0, Ordering::Relaxed);
            stats.errors.store(0, Ordering::Relaxed);
            stats.handler_ns.store(0, Ordering::Relaxed);
            return Ok(reply(StatusCode::OK, &json!({})));
        }
        _ => {}
    }
    let bytes = match request.into_body().collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => Bytes::new(),
    };
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).unwrap_or(Value::Null)
    };
    let (status, answer) = api::answer(&stats.next_id, method.as_str(), &path, &query, &body);
    let response = reply(
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        &answer,
    );
    let elapsed = u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX);
    stats.requests.fetch_add(1, Ordering::Relaxed);
    stats.handler_ns.fetch_add(elapsed, Ordering::Relaxed);
    if response.status() != StatusCode::OK {
        stats.errors.fetch_add(1, Ordering::Relaxed);
    }
    Ok(response)
}

fn main() -> std::io::Result<()> {
    let port: u16 = match std::env::args().nth(1) {
        Some(text) => text.parse().map_err(|e| {
            std::io::Error::new(std::io::ErrorKind::InvalidInput, format!("port: {e}"))
        })?,
        None => 0,
    };
    // One thread: the runners under test get the other core.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = TcpListener::bind(("127.0.0.1", port)).await?;
        println!("listening on http://{}", listener.local_addr()?);
        let stats = Arc::new(Stats::default());
        loop {
            let (stream, _) = listener.accept().await?;
            let _ = stream.set_nodelay(true);
            let stats = stats.clone();
            tokio::spawn(async move {
                let service = service_fn(move |request| handle(stats.clone(), request));
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    })
}
