//! JSON Pointers (RFC 6901) and the percent-encoding of URI fragments that carry them.

/// The reference tokens of a JSON Pointer, unescaped (`~1` → `/`, `~0` → `~`).
/// `None` when the text is not a pointer (no leading `/`, or a `~` not followed by
/// `0` or `1`).
pub(crate) fn unescape_pointer(pointer: &str) -> Option<Vec<String>> {
    if pointer.is_empty() {
        return Some(Vec::new());
    }
    let rest = pointer.strip_prefix('/')?;
    rest.split('/').map(unescape_token).collect()
}

fn unescape_token(token: &str) -> Option<String> {
    let mut out = String::with_capacity(token.len());
    let mut chars = token.chars();
    while let Some(c) = chars.next() {
        if c == '~' {
            match chars.next() {
                Some('0') => out.push('~'),
                Some('1') => out.push('/'),
                _ => return None,
            }
        } else {
            out.push(c);
        }
    }
    Some(out)
}

/// Decodes `%XX` escapes (RFC 3986 §2.1), as a JSON Pointer in a URI fragment is
/// written (RFC 6901 §6). Malformed escapes are kept as they are.
pub(crate) fn percent_decode(text: &str) -> String {
    if !text.contains('%') {
        return text.to_string();
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let (Some(h), Some(l)) = (
                bytes.get(i + 1).and_then(|b| (*b as char).to_digit(16)),
                bytes.get(i + 2).and_then(|b| (*b as char).to_digit(16)),
            )
        {
            out.push((h * 16 + l) as u8);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_6901_examples() {
        // RFC 6901 §5: "/a~1b" names "a/b", "/m~0n" names "m~n", "" the whole document.
        assert_eq!(unescape_pointer("/a~1b"), Some(vec!["a/b".to_string()]));
        assert_eq!(unescape_pointer("/m~0n"), Some(vec!["m~n".to_string()]));
        assert_eq!(unescape_pointer(""), Some(vec![]));
        assert_eq!(unescape_pointer("/"), Some(vec![String::new()]));
        // "~01" is "~1" unescaped once, not "/".
        assert_eq!(unescape_pointer("/~01"), Some(vec!["~1".to_string()]));
        assert_eq!(unescape_pointer("a"), None);
        assert_eq!(unescape_pointer("/~2"), None);
    }

    #[test]
    fn percent_escapes_are_decoded() {
        // RFC 6901 §6: "#/c%25d" is the pointer "/c%d".
        assert_eq!(percent_decode("/c%25d"), "/c%d");
        assert_eq!(percent_decode("/~1pets~1%7Bid%7D"), "/~1pets~1{id}");
        assert_eq!(percent_decode("/100%"), "/100%");
    }
}
