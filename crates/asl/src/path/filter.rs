//! Rewrites a Jayway filter expression (`?(@.price < 10)`) into RFC 9535 filter
//! syntax. Most of Jayway's filter language carries over unchanged; embedded paths are
//! re-rendered in bracket notation (so `@.my-field` works) and the regular expression
//! operator `=~ /re/flags` becomes the RFC 9535 `match()` function.

use super::syntax::{Cursor, Mode, parse_quoted, parse_steps, render_steps, render_string};

/// Bounds parenthesis nesting, which the RFC 9535 parser handles by recursion.
const MAX_PARENTHESES: usize = 32;

/// Reads a filter expression starting at its opening `(` and returns the RFC 9535
/// filter-selector text (starting with `?`). Stops after the matching `)`.
pub(super) fn parse_filter(cursor: &mut Cursor<'_>, nesting: usize) -> Result<String, String> {
    if cursor.peek() != Some('(') {
        return Err(cursor.unexpected("'(' after '?'"));
    }
    let mut out = String::from("?");
    let mut depth = 0usize;
    // Where the most recent operand starts in `out`: `=~` wraps it in `match()`.
    let mut operand_start: Option<usize> = None;
    loop {
        cursor.skip_blanks();
        let at = cursor.pos();
        let Some(c) = cursor.peek() else {
            return Err("the filter expression is not closed with ')'".to_string());
        };
        match c {
            '(' => {
                cursor.bump();
                depth += 1;
                if depth > MAX_PARENTHESES {
                    return Err("the filter expression nests parentheses too deeply".to_string());
                }
                out.push('(');
            }
            ')' => {
                cursor.bump();
                out.push(')');
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return Ok(out);
                }
            }
            '@' | '$' => {
                cursor.bump();
                if c == '$'
                    && cursor
                        .peek()
                        .is_some_and(|n| n == '$' || n == '_' || n.is_alphabetic())
                {
                    return Err(format!(
                        "only '$' and '@' may start a path inside a filter (position {at})"
                    ));
                }
                operand_start = Some(out.len());
                out.push(c);
                let steps = parse_steps(cursor, Mode::Filter, nesting)?;
                render_steps(&steps, &mut out);
            }
            '\'' | '"' => {
                operand_start = Some(out.len());
                let value = parse_quoted(cursor)?;
                render_string(&value, &mut out);
            }
            c if c == '-' || c.is_ascii_digit() => {
                operand_start = Some(out.len());
                while cursor
                    .peek()
                    .is_some_and(|n| n.is_ascii_digit() || "-+.eE".contains(n))
                {
                    if let Some(n) = cursor.bump() {
                        out.push(n);
                    }
                }
            }
            c if c.is_alphabetic() => {
                let mut word = String::new();
                while let Some(n) = cursor.peek().filter(|n| n.is_alphanumeric()) {
                    word.push(n);
                    cursor.bump();
                }
                match word.as_str() {
                    "true" | "false" | "null" => {
                        operand_start = Some(out.len());
                        out.push_str(&word);
                    }
                    _ => {
                        return Err(format!(
                            "the filter operator or literal '{word}' at position {at} is not supported"
                        ));
                    }
                }
            }
            '=' => {
                cursor.bump();
                if cursor.eat('=') {
                    out.push_str(" == ");
                } else if cursor.eat('~') {
                    let Some(start) = operand_start else {
                        return Err(format!("'=~' at position {at} has no left operand"));
                    };
                    let pattern = parse_regex(cursor)?;
                    let operand = out.split_off(start);
                    out.push_str("match(");
                    out.push_str(operand.trim_end());
                    out.push_str(", ");
                    render_string(&pattern, &mut out);
                    out.push(')');
                } else {
                    return Err(format!("'=' at position {at} must be '==' or '=~'"));
                }
            }
            '!' => {
                cursor.bump();
                out.push_str(if cursor.eat('=') { " != " } else { "!" });
            }
            '<' | '>' => {
                cursor.bump();
                out.push(' ');
                out.push(c);
                if cursor.eat('=') {
                    out.push('=');
                }
                out.push(' ');
            }
            '&' | '|' => {
                cursor.bump();
                if !cursor.eat(c) {
                    return Err(format!("'{c}' at position {at} must be doubled ('{c}{c}')"));
                }
                out.push(' ');
                out.push(c);
                out.push(c);
                out.push(' ');
            }
            _ => {
                return Err(format!(
                    "unexpected '{c}' at position {at} in a filter expression"
                ));
            }
        }
    }
}

/// Reads `/pattern/flags` after `=~`. Jayway matches the whole value (Java
/// `Matcher.matches`), as RFC 9535 `match()` does; the `i` flag becomes `(?i)`.
fn parse_regex(cursor: &mut Cursor<'_>) -> Result<String, String> {
    cursor.skip_blanks();
    let start = cursor.pos();
    if !cursor.eat('/') {
        return Err(cursor.unexpected("a regular expression such as /a.*/ after '=~'"));
    }
    let mut pattern = String::new();
    loop {
        match cursor.bump() {
            None => {
                return Err(format!(
                    "the regular expression starting at position {start} is not closed with '/'"
                ));
            }
            Some('/') => break,
            Some('\\') => match cursor.bump() {
                Some('/') => pattern.push('/'),
                Some(c) => {
                    pattern.push('\\');
                    pattern.push(c);
                }
                None => {
                    return Err(format!(
                        "the regular expression starting at position {start} is not closed with '/'"
                    ));
                }
            },
            Some(c) => pattern.push(c),
        }
    }
    let mut case_insensitive = false;
    while let Some(flag) = cursor.peek().filter(|c| c.is_ascii_alphabetic()) {
        cursor.bump();
        match flag {
            'i' => case_insensitive = true,
            _ => {
                return Err(format!(
                    "the regular expression flag '{flag}' is not supported (only 'i' is)"
                ));
            }
        }
    }
    if case_insensitive {
        pattern.insert_str(0, "(?i)");
    }
    Ok(pattern)
}
