//! Criterion Objects: `simple` conditions, `regex`, `jsonpath` and `xpath`, with the
//! evaluation rules of Arazzo 1.1 where 1.0.1 is silent.
//!
//! * The type is a name (`simple` when absent) or a Criterion Expression Type Object:
//!   `{type: jsonpath, version: draft-goessner-dispatch-jsonpath-00}` (1.1 adds
//!   `rfc9535`), `{type: xpath, version: xpath-30 | xpath-20 | xpath-10}` (1.1 adds
//!   `xpath-31`). Every JSONPath version runs on the RFC 9535 engine plus the
//!   comparison form described in `jsonpath`, which covers the Goessner-style
//!   conditions authors write; every XPath version on XPath 3.1.
//! * `regex`, `jsonpath` and `xpath` need a `context` ("If `type` is specified, then
//!   the `context` MUST be provided"); `{$…}` inside their condition is replaced by
//!   the value's text first (1.1: "The runtime expressions are evaluated first, then
//!   substituted into the condition string"). A `simple` condition ignores `context`.
//! * Every error (a malformed condition, an unknown type, a type mismatch) is an
//!   `Err`; callers fail the criterion and report it (1.1: "the condition MUST evaluate
//!   to _fail_, and implementations SHOULD log or report the error").

mod compare;
mod jsonpath;
mod regex;
mod simple;
mod xpath;

use std::borrow::Cow;

use serde_json::Value;

use crate::document::{Criterion, CriterionType};
use crate::expression::{self, Expression, Scope};
use crate::xml::XPathVersion;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct CriterionError(pub String);

/// The kind of condition a criterion holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Simple,
    Regex,
    JsonPath,
    XPath(XPathVersion),
}

/// The criterion's kind, from `type`.
pub fn kind(criterion: &Criterion) -> Result<Kind, CriterionError> {
    match &criterion.kind {
        None => Ok(Kind::Simple),
        Some(CriterionType::Name(name)) => match name.as_str() {
            "simple" => Ok(Kind::Simple),
            "regex" => Ok(Kind::Regex),
            "jsonpath" => Ok(Kind::JsonPath),
            "xpath" => Ok(Kind::XPath(XPathVersion::V3)),
            other => Err(CriterionError(format!(
                "unknown criterion type `{other}` (simple, regex, jsonpath or xpath)"
            ))),
        },
        Some(CriterionType::Expression { kind, version }) => {
            match (kind.as_str(), version.as_str()) {
                ("jsonpath", "draft-goessner-dispatch-jsonpath-00" | "rfc9535") => {
                    Ok(Kind::JsonPath)
                }
                ("xpath", "xpath-10") => Ok(Kind::XPath(XPathVersion::V1)),
                ("xpath", "xpath-20" | "xpath-30" | "xpath-31") => {
                    Ok(Kind::XPath(XPathVersion::V3))
                }
                ("jsonpath" | "xpath", version) => Err(CriterionError(format!(
                    "unknown {kind} version `{version}`"
                ))),
                (other, _) => Err(CriterionError(format!(
                    "unknown expression type `{other}` for a criterion (jsonpath or xpath)"
                ))),
            }
        }
    }
}

/// Evaluates one criterion. An error means the criterion cannot be evaluated (a
/// malformed condition, an unsupported type); callers treat it as a failed criterion
/// and report the message.
pub fn evaluate(criterion: &Criterion, scope: &Scope) -> Result<bool, CriterionError> {
    match kind(criterion)? {
        Kind::Simple => simple::evaluate(&simple::parse(&criterion.condition)?, scope),
        Kind::Regex => {
            let (condition, context) = query_input(criterion, scope)?;
            regex::evaluate(&condition, context.as_deref())
        }
        Kind::JsonPath => {
            let (condition, context) = query_input(criterion, scope)?;
            jsonpath::evaluate(&jsonpath::parse(&condition)?, context.as_deref())
        }
        Kind::XPath(version) => {
            let (condition, context) = query_input(criterion, scope)?;
            xpath::evaluate(&condition, context.as_deref(), version)
        }
    }
}

/// A query criterion's condition with its `{$…}` expressions substituted, and the
/// value of its context.
fn query_input<'c, 'a>(
    criterion: &'c Criterion,
    scope: &Scope<'a>,
) -> Result<(Cow<'c, str>, Option<Cow<'a, Value>>), CriterionError> {
    let context = context(criterion)?;
    let context = expression::evaluate_ref(&context, scope).map_err(|e| CriterionError(e.0))?;
    let condition =
        expression::substitute(&criterion.condition, scope).map_err(|e| CriterionError(e.0))?;
    Ok((condition, context))
}

/// Checks a criterion's syntax without evaluating it (for validation). A condition
/// with `{$…}` in it is checked once its expressions are known to parse, with the
/// query itself left to evaluation.
pub fn check(criterion: &Criterion) -> Result<(), CriterionError> {
    let kind = kind(criterion)?;
    if kind == Kind::Simple {
        return simple::parse(&criterion.condition).map(drop);
    }
    context(criterion)?;
    let embedded =
        expression::braced_count(&criterion.condition).map_err(|e| CriterionError(e.0))?;
    if embedded > 0 {
        return Ok(());
    }
    match kind {
        Kind::Simple => Ok(()),
        Kind::Regex => regex::compile(&criterion.condition).map(drop),
        Kind::JsonPath => jsonpath::parse(&criterion.condition).map(drop),
        Kind::XPath(version) => xpath::check(&criterion.condition, version),
    }
}

/// The `context` expression (braces around it are tolerated).
fn context(criterion: &Criterion) -> Result<Expression, CriterionError> {
    let Some(text) = criterion.context.as_deref() else {
        return Err(CriterionError(format!(
            "a {} criterion needs a context (the value its condition applies to)",
            criterion.type_name()
        )));
    };
    let text = text.trim();
    let text = text
        .strip_prefix('{')
        .and_then(|t| t.strip_suffix('}'))
        .unwrap_or(text);
    expression::parse(text).map_err(|e| CriterionError(format!("context: {}", e.0)))
}

#[cfg(test)]
mod tests;
