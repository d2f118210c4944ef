//! The call syntax: `States.Name(arg, …)` where an argument is a string in single
//! quotes, a number, `true`, `false`, `null`, a path or another call.

use serde_json::Value;

use super::{Arg, Call, Function, IntrinsicParseError};
use crate::path::Path;

/// AWS allows up to 10 intrinsic functions nested within one field.
const MAX_DEPTH: usize = 10;

pub(super) fn parse(text: &str) -> Result<Call, IntrinsicParseError> {
    let mut parser = Parser { text, pos: 0 };
    parser.skip_whitespace();
    let call = parser.call(1)?;
    parser.skip_whitespace();
    if parser.pos < text.len() {
        return Err(parser.error("unexpected text after the closing parenthesis"));
    }
    Ok(call)
}

struct Parser<'t> {
    text: &'t str,
    /// Byte offset of the next character.
    pos: usize,
}

impl<'t> Parser<'t> {
    fn rest(&self) -> &'t str {
        self.text.get(self.pos..).unwrap_or_default()
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn skip_whitespace(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.bump();
        }
    }

    fn error(&self, problem: &str) -> IntrinsicParseError {
        IntrinsicParseError {
            message: format!(
                "Invalid intrinsic function call '{}': {problem} (at character {})",
                self.text,
                self.text.get(..self.pos).map_or(0, |s| s.chars().count()) + 1
            ),
        }
    }

    fn call(&mut self, depth: usize) -> Result<Call, IntrinsicParseError> {
        if depth > MAX_DEPTH {
            return Err(self.error(&format!(
                "intrinsic functions can be nested at most {MAX_DEPTH} deep"
            )));
        }
        let start = self.pos;
        let name_len = self
            .rest()
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '.'))
            .unwrap_or(self.rest().len());
        let name = self.rest().get(..name_len).unwrap_or_default();
        let function = Function::from_name(name).ok_or_else(|| {
            self.error(&format!("'{name}' is not a supported intrinsic function"))
        })?;
        self.pos += name_len;
        self.skip_whitespace();
        if self.bump() != Some('(') {
            return Err(self.error(&format!("expected '(' after {name}")));
        }
        let mut args = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some(')') {
            self.bump();
        } else {
            loop {
                self.skip_whitespace();
                args.push(self.arg(depth)?);
                self.skip_whitespace();
                match self.bump() {
                    Some(',') => continue,
                    Some(')') => break,
                    Some(_) => return Err(self.error("expected ',' or ')' after an argument")),
                    None => return Err(self.error("missing ')' at the end of the call")),
                }
            }
        }
        let (min, max) = function.arity();
        if args.len() < min || max.is_some_and(|max| args.len() > max) {
            let expected = match max {
                Some(max) if max == min => format!("{min}"),
                Some(max) => format!("{min} to {max}"),
                None => format!("at least {min}"),
            };
            let saved = self.pos;
            self.pos = start;
            let error = self.error(&format!(
                "{name} takes {expected} argument{}, but {} {} given",
                if expected == "1" { "" } else { "s" },
                args.len(),
                if args.len() == 1 { "was" } else { "were" }
            ));
            self.pos = saved;
            return Err(error);
        }
        Ok(Call { function, args })
    }

    fn arg(&mut self, depth: usize) -> Result<Arg, IntrinsicParseError> {
        match self.peek() {
            Some('\'') => self.string(),
            Some('$') => self.path(),
            Some(c) if c == '-' || c.is_ascii_digit() => self.number(),
            Some(c) if c.is_ascii_alphabetic() => {
                let word_len = self
                    .rest()
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '.'))
                    .unwrap_or(self.rest().len());
                let literal = match self.rest().get(..word_len) {
                    Some("true") => Value::Bool(true),
                    Some("false") => Value::Bool(false),
                    Some("null") => Value::Null,
                    _ => return Ok(Arg::Call(self.call(depth + 1)?)),
                };
                self.pos += word_len;
                Ok(Arg::Literal(literal))
            }
            Some(_) => Err(self.error(
                "expected an argument: a string, number, boolean, null, path or function call",
            )),
            None => Err(self.error("missing ')' at the end of the call")),
        }
    }

    /// A string in single quotes. `\'`, `\{`, `\}` and `\\` stand for the character
    /// after the backslash; any other backslash is an error.
    fn string(&mut self) -> Result<Arg, IntrinsicParseError> {
        self.bump();
        let mut value = String::new();
        let mut placeholders = Vec::new();
        loop {
            match self.bump() {
                None => return Err(self.error("unterminated string: missing closing quote")),
                Some('\'') => break,
                Some('\\') => match self.bump() {
                    Some(c @ ('\'' | '{' | '}' | '\\')) => value.push(c),
                    Some(_) => {
                        return Err(self.error(
                            "invalid escape sequence: only \\', \\{, \\} and \\\\ are allowed in a string",
                        ));
                    }
                    None => {
                        return Err(
                            self.error("unterminated escape sequence at the end of the string")
                        );
                    }
                },
                Some('{') if self.peek() == Some('}') => {
                    self.bump();
                    placeholders.push(value.len());
                    value.push_str("{}");
                }
                Some(c) => value.push(c),
            }
        }
        Ok(Arg::String {
            value: Value::String(value),
            placeholders,
        })
    }

    fn number(&mut self) -> Result<Arg, IntrinsicParseError> {
        let len = self
            .rest()
            .find(|c: char| !(c.is_ascii_digit() || matches!(c, '-' | '+' | '.' | 'e' | 'E')))
            .unwrap_or(self.rest().len());
        let literal = self.rest().get(..len).unwrap_or_default();
        match serde_json::from_str::<serde_json::Number>(literal) {
            Ok(number) => {
                self.pos += len;
                Ok(Arg::Literal(Value::Number(number)))
            }
            Err(_) => Err(self.error(&format!("'{literal}' is not a valid number"))),
        }
    }

    /// A path runs up to the next `,` or `)` that is not inside brackets, parentheses
    /// or quotes, so filters such as `$.a[?(@.b == 'x,y')]` stay whole.
    fn path(&mut self) -> Result<Arg, IntrinsicParseError> {
        let start = self.pos;
        let mut nesting = 0usize;
        let mut quote: Option<char> = None;
        while let Some(c) = self.peek() {
            match quote {
                Some(q) => {
                    if c == '\\' {
                        self.bump();
                    } else if c == q {
                        quote = None;
                    }
                }
                None => match c {
                    '\'' | '"' => quote = Some(c),
                    '[' | '(' => nesting += 1,
                    ']' | ')' if nesting > 0 => nesting -= 1,
                    ',' | ')' => break,
                    _ => {}
                },
            }
            self.bump();
        }
        let text = self
            .text
            .get(start..self.pos)
            .unwrap_or_default()
            .trim_end();
        match Path::parse(text) {
            Ok(path) => Ok(Arg::Path(path)),
            Err(error) => {
                self.pos = start;
                Err(self.error(&format!("invalid path '{text}': {}", error.message)))
            }
        }
    }
}
