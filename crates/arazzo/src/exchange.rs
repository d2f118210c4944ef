//! The HTTP requests a workflow makes and the responses it reads, as plain data.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A request ready to send. Header names keep the case the document gave them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HttpRequest {
    pub method: String,
    /// The absolute URL, query string included.
    pub url: String,
    pub headers: Vec<(String, String)>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// Set when the request must be signed with AWS Signature Version 4; the caller
    /// signs it with its own credentials (they never enter the history).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aws_signing: Option<AwsSigning>,
}

/// The SigV4 credential scope for a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AwsSigning {
    pub service: String,
    pub region: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    /// The body as text (bytes that are not UTF-8 are replaced).
    pub body: String,
}

impl HttpRequest {
    /// The first header with this name, compared case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }
}

impl HttpResponse {
    /// The first header with this name, compared case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }

    /// The body as runtime expressions see it (see [`body_value`]).
    pub fn body_value(&self) -> Value {
        body_value(self.header("content-type"), &self.body)
    }
}

/// A body as a value: parsed JSON when the content type is JSON (`application/json`,
/// `application/x-amz-json-1.1`, `…+json`) or absent and the text parses, otherwise
/// the text itself.
pub fn body_value(content_type: Option<&str>, body: &str) -> Value {
    let json = content_type.is_none_or(|ct| ct.to_ascii_lowercase().contains("json"));
    if json && let Ok(value) = serde_json::from_str::<Value>(body) {
        return value;
    }
    Value::String(body.to_string())
}

fn find_header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}
