//! Reading an Arazzo document and the source descriptions it names: files by path or
//! `file:` URL, `http(s):` URLs with a GET.

use std::path::Path;
use std::time::Duration;

use reqwest::Url;
use weft_arazzo::bundle::{Bundle, BundleError};
use weft_arazzo::document::parse_value;
use weft_engine::arazzo::sources;

/// How long fetching one source description over HTTP may take.
const FETCH_TIMEOUT: Duration = Duration::from_secs(30);

/// Whether the file is an Arazzo document: YAML or JSON whose root has `arazzo`.
pub fn is_arazzo_file(file: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(file) else {
        return false;
    };
    is_arazzo_text(&text)
}

pub fn is_arazzo_text(text: &str) -> bool {
    match parse_value(text) {
        Ok(serde_json::Value::Object(root)) => root.contains_key("arazzo"),
        Ok(_) => false,
        // A document that does not parse is still reported as the Arazzo document it
        // means to be when it says so at the start of a line.
        Err(_) => text.lines().any(|line| {
            let line = line.trim_start_matches(['{', ' ', '\t']);
            ["arazzo:", "\"arazzo\":", "\"arazzo\" :", "'arazzo':"]
                .iter()
                .any(|key| line.starts_with(key))
        }),
    }
}

/// Loads the document in `file` and every source it names.
pub fn load(file: &Path) -> Result<Bundle, BundleError> {
    let url = file_url(file).map_err(|message| BundleError::Read {
        url: file.display().to_string(),
        message,
    })?;
    let text = std::fs::read_to_string(file).map_err(|e| BundleError::Read {
        url: url.clone(),
        message: e.to_string(),
    })?;
    let mut fetcher = Fetcher::default();
    Bundle::load(&url, &text, &mut |url| fetcher.read(url))
}

/// The absolute `file://` URL of a path.
fn file_url(file: &Path) -> Result<String, String> {
    let absolute = std::path::absolute(file).map_err(|e| e.to_string())?;
    Url::from_file_path(&absolute)
        .map(String::from)
        .map_err(|()| format!("{} cannot be written as a URL", absolute.display()))
}

/// Reads URLs; the HTTP client and its runtime are made at the first `http(s):` URL.
#[derive(Default)]
struct Fetcher {
    http: Option<(tokio::runtime::Runtime, reqwest::Client)>,
}

impl Fetcher {
    fn read(&mut self, url: &str) -> Result<String, String> {
        sources::read(url, |url| self.fetch(url))
    }

    fn fetch(&mut self, url: Url) -> Result<String, String> {
        if self.http.is_none() {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?;
            let client = reqwest::Client::builder()
                .timeout(FETCH_TIMEOUT)
                .build()
                .map_err(|e| e.to_string())?;
            self.http = Some((runtime, client));
        }
        let Some((runtime, client)) = &self.http else {
            return Err("no HTTP client".into());
        };
        runtime.block_on(sources::fetch(client, url))
    }
}

#[cfg(test)]
mod tests {
    use super::is_arazzo_text;

    #[test]
    fn the_root_arazzo_member_marks_a_document() {
        assert!(is_arazzo_text("arazzo: 1.0.1\ninfo: {}\n"));
        assert!(is_arazzo_text(r#"{"arazzo": "1.0.1", "workflows": []}"#));
        assert!(!is_arazzo_text(r#"{"StartAt": "P", "States": {}}"#));
        assert!(!is_arazzo_text("StartAt: P\nComment: arazzo: no\n"));
        assert!(!is_arazzo_text("[1, 2]"));
        // Broken YAML that says what it is.
        assert!(is_arazzo_text("arazzo: 1.0.1\na: 1\na: 2\n"));
        assert!(!is_arazzo_text("StartAt: P\nStartAt: Q\n"));
    }
}
