//! `States.Hash`.

use std::borrow::Cow;
use std::fmt::Write;

use md5::Md5;
use serde_json::Value;
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha384, Sha512};

use super::encoding::limited_string;
use super::{Outcome, expect_string, wrong_arity};

/// The algorithms `States.Hash` and JSONata's `$hash` accept, by the names AWS uses.
pub(crate) const ALGORITHMS: &str = "MD5, SHA-1, SHA-256, SHA-384, SHA-512";

/// The lower-case hex digest of `data` with the algorithm AWS names `algorithm`, or
/// `None` for an algorithm it does not offer.
pub(crate) fn hex_digest(data: &[u8], algorithm: &str) -> Option<String> {
    let digest: Vec<u8> = match algorithm {
        "MD5" => Md5::digest(data).to_vec(),
        "SHA-1" => Sha1::digest(data).to_vec(),
        "SHA-256" => Sha256::digest(data).to_vec(),
        "SHA-384" => Sha384::digest(data).to_vec(),
        "SHA-512" => Sha512::digest(data).to_vec(),
        _ => return None,
    };
    let mut hex = String::with_capacity(digest.len() * 2);
    for byte in digest {
        let _ = write!(hex, "{byte:02x}");
    }
    Some(hex)
}

/// `States.Hash(data, algorithm)`: the lower-case hex digest of the data's UTF-8 bytes.
pub(super) fn hash(name: &str, args: &[Cow<'_, Value>]) -> Outcome {
    let [data, algorithm] = args else {
        return Err(wrong_arity(name, args.len()));
    };
    let data = limited_string(name, data)?.as_bytes();
    let algorithm = expect_string(name, 2, algorithm)?;
    hex_digest(data, algorithm)
        .map(Value::String)
        .ok_or_else(|| {
            format!(
                "'{algorithm}' is not a hash algorithm supported by {name}; use one of {ALGORITHMS}"
            )
        })
}
