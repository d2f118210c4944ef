//! AWS Signature Version 4 for one request, as the AWS General Reference describes it
//! ("Create a signed AWS API request"): a canonical request, a string to sign over its
//! SHA-256, and an HMAC-SHA256 signature with a key derived from the secret, the date,
//! the region and the service.
//!
//! Only the headers are computed here (`Authorization`, `X-Amz-Date` and, with a session
//! token, `X-Amz-Security-Token`); `X-Amz-Content-Sha256` is left out, as AWS requires it
//! of S3 only and botocore's `SigV4Auth` does not send it either.

use chrono::{DateTime, Utc};
use hmac::{Hmac, KeyInit, Mac};
use reqwest::Url;
use sha2::{Digest, Sha256};
use weft_arazzo::exchange::HttpRequest;

use super::credentials::Credentials;

/// Headers never signed: hop-by-hop headers and those proxies or clients rewrite
/// (botocore's `SIGNED_HEADERS_BLACKLIST`), so that a signature survives the trip.
const UNSIGNED_HEADERS: [&str; 14] = [
    "baggage",
    "connection",
    "expect",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "traceparent",
    "tracestate",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "user-agent",
    "x-amzn-trace-id",
];

/// The headers signing sets; a request's own values for them are replaced.
const SIGNING_HEADERS: [&str; 3] = ["authorization", "x-amz-date", "x-amz-security-token"];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignError {
    #[error("cannot sign a request to '{url}': {message}")]
    Url { url: String, message: String },
}

/// The headers to add to `request` so that AWS accepts it as signed by `credentials`
/// for `service` in `region` at `time`.
pub fn signature_headers(
    request: &HttpRequest,
    credentials: &Credentials,
    service: &str,
    region: &str,
    time: DateTime<Utc>,
) -> Result<Vec<(String, String)>, SignError> {
    let url = Url::parse(&request.url).map_err(|e| SignError::Url {
        url: request.url.clone(),
        message: e.to_string(),
    })?;
    let host = host_header(&url).ok_or_else(|| SignError::Url {
        url: request.url.clone(),
        message: "the URL has no host".into(),
    })?;
    let amz_date = time.format("%Y%m%dT%H%M%SZ").to_string();
    let date = &amz_date[..8];

    let mut added = vec![("X-Amz-Date".to_string(), amz_date.clone())];
    if let Some(token) = &credentials.session_token {
        added.push(("X-Amz-Security-Token".to_string(), token.clone()));
    }

    // Canonical headers: lower-case names, sorted, values trimmed with inner runs of
    // whitespace collapsed, repeated headers joined with commas.
    let mut headers: Vec<(String, String)> = request
        .headers
        .iter()
        .map(|(n, v)| (n.to_ascii_lowercase(), v.clone()))
        .filter(|(n, _)| !UNSIGNED_HEADERS.contains(&n.as_str()))
        .filter(|(n, _)| !SIGNING_HEADERS.contains(&n.as_str()))
        .chain(
            added
                .iter()
                .map(|(n, v)| (n.to_ascii_lowercase(), v.clone())),
        )
        .collect();
    if !headers.iter().any(|(n, _)| n == "host") {
        headers.push(("host".into(), host));
    }
    // A stable sort keeps repeated headers in the order the request gives them.
    headers.sort_by(|a, b| a.0.cmp(&b.0));
    let mut canonical_headers = String::new();
    let mut signed_headers: Vec<&str> = Vec::new();
    for (name, value) in &headers {
        let value = value.split_whitespace().collect::<Vec<_>>().join(" ");
        if signed_headers.last() == Some(&name.as_str()) {
            canonical_headers.pop();
            canonical_headers.push(',');
        } else {
            signed_headers.push(name);
            canonical_headers.push_str(name);
            canonical_headers.push(':');
        }
        canonical_headers.push_str(&value);
        canonical_headers.push('\n');
    }
    let signed_headers = signed_headers.join(";");

    let payload_hash = hex(&Sha256::digest(
        request.body.as_deref().unwrap_or_default().as_bytes(),
    ));
    let canonical_request = format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        request.method.to_ascii_uppercase(),
        canonical_path(&url),
        canonical_query(&url),
        canonical_headers,
        signed_headers,
        payload_hash
    );

    let scope = format!("{date}/{region}/{service}/aws4_request");
    let string_to_sign = format!(
        "AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}",
        hex(&Sha256::digest(canonical_request.as_bytes()))
    );
    let secret = format!("AWS4{}", credentials.secret_access_key);
    let k_date = hmac(secret.as_bytes(), date.as_bytes());
    let k_region = hmac(&k_date, region.as_bytes());
    let k_service = hmac(&k_region, service.as_bytes());
    let k_signing = hmac(&k_service, b"aws4_request");
    let signature = hex(&hmac(&k_signing, string_to_sign.as_bytes()));

    added.push((
        "Authorization".to_string(),
        format!(
            "AWS4-HMAC-SHA256 Credential={}/{scope}, SignedHeaders={signed_headers}, Signature={signature}",
            credentials.access_key_id
        ),
    ));
    Ok(added)
}

/// Signs `request` in place: drops any `Authorization`, `X-Amz-Date` or
/// `X-Amz-Security-Token` it carries and adds the signature's.
pub fn sign(
    request: &mut HttpRequest,
    credentials: &Credentials,
    service: &str,
    region: &str,
    time: DateTime<Utc>,
) -> Result<(), SignError> {
    let added = signature_headers(request, credentials, service, region, time)?;
    request
        .headers
        .retain(|(n, _)| !SIGNING_HEADERS.contains(&n.to_ascii_lowercase().as_str()));
    request.headers.extend(added);
    Ok(())
}

/// The `Host` header an HTTP client sends for this URL: the port only when it is not
/// the scheme's default (the URL parser drops a default port).
fn host_header(url: &Url) -> Option<String> {
    let host = url.host_str()?.to_ascii_lowercase();
    Some(match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host,
    })
}

/// The path as sent (already percent-encoded once), encoded again: AWS encodes each
/// path segment twice for every service but S3.
fn canonical_path(url: &Url) -> String {
    let path = url.path();
    if path.is_empty() {
        return "/".into();
    }
    encode(path, true)
}

/// Query parameters decoded, re-encoded the AWS way (everything but unreserved
/// characters as `%XX`), and sorted by name, then value.
fn canonical_query(url: &Url) -> String {
    let Some(query) = url.query() else {
        return String::new();
    };
    let mut pairs: Vec<(String, String)> = query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (encode(&decode(name), false), encode(&decode(value), false))
        })
        .collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(n, v)| format!("{n}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// RFC 3986 percent-encoding of every byte except the unreserved characters (and `/`
/// when `keep_slash`), with upper-case hex digits.
fn encode(text: &str, keep_slash: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        let unreserved = byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~');
        if unreserved || (keep_slash && byte == b'/') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Percent-decoding; a `%` not followed by two hex digits stays as it is.
fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = bytes.get(i + 1..i + 3)
            && let Ok(hex) = std::str::from_utf8(hex)
            && let Ok(byte) = u8::from_str_radix(hex, 16)
        {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hmac(key: &[u8], message: &[u8]) -> Vec<u8> {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).expect("HMAC takes any key");
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    // The expected headers were computed with botocore 1.44.5 (`pip install boto3` in a
    // scratch virtualenv): an `AWSRequest` with the same method, URL, headers and body,
    // signed by `botocore.auth.SigV4Auth(Credentials(key, secret, token), service,
    // region).add_auth(request)` with `botocore.auth.get_current_datetime` patched to
    // return the time below; the values are what botocore put in the request's headers.

    const KEY: &str = "AKIDEXAMPLE";
    const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

    fn credentials(token: Option<&str>) -> Credentials {
        Credentials {
            access_key_id: KEY.into(),
            secret_access_key: SECRET.into(),
            session_token: token.map(str::to_string),
        }
    }

    fn request(
        method: &str,
        url: &str,
        headers: &[(&str, &str)],
        body: Option<&str>,
    ) -> HttpRequest {
        HttpRequest {
            method: method.into(),
            url: url.into(),
            headers: headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
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

    #[test]
    fn the_aws_general_reference_example() {
        // Also the example of the AWS General Reference, whose published signature is
        // 5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7.
        let req = request(
            "GET",
            "https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08",
            &[(
                "Content-Type",
                "application/x-www-form-urlencoded; charset=utf-8",
            )],
            None,
        );
        let time = Utc.with_ymd_and_hms(2015, 8, 30, 12, 36, 0).unwrap();
        let added = signature_headers(&req, &credentials(None), "iam", "us-east-1", time).unwrap();
        assert_eq!(header(&added, "X-Amz-Date"), Some("20150830T123600Z"));
        assert_eq!(
            header(&added, "Authorization"),
            Some(
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"
            )
        );
        assert_eq!(header(&added, "X-Amz-Security-Token"), None);
    }

    #[test]
    fn a_get_with_an_unsorted_encoded_query_a_port_and_spaced_header() {
        let req = request(
            "GET",
            "https://iam.amazonaws.com:8443/a%20b/c~d?Version=2010-05-08&Action=ListUsers&Tag=z&Tag=a&Name=x%2Fy",
            &[("X-Custom", "  one   two  "), ("User-Agent", "weft")],
            None,
        );
        let time = Utc.with_ymd_and_hms(2015, 8, 30, 12, 36, 0).unwrap();
        let added = signature_headers(&req, &credentials(None), "iam", "us-east-1", time).unwrap();
        assert_eq!(
            header(&added, "Authorization"),
            Some(
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=host;x-amz-date;x-custom, Signature=672f1ee05fd45d822feeb3da1d7b7229eeabcad5d33cdca59c7b1de8b42a6a60"
            )
        );
    }

    #[test]
    fn an_aws_json_post_with_a_target_and_a_session_token() {
        let req = request(
            "POST",
            "https://ecs.eu-west-1.amazonaws.com/",
            &[
                ("Content-Type", "application/x-amz-json-1.1"),
                (
                    "X-Amz-Target",
                    "AmazonEC2ContainerServiceV20141113.ListTasks",
                ),
            ],
            Some(
                r#"{"cluster":"default","desiredStatus":"RUNNING","launchType":"FARGATE","maxResults":1}"#,
            ),
        );
        let time = Utc.with_ymd_and_hms(2026, 11, 21, 8, 5, 9).unwrap();
        let added = signature_headers(
            &req,
            &credentials(Some("FQoGZXIvYXdzEXAMPLETOKEN")),
            "ecs",
            "eu-west-1",
            time,
        )
        .unwrap();
        assert_eq!(header(&added, "X-Amz-Date"), Some("20261121T080509Z"));
        assert_eq!(
            header(&added, "X-Amz-Security-Token"),
            Some("FQoGZXIvYXdzEXAMPLETOKEN")
        );
        assert_eq!(
            header(&added, "Authorization"),
            Some(
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261121/eu-west-1/ecs/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target, Signature=ec4771aef23d6a51913472f34fbd9028348a263e506e312ed6ad85ecebec81b1"
            )
        );
    }

    #[test]
    fn a_plain_http_post_to_a_local_endpoint() {
        let mut req = request(
            "POST",
            "http://127.0.0.1:5000/",
            &[
                ("Content-Type", "application/x-amz-json-1.1"),
                (
                    "X-Amz-Target",
                    "AmazonEC2ContainerServiceV20141113.DescribeTasks",
                ),
                // A stale signature from an earlier attempt is replaced, not signed.
                ("Authorization", "AWS4-HMAC-SHA256 stale"),
            ],
            Some(
                r#"{"cluster":"default","tasks":["arn:aws:ecs:us-east-1:123456789012:task/default/abc"]}"#,
            ),
        );
        let time = Utc.with_ymd_and_hms(2026, 11, 21, 8, 5, 9).unwrap();
        sign(&mut req, &credentials(None), "ecs", "us-east-1", time).unwrap();
        let authorizations: Vec<_> = req
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case("authorization"))
            .collect();
        assert_eq!(authorizations.len(), 1);
        assert_eq!(
            authorizations[0].1,
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261121/us-east-1/ecs/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=24e5a89971429a80a1715f09ce902504628635aca046c5f80408d45cc8b6db21"
        );
        assert_eq!(req.header("x-amz-date"), Some("20261121T080509Z"));
    }

    #[test]
    fn a_url_without_a_host_cannot_be_signed() {
        let req = request("GET", "not a url", &[], None);
        let time = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        assert!(signature_headers(&req, &credentials(None), "ecs", "us-east-1", time).is_err());
    }

    #[test]
    fn encoding_follows_rfc_3986_unreserved_characters() {
        assert_eq!(encode("a b/c~d-e_f.g*h", false), "a%20b%2Fc~d-e_f.g%2Ah");
        assert_eq!(encode("/a%20b/", true), "/a%2520b/");
        assert_eq!(decode("x%2Fy%zz%4"), "x/y%zz%4");
    }
}
