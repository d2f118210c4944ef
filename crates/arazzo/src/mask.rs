//! Keeping secrets out of what is shown and recorded: `weft run`'s progress lines, JSON
//! report and HAR file, and the history of hosted executions. The secrets are the values
//! of credential headers and the values [`crate::decider::secret_values`] names, in
//! whatever form a request carries them.

use serde_json::Value;

pub const MASK: &str = "********";

/// Headers whose values are credentials whatever they hold.
const SECRET_HEADERS: [&str; 5] = [
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
    "x-amz-security-token",
];

/// Replaces known secret values, and the values of credential headers, by [`MASK`].
#[derive(Debug, Clone, Default)]
pub struct Masker {
    /// Longest first, so that masking one never leaves part of a longer one visible.
    secrets: Vec<String>,
}

impl Masker {
    /// Masks each of `values` as it is, and in the forms it takes once sent or recorded:
    /// percent-encoded (in a URL) and escaped inside a JSON string.
    pub fn new(values: impl IntoIterator<Item = String>) -> Masker {
        let mut secrets = Vec::new();
        for value in values.into_iter().filter(|v| !v.is_empty()) {
            let encoded = percent_encode(&value);
            let form = encoded.replace("%20", "+");
            let json = serde_json::to_string(&value).unwrap_or_default();
            let json = json
                .strip_prefix('"')
                .and_then(|j| j.strip_suffix('"'))
                .unwrap_or(&value)
                .to_string();
            secrets.extend([value, encoded, form, json]);
        }
        secrets.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        secrets.dedup();
        Masker { secrets }
    }

    pub fn text(&self, text: &str) -> String {
        let mut out = text.to_string();
        for secret in &self.secrets {
            if out.contains(secret.as_str()) {
                out = out.replace(secret.as_str(), MASK);
            }
        }
        out
    }

    /// A JSON value with every string in it masked (object keys are names, not data).
    pub fn value(&self, value: &Value) -> Value {
        match value {
            Value::String(s) => Value::String(self.text(s)),
            Value::Array(items) => Value::Array(items.iter().map(|v| self.value(v)).collect()),
            Value::Object(members) => Value::Object(
                members
                    .iter()
                    .map(|(k, v)| (k.clone(), self.value(v)))
                    .collect(),
            ),
            other => other.clone(),
        }
    }

    /// A header's value as it may be shown.
    pub fn header(&self, name: &str, value: &str) -> String {
        if SECRET_HEADERS.contains(&name.to_ascii_lowercase().as_str()) {
            MASK.to_string()
        } else {
            self.text(value)
        }
    }
}

fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn secrets_are_masked_in_every_form_they_travel_in() {
        let masker = Masker::new(["s3cr3t token".to_string(), "a\"b".to_string()]);
        assert_eq!(masker.text("Bearer s3cr3t token!"), "Bearer ********!");
        assert_eq!(
            masker.text("https://h/x?t=s3cr3t%20token&u=s3cr3t+token"),
            "https://h/x?t=********&u=********"
        );
        assert_eq!(masker.text(r#"{"k":"a\"b"}"#), r#"{"k":"********"}"#);
        assert_eq!(
            masker.value(&json!({"token": ["s3cr3t token", 5], "a\"b": null})),
            json!({"token": ["********", 5], "a\"b": null})
        );
    }

    #[test]
    fn a_longer_secret_is_masked_whole() {
        let masker = Masker::new(["abc".to_string(), "abcdef".to_string()]);
        assert_eq!(masker.text("xabcdefx abc"), "x********x ********");
    }

    #[test]
    fn credential_headers_are_masked_whatever_they_hold() {
        let masker = Masker::new(Vec::new());
        assert_eq!(masker.header("Authorization", "Bearer x"), MASK);
        assert_eq!(masker.header("cookie", "a=b"), MASK);
        assert_eq!(masker.header("X-Amz-Security-Token", "t"), MASK);
        assert_eq!(masker.header("Content-Type", "text/plain"), "text/plain");
        // Nothing to mask: text passes through.
        assert_eq!(masker.text("plain"), "plain");
    }
}
