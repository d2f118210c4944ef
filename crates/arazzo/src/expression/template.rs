//! Strings and values that embed runtime expressions (the rules are in the docs of
//! [`crate::expression`]).

use std::borrow::Cow;

use serde_json::{Map, Value};

use super::eval::resolve;
use super::parse::{parse, root_len};
use super::{Expression, ExpressionError, Scope};

pub(crate) fn render(value: &Value, scope: &Scope) -> Result<Value, ExpressionError> {
    Ok(match value {
        Value::String(text) => render_string(text, scope)?,
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|item| render(item, scope))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(members) => {
            let mut out = Map::with_capacity(members.len());
            for (key, member) in members {
                out.insert(key.clone(), render(member, scope)?);
            }
            Value::Object(out)
        }
        other => other.clone(),
    })
}

fn render_string(text: &str, scope: &Scope) -> Result<Value, ExpressionError> {
    if let Some(expression) = whole(text) {
        let value = resolve(&expression, scope)?;
        return Ok(value.map(Cow::into_owned).unwrap_or(Value::Null));
    }
    Ok(Value::String(embed(text, scope, true)?))
}

pub(crate) fn render_text(text: &str, scope: &Scope) -> Result<String, ExpressionError> {
    if let Some(expression) = whole(text) {
        let value = resolve(&expression, scope)?;
        return Ok(text_of(value.as_deref()).into_owned());
    }
    embed(text, scope, true)
}

/// Replaces `{$…}` only (no bare `$…`): the conditions of regex, jsonpath and xpath
/// criteria, where `$` belongs to the query language (1.1: "runtime expressions MUST
/// be embedded within the `condition` string using `{}` curly braces").
pub(crate) fn substitute<'t>(
    text: &'t str,
    scope: &Scope,
) -> Result<Cow<'t, str>, ExpressionError> {
    if !text.contains("{$") {
        return Ok(Cow::Borrowed(text));
    }
    embed(text, scope, false).map(Cow::Owned)
}

/// How many `{$…}` a string embeds; an error when one does not parse.
pub(crate) fn braced_count(text: &str) -> Result<usize, ExpressionError> {
    let mut count = 0;
    scan(text, false, |piece| {
        if let Piece::Expression(..) = piece {
            count += 1;
        }
        Ok(())
    })?;
    Ok(count)
}

/// The text a value is embedded as; `None` (absent) is empty.
pub fn text_of(value: Option<&Value>) -> Cow<'_, str> {
    match value {
        None => Cow::Borrowed(""),
        Some(Value::String(s)) => Cow::Borrowed(s),
        Some(other) => Cow::Owned(other.to_string()),
    }
}

/// The bare `$…` expressions (not in braces) inside a string that is not itself one
/// expression, as written, so that validation can suggest `{$…}`. Candidates that do
/// not parse are listed too.
pub fn bare_expressions(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    if !text.contains('$') || parse(text).is_ok() {
        return found;
    }
    let _ = scan(text, true, |piece| {
        match piece {
            Piece::Bare(candidate) => found.push(candidate.to_string()),
            Piece::Expression(expression, false) => found.push(expression.text),
            _ => {}
        }
        Ok(())
    });
    found
}

/// Every expression a string uses: the whole string, `{$…}` and bare `$…`.
pub fn references(text: &str) -> Result<Vec<Expression>, ExpressionError> {
    if let Some(expression) = whole(text) {
        return Ok(vec![expression]);
    }
    let mut found = Vec::new();
    scan(text, true, |piece| {
        if let Piece::Expression(expression, _) = piece {
            found.push(expression);
        }
        Ok(())
    })?;
    Ok(found)
}

fn whole(text: &str) -> Option<Expression> {
    if text.starts_with('$') {
        parse(text).ok()
    } else {
        None
    }
}

fn embed(text: &str, scope: &Scope, bare: bool) -> Result<String, ExpressionError> {
    if !text.contains('$') {
        return Ok(text.to_string());
    }
    let mut out = String::with_capacity(text.len());
    scan(text, bare, |piece| {
        match piece {
            Piece::Text(t) | Piece::Bare(t) => out.push_str(t),
            Piece::Expression(expression, _) => {
                let value = resolve(&expression, scope)?;
                out.push_str(&text_of(value.as_deref()));
            }
        }
        Ok(())
    })?;
    Ok(out)
}

enum Piece<'t> {
    Text(&'t str),
    /// An expression, and whether it was in braces.
    Expression(Expression, bool),
    /// A bare candidate that did not parse: literal text.
    Bare(&'t str),
}

/// Splits `text` into literal text and embedded expressions, in order.
fn scan<'t>(
    text: &'t str,
    bare: bool,
    mut emit: impl FnMut(Piece<'t>) -> Result<(), ExpressionError>,
) -> Result<(), ExpressionError> {
    let bytes = text.as_bytes();
    let (mut literal, mut i) = (0, 0);
    while i < bytes.len() {
        if bytes[i] == b'{' && bytes.get(i + 1) == Some(&b'$') && root_len(&text[i + 2..]).is_some()
        {
            let Some(close) = text[i..].find('}') else {
                return Err(ExpressionError(format!(
                    "`{{` without a closing `}}` in `{text}`"
                )));
            };
            let expression = parse(&text[i + 1..i + close])?;
            emit(Piece::Text(&text[literal..i]))?;
            emit(Piece::Expression(expression, true))?;
            i += close + 1;
            literal = i;
            continue;
        }
        if bare
            && bytes[i] == b'$'
            && let Some(end) = bare_end(text, i)
        {
            emit(Piece::Text(&text[literal..i]))?;
            match parse(&text[i..end]) {
                Ok(expression) => emit(Piece::Expression(expression, false))?,
                Err(_) => emit(Piece::Bare(&text[i..end]))?,
            }
            i = end;
            literal = i;
            continue;
        }
        i += 1;
    }
    emit(Piece::Text(&text[literal..]))
}

/// Where a bare expression starting at `start` (the `$`) ends, if a root follows.
fn bare_end(text: &str, start: usize) -> Option<usize> {
    let root = root_len(&text[start + 1..])?;
    let mut end = start + 1 + root;
    if !text[start + 1..end].ends_with('.') {
        return Some(end); // $url, $method, $statusCode
    }
    let bytes = text.as_bytes();
    while end < bytes.len()
        && (bytes[end].is_ascii_alphanumeric() || matches!(bytes[end], b'_' | b'.' | b'-'))
    {
        end += 1;
    }
    if text[end..].starts_with("#/") {
        let stop = text[end..]
            .find(|c: char| c.is_whitespace() || "\"'<>&,)]}".contains(c))
            .map_or(text.len(), |at| end + at);
        return Some(stop);
    }
    while bytes[end - 1] == b'.' && end > start + 1 + root {
        end -= 1;
    }
    Some(end)
}
