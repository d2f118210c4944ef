//! AWS JSON 1.0, the wire protocol of the Step Functions API.
//!
//! Every request is `POST /` with `X-Amz-Target: <prefix>.<Operation>` and a JSON object
//! as the body (boto3 sends `Content-Type: application/x-amz-json-1.0`; the type is not
//! checked and an empty body reads as `{}`). Every reply carries
//! `Content-Type: application/x-amz-json-1.0` and an `x-amzn-RequestId`.
//!
//! Errors are `{"__type": "<Shape>", "message": "..."}` with HTTP 400 (500 for a fault of
//! the server) and the header `x-amzn-ErrorType: <Shape>`. botocore reads the code from
//! `__type` (dropping any `namespace#` prefix), so the plain shape name is sent.
//!
//! What the AWS front end does before an operation runs, and weft with it:
//!
//! * a missing or unknown `X-Amz-Target` is `UnknownOperationException` (400, no
//!   message), as AWS's JSON services answer;
//! * a body that is not JSON, or JSON that is not an object, is `SerializationException`
//!   with no message;
//! * a member of the wrong JSON type is `SerializationException` with the deserializer's
//!   wording (`NUMBER_VALUE can not be converted to a String`, `Start of list found
//!   where not expected`, …) — the type is checked before any constraint;
//! * `null` members read as absent, unknown members are ignored.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};
use weft_engine::durable::EngineError;

/// The media type of every request and reply.
pub const CONTENT_TYPE: &str = "application/x-amz-json-1.0";

/// An error reply: a Step Functions error shape and its message.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    /// The `__type`: an error shape of the service model, or a protocol error such as
    /// `SerializationException`.
    pub type_name: String,
    /// `None` where AWS sends no message.
    pub message: Option<String>,
    /// HTTP 500 rather than 400.
    pub server_fault: bool,
    /// Members the shape adds to `message` (`resourceName` of `ResourceNotFound`, …).
    pub members: Vec<(String, Value)>,
}

impl ApiError {
    pub fn new(type_name: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            type_name: type_name.to_string(),
            message: Some(message.into()),
            server_fault: false,
            members: Vec::new(),
        }
    }

    fn bare(type_name: &str) -> ApiError {
        ApiError {
            type_name: type_name.to_string(),
            message: None,
            server_fault: false,
            members: Vec::new(),
        }
    }

    /// An `X-Amz-Target` that names no operation.
    pub fn unknown_operation() -> ApiError {
        ApiError::bare("UnknownOperationException")
    }

    /// A body that cannot be read as the operation's input.
    pub fn serialization(message: Option<&str>) -> ApiError {
        let mut error = ApiError::bare("SerializationException");
        error.message = message.map(str::to_string);
        error
    }

    pub fn validation(message: impl Into<String>) -> ApiError {
        ApiError::new("ValidationException", message)
    }

    /// Adds a member of the error shape.
    pub fn with_member(mut self, name: &str, value: impl Into<Value>) -> ApiError {
        self.members.push((name.to_string(), value.into()));
        self
    }

    pub fn status(&self) -> StatusCode {
        if self.server_fault {
            StatusCode::INTERNAL_SERVER_ERROR
        } else {
            StatusCode::BAD_REQUEST
        }
    }

    /// The JSON body of the reply.
    pub fn body(&self) -> Value {
        let mut body = Map::new();
        body.insert("__type".into(), Value::from(self.type_name.clone()));
        if let Some(message) = &self.message {
            body.insert("message".into(), Value::from(message.clone()));
        }
        for (name, value) in &self.members {
            body.insert(name.clone(), value.clone());
        }
        Value::Object(body)
    }
}

impl From<EngineError> for ApiError {
    fn from(error: EngineError) -> ApiError {
        let mut reply = ApiError::new(error.type_name(), error.to_string());
        reply.server_fault = error.is_server_fault();
        match &error {
            EngineError::ResourceNotFound(arn) | EngineError::TooManyTags(arn) => {
                reply.with_member("resourceName", arn.clone())
            }
            _ => reply,
        }
    }
}

/// Reads the operation name out of `X-Amz-Target: <prefix>.<Operation>`.
pub fn target<'h>(headers: &'h HeaderMap, prefix: &str) -> Result<&'h str, ApiError> {
    let value = headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(ApiError::unknown_operation)?;
    value
        .strip_prefix(prefix)
        .and_then(|rest| rest.strip_prefix('.'))
        .filter(|operation| !operation.is_empty())
        .ok_or_else(ApiError::unknown_operation)
}

/// Reads a request body: a JSON object, or nothing at all (which means `{}`).
pub fn read_body(body: &[u8]) -> Result<Map<String, Value>, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(members)) => Ok(members),
        Ok(Value::Array(_)) => Err(ApiError::serialization(Some(
            "Start of list found where not expected",
        ))),
        Ok(_) | Err(_) => Err(ApiError::serialization(None)),
    }
}

/// A reply with a JSON body.
pub fn reply(status: StatusCode, request_id: &str, body: &Value) -> Response {
    let mut response = (status, body.to_string()).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
    if let Ok(id) = HeaderValue::from_str(request_id) {
        headers.insert("x-amzn-requestid", id);
    }
    response
}

/// The reply for an error.
pub fn error_reply(error: &ApiError, request_id: &str) -> Response {
    let mut response = reply(error.status(), request_id, &error.body());
    if let Ok(kind) = HeaderValue::from_str(&error.type_name) {
        response.headers_mut().insert("x-amzn-errortype", kind);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_and_blank_bodies_are_empty_objects() {
        assert_eq!(read_body(b"").unwrap(), Map::new());
        assert_eq!(read_body(b" \n").unwrap(), Map::new());
    }

    #[test]
    fn engine_errors_keep_their_shape() {
        let error = ApiError::from(EngineError::ResourceNotFound("arn:x".into()));
        assert_eq!(error.type_name, "ResourceNotFound");
        assert_eq!(
            error.message.as_deref(),
            Some("Resource not found: 'arn:x'")
        );
        assert_eq!(error.body()["resourceName"], "arn:x");
        assert_eq!(error.status(), StatusCode::BAD_REQUEST);
    }
}
