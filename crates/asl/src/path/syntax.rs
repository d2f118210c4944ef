//! Reads the Jayway JSONPath dialect that Step Functions accepts into [`Step`]s, and
//! renders steps as RFC 9535 query text for the compiled (indefinite) case.

use super::filter;

/// One step of a path after its root.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Step {
    /// `.name`, `['name']`
    Name(String),
    /// `[3]`, `[-1]`
    Index(i64),
    /// `['a','b']`
    Names(Vec<String>),
    /// `[0,2]`
    Indexes(Vec<i64>),
    /// `.*`, `[*]`
    Wildcard,
    /// `[1:3]`, `[-2:]`
    Slice {
        start: Option<i64>,
        end: Option<i64>,
        step: Option<i64>,
    },
    /// `[?(…)]`, kept as RFC 9535 filter-selector text (starting with `?`).
    Filter(String),
    /// `..` followed by one of the other steps.
    Descendant(Box<Step>),
}

/// The document a path starts from, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum ParsedRoot {
    Input,
    Context,
    Variable(String),
}

/// Where a path is being read: at the top of a field value, or inside a filter
/// expression (where operators and blanks end a dot-notation name).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Mode {
    Top,
    Filter,
}

/// Filters may contain paths that contain filters; this bounds the nesting so that a
/// hostile definition cannot exhaust the stack.
const MAX_NESTING: usize = 16;

/// A read position in the path text (always on a character boundary).
pub(super) struct Cursor<'t> {
    text: &'t str,
    pos: usize,
}

impl<'t> Cursor<'t> {
    pub(super) fn new(text: &'t str, pos: usize) -> Cursor<'t> {
        Cursor { text, pos }
    }

    pub(super) fn pos(&self) -> usize {
        self.pos
    }

    pub(super) fn at_end(&self) -> bool {
        self.pos >= self.text.len()
    }

    pub(super) fn peek(&self) -> Option<char> {
        self.text
            .get(self.pos..)
            .and_then(|rest| rest.chars().next())
    }

    pub(super) fn peek_second(&self) -> Option<char> {
        let mut chars = self.text.get(self.pos..)?.chars();
        chars.next();
        chars.next()
    }

    pub(super) fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    pub(super) fn eat(&mut self, expected: char) -> bool {
        if self.peek() == Some(expected) {
            self.pos += expected.len_utf8();
            true
        } else {
            false
        }
    }

    pub(super) fn skip_blanks(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.bump();
        }
    }

    pub(super) fn expect(&mut self, expected: char) -> Result<(), String> {
        if self.eat(expected) {
            Ok(())
        } else {
            Err(self.unexpected(&format!("'{expected}'")))
        }
    }

    /// Describes what was found at the current position instead of `wanted`.
    pub(super) fn unexpected(&self, wanted: &str) -> String {
        match self.peek() {
            Some(c) => format!("expected {wanted} at position {} but found '{c}'", self.pos),
            None => format!(
                "expected {wanted} at position {} but the path ended",
                self.pos
            ),
        }
    }
}

/// Reads the root (`$`, `$$` or `$name`) of a path.
pub(super) fn parse_root(cursor: &mut Cursor<'_>) -> Result<ParsedRoot, String> {
    if !cursor.eat('$') {
        return Err("a path must start with '$'".to_string());
    }
    if cursor.eat('$') {
        return Ok(ParsedRoot::Context);
    }
    match cursor.peek() {
        Some(c) if c.is_alphabetic() || c == '_' => {
            let start = cursor.pos();
            while cursor
                .peek()
                .is_some_and(|c| c.is_alphanumeric() || c == '_')
            {
                cursor.bump();
            }
            let name = cursor.text.get(start..cursor.pos()).unwrap_or_default();
            Ok(ParsedRoot::Variable(name.to_string()))
        }
        _ => Ok(ParsedRoot::Input),
    }
}

/// Reads steps while they continue (`.` or `[`). At the top level anything else is an
/// error; inside a filter it ends the path.
pub(super) fn parse_steps(
    cursor: &mut Cursor<'_>,
    mode: Mode,
    nesting: usize,
) -> Result<Vec<Step>, String> {
    if nesting > MAX_NESTING {
        return Err("filters are nested too deeply".to_string());
    }
    let mut steps = Vec::new();
    loop {
        match cursor.peek() {
            None => break,
            Some('.') => {
                cursor.bump();
                if cursor.eat('.') {
                    steps.push(Step::Descendant(Box::new(parse_after_dot(
                        cursor, mode, nesting, true,
                    )?)));
                } else {
                    steps.push(parse_after_dot(cursor, mode, nesting, false)?);
                }
            }
            Some('[') => steps.push(parse_bracket(cursor, nesting)?),
            Some(_) if mode == Mode::Filter => break,
            Some(_) => return Err(cursor.unexpected("'.' or '['")),
        }
    }
    Ok(steps)
}

/// What follows `.` or `..`: a name, `*`, or (as in AWS's `$.abc.['def ghi']`) a bracket.
fn parse_after_dot(
    cursor: &mut Cursor<'_>,
    mode: Mode,
    nesting: usize,
    descendant: bool,
) -> Result<Step, String> {
    match cursor.peek() {
        Some('[') => parse_bracket(cursor, nesting),
        Some('*') if !name_continues(cursor.peek_second(), mode) => {
            cursor.bump();
            Ok(Step::Wildcard)
        }
        Some('.') if !descendant => Err(format!(
            "unexpected '.' at position {}: a field name was expected",
            cursor.pos()
        )),
        _ => Ok(Step::Name(parse_dot_name(cursor, mode)?)),
    }
}

fn name_continues(next: Option<char>, mode: Mode) -> bool {
    next.is_some_and(|c| !ends_dot_name(c, mode))
}

fn ends_dot_name(c: char, mode: Mode) -> bool {
    match mode {
        Mode::Top => c == '.' || c == '[',
        Mode::Filter => c == '.' || c == '[' || c.is_whitespace() || "()=!<>&|,".contains(c),
    }
}

/// A dot-notation field name: everything up to the next `.` or `[`, as Jayway reads it
/// (so `$.my-field` works). Blanks and `(` are rejected as Jayway does.
fn parse_dot_name(cursor: &mut Cursor<'_>, mode: Mode) -> Result<String, String> {
    let start = cursor.pos();
    while let Some(c) = cursor.peek() {
        if ends_dot_name(c, mode) {
            break;
        }
        if c.is_whitespace() {
            return Err(format!(
                "blank character at position {}: use bracket notation such as ['my field'] for field names with blanks",
                cursor.pos()
            ));
        }
        if c == '(' {
            return Err(format!(
                "'(' at position {}: functions such as length() are not supported",
                cursor.pos()
            ));
        }
        cursor.bump();
    }
    if cursor.peek() == Some('(') {
        return Err(format!(
            "'(' at position {}: functions such as length() are not supported",
            cursor.pos()
        ));
    }
    let name = cursor.text.get(start..cursor.pos()).unwrap_or_default();
    if name.is_empty() {
        return Err(cursor.unexpected("a field name"));
    }
    Ok(name.to_string())
}

fn parse_bracket(cursor: &mut Cursor<'_>, nesting: usize) -> Result<Step, String> {
    cursor.expect('[')?;
    cursor.skip_blanks();
    let step = match cursor.peek() {
        Some('*') => {
            cursor.bump();
            Step::Wildcard
        }
        Some('?') => {
            cursor.bump();
            cursor.skip_blanks();
            Step::Filter(filter::parse_filter(cursor, nesting + 1)?)
        }
        Some('\'' | '"') => {
            let mut names = vec![parse_quoted(cursor)?];
            cursor.skip_blanks();
            while cursor.eat(',') {
                cursor.skip_blanks();
                names.push(parse_quoted(cursor)?);
                cursor.skip_blanks();
            }
            if names.len() == 1 {
                Step::Name(names.remove(0))
            } else {
                Step::Names(names)
            }
        }
        Some(c) if c == '-' || c == ':' || c.is_ascii_digit() => parse_indexes_or_slice(cursor)?,
        _ => return Err(cursor.unexpected("'*', '?', a quoted name or an index")),
    };
    cursor.skip_blanks();
    cursor.expect(']')?;
    Ok(step)
}

fn parse_indexes_or_slice(cursor: &mut Cursor<'_>) -> Result<Step, String> {
    let first = parse_optional_int(cursor)?;
    cursor.skip_blanks();
    if cursor.eat(':') {
        cursor.skip_blanks();
        let end = parse_optional_int(cursor)?;
        cursor.skip_blanks();
        let step = if cursor.eat(':') {
            cursor.skip_blanks();
            parse_optional_int(cursor)?
        } else {
            None
        };
        return Ok(Step::Slice {
            start: first,
            end,
            step,
        });
    }
    let Some(first) = first else {
        return Err(cursor.unexpected("an index"));
    };
    let mut indexes = vec![first];
    while cursor.eat(',') {
        cursor.skip_blanks();
        match parse_optional_int(cursor)? {
            Some(index) => indexes.push(index),
            None => return Err(cursor.unexpected("an index")),
        }
        cursor.skip_blanks();
    }
    if indexes.len() == 1 {
        Ok(Step::Index(first))
    } else {
        Ok(Step::Indexes(indexes))
    }
}

fn parse_optional_int(cursor: &mut Cursor<'_>) -> Result<Option<i64>, String> {
    let start = cursor.pos();
    cursor.eat('-');
    while cursor.peek().is_some_and(|c| c.is_ascii_digit()) {
        cursor.bump();
    }
    let digits = cursor.text.get(start..cursor.pos()).unwrap_or_default();
    if digits.is_empty() {
        return Ok(None);
    }
    digits
        .parse::<i64>()
        .map(Some)
        .map_err(|_| format!("'{digits}' at position {start} is not a valid index"))
}

/// A quoted name in `'…'` or `"…"`, with JSON-style backslash escapes.
pub(super) fn parse_quoted(cursor: &mut Cursor<'_>) -> Result<String, String> {
    let start = cursor.pos();
    let Some(quote) = cursor.bump().filter(|c| *c == '\'' || *c == '"') else {
        return Err(cursor.unexpected("a quoted name"));
    };
    let mut value = String::new();
    loop {
        match cursor.bump() {
            None => {
                return Err(format!(
                    "the quote opened at position {start} is not closed"
                ));
            }
            Some(c) if c == quote => return Ok(value),
            Some('\\') => {
                let escape_at = cursor.pos();
                match cursor.bump() {
                    Some(c @ ('\\' | '\'' | '"' | '/')) => value.push(c),
                    Some('b') => value.push('\u{8}'),
                    Some('f') => value.push('\u{c}'),
                    Some('n') => value.push('\n'),
                    Some('r') => value.push('\r'),
                    Some('t') => value.push('\t'),
                    Some('u') => value.push(parse_unicode_escape(cursor, escape_at)?),
                    _ => return Err(format!("invalid escape at position {escape_at}")),
                }
            }
            Some(c) => value.push(c),
        }
    }
}

fn parse_unicode_escape(cursor: &mut Cursor<'_>, escape_at: usize) -> Result<char, String> {
    let unit = read_hex4(cursor, escape_at)?;
    if (0xD800..0xDC00).contains(&unit) {
        // A high surrogate must be followed by `\u` and its low surrogate.
        if cursor.eat('\\') && cursor.eat('u') {
            let low = read_hex4(cursor, escape_at)?;
            if (0xDC00..0xE000).contains(&low) {
                let code = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
                return char::from_u32(code)
                    .ok_or_else(|| format!("invalid \\u escape at position {escape_at}"));
            }
        }
        return Err(format!(
            "unpaired surrogate in \\u escape at position {escape_at}"
        ));
    }
    char::from_u32(unit).ok_or_else(|| format!("invalid \\u escape at position {escape_at}"))
}

fn read_hex4(cursor: &mut Cursor<'_>, escape_at: usize) -> Result<u32, String> {
    let mut unit = 0u32;
    for _ in 0..4 {
        let digit = cursor
            .bump()
            .and_then(|c| c.to_digit(16))
            .ok_or_else(|| format!("invalid \\u escape at position {escape_at}"))?;
        unit = unit * 16 + digit;
    }
    Ok(unit)
}

/// Appends `steps` in RFC 9535 bracket notation (which, unlike member-name-shorthand,
/// carries any field name).
pub(super) fn render_steps(steps: &[Step], out: &mut String) {
    for step in steps {
        render_step(step, out);
    }
}

fn render_step(step: &Step, out: &mut String) {
    match step {
        Step::Name(name) => {
            out.push('[');
            render_string(name, out);
            out.push(']');
        }
        Step::Index(index) => {
            out.push('[');
            out.push_str(&index.to_string());
            out.push(']');
        }
        Step::Names(names) => {
            out.push('[');
            for (i, name) in names.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                render_string(name, out);
            }
            out.push(']');
        }
        Step::Indexes(indexes) => {
            out.push('[');
            for (i, index) in indexes.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&index.to_string());
            }
            out.push(']');
        }
        Step::Wildcard => out.push_str("[*]"),
        Step::Slice { start, end, step } => {
            out.push('[');
            if let Some(start) = start {
                out.push_str(&start.to_string());
            }
            out.push(':');
            if let Some(end) = end {
                out.push_str(&end.to_string());
            }
            if let Some(step) = step {
                out.push(':');
                out.push_str(&step.to_string());
            }
            out.push(']');
        }
        Step::Filter(filter) => {
            out.push('[');
            out.push_str(filter);
            out.push(']');
        }
        Step::Descendant(inner) => {
            out.push_str("..");
            render_step(inner, out);
        }
    }
}

/// An RFC 9535 single-quoted string literal.
pub(super) fn render_string(value: &str, out: &mut String) {
    out.push('\'');
    for c in value.chars() {
        match c {
            '\'' => out.push_str("\\'"),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('\'');
}
