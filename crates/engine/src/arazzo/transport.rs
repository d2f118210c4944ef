//! Carrying out the requests a workflow makes: the [`Transport`] trait the driver calls,
//! and [`HttpTransport`], which sends them with reqwest and signs the ones that ask for
//! AWS Signature Version 4.

use std::error::Error as _;
use std::future::Future;
use std::pin::Pin;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, Url};
use weft_arazzo::exchange::{HttpRequest, HttpResponse};

use super::credentials::{Credentials, CredentialsError};
use super::sigv4;

/// How long one request may take, connecting and reading the body included, unless
/// configured otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// A response body longer than this fails the request rather than filling memory.
pub const MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;

/// One request and what came of it.
#[derive(Debug, Clone, PartialEq)]
pub struct Exchange {
    /// The request as it went out: with the signature headers when it was signed.
    pub request: HttpRequest,
    /// The response, or why there is none (the message for `Input::RequestFailed`).
    pub outcome: Result<HttpResponse, String>,
    /// The response's protocol version (`HTTP/1.1`), when there is a response.
    pub http_version: Option<String>,
    pub started: DateTime<Utc>,
    pub timings: Timings,
}

/// Where the time of an exchange went (HAR's `wait` and `receive`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Timings {
    /// From sending the request to the response's headers (connecting included).
    pub wait: Duration,
    /// Reading the response body.
    pub receive: Duration,
}

impl Timings {
    pub fn total(&self) -> Duration {
        self.wait + self.receive
    }
}

pub type SendFuture<'a> = Pin<Box<dyn Future<Output = Exchange> + Send + 'a>>;

/// Performs one request. Implementations never fail: a request that cannot be carried
/// out is an [`Exchange`] whose outcome is the error.
pub trait Transport: Send + Sync {
    fn send(&self, request: HttpRequest) -> SendFuture<'_>;
}

type CredentialLookup = Box<dyn Fn() -> Result<Credentials, CredentialsError> + Send + Sync>;

/// Where [`HttpTransport`] takes AWS credentials from: looked up at the first signed
/// request, then kept.
struct CredentialSource {
    lookup: CredentialLookup,
    found: OnceLock<Result<Credentials, CredentialsError>>,
}

impl std::fmt::Debug for CredentialSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CredentialSource")
            .field("found", &self.found)
            .finish_non_exhaustive()
    }
}

/// Sends requests over HTTP(S) with one shared client.
#[derive(Debug)]
pub struct HttpTransport {
    client: reqwest::Client,
    timeout: Duration,
    credentials: CredentialSource,
    local_region: Option<String>,
}

#[derive(Debug, thiserror::Error)]
#[error("cannot set up the HTTP client: {0}")]
pub struct TransportSetupError(#[from] reqwest::Error);

impl HttpTransport {
    pub fn new() -> Result<HttpTransport, TransportSetupError> {
        Ok(HttpTransport {
            client: reqwest::Client::builder().build()?,
            timeout: DEFAULT_TIMEOUT,
            credentials: CredentialSource {
                lookup: Box::new(Credentials::from_environment),
                found: OnceLock::new(),
            },
            local_region: None,
        })
    }

    pub fn with_timeout(self, timeout: Duration) -> HttpTransport {
        HttpTransport { timeout, ..self }
    }

    /// The region to sign for when a request goes to a host that is not an AWS
    /// endpoint (an emulator, or a `--server` override on the loopback interface): such
    /// a host does not name its region, so the one the description implies may not be
    /// the one meant. AWS endpoints (`*.amazonaws.com`, `*.api.aws`) name theirs.
    pub fn with_local_region(self, region: Option<String>) -> HttpTransport {
        HttpTransport {
            local_region: region,
            ..self
        }
    }

    /// Signs with these credentials instead of looking them up.
    pub fn with_credentials(self, credentials: Credentials) -> HttpTransport {
        self.with_credential_lookup(move || Ok(credentials.clone()))
    }

    /// Looks credentials up with `lookup` (at the first signed request) instead of in
    /// the environment and the shared credentials file.
    pub fn with_credential_lookup(
        self,
        lookup: impl Fn() -> Result<Credentials, CredentialsError> + Send + Sync + 'static,
    ) -> HttpTransport {
        HttpTransport {
            credentials: CredentialSource {
                lookup: Box::new(lookup),
                found: OnceLock::new(),
            },
            ..self
        }
    }

    fn credentials(&self) -> Result<&Credentials, String> {
        let source = &self.credentials;
        source
            .found
            .get_or_init(|| (source.lookup)())
            .as_ref()
            .map_err(|e| e.to_string())
    }

    async fn perform(&self, mut request: HttpRequest) -> Exchange {
        let started = Utc::now();
        let clock = Instant::now();
        let mut exchange = Exchange {
            request: request.clone(),
            outcome: Err(String::new()),
            http_version: None,
            started,
            timings: Timings::default(),
        };
        if let Some(mut scope) = request.aws_signing.clone() {
            if let Some(region) = &self.local_region
                && !is_aws_endpoint(&request.url)
            {
                scope.region = region.clone();
            }
            let signed = self.credentials().and_then(|credentials| {
                sigv4::sign(
                    &mut request,
                    credentials,
                    &scope.service,
                    &scope.region,
                    started,
                )
                .map_err(|e| e.to_string())
            });
            if let Err(message) = signed {
                exchange.outcome = Err(format!("cannot sign the request: {message}"));
                return exchange;
            }
            exchange.request = request.clone();
        }
        let builder = match self.build(&request) {
            Ok(builder) => builder,
            Err(message) => {
                exchange.outcome = Err(message);
                return exchange;
            }
        };
        let mut response = match builder.send().await {
            Ok(response) => response,
            Err(error) => {
                exchange.timings.wait = clock.elapsed();
                exchange.outcome = Err(self.describe(&error));
                return exchange;
            }
        };
        exchange.timings.wait = clock.elapsed();
        exchange.http_version = Some(format!("{:?}", response.version()));
        let status = response.status().as_u16();
        let headers: Vec<(String, String)> = response
            .headers()
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let mut body = Vec::new();
        let read = loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    if body.len() + chunk.len() > MAX_RESPONSE_BYTES {
                        break Err(format!(
                            "the response body is longer than {MAX_RESPONSE_BYTES} bytes"
                        ));
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => break Ok(()),
                Err(error) => break Err(self.describe(&error)),
            }
        };
        exchange.timings.receive = clock.elapsed().saturating_sub(exchange.timings.wait);
        exchange.outcome = read.map(|()| HttpResponse {
            status,
            headers,
            body: String::from_utf8_lossy(&body).into_owned(),
        });
        exchange
    }

    fn build(&self, request: &HttpRequest) -> Result<reqwest::RequestBuilder, String> {
        let method = Method::from_bytes(request.method.to_ascii_uppercase().as_bytes())
            .map_err(|_| format!("'{}' is not an HTTP method", request.method))?;
        let url =
            Url::parse(&request.url).map_err(|e| format!("'{}' is not a URL: {e}", request.url))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(format!("'{}' is not an http or https URL", request.url));
        }
        let mut headers = HeaderMap::new();
        for (name, value) in &request.headers {
            let header = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| format!("'{name}' is not a valid header name"))?;
            let value = HeaderValue::from_str(value)
                .map_err(|_| format!("the value of header '{name}' is not valid in HTTP"))?;
            headers.append(header, value);
        }
        let mut builder = self
            .client
            .request(method, url)
            .headers(headers)
            .timeout(self.timeout);
        if let Some(body) = &request.body {
            builder = builder.body(body.clone());
        }
        Ok(builder)
    }

    fn describe(&self, error: &reqwest::Error) -> String {
        if error.is_timeout() {
            return format!(
                "the request did not complete within {} seconds",
                self.timeout.as_secs_f64()
            );
        }
        // reqwest's own message is generic ("error sending request"); the cause chain says why.
        let mut message = error.to_string();
        let mut source = error.source();
        while let Some(inner) = source {
            message.push_str(": ");
            message.push_str(&inner.to_string());
            source = inner.source();
        }
        message
    }
}

/// Whether the URL's host is one of AWS's own endpoints, which carry their region.
fn is_aws_endpoint(url: &str) -> bool {
    let Ok(url) = Url::parse(url) else {
        return false;
    };
    url.host_str().is_some_and(|host| {
        let host = host.to_ascii_lowercase();
        [".amazonaws.com", ".amazonaws.com.cn", ".api.aws"]
            .iter()
            .any(|suffix| host.ends_with(suffix))
    })
}

impl Transport for HttpTransport {
    fn send(&self, request: HttpRequest) -> SendFuture<'_> {
        Box::pin(self.perform(request))
    }
}

#[cfg(test)]
mod tests {
    use super::is_aws_endpoint;

    #[test]
    fn aws_endpoints_are_recognised_by_their_host() {
        assert!(is_aws_endpoint("https://ecs.us-east-1.amazonaws.com/"));
        assert!(is_aws_endpoint("https://ECS.cn-north-1.amazonaws.com.cn/x"));
        assert!(is_aws_endpoint(
            "https://airflow-serverless.us-east-1.api.aws/"
        ));
        assert!(!is_aws_endpoint("http://127.0.0.1:5000/"));
        assert!(!is_aws_endpoint("http://amazonaws.com.example.org/"));
        assert!(!is_aws_endpoint("not a url"));
    }
}
