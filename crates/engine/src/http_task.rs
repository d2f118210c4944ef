//! The HTTP Task (`"Resource": "arn:aws:states:::http:invoke"`): calls an HTTP API with the
//! task's evaluated arguments, as described in the AWS page "Call HTTPS APIs in Step
//! Functions workflows".
//!
//! Arguments (the evaluated `Parameters` or `Arguments`):
//!
//! * `ApiEndpoint` (required): an absolute `https` or `http` URL. AWS accepts only HTTPS;
//!   weft also takes plain HTTP so that workflows can call services on a local network.
//! * `Method` (required): `GET`, `POST`, `PUT`, `DELETE`, `PATCH`, `HEAD` or `OPTIONS`.
//! * `Authentication` / `InvocationConfig`: AWS reads an EventBridge connection from their
//!   `ConnectionArn` for credentials and private network access. weft has no EventBridge
//!   connections, so both are accepted and ignored; put credentials in `Headers` instead
//!   (which is why weft, unlike AWS, lets a task set `Authorization`).
//! * `Headers`: an object of header names to strings, numbers or booleans.
//! * `QueryParameters`: an object appended to the URL's query string.
//! * `RequestBody`: any JSON. Sent as JSON, except that a string is sent as it is.
//! * `Transform`: `RequestBodyEncoding` (`NONE`, the default, or `URL_ENCODED`: the body
//!   object is sent as `application/x-www-form-urlencoded`) and
//!   `RequestEncodingOptions.ArrayFormat`, the way arrays are written in URL-encoded data:
//!   for `{"array": ["a", "b"]}`, `INDICES` (the default) gives `array[0]=a&array[1]=b`,
//!   `BRACKETS` gives `array[]=a&array[]=b`, `REPEAT` gives `array=a&array=b` and `COMMAS`
//!   gives `array=a,b`. weft applies it to `QueryParameters` as well as to the body. Nested
//!   objects are written `key[inner]=value`.
//!
//! The result is `{"Headers": {name: [values…]}, "ResponseBody": …, "StatusCode": 200,
//! "StatusText": "OK"}`; `ResponseBody` is parsed when the response says it is JSON and is
//! the body text otherwise. A status outside 2xx fails the task with
//! `States.Http.StatusCode.<code>` and that same object, as JSON text, for cause. A request
//! that cannot connect, breaks off or takes longer than 60 seconds (AWS's cap for an HTTP
//! Task) fails with `States.Http.Socket`. Arguments that do not describe a request fail
//! with `States.Runtime`.
//!
//! Without a `Content-Type` header from the task, a body is labelled
//! `application/json; charset=UTF-8`, `application/x-www-form-urlencoded` (URL_ENCODED) or
//! `text/plain; charset=UTF-8` (a string body). A response body that could not be a task
//! result fails the task: longer than the 256 KiB payload quota with
//! `States.DataLimitExceeded`, not UTF-8 text with `States.Runtime`.

use std::error::Error as _;
use std::fmt::Write as _;
use std::time::Duration;

use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, Url};
use serde_json::{Map, Value};
use weft_asl::error::{StatesError, names};

/// The Task resource ARN of the HTTP Task.
pub const RESOURCE: &str = "arn:aws:states:::http:invoke";

/// The error of a request that could not connect, broke off or timed out.
pub const SOCKET_ERROR: &str = "States.Http.Socket";

/// The error of a response outside 2xx is this prefix followed by the status code.
pub const STATUS_CODE_ERROR_PREFIX: &str = "States.Http.StatusCode.";

/// AWS caps every HTTP Task request at 60 seconds.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// The state payload quota (256 KiB): a longer response could never become a task result.
const MAX_RESPONSE_BYTES: usize = 262_144;

const ARGUMENT_FIELDS: [&str; 8] = [
    "ApiEndpoint",
    "Method",
    "Authentication",
    "InvocationConfig",
    "Headers",
    "QueryParameters",
    "RequestBody",
    "Transform",
];

const METHODS: [&str; 7] = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"];

/// Header names an HTTP Task may not set: the list AWS gives for the HTTP Task, minus
/// `Authorization` (see the module documentation), plus `Content-Length`, which the body
/// itself determines.
const FORBIDDEN_HEADERS: [&str; 32] = [
    "a-im",
    "accept-charset",
    "accept-datetime",
    "accept-encoding",
    "cache-control",
    "connection",
    "content-encoding",
    "content-length",
    "content-md5",
    "date",
    "expect",
    "forwarded",
    "from",
    "host",
    "http2-settings",
    "if-match",
    "if-modified-since",
    "if-none-match",
    "if-range",
    "if-unmodified-since",
    "max-forwards",
    "origin",
    "pragma",
    "proxy-authorization",
    "referer",
    "server",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "via",
    "warning",
];

const FORBIDDEN_HEADER_PREFIXES: [&str; 3] = ["x-forwarded-", "x-amz-", "x-amzn-"];

/// Performs HTTP Tasks. Cheap to share: one client (and its connection pool) serves every
/// execution.
#[derive(Debug, Clone)]
pub struct HttpTask {
    client: reqwest::Client,
    timeout: Duration,
}

/// The HTTP client could not be set up (for instance, no TLS roots could be loaded).
#[derive(Debug, thiserror::Error)]
#[error("cannot set up the HTTP client: {0}")]
pub struct HttpClientError(#[from] reqwest::Error);

impl HttpTask {
    pub fn new() -> Result<HttpTask, HttpClientError> {
        Ok(HttpTask {
            client: reqwest::Client::builder().build()?,
            timeout: DEFAULT_TIMEOUT,
        })
    }

    /// Replaces the 60-second cap on each request.
    pub fn with_timeout(self, timeout: Duration) -> HttpTask {
        HttpTask { timeout, ..self }
    }

    /// Performs the request the arguments describe and returns the task result.
    pub async fn invoke(&self, arguments: &Value) -> Result<Value, StatesError> {
        let request = HttpRequest::from_arguments(arguments)?;
        let mut builder = self
            .client
            .request(request.method, request.url)
            .headers(request.headers)
            .timeout(self.timeout);
        if let Some(body) = request.body {
            builder = builder.body(body);
        }
        let mut response = builder
            .send()
            .await
            .map_err(|error| self.socket_error(&error))?;

        let status = response.status();
        let headers = headers_to_json(response.headers());
        let is_json = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .is_some_and(is_json_media_type);
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|error| self.socket_error(&error))?
        {
            if body.len() + chunk.len() > MAX_RESPONSE_BYTES {
                return Err(StatesError::new(
                    names::DATA_LIMIT_EXCEEDED,
                    format!(
                        "The HTTP response body is longer than the {MAX_RESPONSE_BYTES} bytes a task result may hold"
                    ),
                ));
            }
            body.extend_from_slice(&chunk);
        }
        let text = String::from_utf8(body).map_err(|_| {
            StatesError::runtime(
                "The HTTP response body is not UTF-8 text, which a task result cannot hold",
            )
        })?;
        let response_body = if is_json {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        } else {
            Value::String(text)
        };

        let mut result = Map::new();
        result.insert("Headers".to_owned(), Value::Object(headers));
        result.insert("ResponseBody".to_owned(), response_body);
        result.insert("StatusCode".to_owned(), Value::from(status.as_u16()));
        result.insert(
            "StatusText".to_owned(),
            Value::from(status.canonical_reason().unwrap_or_default()),
        );
        let result = Value::Object(result);
        if status.is_success() {
            Ok(result)
        } else {
            Err(StatesError::new(
                format!("{STATUS_CODE_ERROR_PREFIX}{}", status.as_u16()),
                result.to_string(),
            ))
        }
    }

    fn socket_error(&self, error: &reqwest::Error) -> StatesError {
        if error.is_timeout() {
            return StatesError::new(
                SOCKET_ERROR,
                format!(
                    "The HTTP request did not complete within {} seconds",
                    self.timeout.as_secs_f64()
                ),
            );
        }
        // reqwest's own message is generic ("error sending request"); the cause chain says why.
        let mut cause = error.to_string();
        let mut source = error.source();
        while let Some(inner) = source {
            cause.push_str(": ");
            cause.push_str(&inner.to_string());
            source = inner.source();
        }
        StatesError::new(SOCKET_ERROR, cause)
    }
}

/// A request fully checked and encoded, ready to send.
struct HttpRequest {
    method: Method,
    url: Url,
    headers: HeaderMap,
    body: Option<Vec<u8>>,
}

impl HttpRequest {
    fn from_arguments(arguments: &Value) -> Result<HttpRequest, StatesError> {
        let Value::Object(fields) = arguments else {
            return Err(StatesError::runtime(
                "The arguments of an HTTP Task must be an object",
            ));
        };
        if let Some(unknown) = fields
            .keys()
            .find(|name| !ARGUMENT_FIELDS.contains(&name.as_str()))
        {
            return Err(StatesError::runtime(format!(
                "The HTTP Task does not support the argument '{unknown}'; it takes {}",
                ARGUMENT_FIELDS.join(", ")
            )));
        }
        for connection_field in ["Authentication", "InvocationConfig"] {
            if fields
                .get(connection_field)
                .is_some_and(|value| !value.is_object())
            {
                return Err(StatesError::runtime(format!(
                    "The {connection_field} argument of an HTTP Task must be an object"
                )));
            }
        }

        let mut url = api_endpoint(fields.get("ApiEndpoint"))?;
        let method = method(fields.get("Method"))?;
        let transform = Transform::from_argument(fields.get("Transform"))?;
        let mut headers = headers(fields.get("Headers"))?;

        if let Some(query) = fields.get("QueryParameters") {
            let Value::Object(query) = query else {
                return Err(StatesError::runtime(
                    "The QueryParameters argument of an HTTP Task must be an object",
                ));
            };
            let encoded = url_encode(query, transform.array_format);
            if !encoded.is_empty() {
                let combined = match url.query() {
                    Some(existing) if !existing.is_empty() => format!("{existing}&{encoded}"),
                    _ => encoded,
                };
                url.set_query(Some(&combined));
            }
        }

        let body = match fields.get("RequestBody") {
            None => None,
            Some(body) => {
                let (bytes, content_type) = encode_body(body, &transform)?;
                if !headers.contains_key(CONTENT_TYPE) {
                    headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
                }
                Some(bytes)
            }
        };

        Ok(HttpRequest {
            method,
            url,
            headers,
            body,
        })
    }
}

fn api_endpoint(value: Option<&Value>) -> Result<Url, StatesError> {
    let Some(value) = value else {
        return Err(StatesError::runtime(
            "The HTTP Task argument ApiEndpoint is required",
        ));
    };
    let Value::String(text) = value else {
        return Err(StatesError::runtime(format!(
            "The HTTP Task argument ApiEndpoint must be a string, got {value}"
        )));
    };
    let not_a_url = || {
        StatesError::runtime(format!(
            "The HTTP Task argument ApiEndpoint must be an absolute https or http URL, got '{text}'"
        ))
    };
    let mut url = Url::parse(text).map_err(|_| not_a_url())?;
    if !matches!(url.scheme(), "https" | "http") || url.host_str().is_none_or(str::is_empty) {
        return Err(not_a_url());
    }
    // A fragment names a part of the response for a browser; it is never sent.
    url.set_fragment(None);
    Ok(url)
}

fn method(value: Option<&Value>) -> Result<Method, StatesError> {
    let expected = METHODS.join(", ");
    let Some(value) = value else {
        return Err(StatesError::runtime(format!(
            "The HTTP Task argument Method is required: one of {expected}"
        )));
    };
    let method = match value.as_str() {
        Some("GET") => Method::GET,
        Some("POST") => Method::POST,
        Some("PUT") => Method::PUT,
        Some("DELETE") => Method::DELETE,
        Some("PATCH") => Method::PATCH,
        Some("HEAD") => Method::HEAD,
        Some("OPTIONS") => Method::OPTIONS,
        _ => {
            return Err(StatesError::runtime(format!(
                "The HTTP Task argument Method must be one of {expected}, got {value}"
            )));
        }
    };
    Ok(method)
}

fn headers(value: Option<&Value>) -> Result<HeaderMap, StatesError> {
    let mut headers = HeaderMap::new();
    let Some(value) = value else {
        return Ok(headers);
    };
    let Value::Object(fields) = value else {
        return Err(StatesError::runtime(
            "The Headers argument of an HTTP Task must be an object",
        ));
    };
    for (name, value) in fields {
        let lower = name.to_ascii_lowercase();
        if FORBIDDEN_HEADERS.contains(&lower.as_str())
            || FORBIDDEN_HEADER_PREFIXES
                .iter()
                .any(|prefix| lower.starts_with(prefix))
        {
            return Err(StatesError::runtime(format!(
                "An HTTP Task may not set the header '{name}'"
            )));
        }
        let text = match value {
            Value::String(text) => text.clone(),
            Value::Number(number) => number.to_string(),
            Value::Bool(flag) => flag.to_string(),
            _ => {
                return Err(StatesError::runtime(format!(
                    "The value of header '{name}' must be a string, a number or a boolean, got {value}"
                )));
            }
        };
        let header_name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
            StatesError::runtime(format!("'{name}' is not a valid HTTP header name"))
        })?;
        let header_value = HeaderValue::from_str(&text).map_err(|_| {
            StatesError::runtime(format!(
                "The value of header '{name}' is not a valid HTTP header value"
            ))
        })?;
        headers.insert(header_name, header_value);
    }
    Ok(headers)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BodyEncoding {
    Json,
    UrlEncoded,
}

/// How URL-encoded data writes an array `key: [a, b]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ArrayFormat {
    /// `key[0]=a&key[1]=b`
    Indices,
    /// `key[]=a&key[]=b`
    Brackets,
    /// `key=a&key=b`
    Repeat,
    /// `key=a,b`
    Commas,
}

struct Transform {
    body_encoding: BodyEncoding,
    array_format: ArrayFormat,
}

impl Transform {
    fn from_argument(value: Option<&Value>) -> Result<Transform, StatesError> {
        let mut transform = Transform {
            body_encoding: BodyEncoding::Json,
            array_format: ArrayFormat::Indices,
        };
        let Some(value) = value else {
            return Ok(transform);
        };
        let Value::Object(fields) = value else {
            return Err(StatesError::runtime(
                "The Transform argument of an HTTP Task must be an object",
            ));
        };
        for (name, value) in fields {
            match name.as_str() {
                "RequestBodyEncoding" => {
                    transform.body_encoding = match value.as_str() {
                        Some("NONE") => BodyEncoding::Json,
                        Some("URL_ENCODED") => BodyEncoding::UrlEncoded,
                        _ => {
                            return Err(StatesError::runtime(format!(
                                "Transform.RequestBodyEncoding must be NONE or URL_ENCODED, got {value}"
                            )));
                        }
                    }
                }
                "RequestEncodingOptions" => {
                    let Value::Object(options) = value else {
                        return Err(StatesError::runtime(
                            "Transform.RequestEncodingOptions must be an object",
                        ));
                    };
                    for (option, value) in options {
                        if option != "ArrayFormat" {
                            return Err(StatesError::runtime(format!(
                                "Transform.RequestEncodingOptions does not support '{option}'; it takes ArrayFormat"
                            )));
                        }
                        transform.array_format = match value.as_str() {
                            Some("INDICES") => ArrayFormat::Indices,
                            Some("BRACKETS") => ArrayFormat::Brackets,
                            Some("REPEAT") => ArrayFormat::Repeat,
                            Some("COMMAS") => ArrayFormat::Commas,
                            _ => {
                                return Err(StatesError::runtime(format!(
                                    "Transform.RequestEncodingOptions.ArrayFormat must be one of INDICES, BRACKETS, REPEAT, COMMAS, got {value}"
                                )));
                            }
                        }
                    }
                }
                other => {
                    return Err(StatesError::runtime(format!(
                        "Transform does not support '{other}'; it takes RequestBodyEncoding and RequestEncodingOptions"
                    )));
                }
            }
        }
        Ok(transform)
    }
}

/// The body bytes and the Content-Type to send when the task sets none.
fn encode_body(
    body: &Value,
    transform: &Transform,
) -> Result<(Vec<u8>, &'static str), StatesError> {
    const FORM: &str = "application/x-www-form-urlencoded";
    match (body, transform.body_encoding) {
        (Value::String(text), BodyEncoding::Json) => {
            Ok((text.clone().into_bytes(), "text/plain; charset=UTF-8"))
        }
        (Value::String(text), BodyEncoding::UrlEncoded) => Ok((text.clone().into_bytes(), FORM)),
        (Value::Object(fields), BodyEncoding::UrlEncoded) => Ok((
            url_encode(fields, transform.array_format).into_bytes(),
            FORM,
        )),
        (_, BodyEncoding::UrlEncoded) => Err(StatesError::runtime(
            "With Transform.RequestBodyEncoding URL_ENCODED, the RequestBody of an HTTP Task must be an object or a string",
        )),
        (_, BodyEncoding::Json) => Ok((
            body.to_string().into_bytes(),
            "application/json; charset=UTF-8",
        )),
    }
}

/// Writes an object as URL-encoded `key=value` pairs joined by `&`.
fn url_encode(fields: &Map<String, Value>, format: ArrayFormat) -> String {
    let mut pairs = Vec::new();
    for (key, value) in fields {
        flatten(key.clone(), value, format, &mut pairs);
    }
    pairs
        .iter()
        .map(|(key, values)| {
            let values: Vec<String> = values.iter().map(|value| percent_encode(value)).collect();
            format!("{}={}", percent_encode(key), values.join(","))
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// Appends the pairs `value` stands for under `key`. A pair holds several values only for
/// an array written with COMMAS; they are joined by a literal comma after encoding.
fn flatten(
    key: String,
    value: &Value,
    format: ArrayFormat,
    pairs: &mut Vec<(String, Vec<String>)>,
) {
    match value {
        Value::Object(fields) => {
            for (inner, value) in fields {
                flatten(format!("{key}[{inner}]"), value, format, pairs);
            }
        }
        Value::Array(items) => match format {
            ArrayFormat::Indices => {
                for (index, item) in items.iter().enumerate() {
                    flatten(format!("{key}[{index}]"), item, format, pairs);
                }
            }
            ArrayFormat::Brackets => {
                for item in items {
                    flatten(format!("{key}[]"), item, format, pairs);
                }
            }
            ArrayFormat::Repeat => {
                for item in items {
                    flatten(key.clone(), item, format, pairs);
                }
            }
            ArrayFormat::Commas => {
                if !items.is_empty() {
                    // A container inside a comma list has no key of its own: it goes in as JSON.
                    let values = items
                        .iter()
                        .map(|item| scalar_text(item).unwrap_or_else(|| item.to_string()))
                        .collect();
                    pairs.push((key, values));
                }
            }
        },
        scalar => pairs.push((key, vec![scalar_text(scalar).unwrap_or_default()])),
    }
}

/// The text of a scalar in URL-encoded data; `None` for arrays and objects.
fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::Null => Some(String::new()),
        Value::Bool(flag) => Some(flag.to_string()),
        Value::Number(number) => Some(number.to_string()),
        Value::String(text) => Some(text.clone()),
        Value::Array(_) | Value::Object(_) => None,
    }
}

/// Percent-encodes everything but the RFC 3986 unreserved characters, so the result is
/// safe both in a query string and in a form body.
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            // Writing to a String cannot fail.
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

fn headers_to_json(headers: &HeaderMap) -> Map<String, Value> {
    let mut out = Map::new();
    for name in headers.keys() {
        let values = headers
            .get_all(name)
            .iter()
            .map(|value| Value::String(String::from_utf8_lossy(value.as_bytes()).into_owned()))
            .collect();
        out.insert(name.as_str().to_owned(), Value::Array(values));
    }
    out
}

/// `application/json`, or any `+json` type such as `application/problem+json`.
fn is_json_media_type(content_type: &str) -> bool {
    let media_type = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    media_type == "application/json" || media_type.ends_with("+json")
}
