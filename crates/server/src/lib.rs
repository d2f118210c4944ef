//! The HTTP front of `weft serve`: AWS's JSON protocol, and the Step Functions API on
//! it, so that boto3, the AWS CLI and the AWS SDKs drive weft unchanged.
//!
//! Every request goes to one handler (AWS serves `POST /`; any path and any `Host` are
//! accepted, so `sync-<host>` prefixes and signed or unsigned requests all arrive).
//! The handler reads the operation from `X-Amz-Target`, the body as raw bytes whatever
//! its `Content-Type`, runs the operation against the [`Engine`] and writes the reply.
//! See [`protocol`] for the wire format and [`sfn`] for the operations.

pub mod protocol;
pub mod sfn;

use std::future::Future;
use std::io;

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::Response;
use tokio::net::TcpListener;
use weft_engine::durable::Engine;

use protocol::ApiError;

/// The largest request body read. AWS's own limits (a 1 MiB definition, 256 KiB of
/// input) are checked on the decoded members; this only bounds what is buffered, with
/// room for JSON escaping.
pub const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// The router of the API, answering every path.
pub fn router(engine: Engine) -> Router {
    Router::new()
        .fallback(handle)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(engine)
}

/// Serves the API on `listener` until `shutdown` completes, then finishes the requests
/// in flight.
pub async fn serve(
    listener: TcpListener,
    engine: Engine,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    axum::serve(listener, router(engine))
        .with_graceful_shutdown(shutdown)
        .await
}

async fn handle(
    State(engine): State<Engine>,
    method: Method,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let request_id = uuid::Uuid::new_v4().to_string();
    match answer(&engine, &method, &headers, body).await {
        Ok(value) => protocol::reply(StatusCode::OK, &request_id, &value),
        Err(error) => protocol::error_reply(&error, &request_id),
    }
}

async fn answer(
    engine: &Engine,
    method: &Method,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<serde_json::Value, ApiError> {
    if method != Method::POST {
        return Err(ApiError::unknown_operation());
    }
    let op = sfn::operation(protocol::target(headers, sfn::TARGET_PREFIX)?)?;
    let body = body.map_err(|rejection| {
        ApiError::validation(format!(
            "The request body could not be read: {}",
            rejection.body_text()
        ))
    })?;
    let members = protocol::read_body(&body)?;
    let trace_header = headers.get("x-amzn-trace-id").and_then(|v| v.to_str().ok());
    sfn::call(engine, op, &members, trace_header).await
}
