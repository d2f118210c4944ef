//! Simple conditions: literals, operators and runtime expressions.
//!
//! 1.0.1 lists the literals and operators but gives no grammar (spec issues #517,
//! #518). This one, loosest binding first:
//!
//! ```text
//! or         = and *( "||" and )
//! and        = not *( "&&" not )
//! not        = "!" not / comparison
//! comparison = primary [ op primary ]          ; no chains: `a < b < c` is an error
//! primary    = "(" or ")" / "{" or "}" / literal / operand
//! operand    = runtime-expression *( "[" ( index / quoted ) "]" / "." name )
//! literal    = "true" / "false" / "null" / number / 'single' / "double"
//! ```
//!
//! * Strings use single quotes with `''` for a quote ("Strings MUST use single quotes
//!   (') around the string"); double quotes (with `""`) are accepted too, as authors
//!   write them.
//! * A runtime expression ends at whitespace or at one of `( ) [ ] = ! < > & | , { } '
//!   "`; `[0]`, `['name']` and, after a `]`, `.name` then read below its value
//!   (`$steps.a.outputs.list[0].id`). Dots inside the expression are its own
//!   (`$response.body.count`, `$inputs.a.b`; see [`crate::expression::evaluate`]).
//! * Braces group like parentheses: the spec's own components example writes
//!   `"{$statusCode == 401}"`.
//! * A reference to something absent is `null`.
//! * Comparisons follow [`super::compare`].
//! * Truthiness: the condition, and each side of `&&`, `||` and `!`, is true only when
//!   it is the boolean `true`. 1.1 says a condition passes when "The expression
//!   evaluates to `true`" and fails when it "evaluates to `false`" or "`null`"; we read
//!   every other value (a number, a string, an object) as not `true` too, rather than
//!   borrowing a programming language's truthiness (issue #517).

use std::borrow::Cow;

use serde_json::{Number, Value};

use super::CriterionError;
use super::compare::{Op, compare};
use crate::expression::{self, Expression, Scope};

/// A parsed simple condition.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node {
    Literal(Value),
    Operand {
        expression: Expression,
        path: Vec<Step>,
    },
    Not(Box<Node>),
    /// Operands of a chain of `&&` (or `||`), kept flat: a long chain must not become
    /// a deep tree that evaluating or dropping walks by recursion.
    And(Vec<Node>),
    Or(Vec<Node>),
    Compare(Box<Node>, Op, Box<Node>),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Step {
    Index(usize),
    Member(String),
}

/// Deeper nesting than this is refused rather than risking the stack.
const MAX_DEPTH: usize = 64;

pub(crate) fn parse(text: &str) -> Result<Node, CriterionError> {
    let mut parser = Parser {
        text,
        at: 0,
        depth: 0,
    };
    let node = parser.or()?;
    parser.blank();
    if parser.at < text.len() {
        return Err(parser.error("unexpected text"));
    }
    Ok(node)
}

/// `text` as one literal (for the comparison form of jsonpath conditions).
pub(crate) fn literal(text: &str) -> Option<Value> {
    let mut parser = Parser {
        text: text.trim(),
        at: 0,
        depth: 0,
    };
    match parser.primary() {
        Ok(Node::Literal(value)) if parser.at == parser.text.len() => Some(value),
        _ => None,
    }
}

pub(crate) fn evaluate(node: &Node, scope: &Scope) -> Result<bool, CriterionError> {
    Ok(is_true(&*value(node, scope)?))
}

fn is_true(value: &Value) -> bool {
    matches!(value, Value::Bool(true))
}

static NULL: Value = Value::Null;

fn value<'v>(node: &'v Node, scope: &Scope<'v>) -> Result<Cow<'v, Value>, CriterionError> {
    let boolean = |b: bool| Ok(Cow::Owned(Value::Bool(b)));
    match node {
        Node::Literal(value) => Ok(Cow::Borrowed(value)),
        Node::Operand { expression, path } => {
            let found =
                expression::evaluate_ref(expression, scope).map_err(|e| CriterionError(e.0))?;
            let mut found = found;
            for step in path {
                found = found.and_then(|v| below(v, step));
            }
            Ok(found.unwrap_or(Cow::Borrowed(&NULL)))
        }
        Node::Not(inner) => boolean(!is_true(&*value(inner, scope)?)),
        // Left to right, stopping at the first operand that decides the result.
        Node::And(operands) => {
            for operand in operands {
                if !is_true(&*value(operand, scope)?) {
                    return boolean(false);
                }
            }
            boolean(true)
        }
        Node::Or(operands) => {
            for operand in operands {
                if is_true(&*value(operand, scope)?) {
                    return boolean(true);
                }
            }
            boolean(false)
        }
        Node::Compare(left, op, right) => {
            boolean(compare(&*value(left, scope)?, *op, &*value(right, scope)?)?)
        }
    }
}

fn below<'v>(value: Cow<'v, Value>, step: &Step) -> Option<Cow<'v, Value>> {
    match value {
        Cow::Borrowed(value) => match (value, step) {
            (Value::Array(items), Step::Index(i)) => items.get(*i).map(Cow::Borrowed),
            (Value::Object(map), Step::Member(name)) => map.get(name).map(Cow::Borrowed),
            _ => None,
        },
        Cow::Owned(mut value) => {
            let child = match (&mut value, step) {
                (Value::Array(items), Step::Index(i)) => items.get_mut(*i),
                (Value::Object(map), Step::Member(name)) => map.get_mut(name),
                _ => None,
            }?;
            Some(Cow::Owned(child.take()))
        }
    }
}

struct Parser<'t> {
    text: &'t str,
    at: usize,
    depth: usize,
}

impl Parser<'_> {
    fn error(&self, what: &str) -> CriterionError {
        CriterionError(format!(
            "{what} at offset {} of condition `{}`",
            self.at, self.text
        ))
    }

    fn rest(&self) -> &str {
        &self.text[self.at..]
    }

    fn blank(&mut self) {
        let rest = self.rest();
        self.at += rest.len() - rest.trim_start().len();
    }

    fn eat(&mut self, token: &str) -> bool {
        self.blank();
        if self.rest().starts_with(token) {
            self.at += token.len();
            true
        } else {
            false
        }
    }

    fn nested<T>(
        &mut self,
        f: impl FnOnce(&mut Self) -> Result<T, CriterionError>,
    ) -> Result<T, CriterionError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error("nested too deeply"));
        }
        let result = f(self);
        self.depth -= 1;
        result
    }

    fn or(&mut self) -> Result<Node, CriterionError> {
        let first = self.and()?;
        if !self.eat("||") {
            return Ok(first);
        }
        let mut operands = vec![first, self.and()?];
        while self.eat("||") {
            operands.push(self.and()?);
        }
        Ok(Node::Or(operands))
    }

    fn and(&mut self) -> Result<Node, CriterionError> {
        let first = self.not()?;
        if !self.eat("&&") {
            return Ok(first);
        }
        let mut operands = vec![first, self.not()?];
        while self.eat("&&") {
            operands.push(self.not()?);
        }
        Ok(Node::And(operands))
    }

    fn not(&mut self) -> Result<Node, CriterionError> {
        self.blank();
        if self.rest().starts_with('!') && !self.rest().starts_with("!=") {
            self.at += 1;
            return self.nested(|p| Ok(Node::Not(Box::new(p.not()?))));
        }
        self.comparison()
    }

    fn comparison(&mut self) -> Result<Node, CriterionError> {
        let left = self.primary()?;
        self.blank();
        let Some((op, len)) = Op::lex(self.rest()) else {
            return Ok(left);
        };
        self.at += len;
        let right = self.primary()?;
        self.blank();
        if Op::lex(self.rest()).is_some() {
            return Err(self.error("chained comparison (join comparisons with &&)"));
        }
        Ok(Node::Compare(Box::new(left), op, Box::new(right)))
    }

    fn primary(&mut self) -> Result<Node, CriterionError> {
        self.blank();
        let Some(first) = self.rest().chars().next() else {
            return Err(self.error("missing operand"));
        };
        match first {
            '(' | '{' => {
                let close = if first == '(' { ")" } else { "}" };
                self.at += 1;
                let inner = self.nested(|p| p.or())?;
                if !self.eat(close) {
                    return Err(self.error(&format!("missing `{close}`")));
                }
                Ok(inner)
            }
            '\'' | '"' => Ok(Node::Literal(Value::String(self.quoted(first)?))),
            '$' => self.operand(),
            '-' | '0'..='9' => self.number(),
            _ => {
                let word_len = self
                    .rest()
                    .find(|c: char| !c.is_ascii_alphanumeric() && c != '_')
                    .unwrap_or(self.rest().len());
                let value = match &self.rest()[..word_len] {
                    "true" => Value::Bool(true),
                    "false" => Value::Bool(false),
                    "null" => Value::Null,
                    "" => return Err(self.error(&format!("unexpected `{first}`"))),
                    word => {
                        return Err(self.error(&format!(
                            "unexpected `{word}` (strings need quotes: '{word}')"
                        )));
                    }
                };
                self.at += word_len;
                Ok(Node::Literal(value))
            }
        }
    }

    /// A quoted string; the quote doubled stands for itself.
    fn quoted(&mut self, quote: char) -> Result<String, CriterionError> {
        let start = self.at;
        self.at += 1;
        let mut out = String::new();
        loop {
            let Some(end) = self.rest().find(quote) else {
                self.at = start;
                return Err(self.error("unterminated string"));
            };
            out.push_str(&self.rest()[..end]);
            self.at += end + 1;
            if self.rest().starts_with(quote) {
                out.push(quote);
                self.at += 1;
            } else {
                return Ok(out);
            }
        }
    }

    fn number(&mut self) -> Result<Node, CriterionError> {
        let rest = self.rest();
        let len = rest
            .char_indices()
            .find(|&(i, c)| {
                !(c.is_ascii_digit()
                    || c == '.'
                    || c == 'e'
                    || c == 'E'
                    || (c == '-' || c == '+') && (i == 0 || rest[..i].ends_with(['e', 'E'])))
            })
            .map_or(rest.len(), |(i, _)| i);
        let number: Number = rest[..len]
            .parse()
            .map_err(|_| self.error(&format!("invalid number `{}`", &rest[..len])))?;
        self.at += len;
        Ok(Node::Literal(Value::Number(number)))
    }

    fn operand(&mut self) -> Result<Node, CriterionError> {
        let len = self
            .rest()
            .find(|c: char| c.is_whitespace() || "()[]=!<>&|,{}'\"".contains(c))
            .unwrap_or(self.rest().len());
        let expression = expression::parse(&self.rest()[..len]).map_err(|e| self.error(&e.0))?;
        self.at += len;
        let mut path = Vec::new();
        loop {
            if self.rest().starts_with('[') {
                self.at += 1;
                self.blank();
                let step = match self.rest().chars().next() {
                    Some(q @ ('\'' | '"')) => Step::Member(self.quoted(q)?),
                    _ => {
                        let digits = self
                            .rest()
                            .find(|c: char| !c.is_ascii_digit())
                            .unwrap_or(self.rest().len());
                        let index = self.rest()[..digits]
                            .parse()
                            .map_err(|_| self.error("expected an index or a quoted name"))?;
                        self.at += digits;
                        Step::Index(index)
                    }
                };
                if !self.eat("]") {
                    return Err(self.error("missing `]`"));
                }
                path.push(step);
            } else if self.rest().starts_with('.') && !path.is_empty() {
                self.at += 1;
                let len = self
                    .rest()
                    .find(|c: char| c.is_whitespace() || ".()[]=!<>&|,{}'\"".contains(c))
                    .unwrap_or(self.rest().len());
                if len == 0 {
                    return Err(self.error("missing name after `.`"));
                }
                path.push(Step::Member(self.rest()[..len].to_string()));
                self.at += len;
            } else {
                return Ok(Node::Operand { expression, path });
            }
        }
    }
}
