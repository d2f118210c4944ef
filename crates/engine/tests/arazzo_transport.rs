//! The HTTP transport of Arazzo workflows against a server on the loopback interface:
//! what goes out, what comes back, signing, and the errors that become
//! `RequestFailed`.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::routing::any;
use weft_arazzo::exchange::{AwsSigning, HttpRequest};
use weft_engine::arazzo::credentials::{Credentials, CredentialsError};
use weft_engine::arazzo::transport::{HttpTransport, Transport};

/// What the server received.
#[derive(Debug, Clone, Default)]
struct Received {
    method: String,
    uri: String,
    headers: Vec<(String, String)>,
    body: String,
}

type Log = Arc<Mutex<Vec<Received>>>;

/// A server that records each request and answers `201` with a header and a body,
/// except on `/slow`, which answers after two seconds.
async fn server() -> (String, Log) {
    let log: Log = Arc::default();
    let seen = log.clone();
    let app = Router::new().fallback(any(
        move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
            let seen = seen.clone();
            async move {
                seen.lock().unwrap().push(Received {
                    method: method.to_string(),
                    uri: uri.to_string(),
                    headers: headers
                        .iter()
                        .map(|(n, v)| (n.to_string(), v.to_str().unwrap_or_default().to_string()))
                        .collect(),
                    body: String::from_utf8_lossy(&body).into_owned(),
                });
                if uri.path() == "/slow" {
                    tokio::time::sleep(Duration::from_secs(2)).await;
                }
                (
                    StatusCode::CREATED,
                    [("content-type", "application/json"), ("x-reply", "yes")],
                    r#"{"id":7}"#,
                )
            }
        },
    ));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{address}"), log)
}

fn request(method: &str, url: String, body: Option<&str>) -> HttpRequest {
    HttpRequest {
        method: method.into(),
        url,
        headers: vec![
            ("Content-Type".into(), "application/x-amz-json-1.1".into()),
            (
                "X-Amz-Target".into(),
                "AmazonEC2ContainerServiceV20141113.ListTasks".into(),
            ),
        ],
        body: body.map(str::to_string),
        aws_signing: None,
    }
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

#[tokio::test]
async fn a_request_goes_out_as_given_and_the_response_comes_back_whole() {
    let (base, log) = server().await;
    let transport = HttpTransport::new().unwrap();
    let exchange = transport
        .send(request(
            "post",
            format!("{base}/jobs?x=1&y=a%20b"),
            Some(r#"{"a":1}"#),
        ))
        .await;
    let response = exchange.outcome.expect("a response");
    assert_eq!(response.status, 201);
    assert_eq!(response.header("x-reply"), Some("yes"));
    assert_eq!(response.body, r#"{"id":7}"#);
    assert_eq!(exchange.http_version.as_deref(), Some("HTTP/1.1"));

    let received = log.lock().unwrap()[0].clone();
    assert_eq!(received.method, "POST");
    assert_eq!(received.uri, "/jobs?x=1&y=a%20b");
    assert_eq!(received.body, r#"{"a":1}"#);
    assert_eq!(
        header(&received.headers, "x-amz-target"),
        Some("AmazonEC2ContainerServiceV20141113.ListTasks")
    );
    // Unsigned: nothing is added.
    assert_eq!(header(&received.headers, "authorization"), None);
    assert_eq!(
        exchange.request,
        request(
            "post",
            format!("{base}/jobs?x=1&y=a%20b"),
            Some(r#"{"a":1}"#)
        )
    );
}

#[tokio::test]
async fn a_request_that_asks_for_it_is_signed_and_recorded_as_sent() {
    let (base, log) = server().await;
    let transport = HttpTransport::new().unwrap().with_credentials(Credentials {
        access_key_id: "AKIDEXAMPLE".into(),
        secret_access_key: "secret".into(),
        session_token: Some("session".into()),
    });
    let mut req = request("POST", format!("{base}/"), Some("{}"));
    req.aws_signing = Some(AwsSigning {
        service: "ecs".into(),
        region: "us-east-1".into(),
    });
    let exchange = transport.send(req).await;
    assert!(exchange.outcome.is_ok(), "{:?}", exchange.outcome);

    let received = log.lock().unwrap()[0].clone();
    let authorization = header(&received.headers, "authorization").expect("signed");
    let date = exchange.started.format("%Y%m%d").to_string();
    assert!(
        authorization.starts_with(&format!(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/{date}/us-east-1/ecs/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target, Signature="
        )),
        "{authorization}"
    );
    assert_eq!(
        header(&received.headers, "x-amz-security-token"),
        Some("session")
    );
    assert!(header(&received.headers, "x-amz-date").is_some());
    // What the exchange reports is what the server saw.
    assert_eq!(
        exchange.request.header("authorization"),
        Some(authorization)
    );
}

#[tokio::test]
async fn a_local_endpoint_is_signed_for_the_configured_region() {
    let (base, log) = server().await;
    let transport = HttpTransport::new()
        .unwrap()
        .with_local_region(Some("eu-central-1".into()))
        .with_credentials(Credentials {
            access_key_id: "AKIDEXAMPLE".into(),
            secret_access_key: "secret".into(),
            session_token: None,
        });
    let mut req = request("POST", format!("{base}/"), Some("{}"));
    req.aws_signing = Some(AwsSigning {
        service: "ecs".into(),
        region: "us-east-1".into(),
    });
    transport.send(req).await.outcome.expect("a response");
    let received = log.lock().unwrap()[0].clone();
    let authorization = header(&received.headers, "authorization").expect("signed");
    assert!(
        authorization.contains("/eu-central-1/ecs/aws4_request"),
        "{authorization}"
    );
}

#[tokio::test]
async fn missing_credentials_fail_the_request_before_it_goes_out() {
    let (base, log) = server().await;
    let transport = HttpTransport::new().unwrap().with_credential_lookup(|| {
        Err(CredentialsError::Missing {
            profile: "default".into(),
            file: "/nowhere/credentials".into(),
        })
    });
    let mut req = request("POST", format!("{base}/"), Some("{}"));
    req.aws_signing = Some(AwsSigning {
        service: "ecs".into(),
        region: "us-east-1".into(),
    });
    let error = transport
        .send(req)
        .await
        .outcome
        .expect_err("no credentials");
    assert!(error.contains("no AWS credentials"), "{error}");
    assert!(error.contains("AWS_ACCESS_KEY_ID"), "{error}");
    assert!(log.lock().unwrap().is_empty());
}

#[tokio::test]
async fn a_slow_response_times_out() {
    let (base, _log) = server().await;
    let transport = HttpTransport::new()
        .unwrap()
        .with_timeout(Duration::from_millis(200));
    let error = transport
        .send(request("GET", format!("{base}/slow"), None))
        .await
        .outcome
        .expect_err("timed out");
    assert_eq!(error, "the request did not complete within 0.2 seconds");
}

#[tokio::test]
async fn a_refused_connection_and_a_malformed_request_are_errors() {
    // A port that was just free: nothing listens there any more.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    let transport = HttpTransport::new().unwrap();
    let error = transport
        .send(request("GET", format!("http://{address}/"), None))
        .await
        .outcome
        .expect_err("refused");
    assert!(!error.is_empty());

    let mut bad = request("GET", "http://127.0.0.1:1/".into(), None);
    bad.headers.push(("bad header".into(), "x".into()));
    let error = transport.send(bad).await.outcome.expect_err("bad header");
    assert_eq!(error, "'bad header' is not a valid header name");

    let error = transport
        .send(request("GET", "ftp://example.com/".into(), None))
        .await
        .outcome
        .expect_err("not http");
    assert_eq!(error, "'ftp://example.com/' is not an http or https URL");
}
