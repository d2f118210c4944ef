//! Runtime expressions (Arazzo 1.0.1 §Runtime Expressions, with 1.1's JSON Pointer
//! fragments on outputs) and the strings and values that embed them.
//!
//! * [`parse`] reads one expression (`$response.body#/tasks/0`).
//! * [`evaluate`] reads its value in a [`Scope`]. A reference to something that is not
//!   there (a step that did not run, a missing header) is `Ok(None)`, not an error.
//! * [`render`] and [`render_text`] turn a document value (parameter value, payload,
//!   output) into the value to use.
//!
//! # Strings and values that embed expressions
//!
//! * A string that is exactly one expression (`$inputs.args`) takes the value with its
//!   type ("Runtime expressions preserve the type of the referenced value"); absent →
//!   `null`.
//! * `{$…}` inside a string ("Expressions can be embedded into string values by
//!   surrounding the expression with `{}` curly braces") is replaced by the value's
//!   text: strings as they are, other scalars as JSON text (`5`, `true`, `null`),
//!   objects and arrays as JSON (1.1: "it MUST be serialized as JSON per RFC 8259"),
//!   absent values as nothing. A string that is exactly `{$expr}` is text too: the
//!   braces say "embed in a string". `{` not followed by `$` and a known root (`{$gt: 1}`,
//!   `{"a": 1}`) is literal text; `{$inputs.…` with a known root that does not parse,
//!   or has no closing `}`, is an error rather than text sent as is. The spec defines no
//!   escapes.
//! * Bare `$…` inside a longer string (the Windmill seed writes `"Bearer
//!   $inputs.token"`): `$` followed by one of the roots `inputs.`, `outputs.`,
//!   `steps.`, `workflows.`, `sourceDescriptions.`, `components.`, `request.`,
//!   `response.`, or the words `url`, `method`, `statusCode` at a word boundary, is an
//!   embedded expression. It ends at the first character outside `[A-Za-z0-9_.-]`
//!   (trailing dots excluded, so a sentence may end with one), or, when a `#/` pointer
//!   follows, at whitespace, a quote or one of `< > & , ) ] }`. Every other `$`
//!   (`$.foo`, `$5`, `$[?@.a]`) stays literal, and so does a bare candidate that does
//!   not parse. Strictly, 1.0.1 embeds only with braces; [`bare_expressions`] lists the
//!   bare ones so validation can suggest `{$inputs.token}`.
//! * Objects and arrays are rendered member by member; keys are not.

mod eval;
mod parse;
mod template;

use std::borrow::Cow;
use std::collections::HashMap;

use indexmap::IndexMap;
use serde_json::{Map, Value};

use crate::document::Components;
use crate::exchange::{HttpRequest, HttpResponse};

pub use template::{bare_expressions, references, text_of};
pub(crate) use template::{braced_count, substitute};

/// A parsed runtime expression.
#[derive(Debug, Clone, PartialEq)]
pub struct Expression {
    /// The expression as written.
    pub text: String,
    pub root: Root,
    /// The JSON Pointer (RFC 6901) after `#`, as written: `/tasks/0` for
    /// `$response.body#/tasks/0`.
    pub pointer: Option<String>,
}

/// What an expression reads.
#[derive(Debug, Clone, PartialEq)]
pub enum Root {
    Url,
    Method,
    StatusCode,
    Request(MessagePart),
    Response(MessagePart),
    /// `$inputs.<name>`. A name may hold dots; see [`evaluate`].
    Inputs(String),
    Outputs(String),
    /// `$steps.<id>.outputs.<name>`; `$steps.<id>.outputs` alone is every output.
    Steps {
        step: String,
        output: Option<String>,
    },
    Workflows {
        workflow: String,
        field: WorkflowField,
        name: String,
    },
    /// `$sourceDescriptions.<name>.<reference>`: a field of the source description
    /// (`url`, `type`). Whether the reference names an operation or a workflow of that
    /// source (which 1.1 resolves first) is for the caller that reads `operationId`s.
    SourceDescriptions {
        source: String,
        field: String,
    },
    /// `$components.<kind>.<name>`.
    Components {
        kind: String,
        name: String,
    },
}

/// The part of a request or response an expression reads.
#[derive(Debug, Clone, PartialEq)]
pub enum MessagePart {
    /// A header, by name compared case-insensitively (an RFC 9110 token).
    Header(String),
    Query(String),
    Path(String),
    /// The body; the names are the property path of the lenient `body.a.b` form.
    Body(Vec<String>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkflowField {
    Inputs,
    Outputs,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct ExpressionError(pub String);

/// The request of the step being evaluated, with what expressions read from it.
#[derive(Debug, Clone, Copy)]
pub struct RequestView<'a> {
    pub http: &'a HttpRequest,
    /// Path parameter values as sent (before percent-encoding).
    pub path: &'a Map<String, Value>,
    /// The request body as a value (JSON parsed; text otherwise).
    pub body: Option<&'a Value>,
}

/// The response of the step being evaluated.
#[derive(Debug, Clone, Copy)]
pub struct ResponseView<'a> {
    pub http: &'a HttpResponse,
    /// The body as a value (see [`crate::exchange::body_value`]).
    pub body: &'a Value,
}

/// The inputs and outputs of a workflow that has run (for `$workflows.<id>.…`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct WorkflowValues {
    pub inputs: Value,
    pub outputs: Map<String, Value>,
}

/// Everything an expression can read at one point of a run.
#[derive(Debug, Clone, Copy)]
pub struct Scope<'a> {
    /// The current workflow's inputs (an object).
    pub inputs: &'a Value,
    /// The current workflow's outputs computed so far (`$outputs.x`).
    pub outputs: &'a Map<String, Value>,
    /// Step id → that step's outputs, for the steps of the current workflow that ran.
    pub steps: &'a HashMap<String, Map<String, Value>>,
    /// Workflow id → inputs and outputs, for workflows of this run that have finished.
    pub workflows: &'a HashMap<String, WorkflowValues>,
    /// Source description name → the source description as written (`name`, `url`,
    /// `type`), for `$sourceDescriptions.<name>.url`.
    pub sources: &'a IndexMap<String, Value>,
    /// The current document's components (`$components.parameters.x`).
    pub components: Option<&'a Components>,
    /// Set while a step's response is evaluated (criteria, outputs, actions).
    pub request: Option<RequestView<'a>>,
    pub response: Option<ResponseView<'a>>,
}

/// Parses one runtime expression; the whole text must be the expression.
pub fn parse(text: &str) -> Result<Expression, ExpressionError> {
    parse::parse(text)
}

/// Evaluates an expression. `Ok(None)`: it refers to something that is not there.
///
/// * Header names compare case-insensitively (RFC 9110 field names; 1.1: "The `name`
///   identifier is case-sensitive, whereas `token` is not"); other names are
///   case-sensitive. `$response.query.x` and `$response.path.x` are always absent.
/// * A name with dots (`$inputs.a.b`): 1.0.1's `name = *CHAR` makes the name `a.b`, and
///   a member with exactly that name wins; when there is none, the longest dotted prefix
///   that is a member is read and the rest is looked up below it (`a` → `b`; array
///   members by index). The same holds for outputs and workflow inputs and outputs.
/// * `$response.body.a.b` (1.1's own examples write `$response.body.status`) reads
///   members below the body like `$response.body#/a/b`.
/// * `$components.parameters.x` is that parameter's `value`; other kinds are the
///   component as written.
pub fn evaluate(expression: &Expression, scope: &Scope) -> Result<Option<Value>, ExpressionError> {
    Ok(eval::resolve(expression, scope)?.map(Cow::into_owned))
}

/// Like [`evaluate`], borrowing the value from the scope where it lives there.
pub fn evaluate_ref<'a>(
    expression: &Expression,
    scope: &Scope<'a>,
) -> Result<Option<Cow<'a, Value>>, ExpressionError> {
    eval::resolve(expression, scope)
}

/// Renders a document value: strings that are whole expressions take the value's type
/// (absent → `null`), `{$…}` (and bare `$…`, see the module docs) inside
/// strings are replaced by text, objects and arrays are rendered member by member.
pub fn render(value: &Value, scope: &Scope) -> Result<Value, ExpressionError> {
    template::render(value, scope)
}

/// Renders a string to text (a header value, a path parameter): like [`render`], then
/// non-string results are written as JSON text.
pub fn render_text(text: &str, scope: &Scope) -> Result<String, ExpressionError> {
    template::render_text(text, scope)
}

#[cfg(test)]
pub(crate) mod testing;
#[cfg(test)]
mod tests;
