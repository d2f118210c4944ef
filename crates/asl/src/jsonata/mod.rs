//! JSONata for `"QueryLanguage": "JSONata"`: the `{% … %}` expressions of a state's
//! fields, parsed once with the definition and evaluated against `$states` and the
//! workflow variables.
//!
//! # Syntax rules (AWS)
//!
//! * A JSON string is an expression when it starts with `{%` and ends with `%}`; nothing
//!   may surround the delimiters ("The string must start with `{%` (no leading spaces)
//!   and end with `%}` (no trailing spaces)", AWS's Step Functions guidance,
//!   `aws/agent-toolkit-for-aws`, `references/transforming-data.md`). `" {% x %}"` is
//!   therefore a literal string. Whitespace inside the delimiters is not part of the
//!   expression ([`Expression::source`] is trimmed, as AWS quotes it in causes).
//! * Expressions may sit in any string of a field's value, nested in objects and arrays
//!   ([`Template`]).
//! * A field name at the top level (`{% phone %}`) is refused at creation:
//!   `UNSUPPORTED_JSONATA_EXPRESSION: Reference to 'phone' at the top level is not
//!   supported.` ([`Expression::top_level_field`]). `$` and `$$` at the top level are
//!   refused as well; here they evaluate to `null`.
//! * AWS runs JSONata 2.0.6 ("Supported JSONata version", Transforming data with
//!   JSONata in Step Functions); weft uses jsonata-core, which follows jsonata-js 2.2.
//!
//! # `States.QueryEvaluationError` causes recorded on AWS
//!
//! Every runtime failure of an expression is `States.QueryEvaluationError`. The decider
//! prefixes the cause with the text AWS puts before every state failure,
//! `An error occurred while executing the state '<state>' (entered at the event id
//! #<id>). `, and takes the rest from [`EvalError::cause`]:
//!
//! * The expression raised a JSONata error (LocalStack
//!   `test_math_operations_jsonata.snapshot.json`, `test_math_random_seeded`, recorded on
//!   AWS; the history also has an `EvaluationFailed` event with `location`
//!   `Output/FunctionResult` and `state` `State_0`):
//!   `An error occurred while executing the state 'State_0' (entered at the event id #2).
//!   The JSONata expression '$randomSeeded($states.input.FunctionInput.fst)' specified
//!   for the field 'Output/FunctionResult' threw an error during evaluation. T1006:
//!   Attempted to invoke a non-function`
//! * The expression gave `undefined` inside a template (a failed AWS execution quoted in
//!   `umccr` data-sharing code): `An error occurred while executing the state 'Run S3
//!   Data Push' (entered at the event id #6). The JSONata expression
//!   '$states.input.pushLocation' specified for the field 'Arguments/Input/pushLocation'
//!   returned nothing (undefined).` So an undefined value inside an object is an error,
//!   not an omitted field; weft treats array items the same way.
//! * The result is not JSON (a function): LocalStack words it `The JSONata expression
//!   '<expr>' returned an unsupported result type.` (not recorded on AWS); weft adds the
//!   field as in the other two.
//!
//! The field is the state's field (`Output`, `Arguments`, `Assign/x`, …) followed by the
//! expression's place inside the template: `/key` for an object member (recorded above)
//! and `[i]` for an array item (not recorded; reported by third parties).
//!
//! # Functions
//!
//! JSONata's built-in functions, plus those Step Functions adds (`$partition`, `$range`,
//! `$hash`, `$random` with a seed, `$uuid`, `$parse`; see [`functions`]). `$now()` and
//! `$millis()` return [`Bindings::now`], and `$random()`, `$uuid()` and `$shuffle()`
//! draw from the injected [`Entropy`], so a replayed decision evaluates to the same
//! values.
//!
//! # Limits
//!
//! Each evaluation may run for 1 s (`D1012`), nest 3,000 evaluation levels (about a
//! thousand recursive calls, `D1011`), build sequences of 262,144 items (`D2015`) and
//! return values nested 128 levels. An exceeded limit is an [`EvalError`] of kind
//! [`EvalErrorKind::LimitExceeded`].
//!
//! # Cost
//!
//! Converting bound values into the engine's form is the main cost of an evaluation, so
//! an evaluation binds only what the expression can reach: the `$states` fields and
//! variables it names and, for plain paths such as `$states.input.a.b`, only the named
//! fields (kept through arrays). A value needed whole (`$states.input`,
//! `$states.input.items[0]`, `$keys($v)`) is converted at most once per [`Prepared`]
//! ([`Bindings::prepare`]). [`Expression::evaluate`] and [`Template::evaluate`] prepare
//! for themselves; a state evaluating several fields should prepare once and call the
//! `_prepared` variants. Only the host functions an expression names are registered.
//! Measured (release, `benches/jsonata.rs`, 1 KiB input, five variables):
//! `$states.input.a.b` about 1 µs, parsing about 4 µs, a state's Arguments + Output +
//! Assign (five expressions) about 7 µs.

mod engine;
mod functions;
mod template;
#[cfg(test)]
mod tests;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde_json::Value;

pub use template::{Template, TemplateError};

use crate::entropy::Entropy;
use crate::path::Variables;

/// What weft needs of a JSONata implementation. One implements it
/// ([`engine::JsonataCore`], on the `jsonata-core` crate); everything else here sees
/// only this, so the implementation can be replaced.
trait QueryEngine {
    /// A parsed expression: shareable between threads, kept with the definition.
    type Program: Send + Sync;
    /// Bound values in the engine's form, kept for the evaluations of one state.
    type Cache: Default;

    fn compile(source: &str) -> Result<(Self::Program, Analysis), ParseError>;

    fn evaluate(
        program: &Self::Program,
        analysis: &Analysis,
        source: &str,
        bindings: &Bindings<'_>,
        cache: &Self::Cache,
        entropy: &mut dyn Entropy,
    ) -> Result<Option<Value>, EvalError>;
}

/// The implementation in use.
type Engine = engine::JsonataCore;

use engine::Analysis;

/// One parsed `{% … %}` expression. `Send + Sync`, cheap to clone.
#[derive(Clone)]
pub struct Expression(Arc<Inner>);

struct Inner {
    source: String,
    program: <Engine as QueryEngine>::Program,
    analysis: Analysis,
}

impl std::fmt::Debug for Expression {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Expression").field(&self.0.source).finish()
    }
}

impl Expression {
    /// Parses a whole field value: `text` must start with `{%` and end with `%}`, with
    /// nothing around them (AWS's rule). The inside is the JSONata expression.
    pub fn parse_field(text: &str) -> Result<Expression, ParseError> {
        if !Self::is_expression(text) {
            return Err(ParseError {
                code: None,
                position: None,
                message: "A JSONata expression must start with '{%' and end with '%}'".to_string(),
            });
        }
        Self::parse(&text[2..text.len() - 2])
    }

    /// Parses the text of an expression without delimiters.
    pub fn parse(source: &str) -> Result<Expression, ParseError> {
        let source = source.trim();
        let (program, analysis) = Engine::compile(source)?;
        Ok(Expression(Arc::new(Inner {
            source: source.to_string(),
            program,
            analysis,
        })))
    }

    /// Whether a JSON string is meant as an expression: it starts with `{%` and ends
    /// with `%}` (the two may not overlap).
    pub fn is_expression(text: &str) -> bool {
        text.len() >= 4 && text.starts_with("{%") && text.ends_with("%}")
    }

    /// The expression between the delimiters, without surrounding whitespace.
    pub fn source(&self) -> &str {
        &self.0.source
    }

    /// Variables the expression reads (`$name`), excluding function names (JSONata's and
    /// Step Functions'), `$states`, and variables the expression binds itself
    /// (`$x := …`, lambda parameters, `@$x`, `#$i`) anywhere in it. Sorted.
    pub fn variables(&self) -> &[String] {
        &self.0.analysis.variables
    }

    /// The `$states.<field>` names the expression reads ("input", "result",
    /// "errorOutput", "context" or unknown ones). Sorted. `$states` read as a whole
    /// (`$keys($states)`) adds nothing here.
    pub fn states_fields(&self) -> &[String] {
        &self.0.analysis.states_fields
    }

    /// The first field reference at the top level (`phone` in `{% phone %}`, `a` in
    /// `{% a.b %}`), which AWS refuses with `UNSUPPORTED_JSONATA_EXPRESSION: Reference to
    /// 'phone' at the top level is not supported.`
    pub fn top_level_field(&self) -> Option<&str> {
        self.0.analysis.top_level_field.as_deref()
    }

    /// Evaluates. `Ok(None)` is JSONata's `undefined`.
    pub fn evaluate(
        &self,
        bindings: &Bindings<'_>,
        entropy: &mut dyn Entropy,
    ) -> Result<Option<Value>, EvalError> {
        self.evaluate_prepared(&bindings.prepare(), entropy)
    }

    /// Evaluates with values already prepared for several expressions.
    pub fn evaluate_prepared(
        &self,
        prepared: &Prepared<'_>,
        entropy: &mut dyn Entropy,
    ) -> Result<Option<Value>, EvalError> {
        let inner = &*self.0;
        Engine::evaluate(
            &inner.program,
            &inner.analysis,
            &inner.source,
            prepared.bindings,
            &prepared.cache,
            entropy,
        )
    }
}

/// What an expression can see: `$states` and the workflow variables.
pub struct Bindings<'a> {
    /// `$states.input`.
    pub input: &'a Value,
    /// `$states.result` (absent where AWS does not provide it).
    pub result: Option<&'a Value>,
    /// `$states.errorOutput` (Catch only).
    pub error_output: Option<&'a Value>,
    /// `$states.context`, the context object.
    pub context: &'a Value,
    /// `$name`.
    pub variables: &'a dyn Variables,
    /// What `$now()` and `$millis()` return: the decider's clock, so replay is
    /// deterministic.
    pub now: DateTime<Utc>,
}

impl<'a> Bindings<'a> {
    /// Bindings without `$states.result` and `$states.errorOutput`.
    pub fn new(
        input: &'a Value,
        context: &'a Value,
        variables: &'a dyn Variables,
        now: DateTime<Utc>,
    ) -> Self {
        Bindings {
            input,
            result: None,
            error_output: None,
            context,
            variables,
            now,
        }
    }

    pub fn with_result(mut self, result: &'a Value) -> Self {
        self.result = Some(result);
        self
    }

    pub fn with_error_output(mut self, error_output: &'a Value) -> Self {
        self.error_output = Some(error_output);
        self
    }

    /// Values ready for several evaluations: each bound value is converted at most once.
    pub fn prepare(&self) -> Prepared<'_> {
        Prepared {
            bindings: self,
            cache: Default::default(),
        }
    }
}

/// [`Bindings`] with their values converted for the engine as expressions need them.
/// Not `Send`: use it within one decision.
pub struct Prepared<'a> {
    bindings: &'a Bindings<'a>,
    cache: <Engine as QueryEngine>::Cache,
}

/// An expression that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ParseError {
    /// JSONata's error code (`S0201`, …) when there is one.
    pub code: Option<String>,
    /// Character offset in the expression, when known (jsonata-core does not report it).
    pub position: Option<usize>,
    /// The message, starting with the code when there is one.
    pub message: String,
}

/// How an evaluation failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EvalErrorKind {
    /// JSONata raised an error (type error, unknown function, `$error()`, …).
    Failed,
    /// A time, depth or size limit was exceeded.
    LimitExceeded,
    /// The result, or a part of a template, is `undefined`.
    Undefined,
    /// The result has no JSON form (a function, a non-finite number, too deep).
    UnsupportedResult,
    /// The JSONata implementation itself failed (it panicked on this expression).
    Internal,
}

/// An expression that failed to evaluate; the decider fails the state with
/// `States.QueryEvaluationError` and [`EvalError::cause`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("JSONata expression '{expression}': {message}")]
pub struct EvalError {
    pub kind: EvalErrorKind,
    /// JSONata's error code (`T2001`, `D3001`, `D1012`, …) when there is one.
    pub code: Option<String>,
    /// Character offset in the expression, when known (jsonata-core does not report it).
    pub position: Option<usize>,
    /// The message, starting with the code when there is one.
    pub message: String,
    /// The expression's source.
    pub expression: String,
    /// Where the expression sits in its template, outermost first.
    location: Vec<LocationStep>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum LocationStep {
    Key(String),
    Index(usize),
}

impl EvalError {
    fn new(kind: EvalErrorKind, code: Option<String>, message: String, expression: &str) -> Self {
        EvalError {
            kind,
            code,
            position: None,
            message,
            expression: expression.to_string(),
            location: Vec::new(),
        }
    }

    /// The error for an expression whose result is `undefined` where a value is needed
    /// (a whole field evaluating to nothing).
    pub fn undefined(expression: &Expression) -> Self {
        Self::new(
            EvalErrorKind::Undefined,
            None,
            "The expression returned nothing (undefined)".to_string(),
            expression.source(),
        )
    }

    pub(crate) fn within(mut self, step: LocationStep) -> Self {
        self.location.insert(0, step);
        self
    }

    /// The expression's place in its template as a JSON Pointer (`""` for the root).
    pub fn pointer(&self) -> String {
        let mut out = String::new();
        for step in &self.location {
            out.push('/');
            match step {
                LocationStep::Key(key) => out.push_str(&key.replace('~', "~0").replace('/', "~1")),
                LocationStep::Index(i) => out.push_str(&i.to_string()),
            }
        }
        out
    }

    /// The field as AWS names it: `field` followed by `/key` for object members and
    /// `[i]` for array items (`Arguments/Input/pushLocation`).
    pub fn field_path(&self, field: &str) -> String {
        let mut out = field.to_string();
        for step in &self.location {
            match step {
                LocationStep::Key(key) => {
                    out.push('/');
                    out.push_str(key);
                }
                LocationStep::Index(i) => {
                    out.push('[');
                    out.push_str(&i.to_string());
                    out.push(']');
                }
            }
        }
        out
    }

    /// AWS's cause text for this error in the state field `field` (`Output`,
    /// `Arguments`, `Assign`, `Items`, …), without the prefix naming the state (see
    /// the module documentation).
    pub fn cause(&self, field: &str) -> String {
        let head = format!(
            "The JSONata expression '{}' specified for the field '{}'",
            self.expression,
            self.field_path(field)
        );
        match self.kind {
            EvalErrorKind::Failed => {
                format!("{head} threw an error during evaluation. {}", self.message)
            }
            // Step Functions' own limits read differently (recorded on AWS, see
            // `engine_error`).
            EvalErrorKind::LimitExceeded => {
                format!("{head} threw an error during evaluation: {}", self.message)
            }
            EvalErrorKind::Undefined => format!("{head} returned nothing (undefined)."),
            // AWS's wording for its own internal failures (recorded with TestState for
            // `$base64decode("!!!")`, which AWS follows with a request id).
            EvalErrorKind::Internal => format!("{head} threw an internal error during evaluation."),
            EvalErrorKind::UnsupportedResult => {
                format!("{head} returned an unsupported result type.")
            }
        }
    }
}
