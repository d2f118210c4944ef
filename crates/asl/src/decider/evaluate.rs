//! Evaluating a state's fields in its query language: JSONPath templates against a
//! document (`$`), JSONata templates against `$states` (input, result, error output,
//! context) — both with the run's variables and the context object.

use serde_json::{Map, Value};

use super::{Decider, EventType, RunId, io};
use crate::error::{StatesError, names};
use crate::jsonata::{self, Bindings};
use crate::model::Payload;

use super::states::VarView;

/// The values a state's fields are evaluated against.
#[derive(Clone, Copy)]
pub(super) struct Sources<'v> {
    /// `$` of a JSONPath field: the effective input, or the result being processed.
    pub document: &'v Value,
    /// `$states.input` of a JSONata field: the state's input.
    pub input: &'v Value,
    /// `$states.result`, in `Output` and `Assign` after the state's work.
    pub result: Option<&'v Value>,
    /// `$states.errorOutput`, in a catcher's `Output` and `Assign`.
    pub error_output: Option<&'v Value>,
}

impl<'v> Sources<'v> {
    /// Before the state's work: JSONPath sees `document`, JSONata `$states.input`
    /// (the same value, as a JSONata state has no `InputPath`).
    pub fn input(document: &'v Value) -> Self {
        Sources {
            document,
            input: document,
            result: None,
            error_output: None,
        }
    }
}

/// A JSONata state's `Output` (`None` without one) and the variables its `Assign` sets.
pub(super) type Outcome = (Option<Value>, Option<Map<String, Value>>);

impl Decider {
    /// A failed JSONata evaluation: recorded as an `EvaluationFailed` event (where in
    /// the state, and why), then raised as the state's `States.QueryEvaluationError`.
    fn query_error(&mut self, run: RunId, field: &str, error: &jsonata::EvalError) -> StatesError {
        let cause = error.cause(field);
        let state = self.active(run).map(|a| a.name.clone()).unwrap_or_default();
        let mut details = Map::new();
        details.insert("error".into(), Value::from(names::QUERY_EVALUATION_ERROR));
        details.insert("cause".into(), Value::from(cause.clone()));
        details.insert("location".into(), Value::from(error.field_path(field)));
        details.insert("state".into(), Value::from(state));
        self.emit(run, EventType::EvaluationFailed, details);
        StatesError::new(names::QUERY_EVALUATION_ERROR, cause)
    }

    /// Runs `f` with the JSONata bindings of `sources`.
    fn with_bindings<T>(
        &mut self,
        run: RunId,
        sources: &Sources<'_>,
        f: impl FnOnce(&Bindings<'_>, &mut crate::entropy::SplitMix64) -> T,
    ) -> T {
        let vars = VarView {
            runs: &self.runs,
            run,
        };
        let bindings = Bindings {
            input: sources.input,
            result: sources.result,
            error_output: sources.error_output,
            context: &self.context,
            variables: &vars,
            now: self.now,
        };
        f(&bindings, &mut self.rng)
    }

    /// Evaluates a JSONata template; `undefined` is an error where a value is needed.
    pub(super) fn eval_jsonata(
        &mut self,
        run: RunId,
        field: &str,
        template: &jsonata::Template,
        sources: &Sources<'_>,
    ) -> Result<Value, StatesError> {
        let result = self.with_bindings(run, sources, |b, rng| template.evaluate(b, rng));
        self.defined(run, field, template, result)
    }

    /// Evaluates a single JSONata expression (a number or string field).
    pub(super) fn eval_expression(
        &mut self,
        run: RunId,
        field: &str,
        expression: &jsonata::Expression,
        sources: &Sources<'_>,
    ) -> Result<Value, StatesError> {
        let template = jsonata::Template::Expression(expression.clone());
        self.eval_jsonata(run, field, &template, sources)
    }

    /// Evaluates a payload template (`Parameters`/`Arguments`, `ItemSelector`, …).
    pub(super) fn eval_payload(
        &mut self,
        run: RunId,
        field: &str,
        payload: &Payload,
        sources: &Sources<'_>,
    ) -> Result<Value, StatesError> {
        match payload {
            Payload::JsonPath(template) => self.eval_template(run, template, sources.document),
            Payload::Jsonata(template) => self.eval_jsonata(run, field, template, sources),
        }
    }

    /// Evaluates a JSONPath template with `document` as `$`.
    pub(super) fn eval_template(
        &mut self,
        run: RunId,
        template: &crate::template::Template,
        document: &Value,
    ) -> Result<Value, StatesError> {
        self.with_scope(run, document, |scope, rng| template.evaluate(scope, rng))
    }

    /// Evaluates an `Assign` block; variables only change when the state exits.
    pub(super) fn eval_assign(
        &mut self,
        run: RunId,
        assign: Option<&Payload>,
        sources: &Sources<'_>,
    ) -> Result<Option<Map<String, Value>>, StatesError> {
        let Some(payload) = assign else {
            return Ok(None);
        };
        match self.eval_payload(run, "Assign", payload, sources)? {
            Value::Object(map) => Ok(Some(map)),
            _ => Err(StatesError::runtime(
                "The value of the 'Assign' field must be a JSON object.",
            )),
        }
    }

    /// A state's JSONata `Output` (`None` without one: the caller's default) and the
    /// variables its `Assign` sets, in either language. JSONata fields are evaluated
    /// against one preparation of `$states`; all see the values from before the state.
    pub(super) fn outcome(
        &mut self,
        run: RunId,
        output: Option<&jsonata::Template>,
        assign: Option<&Payload>,
        sources: &Sources<'_>,
    ) -> Result<Outcome, StatesError> {
        let jsonata_assign = match assign {
            Some(Payload::Jsonata(template)) => Some(template),
            Some(Payload::JsonPath(_)) => {
                return Ok((None, self.eval_assign(run, assign, sources)?));
            }
            None if output.is_none() => return Ok((None, None)),
            None => None,
        };
        // Output first: it more often reads `$states.input` whole, which the preparation
        // then keeps for Assign.
        let (assigned, evaluated) = self.with_bindings(run, sources, |bindings, rng| {
            let prepared = bindings.prepare();
            let evaluated = output.map(|t| t.evaluate_prepared(&prepared, rng));
            let assigned = jsonata_assign.map(|t| t.evaluate_prepared(&prepared, rng));
            (assigned, evaluated)
        });
        let assigned = match (jsonata_assign, assigned) {
            (Some(template), Some(result)) => {
                match self.defined(run, "Assign", template, result)? {
                    Value::Object(map) => Some(map),
                    _ => {
                        return Err(StatesError::runtime(
                            "The value of the 'Assign' field must be a JSON object.",
                        ));
                    }
                }
            }
            _ => None,
        };
        let output = match (output, evaluated) {
            (Some(template), Some(result)) => Some(self.defined(run, "Output", template, result)?),
            _ => None,
        };
        Ok((output, assigned))
    }

    /// The value of an evaluated JSONata field, or its error (`undefined` is one).
    fn defined(
        &mut self,
        run: RunId,
        field: &str,
        template: &jsonata::Template,
        result: Result<Option<Value>, jsonata::EvalError>,
    ) -> Result<Value, StatesError> {
        match result {
            Ok(Some(value)) => Ok(value),
            Ok(None) => match template {
                jsonata::Template::Expression(e) => {
                    Err(self.query_error(run, field, &jsonata::EvalError::undefined(e)))
                }
                // Only a template that is one expression can give nothing.
                _ => Ok(Value::Null),
            },
            Err(e) => Err(self.query_error(run, field, &e)),
        }
    }

    /// A whole number computed by a JSONata expression: it must be an integer of at
    /// least `minimum`.
    pub(super) fn whole_number_expression(
        &mut self,
        run: RunId,
        field: &str,
        expression: &jsonata::Expression,
        sources: &Sources<'_>,
        minimum: u64,
    ) -> Result<u64, StatesError> {
        let value = self.eval_expression(run, field, expression, sources)?;
        match value.as_u64().or_else(|| {
            value
                .as_f64()
                .filter(|f| f.fract() == 0.0 && *f >= 0.0 && *f < u64::MAX as f64)
                .map(|f| f as u64)
        }) {
            Some(n) if n >= minimum => Ok(n),
            _ => Err(StatesError::new(
                names::QUERY_EVALUATION_ERROR,
                format!(
                    "The value of the field '{field}' must be an integer of at least {minimum}, but was {}",
                    io::to_text(&value)
                ),
            )),
        }
    }
}
