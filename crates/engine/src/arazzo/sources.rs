//! Reading the source descriptions an Arazzo document names: `file:` URLs from disk,
//! `http(s):` URLs with a GET, each at most [`MAX_TEXT_BYTES`] long. `weft run` and the
//! server's definitions read through here.

use reqwest::Url;
use weft_arazzo::document::MAX_TEXT_BYTES;

/// Reads one source description; `fetch` performs the GET of an `http(s):` URL (the
/// caller decides which runtime drives it).
pub fn read(
    url: &str,
    fetch: impl FnOnce(Url) -> Result<String, String>,
) -> Result<String, String> {
    let parsed = Url::parse(url).map_err(|e| format!("not a URL: {e}"))?;
    match parsed.scheme() {
        "file" => {
            let path = parsed
                .to_file_path()
                .map_err(|()| "not a local file".to_string())?;
            let length = std::fs::metadata(&path).map_err(|e| e.to_string())?.len();
            if length > MAX_TEXT_BYTES as u64 {
                return Err(format!("the file is longer than {MAX_TEXT_BYTES} bytes"));
            }
            std::fs::read_to_string(&path).map_err(|e| e.to_string())
        }
        "http" | "https" => fetch(parsed),
        other => Err(format!("cannot read '{other}:' URLs")),
    }
}

/// GETs a description over HTTP.
pub async fn fetch(client: &reqwest::Client, url: Url) -> Result<String, String> {
    let mut response = client.get(url).send().await.map_err(|e| e.to_string())?;
    let status = response.status();
    if !status.is_success() {
        return Err(format!("the server answered {status}"));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| e.to_string())? {
        if body.len() + chunk.len() > MAX_TEXT_BYTES {
            return Err(format!(
                "the description is longer than {MAX_TEXT_BYTES} bytes"
            ));
        }
        body.extend_from_slice(&chunk);
    }
    String::from_utf8(body).map_err(|_| "the description is not UTF-8 text".to_string())
}
