//! The HTTP Task against a one-request HTTP/1.1 server on 127.0.0.1. Expected encodings
//! and result shapes follow the AWS page "Call HTTPS APIs in Step Functions workflows".

use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use weft_asl::error::StatesError;
use weft_engine::http_task::HttpTask;

/// The request the test server received.
#[derive(Debug)]
struct Recorded {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Recorded {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    fn path(&self) -> &str {
        self.target
            .split_once('?')
            .map_or(self.target.as_str(), |(path, _)| path)
    }

    fn raw_query(&self) -> &str {
        self.target.split_once('?').map_or("", |(_, query)| query)
    }

    fn body_text(&self) -> &str {
        std::str::from_utf8(&self.body).expect("UTF-8 body")
    }
}

/// What the test server answers.
struct Reply {
    status_line: &'static str,
    headers: Vec<(&'static str, &'static str)>,
    body: Vec<u8>,
}

impl Reply {
    fn new(
        status_line: &'static str,
        content_type: &'static str,
        body: impl Into<Vec<u8>>,
    ) -> Reply {
        Reply {
            status_line,
            headers: vec![("Content-Type", content_type)],
            body: body.into(),
        }
    }

    fn ok() -> Reply {
        Reply::new("200 OK", "application/json", "{}")
    }
}

/// Serves one request with `reply`; returns the base URL and the recorded request.
async fn serve_once(reply: Reply) -> (String, JoinHandle<Recorded>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    let handle = tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.expect("accept");
        let mut buffer = Vec::new();
        let header_end = loop {
            if let Some(end) = buffer.windows(4).position(|window| window == b"\r\n\r\n") {
                break end;
            }
            let mut chunk = [0u8; 4096];
            let read = stream.read(&mut chunk).await.expect("read");
            assert!(
                read > 0,
                "the client closed the connection before the headers ended"
            );
            buffer.extend_from_slice(&chunk[..read]);
        };
        let head = String::from_utf8(buffer[..header_end].to_vec()).expect("UTF-8 head");
        let mut lines = head.split("\r\n");
        let request_line = lines.next().expect("request line");
        let mut parts = request_line.split(' ');
        let method = parts.next().expect("method").to_owned();
        let target = parts.next().expect("target").to_owned();
        let headers: Vec<(String, String)> = lines
            .map(|line| {
                let (name, value) = line.split_once(':').expect("header line");
                (name.trim().to_owned(), value.trim().to_owned())
            })
            .collect();
        let length: usize = headers
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case("content-length"))
            .map_or(0, |(_, value)| value.parse().expect("content length"));
        let mut body = buffer[header_end + 4..].to_vec();
        while body.len() < length {
            let mut chunk = [0u8; 4096];
            let read = stream.read(&mut chunk).await.expect("read body");
            assert!(
                read > 0,
                "the client closed the connection before the body ended"
            );
            body.extend_from_slice(&chunk[..read]);
        }

        let mut response = format!("HTTP/1.1 {}\r\n", reply.status_line);
        for (name, value) in &reply.headers {
            response.push_str(&format!("{name}: {value}\r\n"));
        }
        response.push_str(&format!(
            "Content-Length: {}\r\nConnection: close\r\n\r\n",
            reply.body.len()
        ));
        stream
            .write_all(response.as_bytes())
            .await
            .expect("write head");
        stream.write_all(&reply.body).await.expect("write body");
        stream.shutdown().await.expect("shutdown");
        Recorded {
            method,
            target,
            headers,
            body,
        }
    });
    (format!("http://{address}"), handle)
}

fn task() -> HttpTask {
    HttpTask::new().expect("HTTP client")
}

/// Decodes %XX escapes (the encoder never writes '+').
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'%' {
            let hex = std::str::from_utf8(&bytes[index + 1..index + 3]).expect("hex");
            out.push(u8::from_str_radix(hex, 16).expect("hex digits"));
            index += 3;
        } else {
            out.push(bytes[index]);
            index += 1;
        }
    }
    String::from_utf8(out).expect("UTF-8")
}

/// The decoded `key=value` pairs of a query string or form body.
fn pairs(encoded: &str) -> Vec<(String, String)> {
    encoded
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(key), percent_decode(value))
        })
        .collect()
}

fn owned_pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected
        .iter()
        .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
        .collect()
}

fn runtime_error(arguments: Value) -> StatesError {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let error = runtime
        .block_on(task().invoke(&arguments))
        .expect_err("the arguments are invalid");
    assert_eq!(
        error.error, "States.Runtime",
        "arguments {arguments}: {}",
        error.cause
    );
    error
}

#[tokio::test]
async fn get_sends_the_method_headers_and_query_and_returns_the_response() {
    let (base, server) = serve_once(Reply {
        status_line: "200 OK",
        headers: vec![
            ("Content-Type", "application/json"),
            ("X-Request-Id", "r-1"),
        ],
        body: br#"{"id": 7, "name": "widget"}"#.to_vec(),
    })
    .await;
    let result = task()
        .invoke(&json!({
            "ApiEndpoint": format!("{base}/v1/items?existing=1#section"),
            "Method": "GET",
            "Authentication": {"ConnectionArn": "arn:aws:events:us-east-1:123456789012:connection/Example/1"},
            "Headers": {"X-Api-Key": "secret", "X-Count": 3, "X-Flag": true, "Authorization": "Bearer t"},
            "QueryParameters": {"q": "a b&c=d", "limit": 10, "exact": false, "empty": null}
        }))
        .await
        .expect("2xx succeeds");
    let request = server.await.expect("server");

    assert_eq!(request.method, "GET");
    assert_eq!(request.path(), "/v1/items");
    assert_eq!(
        pairs(request.raw_query()),
        owned_pairs(&[
            ("existing", "1"),
            ("q", "a b&c=d"),
            ("limit", "10"),
            ("exact", "false"),
            ("empty", "")
        ])
    );
    assert_eq!(request.header("X-Api-Key"), Some("secret"));
    assert_eq!(request.header("X-Count"), Some("3"));
    assert_eq!(request.header("X-Flag"), Some("true"));
    assert_eq!(request.header("Authorization"), Some("Bearer t"));
    assert_eq!(request.header("Content-Type"), None);
    assert!(request.body.is_empty());

    assert_eq!(result["StatusCode"], json!(200));
    assert_eq!(result["StatusText"], json!("OK"));
    assert_eq!(result["ResponseBody"], json!({"id": 7, "name": "widget"}));
    assert_eq!(result["Headers"]["x-request-id"], json!(["r-1"]));
    assert_eq!(
        result["Headers"]["content-type"],
        json!(["application/json"])
    );
    let keys: Vec<&str> = result
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        ["Headers", "ResponseBody", "StatusCode", "StatusText"]
    );
}

/// The AWS documentation's example: `{"array": ["a", "b", "c", "d"]}` in each ArrayFormat.
fn array_format_cases() -> Vec<(Option<&'static str>, &'static str)> {
    vec![
        (None, "array[0]=a&array[1]=b&array[2]=c&array[3]=d"),
        (
            Some("INDICES"),
            "array[0]=a&array[1]=b&array[2]=c&array[3]=d",
        ),
        (Some("BRACKETS"), "array[]=a&array[]=b&array[]=c&array[]=d"),
        (Some("REPEAT"), "array=a&array=b&array=c&array=d"),
        (Some("COMMAS"), "array=a,b,c,d"),
    ]
}

fn transform(encoding: Option<&str>, format: Option<&str>) -> Value {
    let mut transform = serde_json::Map::new();
    if let Some(encoding) = encoding {
        transform.insert("RequestBodyEncoding".to_owned(), json!(encoding));
    }
    if let Some(format) = format {
        transform.insert(
            "RequestEncodingOptions".to_owned(),
            json!({"ArrayFormat": format}),
        );
    }
    Value::Object(transform)
}

#[tokio::test]
async fn query_arrays_follow_the_array_format() {
    for (format, expected) in array_format_cases() {
        let (base, server) = serve_once(Reply::ok()).await;
        task()
            .invoke(&json!({
                "ApiEndpoint": format!("{base}/search"),
                "Method": "GET",
                "QueryParameters": {"array": ["a", "b", "c", "d"]},
                "Transform": transform(None, format)
            }))
            .await
            .expect("2xx succeeds");
        let request = server.await.expect("server");
        assert_eq!(
            percent_decode(request.raw_query()),
            expected,
            "ArrayFormat {format:?}"
        );
    }
}

#[tokio::test]
async fn commas_separate_items_but_commas_inside_items_are_escaped() {
    let (base, server) = serve_once(Reply::ok()).await;
    task()
        .invoke(&json!({
            "ApiEndpoint": format!("{base}/search"),
            "Method": "GET",
            "QueryParameters": {"tags": ["red", "x,y", 3]},
            "Transform": transform(None, Some("COMMAS"))
        }))
        .await
        .expect("2xx succeeds");
    let request = server.await.expect("server");
    assert_eq!(request.raw_query(), "tags=red,x%2Cy,3");
}

#[tokio::test]
async fn url_encoded_bodies_follow_the_array_format() {
    for (format, expected) in array_format_cases() {
        let (base, server) = serve_once(Reply::ok()).await;
        task()
            .invoke(&json!({
                "ApiEndpoint": format!("{base}/form"),
                "Method": "POST",
                "RequestBody": {"array": ["a", "b", "c", "d"]},
                "Transform": transform(Some("URL_ENCODED"), format)
            }))
            .await
            .expect("2xx succeeds");
        let request = server.await.expect("server");
        assert_eq!(request.method, "POST");
        assert_eq!(
            request.header("Content-Type"),
            Some("application/x-www-form-urlencoded")
        );
        assert_eq!(
            percent_decode(request.body_text()),
            expected,
            "ArrayFormat {format:?}"
        );
    }
}

#[tokio::test]
async fn url_encoded_bodies_escape_text_and_nest_objects() {
    let (base, server) = serve_once(Reply::ok()).await;
    task()
        .invoke(&json!({
            "ApiEndpoint": format!("{base}/form"),
            "Method": "POST",
            "RequestBody": {
                "name": "Jane Doe & Co",
                "amount": 12.5,
                "address": {"city": "Zürich", "lines": ["1 Main St", "Floor 2"]}
            },
            "Transform": {"RequestBodyEncoding": "URL_ENCODED"}
        }))
        .await
        .expect("2xx succeeds");
    let request = server.await.expect("server");
    assert!(
        !request.body_text().contains(' '),
        "{}",
        request.body_text()
    );
    assert_eq!(
        pairs(request.body_text()),
        owned_pairs(&[
            ("name", "Jane Doe & Co"),
            ("amount", "12.5"),
            ("address[city]", "Zürich"),
            ("address[lines][0]", "1 Main St"),
            ("address[lines][1]", "Floor 2"),
        ])
    );
}

#[tokio::test]
async fn json_bodies_are_sent_as_json() {
    let body = json!({"order": {"id": 42, "items": [1, 2]}, "note": null});
    let (base, server) = serve_once(Reply::new(
        "201 Created",
        "application/json",
        r#"{"created": true}"#,
    ))
    .await;
    let result = task()
        .invoke(&json!({
            "ApiEndpoint": format!("{base}/orders"),
            "Method": "PUT",
            "RequestBody": body
        }))
        .await
        .expect("2xx succeeds");
    let request = server.await.expect("server");
    assert_eq!(request.method, "PUT");
    assert_eq!(
        request.header("Content-Type"),
        Some("application/json; charset=UTF-8")
    );
    let sent: Value = serde_json::from_slice(&request.body).expect("JSON body");
    assert_eq!(sent, body);
    assert_eq!(result["StatusCode"], json!(201));
    assert_eq!(result["StatusText"], json!("Created"));
    assert_eq!(result["ResponseBody"], json!({"created": true}));
}

#[tokio::test]
async fn a_content_type_set_by_the_task_is_kept() {
    let (base, server) = serve_once(Reply::ok()).await;
    task()
        .invoke(&json!({
            "ApiEndpoint": format!("{base}/orders/42"),
            "Method": "PATCH",
            "Headers": {"Content-Type": "application/merge-patch+json"},
            "RequestBody": {"status": "shipped"}
        }))
        .await
        .expect("2xx succeeds");
    let request = server.await.expect("server");
    assert_eq!(request.method, "PATCH");
    assert_eq!(
        request.header("Content-Type"),
        Some("application/merge-patch+json")
    );
    assert_eq!(request.body_text(), r#"{"status":"shipped"}"#);
}

#[tokio::test]
async fn a_string_body_is_sent_as_it_is() {
    let (base, server) = serve_once(Reply::ok()).await;
    task()
        .invoke(&json!({
            "ApiEndpoint": format!("{base}/raw"),
            "Method": "POST",
            "Headers": {"Content-Type": "application/xml"},
            "RequestBody": "<order id=\"42\"/>"
        }))
        .await
        .expect("2xx succeeds");
    let request = server.await.expect("server");
    assert_eq!(request.header("Content-Type"), Some("application/xml"));
    assert_eq!(request.body_text(), "<order id=\"42\"/>");
}

#[tokio::test]
async fn every_documented_method_is_sent() {
    for method in ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"] {
        let (base, server) = serve_once(Reply::new("204 No Content", "text/plain", "")).await;
        let result = task()
            .invoke(&json!({"ApiEndpoint": format!("{base}/m"), "Method": method}))
            .await
            .expect("2xx succeeds");
        let request = server.await.expect("server");
        assert_eq!(request.method, method);
        assert_eq!(result["StatusCode"], json!(204), "{method}");
        assert_eq!(result["ResponseBody"], json!(""), "{method}");
    }
}

#[tokio::test]
async fn response_bodies_are_parsed_only_when_they_are_json() {
    let cases = [
        (
            "text/plain; charset=utf-8",
            r#"{"looks": "like json"}"#,
            json!(r#"{"looks": "like json"}"#),
        ),
        (
            "application/json; charset=utf-8",
            r#"{"a": [1]}"#,
            json!({"a": [1]}),
        ),
        (
            "application/problem+json",
            r#"{"title": "t"}"#,
            json!({"title": "t"}),
        ),
        ("application/json", "not json", json!("not json")),
        ("text/html", "<p>hi</p>", json!("<p>hi</p>")),
    ];
    for (content_type, body, expected) in cases {
        let (base, server) = serve_once(Reply::new("200 OK", content_type, body)).await;
        let result = task()
            .invoke(&json!({"ApiEndpoint": base, "Method": "GET"}))
            .await
            .expect("2xx succeeds");
        server.await.expect("server");
        assert_eq!(
            result["ResponseBody"], expected,
            "Content-Type {content_type}"
        );
    }
}

#[tokio::test]
async fn repeated_response_headers_become_one_array() {
    let (base, server) = serve_once(Reply {
        status_line: "200 OK",
        headers: vec![
            ("Set-Cookie", "a=1"),
            ("Set-Cookie", "b=2"),
            ("Content-Type", "text/plain"),
        ],
        body: b"ok".to_vec(),
    })
    .await;
    let result = task()
        .invoke(&json!({"ApiEndpoint": base, "Method": "GET"}))
        .await
        .expect("2xx succeeds");
    server.await.expect("server");
    assert_eq!(result["Headers"]["set-cookie"], json!(["a=1", "b=2"]));
    assert_eq!(result["Headers"]["content-length"], json!(["2"]));
}

#[tokio::test]
async fn a_404_fails_with_the_status_code_error_and_the_response_as_cause() {
    let (base, server) = serve_once(Reply::new(
        "404 Not Found",
        "application/json",
        r#"{"message": "no such item"}"#,
    ))
    .await;
    let error = task()
        .invoke(&json!({"ApiEndpoint": format!("{base}/items/9"), "Method": "GET"}))
        .await
        .expect_err("404 fails");
    server.await.expect("server");
    assert_eq!(error.error, "States.Http.StatusCode.404");
    let cause: Value = serde_json::from_str(&error.cause).expect("the cause is JSON");
    assert_eq!(cause["StatusCode"], json!(404));
    assert_eq!(cause["StatusText"], json!("Not Found"));
    assert_eq!(cause["ResponseBody"], json!({"message": "no such item"}));
    assert_eq!(
        cause["Headers"]["content-type"],
        json!(["application/json"])
    );
}

#[tokio::test]
async fn a_500_fails_with_its_own_status_code_error() {
    let (base, server) = serve_once(Reply::new(
        "500 Internal Server Error",
        "text/plain",
        "boom",
    ))
    .await;
    let error = task()
        .invoke(&json!({"ApiEndpoint": base, "Method": "POST", "RequestBody": {}}))
        .await
        .expect_err("500 fails");
    server.await.expect("server");
    assert_eq!(error.error, "States.Http.StatusCode.500");
    let cause: Value = serde_json::from_str(&error.cause).expect("the cause is JSON");
    assert_eq!(cause["ResponseBody"], json!("boom"));
}

#[tokio::test]
async fn a_refused_connection_fails_with_the_socket_error() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    drop(listener);
    let error = task()
        .invoke(&json!({"ApiEndpoint": format!("http://{address}/"), "Method": "GET"}))
        .await
        .expect_err("nothing listens");
    assert_eq!(error.error, "States.Http.Socket");
    assert!(!error.cause.is_empty());
}

#[tokio::test]
async fn a_request_past_the_time_limit_fails_with_the_socket_error() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    let server = tokio::spawn(async move {
        let (stream, _) = listener.accept().await.expect("accept");
        // Hold the connection open without answering.
        tokio::time::sleep(Duration::from_secs(5)).await;
        drop(stream);
    });
    let error = task()
        .with_timeout(Duration::from_millis(200))
        .invoke(&json!({"ApiEndpoint": format!("http://{address}/slow"), "Method": "GET"}))
        .await
        .expect_err("the server never answers");
    server.abort();
    assert_eq!(error.error, "States.Http.Socket");
    assert!(
        error.cause.contains("did not complete within 0.2 seconds"),
        "{}",
        error.cause
    );
}

#[tokio::test]
async fn a_response_larger_than_the_payload_quota_fails() {
    let (base, server) = serve_once(Reply::new("200 OK", "text/plain", vec![b'x'; 300_000])).await;
    let error = task()
        .invoke(&json!({"ApiEndpoint": base, "Method": "GET"}))
        .await
        .expect_err("too large");
    server.abort();
    assert_eq!(error.error, "States.DataLimitExceeded");
}

#[tokio::test]
async fn a_response_that_is_not_text_fails() {
    let (base, server) = serve_once(Reply::new(
        "200 OK",
        "application/octet-stream",
        vec![0xff, 0xfe, 0x00],
    ))
    .await;
    let error = task()
        .invoke(&json!({"ApiEndpoint": base, "Method": "GET"}))
        .await
        .expect_err("binary body");
    server.await.expect("server");
    assert_eq!(error.error, "States.Runtime");
}

#[test]
fn arguments_must_be_an_object_of_known_fields() {
    runtime_error(json!("https://example.com"));
    let error =
        runtime_error(json!({"ApiEndpoint": "https://example.com", "Method": "GET", "Header": {}}));
    assert!(error.cause.contains("'Header'"), "{}", error.cause);
    runtime_error(
        json!({"ApiEndpoint": "https://example.com", "Method": "GET", "Authentication": "arn"}),
    );
    runtime_error(
        json!({"ApiEndpoint": "https://example.com", "Method": "GET", "InvocationConfig": []}),
    );
}

#[test]
fn api_endpoint_must_be_an_absolute_http_url() {
    let error = runtime_error(json!({"Method": "GET"}));
    assert!(error.cause.contains("ApiEndpoint"), "{}", error.cause);
    for endpoint in [
        json!(5),
        json!(null),
        json!("not a url"),
        json!("/relative/path"),
        json!("ftp://example.com/file"),
        json!("mailto:a@example.com"),
    ] {
        let error = runtime_error(json!({"ApiEndpoint": endpoint, "Method": "GET"}));
        assert!(error.cause.contains("ApiEndpoint"), "{}", error.cause);
    }
}

#[test]
fn method_must_be_one_of_the_documented_methods() {
    let error = runtime_error(json!({"ApiEndpoint": "https://example.com"}));
    assert!(error.cause.contains("Method"), "{}", error.cause);
    for method in [
        json!("get"),
        json!("FETCH"),
        json!("CONNECT"),
        json!("TRACE"),
        json!(1),
        json!(["GET"]),
    ] {
        let error = runtime_error(json!({"ApiEndpoint": "https://example.com", "Method": method}));
        assert!(error.cause.contains("Method"), "{}", error.cause);
    }
}

#[test]
fn headers_must_be_settable_strings() {
    let endpoint = "https://example.com";
    runtime_error(json!({"ApiEndpoint": endpoint, "Method": "GET", "Headers": ["X-A"]}));
    runtime_error(json!({"ApiEndpoint": endpoint, "Method": "GET", "Headers": {"X-A": {"b": 1}}}));
    runtime_error(json!({"ApiEndpoint": endpoint, "Method": "GET", "Headers": {"X-A": null}}));
    runtime_error(
        json!({"ApiEndpoint": endpoint, "Method": "GET", "Headers": {"Bad Header": "v"}}),
    );
    runtime_error(
        json!({"ApiEndpoint": endpoint, "Method": "GET", "Headers": {"X-A": "line\r\nInjected: 1"}}),
    );
    for forbidden in [
        "Host",
        "content-length",
        "Transfer-Encoding",
        "X-Amz-Date",
        "X-Forwarded-For",
        "Connection",
    ] {
        let error = runtime_error(
            json!({"ApiEndpoint": endpoint, "Method": "GET", "Headers": {forbidden: "v"}}),
        );
        assert!(error.cause.contains(forbidden), "{}", error.cause);
    }
}

#[test]
fn query_parameters_and_transform_must_be_well_formed() {
    let endpoint = "https://example.com";
    runtime_error(json!({"ApiEndpoint": endpoint, "Method": "GET", "QueryParameters": "a=1"}));
    runtime_error(json!({"ApiEndpoint": endpoint, "Method": "GET", "Transform": "URL_ENCODED"}));
    runtime_error(
        json!({"ApiEndpoint": endpoint, "Method": "GET", "Transform": {"RequestBodyEncoding": "JSON"}}),
    );
    runtime_error(
        json!({"ApiEndpoint": endpoint, "Method": "GET", "Transform": {"RequestEncodingOptions": {"ArrayFormat": "SPACES"}}}),
    );
    runtime_error(
        json!({"ApiEndpoint": endpoint, "Method": "GET", "Transform": {"RequestEncodingOptions": "COMMAS"}}),
    );
    runtime_error(
        json!({"ApiEndpoint": endpoint, "Method": "GET", "Transform": {"RequestEncodingOptions": {"Format": "COMMAS"}}}),
    );
    runtime_error(
        json!({"ApiEndpoint": endpoint, "Method": "GET", "Transform": {"Encoding": "NONE"}}),
    );
    runtime_error(json!({
        "ApiEndpoint": endpoint,
        "Method": "POST",
        "RequestBody": ["a", "b"],
        "Transform": {"RequestBodyEncoding": "URL_ENCODED"}
    }));
}
