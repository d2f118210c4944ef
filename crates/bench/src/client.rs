//! A minimal Step Functions client: one keep-alive HTTP/1.1 connection per client,
//! AWS JSON 1.0 requests, and the start-then-poll loop of one execution.

use std::fmt;
use std::str::FromStr;
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::client::conn::http1::{self, SendRequest};
use hyper::header::{CONTENT_TYPE, HOST, HeaderValue};
use hyper::{Request, StatusCode, Uri};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::net::TcpStream;

/// How long one execution may stay RUNNING before it counts as an error.
pub const EXECUTION_TIMEOUT: Duration = Duration::from_secs(60);

/// Re-polls made at once (yielding to the runtime only) before the client falls back
/// to sleeping between polls; the sleeps have the timer's 1 ms resolution.
const IMMEDIATE_POLLS: u32 = 3;
const POLL_SLEEP: Duration = Duration::from_millis(1);

const AMZ_JSON: HeaderValue = HeaderValue::from_static("application/x-amz-json-1.0");

/// The Step Functions operations the load generator uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    CreateStateMachine,
    StartExecution,
    DescribeExecution,
}

impl Operation {
    pub fn name(self) -> &'static str {
        match self {
            Operation::CreateStateMachine => "CreateStateMachine",
            Operation::StartExecution => "StartExecution",
            Operation::DescribeExecution => "DescribeExecution",
        }
    }

    fn target(self) -> HeaderValue {
        match self {
            Operation::CreateStateMachine => {
                HeaderValue::from_static("AWSStepFunctions.CreateStateMachine")
            }
            Operation::StartExecution => {
                HeaderValue::from_static("AWSStepFunctions.StartExecution")
            }
            Operation::DescribeExecution => {
                HeaderValue::from_static("AWSStepFunctions.DescribeExecution")
            }
        }
    }
}

/// Where the server listens: `http://host:port` (plain HTTP only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub host: String,
    pub port: u16,
}

impl Endpoint {
    pub fn local(port: u16) -> Endpoint {
        Endpoint {
            host: "127.0.0.1".into(),
            port,
        }
    }

    fn authority(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "http://{}", self.authority())
    }
}

impl FromStr for Endpoint {
    type Err = String;

    /// Accepts `http://host[:port][/]` or a bare `host:port`.
    fn from_str(s: &str) -> Result<Endpoint, String> {
        let with_scheme = if s.contains("://") {
            s.to_string()
        } else {
            format!("http://{s}")
        };
        let uri: Uri = with_scheme
            .parse()
            .map_err(|e| format!("not a URL: {s} ({e})"))?;
        match uri.scheme_str() {
            Some("http") => {}
            Some(other) => {
                return Err(format!(
                    "only plain http:// endpoints are supported, not {other}://"
                ));
            }
            None => return Err(format!("not a URL: {s}")),
        }
        if !matches!(uri.path(), "" | "/") || uri.query().is_some() {
            return Err(format!(
                "the endpoint must not have a path or query (the API is served at /): {s}"
            ));
        }
        let host = uri
            .host()
            .filter(|h| !h.is_empty())
            .ok_or_else(|| format!("the endpoint has no host: {s}"))?;
        let host = host.trim_start_matches('[').trim_end_matches(']');
        Ok(Endpoint {
            host: host.to_string(),
            port: uri.port_u16().unwrap_or(80),
        })
    }
}

/// Why one API call failed.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    #[error("cannot connect to {endpoint}: {source}")]
    Connect {
        endpoint: String,
        source: std::io::Error,
    },
    #[error("HTTP error during {operation}: {source}")]
    Http {
        operation: &'static str,
        source: hyper::Error,
    },
    #[error("cannot build the {operation} request: {source}")]
    Request {
        operation: &'static str,
        source: hyper::http::Error,
    },
    #[error("{operation} answered HTTP {status}: {error_type}: {message}")]
    Status {
        operation: &'static str,
        status: u16,
        error_type: String,
        message: String,
    },
    #[error("{operation} answered a body that is not JSON: {source}")]
    Body {
        operation: &'static str,
        source: serde_json::Error,
    },
}

impl CallError {
    /// The connection cannot be used any more: the caller should open a new one.
    pub fn breaks_connection(&self) -> bool {
        matches!(self, CallError::Connect { .. } | CallError::Http { .. })
    }
}

/// One keep-alive HTTP/1.1 connection to the server.
pub struct Connection {
    sender: SendRequest<Full<Bytes>>,
    authority: HeaderValue,
    driver: tokio::task::JoinHandle<()>,
}

impl Drop for Connection {
    fn drop(&mut self) {
        self.driver.abort();
    }
}

impl Connection {
    pub async fn open(endpoint: &Endpoint) -> Result<Connection, CallError> {
        let connect_error = |source| CallError::Connect {
            endpoint: endpoint.to_string(),
            source,
        };
        let stream = TcpStream::connect((endpoint.host.as_str(), endpoint.port))
            .await
            .map_err(connect_error)?;
        // Requests are small and latency-bound: do not let Nagle hold them back.
        stream.set_nodelay(true).map_err(connect_error)?;
        let (sender, connection) =
            http1::handshake(TokioIo::new(stream))
                .await
                .map_err(|source| CallError::Http {
                    operation: "handshake",
                    source,
                })?;
        let driver = tokio::spawn(async move {
            // The connection ends when the server closes it or the sender is dropped;
            // a broken connection shows up as an error on the next request.
            let _ = connection.await;
        });
        let authority =
            HeaderValue::from_str(&endpoint.authority()).map_err(|e| CallError::Connect {
                endpoint: endpoint.to_string(),
                source: std::io::Error::new(std::io::ErrorKind::InvalidInput, e),
            })?;
        Ok(Connection {
            sender,
            authority,
            driver,
        })
    }

    /// Sends one AWS JSON 1.0 request and returns the parsed body of a 200 reply.
    pub async fn call(&mut self, operation: Operation, body: Bytes) -> Result<Value, CallError> {
        let op = operation.name();
        let http = |source| CallError::Http {
            operation: op,
            source,
        };
        self.sender.ready().await.map_err(http)?;
        let request = Request::post("/")
            .header(HOST, self.authority.clone())
            .header(CONTENT_TYPE, AMZ_JSON)
            .header("x-amz-target", operation.target())
            .body(Full::new(body))
            .map_err(|source| CallError::Request {
                operation: op,
                source,
            })?;
        let response = self.sender.send_request(request).await.map_err(http)?;
        let status = response.status();
        let bytes = response
            .into_body()
            .collect()
            .await
            .map_err(http)?
            .to_bytes();
        if status != StatusCode::OK {
            let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
            let text = |key: &str| {
                body.get(key)
                    .and_then(Value::as_str)
                    .map(str::to_string)
                    .unwrap_or_default()
            };
            let message = match text("message") {
                m if m.is_empty() => text("Message"),
                m => m,
            };
            return Err(CallError::Status {
                operation: op,
                status: status.as_u16(),
                error_type: text("__type"),
                message,
            });
        }
        serde_json::from_slice(&bytes).map_err(|source| CallError::Body {
            operation: op,
            source,
        })
    }
}

/// Why one execution did not count as a success.
#[derive(Debug, thiserror::Error)]
pub enum ExecutionError {
    #[error(transparent)]
    Call(#[from] CallError),
    #[error("{operation} reply has no {field}")]
    MissingField {
        operation: &'static str,
        field: &'static str,
    },
    #[error("execution ended {status} (error {error:?}, cause {cause:?}): {arn}")]
    Ended {
        status: String,
        error: Option<String>,
        cause: Option<String>,
        arn: String,
    },
    #[error("execution still RUNNING after {} s: {arn}", EXECUTION_TIMEOUT.as_secs())]
    TimedOut { arn: String },
}

impl ExecutionError {
    pub fn breaks_connection(&self) -> bool {
        matches!(self, ExecutionError::Call(e) if e.breaks_connection())
    }
}

/// Timings of one successful execution.
#[derive(Debug, Clone, Copy)]
pub struct Completed {
    /// When StartExecution was sent.
    pub sent: Instant,
    /// How long the StartExecution call took.
    pub start_call: Duration,
    /// When SUCCEEDED was observed.
    pub done: Instant,
    /// DescribeExecution calls it took to see the execution end.
    pub describes: u32,
}

/// The request body of CreateStateMachine.
pub fn create_state_machine_body(name: &str, definition: &Value, role_arn: &str) -> Bytes {
    let body = json!({
        "name": name,
        "definition": definition.to_string(),
        "roleArn": role_arn,
        "type": "STANDARD",
    });
    Bytes::from(body.to_string())
}

/// The request body of StartExecution: no name, so the server generates one.
pub fn start_execution_body(state_machine_arn: &str, input: &Value) -> Bytes {
    let body = json!({
        "stateMachineArn": state_machine_arn,
        "input": input.to_string(),
    });
    Bytes::from(body.to_string())
}

/// Starts one execution and polls DescribeExecution until it leaves RUNNING.
pub async fn run_execution(
    connection: &mut Connection,
    start_body: Bytes,
) -> Result<Completed, ExecutionError> {
    let sent = Instant::now();
    let started = connection
        .call(Operation::StartExecution, start_body)
        .await?;
    let start_call = sent.elapsed();
    let arn = started.get("executionArn").and_then(Value::as_str).ok_or(
        ExecutionError::MissingField {
            operation: "StartExecution",
            field: "executionArn",
        },
    )?;
    let describe_body = Bytes::from(json!({ "executionArn": arn }).to_string());
    let mut describes = 0u32;
    loop {
        let described = connection
            .call(Operation::DescribeExecution, describe_body.clone())
            .await?;
        describes += 1;
        let status = described.get("status").and_then(Value::as_str).ok_or(
            ExecutionError::MissingField {
                operation: "DescribeExecution",
                field: "status",
            },
        )?;
        match status {
            "SUCCEEDED" => {
                return Ok(Completed {
                    sent,
                    start_call,
                    done: Instant::now(),
                    describes,
                });
            }
            "RUNNING" => {
                if sent.elapsed() > EXECUTION_TIMEOUT {
                    return Err(ExecutionError::TimedOut { arn: arn.into() });
                }
                if describes <= IMMEDIATE_POLLS {
                    tokio::task::yield_now().await;
                } else {
                    tokio::time::sleep(POLL_SLEEP).await;
                }
            }
            other => {
                let text = |key: &str| described.get(key).and_then(Value::as_str).map(String::from);
                return Err(ExecutionError::Ended {
                    status: other.into(),
                    error: text("error"),
                    cause: text("cause"),
                    arn: arn.into(),
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn endpoint(s: &str) -> Result<Endpoint, String> {
        s.parse()
    }

    #[test]
    fn endpoints_parse_with_or_without_scheme() {
        assert_eq!(endpoint("http://127.0.0.1:8083"), Ok(Endpoint::local(8083)));
        assert_eq!(endpoint("127.0.0.1:8083/"), Ok(Endpoint::local(8083)));
        assert_eq!(
            endpoint("http://localhost"),
            Ok(Endpoint {
                host: "localhost".into(),
                port: 80
            })
        );
        assert_eq!(
            endpoint("http://[::1]:9000").map(|e| e.to_string()),
            Ok("http://[::1]:9000".to_string())
        );
    }

    #[test]
    fn endpoints_other_than_plain_http_roots_are_refused() {
        assert!(endpoint("https://example.com").is_err());
        assert!(endpoint("http://127.0.0.1:8083/api").is_err());
        assert!(endpoint("http://").is_err());
    }

    #[test]
    fn start_execution_carries_no_name_and_the_input_as_text() {
        let body = start_execution_body("arn:sm", &json!({"a": 1}));
        let parsed: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        assert_eq!(
            parsed,
            json!({"stateMachineArn": "arn:sm", "input": "{\"a\":1}"})
        );
    }
}
