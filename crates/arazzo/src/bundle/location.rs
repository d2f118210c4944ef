//! URLs of documents and servers: resolving relative references (RFC 3986 §5) against
//! the document that holds them.

use url::Url;

/// Resolves `reference` against `base`, an absolute URL.
pub(super) fn resolve(base: &Url, reference: &str) -> Result<Url, String> {
    base.join(reference)
        .map_err(|e| format!("`{reference}` is not a valid URL reference: {e}"))
}

pub(super) fn is_http(url: &Url) -> bool {
    matches!(url.scheme(), "http" | "https")
}

/// The base URL requests to a server go to, without a trailing slash (operation paths
/// start with one). Absolute http(s) servers are kept as written; relative ones are
/// resolved against the description's URL when that is http(s). `None`: the server
/// is relative to a local file, so only an override can say where the API is.
pub(super) fn server_base(server: &str, description: &Url) -> Option<String> {
    let absolute = match Url::parse(server) {
        Ok(url) if is_http(&url) => server.to_string(),
        _ if is_http(description) => description.join(server).ok()?.to_string(),
        _ => return None,
    };
    Some(trim_slash(&absolute).to_string())
}

pub(super) fn trim_slash(url: &str) -> &str {
    let trimmed = url.trim_end_matches('/');
    if trimmed.ends_with(':') || trimmed.is_empty() {
        url
    } else {
        trimmed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_references_resolve_as_rfc_3986_says() {
        // RFC 3986 §5.4.1 normal examples, base "http://a/b/c/d;p?q".
        let base = Url::parse("http://a/b/c/d;p?q").unwrap();
        for (reference, expected) in [
            ("g", "http://a/b/c/g"),
            ("./g", "http://a/b/c/g"),
            ("../g", "http://a/b/g"),
            ("/g", "http://a/g"),
            ("//g", "http://g/"),
            ("../../g", "http://a/g"),
        ] {
            assert_eq!(resolve(&base, reference).unwrap().as_str(), expected);
        }
        let file = Url::parse("file:///work/shared/arazzo/seed.yml").unwrap();
        assert_eq!(
            resolve(&file, "../openapi/api.yml").unwrap().as_str(),
            "file:///work/shared/openapi/api.yml"
        );
    }

    #[test]
    fn servers_relative_to_http_descriptions_resolve() {
        let http = Url::parse("https://example.com/specs/openapi.yaml").unwrap();
        assert_eq!(
            server_base("/api", &http).as_deref(),
            Some("https://example.com/api")
        );
        assert_eq!(
            server_base("v2/", &http).as_deref(),
            Some("https://example.com/specs/v2")
        );
        assert_eq!(
            server_base("/", &http).as_deref(),
            Some("https://example.com")
        );
        let file = Url::parse("file:///specs/openapi.yaml").unwrap();
        assert_eq!(server_base("/api", &file), None);
        assert_eq!(
            server_base("https://api.example.com/v1/", &file).as_deref(),
            Some("https://api.example.com/v1")
        );
    }
}
