//! The HTTP exchanges of a run as an HTTP Archive, HAR 1.2 (W3C Web Performance WG,
//! "HTTP Archive (HAR) format", version 1.2), with secrets masked.

use chrono::SecondsFormat;
use reqwest::{StatusCode, Url};
use serde_json::{Value, json};
use weft_arazzo::exchange::HttpRequest;
use weft_engine::arazzo::transport::Exchange;

use weft_arazzo::mask::Masker;

/// The archive's entries, in the order the requests were sent.
#[derive(Debug, Default)]
pub struct Har {
    entries: Vec<Value>,
}

impl Har {
    /// Adds one exchange; `step` names the workflow and step it was made for (HAR's
    /// custom fields start with an underscore).
    pub fn add(&mut self, exchange: &Exchange, step: Option<(&str, &str)>, masker: &Masker) {
        let mut entry = entry(exchange, masker);
        if let (Some((workflow, step)), Value::Object(members)) = (step, &mut entry) {
            members.insert("_workflowId".into(), Value::from(workflow));
            members.insert("_stepId".into(), Value::from(step));
        }
        self.entries.push(entry);
    }

    pub fn document(&self) -> Value {
        json!({
            "log": {
                "version": "1.2",
                "creator": {"name": "weft", "version": env!("CARGO_PKG_VERSION")},
                "entries": self.entries,
            }
        })
    }
}

fn entry(exchange: &Exchange, masker: &Masker) -> Value {
    let http_version = exchange
        .http_version
        .clone()
        .unwrap_or_else(|| "HTTP/1.1".into());
    let wait = millis(exchange.timings.wait);
    let receive = millis(exchange.timings.receive);
    let mut entry = json!({
        "startedDateTime": exchange.started.to_rfc3339_opts(SecondsFormat::Millis, true),
        "time": wait + receive,
        "request": request(&exchange.request, &http_version, masker),
        "cache": {},
        // reqwest does not say how the wait divides into DNS, connecting and TLS.
        "timings": {
            "blocked": -1, "dns": -1, "connect": -1, "ssl": -1,
            "send": 0, "wait": wait, "receive": receive,
        },
    });
    let response = match &exchange.outcome {
        Ok(response) => {
            let content_type = response.header("content-type").unwrap_or_default();
            json!({
                "status": response.status,
                "statusText": StatusCode::from_u16(response.status)
                    .ok()
                    .and_then(|s| s.canonical_reason())
                    .unwrap_or_default(),
                "httpVersion": http_version,
                "cookies": [],
                "headers": headers(&response.headers, masker),
                "content": {
                    "size": response.body.len(),
                    "mimeType": content_type,
                    "text": masker.text(&response.body),
                },
                "redirectURL": response.header("location").map(|l| masker.text(l)).unwrap_or_default(),
                "headersSize": -1,
                "bodySize": response.body.len(),
            })
        }
        // No response: status 0, as browsers record a request that failed, and why.
        Err(error) => json!({
            "status": 0,
            "statusText": "",
            "httpVersion": "",
            "cookies": [],
            "headers": [],
            "content": {"size": 0, "mimeType": ""},
            "redirectURL": "",
            "headersSize": -1,
            "bodySize": -1,
            "_error": masker.text(error),
        }),
    };
    entry["response"] = response;
    entry
}

fn request(request: &HttpRequest, http_version: &str, masker: &Masker) -> Value {
    let query: Vec<Value> = Url::parse(&request.url)
        .map(|url| {
            url.query_pairs()
                .map(|(name, value)| json!({"name": name, "value": masker.text(&value)}))
                .collect()
        })
        .unwrap_or_default();
    let mut out = json!({
        "method": request.method,
        "url": masker.text(&request.url),
        "httpVersion": http_version,
        "cookies": [],
        "headers": headers(&request.headers, masker),
        "queryString": query,
        "headersSize": -1,
        "bodySize": request.body.as_ref().map_or(0, String::len),
    });
    if let Some(body) = &request.body {
        out["postData"] = json!({
            "mimeType": request.header("content-type").unwrap_or_default(),
            "text": masker.text(body),
        });
    }
    out
}

fn headers(headers: &[(String, String)], masker: &Masker) -> Vec<Value> {
    headers
        .iter()
        .map(|(name, value)| json!({"name": name, "value": masker.header(name, value)}))
        .collect()
}

fn millis(duration: std::time::Duration) -> f64 {
    // Microsecond precision is plenty, and keeps the numbers short.
    (duration.as_secs_f64() * 1_000_000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use chrono::{TimeZone, Utc};
    use weft_arazzo::exchange::HttpResponse;
    use weft_engine::arazzo::transport::Timings;

    use super::*;

    fn exchange(outcome: Result<HttpResponse, String>) -> Exchange {
        Exchange {
            request: HttpRequest {
                method: "POST".into(),
                url: "http://127.0.0.1:9/jobs?q=a%20b&key=s3cr3t".into(),
                headers: vec![
                    ("Content-Type".into(), "application/json".into()),
                    ("Authorization".into(), "Bearer s3cr3t".into()),
                ],
                body: Some(r#"{"token":"s3cr3t"}"#.into()),
                aws_signing: None,
            },
            outcome,
            http_version: Some("HTTP/1.1".into()),
            started: Utc.with_ymd_and_hms(2026, 11, 21, 8, 0, 0).unwrap(),
            timings: Timings {
                wait: Duration::from_micros(12_500),
                receive: Duration::from_micros(500),
            },
        }
    }

    #[test]
    fn an_entry_has_the_members_har_1_2_requires() {
        let masker = Masker::new(["s3cr3t".to_string()]);
        let mut har = Har::default();
        har.add(
            &exchange(Ok(HttpResponse {
                status: 201,
                headers: vec![("content-type".into(), "text/plain".into())],
                body: "job-1".into(),
            })),
            Some(("wf", "runScript")),
            &masker,
        );
        let document = har.document();
        assert_eq!(document["log"]["version"], "1.2");
        assert_eq!(document["log"]["creator"]["name"], "weft");
        let entry = &document["log"]["entries"][0];
        assert_eq!(entry["startedDateTime"], "2026-11-21T08:00:00.000Z");
        assert_eq!(entry["time"], 13.0);
        assert_eq!(entry["timings"]["wait"], 12.5);
        assert_eq!(entry["timings"]["receive"], 0.5);
        assert_eq!(entry["_stepId"], "runScript");
        let request = &entry["request"];
        assert_eq!(
            request["url"],
            "http://127.0.0.1:9/jobs?q=a%20b&key=********"
        );
        assert_eq!(
            request["queryString"],
            json!([{"name": "q", "value": "a b"}, {"name": "key", "value": "********"}])
        );
        assert_eq!(
            request["headers"],
            json!([{"name": "Content-Type", "value": "application/json"},
                   {"name": "Authorization", "value": "********"}])
        );
        assert_eq!(
            request["postData"],
            json!({"mimeType": "application/json", "text": r#"{"token":"********"}"#})
        );
        assert_eq!(request["bodySize"], 18);
        let response = &entry["response"];
        assert_eq!(response["status"], 201);
        assert_eq!(response["statusText"], "Created");
        assert_eq!(
            response["content"],
            json!({"size": 5, "mimeType": "text/plain", "text": "job-1"})
        );
        assert!(!document.to_string().contains("s3cr3t"));
    }

    #[test]
    fn a_failed_request_is_recorded_with_status_0_and_its_error() {
        let mut har = Har::default();
        har.add(
            &exchange(Err("connection refused".into())),
            None,
            &Masker::default(),
        );
        let response = &har.document()["log"]["entries"][0]["response"];
        assert_eq!(response["status"], 0);
        assert_eq!(response["_error"], "connection refused");
    }
}
