//! The budget of an XPath expression, checked before the expression reaches xee.
//!
//! xee's parser backtracks: its time doubles with each level of brackets that nest
//! (measured on xee-xpath 0.1.5: a valid `a[a[…[1]…]]` takes 5 ms at 8 levels, 90 ms
//! at 12 and 400 ms at 14; a malformed one costs more, and 23 bytes of unbalanced `[`
//! took over 12 s). The work stays small when the nesting is shallow, so an expression
//! is measured here first, in one pass over its text, and refused when it is too long,
//! when its brackets do not balance (the parser would spend its worst time finding
//! out) or when they nest too deeply.

/// The longest XPath expression weft compiles, in bytes.
pub const MAX_XPATH_BYTES: usize = 1024;

/// How deeply `(`, `[` and `{` may nest in an XPath expression. Conditions written by
/// hand nest two or three levels (`//a[b[contains(., 'x')]]` is three).
pub const MAX_XPATH_NESTING: usize = 6;

/// How deeply an `xpath-10` expression may nest once it is rewritten with XPath 1.0's
/// conversions: each comparison and arithmetic operand gains two or three levels, and
/// the rewritten text is long, so it gets less depth than a 3.1 expression may have
/// (comparisons nest three deep: `a[b[c = 1] = 1] = 1`).
pub const MAX_REWRITTEN_NESTING: usize = 9;

/// The longest rewritten `xpath-10` expression, in bytes.
pub const MAX_REWRITTEN_BYTES: usize = 8 * MAX_XPATH_BYTES;

/// Checks the length of `xpath` and the nesting of its brackets, skipping string
/// literals and comments. The message says what is over the budget and where (a byte
/// offset into the expression).
pub fn check(xpath: &str, max_bytes: usize, max_nesting: usize) -> Result<(), String> {
    if xpath.len() > max_bytes {
        return Err(format!(
            "the expression is {} bytes long; the limit is {max_bytes}",
            xpath.len()
        ));
    }
    let bytes = xpath.as_bytes();
    let mut open: Vec<(u8, usize)> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            quote @ (b'"' | b'\'') => i = string_end(bytes, i, quote)?,
            b'(' if bytes.get(i + 1) == Some(&b':') => i = comment_end(bytes, i)?,
            c @ (b'(' | b'[' | b'{') => {
                open.push((c, i));
                if open.len() > max_nesting {
                    return Err(format!(
                        "brackets nest more than {max_nesting} levels deep (at offset {i})"
                    ));
                }
                i += 1;
            }
            c @ (b')' | b']' | b'}') => {
                let expected = match c {
                    b')' => b'(',
                    b']' => b'[',
                    _ => b'{',
                };
                match open.pop() {
                    Some((opener, _)) if opener == expected => {}
                    Some((opener, at)) => {
                        return Err(format!(
                            "`{}` at offset {i} does not close `{}` at offset {at}",
                            c as char, opener as char
                        ));
                    }
                    None => {
                        return Err(format!("`{}` at offset {i} closes nothing", c as char));
                    }
                }
                i += 1;
            }
            _ => i += 1,
        }
    }
    match open.last() {
        Some((opener, at)) => Err(format!(
            "`{}` at offset {at} is never closed",
            *opener as char
        )),
        None => Ok(()),
    }
}

/// The offset after the string literal that starts at `start` (a doubled quote is the
/// quote itself).
fn string_end(bytes: &[u8], start: usize, quote: u8) -> Result<usize, String> {
    let mut i = start + 1;
    while i < bytes.len() {
        if bytes[i] == quote {
            if bytes.get(i + 1) == Some(&quote) {
                i += 2;
                continue;
            }
            return Ok(i + 1);
        }
        i += 1;
    }
    Err(format!("the string literal at offset {start} never ends"))
}

/// The offset after the comment that starts at `start`; comments nest (XPath 3.1
/// §A.2.2, `(: … (: … :) … :)`) and count towards the nesting budget only as text.
fn comment_end(bytes: &[u8], start: usize) -> Result<usize, String> {
    let mut depth = 0usize;
    let mut i = start;
    while i + 1 < bytes.len() {
        match (bytes[i], bytes[i + 1]) {
            (b'(', b':') => {
                depth += 1;
                i += 2;
            }
            (b':', b')') => {
                depth -= 1;
                i += 2;
                if depth == 0 {
                    return Ok(i);
                }
            }
            _ => i += 1,
        }
    }
    Err(format!("the comment at offset {start} never ends"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn within(xpath: &str) -> Result<(), String> {
        check(xpath, MAX_XPATH_BYTES, MAX_XPATH_NESTING)
    }

    #[test]
    fn conditions_as_written_pass() {
        for xpath in [
            "/root/pets/pet[@id = '2'] = 'Tom'",
            "count(/root/pets/*) > 0",
            "//a[b[contains(., 'x')]]",
            "map{'a': [1, 2]}?a",
            // Brackets inside literals and comments are text.
            "'(((([[[[' = \"]]]]\"",
            "'it''s' (: a ((( comment (: nested :) :) = 1",
            "((((((1))))))",
        ] {
            assert_eq!(within(xpath), Ok(()), "{xpath}");
        }
    }

    #[test]
    fn unbalanced_deep_and_long_expressions_are_refused() {
        let cases: &[(&str, &str)] = &[
            // The 23 bytes that kept xee's parser busy for over 12 s.
            (
                "[[[[[[[[[[[[[[[[[[[e[[",
                "brackets nest more than 6 levels deep (at offset 6)",
            ),
            ("a[1", "`[` at offset 1 is never closed"),
            ("a]", "`]` at offset 1 closes nothing"),
            ("f(a]", "`]` at offset 3 does not close `(` at offset 1"),
            ("'abc", "the string literal at offset 0 never ends"),
            ("1 (: x", "the comment at offset 2 never ends"),
            (
                "(((((((1)))))))",
                "brackets nest more than 6 levels deep (at offset 6)",
            ),
        ];
        for (xpath, message) in cases {
            assert_eq!(within(xpath), Err(message.to_string()), "{xpath}");
        }
        let long = "1 + ".repeat(600) + "1";
        assert_eq!(
            within(&long),
            Err("the expression is 2401 bytes long; the limit is 1024".to_string())
        );
    }
}
