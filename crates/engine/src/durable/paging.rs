//! Page tokens: opaque to callers, they carry where the next page starts.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::{EngineError, EngineResult};

/// The page size when the caller gives none (or 0), and the largest allowed.
pub const DEFAULT_PAGE: usize = 100;
pub const MAX_PAGE: usize = 1000;

pub fn limit(max_results: Option<u32>) -> usize {
    match max_results {
        None | Some(0) => DEFAULT_PAGE,
        Some(n) => (n as usize).min(MAX_PAGE),
    }
}

pub fn encode_text(position: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("weft:{position}"))
}

pub fn decode_text(token: Option<&str>) -> EngineResult<Option<String>> {
    let Some(token) = token else { return Ok(None) };
    let invalid = || EngineError::InvalidToken(format!("Invalid Token: '{token}'"));
    let bytes = URL_SAFE_NO_PAD.decode(token).map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    text.strip_prefix("weft:")
        .map(|p| Some(p.to_string()))
        .ok_or_else(invalid)
}

pub fn encode_id(id: i64) -> String {
    encode_text(&id.to_string())
}

pub fn decode_id(token: Option<&str>) -> EngineResult<Option<i64>> {
    match decode_text(token)? {
        None => Ok(None),
        Some(text) => text.parse().map(Some).map_err(|_| {
            EngineError::InvalidToken(format!("Invalid Token: '{}'", token.unwrap_or_default()))
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_garbage_is_refused() {
        assert_eq!(decode_id(Some(&encode_id(42))).unwrap(), Some(42));
        assert_eq!(
            decode_text(Some(&encode_text("b:c"))).unwrap().as_deref(),
            Some("b:c")
        );
        assert_eq!(decode_id(None).unwrap(), None);
        for bad in ["", "!!!", "Zm9v", &encode_text("x")] {
            assert!(decode_id(Some(bad)).is_err(), "{bad}");
        }
        assert_eq!(limit(None), 100);
        assert_eq!(limit(Some(0)), 100);
        assert_eq!(limit(Some(7)), 7);
        assert_eq!(limit(Some(5000)), 1000);
    }
}
