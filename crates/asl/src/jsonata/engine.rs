//! The only place that knows the JSONata library (jsonata-core): parsing, static
//! analysis of the syntax tree, value conversion, the host functions and evaluation with
//! limits. Everything else in weft sees serde_json values and the types of `super`, so the
//! library can be replaced by changing this file alone.

use std::cell::{OnceCell, RefCell};
use std::collections::BTreeSet;
use std::rc::Rc;
use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use jsonata_core::ast::{AstNode, PathStep, Stage};
use jsonata_core::evaluator::{Context, Evaluator, EvaluatorError, EvaluatorOptions};
use jsonata_core::parser;
use jsonata_core::value::{JArray, JValue, with_stack};
use serde_json::Value;

use super::functions::{self, Arg};
use super::{Bindings, EvalError, EvalErrorKind, ParseError};
use crate::entropy::{Entropy, SplitMix64};

/// Wall-clock time one evaluation may take (JSONata code D1012). A state's expressions
/// are small; a second means a runaway loop, and the decider must not stall on it.
pub(super) const TIME_LIMIT_MS: u64 = 1_000;
/// Nesting of evaluation (JSONata code D1011). A non-tail recursive call costs about
/// three levels, so this allows about a thousand nested calls.
pub(super) const MAX_STACK_DEPTH: usize = 3_000;
/// Items in one sequence (JSONata code D2015): a 256 KiB payload cannot hold more.
pub(super) const MAX_SEQUENCE_LENGTH: usize = 256 * 1024;
/// Nesting of a result. serde_json refuses to read deeper documents (its recursion
/// limit), so a deeper result could be written but never read back.
pub(super) const MAX_RESULT_DEPTH: usize = 128;

/// JSONata's built-in functions (jsonata-core's list), which `$name` may refer to
/// without being a workflow variable.
const BUILTINS: &[&str] = &[
    "string",
    "length",
    "substring",
    "substringBefore",
    "substringAfter",
    "uppercase",
    "lowercase",
    "trim",
    "pad",
    "contains",
    "split",
    "join",
    "match",
    "replace",
    "eval",
    "base64encode",
    "base64decode",
    "encodeUrlComponent",
    "encodeUrl",
    "decodeUrlComponent",
    "decodeUrl",
    "number",
    "abs",
    "floor",
    "ceil",
    "round",
    "power",
    "sqrt",
    "random",
    "formatNumber",
    "formatBase",
    "formatInteger",
    "parseInteger",
    "sum",
    "max",
    "min",
    "average",
    "boolean",
    "not",
    "exists",
    "count",
    "append",
    "sort",
    "reverse",
    "shuffle",
    "distinct",
    "zip",
    "keys",
    "lookup",
    "spread",
    "merge",
    "sift",
    "each",
    "error",
    "assert",
    "type",
    "map",
    "filter",
    "reduce",
    "single",
    "now",
    "millis",
    "fromMillis",
    "toMillis",
];

/// The functions Step Functions adds.
const AWS_FUNCTIONS: &[&str] = &["partition", "range", "hash", "random", "uuid", "parse"];

/// Names whose use makes an evaluation draw from the entropy (`eval` can call any of
/// the others).
const RANDOM_FUNCTIONS: &[&str] = &["random", "uuid", "shuffle", "eval"];

/// A parsed expression. The syntax tree is `Send + Sync`; the evaluator is built per
/// evaluation because jsonata-core offers no way to rebind variables of an existing one.
pub(super) struct Program {
    ast: AstNode,
}

impl std::fmt::Debug for Program {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Program")
    }
}

/// What the syntax tree says about an expression.
#[derive(Debug, Default)]
pub(super) struct Analysis {
    pub variables: Vec<String>,
    pub states_fields: Vec<String>,
    pub top_level_field: Option<String>,
    /// `$states` is read other than as `$states.<field>`, so all of it is bound.
    pub reads_whole_states: bool,
    pub draws_randomness: bool,
}

pub(super) fn compile(source: &str) -> Result<(Program, Analysis), ParseError> {
    let ast = parser::parse(source).map_err(|e| {
        let message = coded_message(&e.to_string()).to_string();
        ParseError {
            code: code_of(&message),
            position: None,
            message,
        }
    })?;
    let analysis = analyse(&ast);
    Ok((Program { ast }, analysis))
}

/// A message from its first JSONata error code on: jsonata-core puts words such as
/// "Invalid syntax: " before the code of some parse errors.
fn coded_message(message: &str) -> &str {
    message
        .char_indices()
        .filter(|(i, _)| *i == 0 || message[..*i].ends_with(' '))
        .map(|(i, _)| &message[i..])
        .find(|rest| jsonata_core::evaluator::error_code_prefix(rest).is_some())
        .unwrap_or(message)
}

fn code_of(message: &str) -> Option<String> {
    jsonata_core::evaluator::error_code_prefix(message).map(str::to_string)
}

// ---------------------------------------------------------------------------------------
// Static analysis

#[derive(Default)]
struct Walker {
    read: BTreeSet<String>,
    bound: BTreeSet<String>,
    states_fields: BTreeSet<String>,
    reads_whole_states: bool,
    function_names: BTreeSet<String>,
    top_level_field: Option<String>,
}

fn analyse(ast: &AstNode) -> Analysis {
    let mut walker = Walker::default();
    walker.node(ast, true);
    let is_function = |name: &str| BUILTINS.contains(&name) || AWS_FUNCTIONS.contains(&name);
    let draws_randomness = walker
        .function_names
        .iter()
        .chain(walker.read.iter())
        .any(|name| RANDOM_FUNCTIONS.contains(&name.as_str()));
    // Variables bound anywhere in the expression are taken as its own throughout:
    // JSONata scopes them to blocks, but reading an outer variable and binding the
    // same name in one expression is too rare to track scopes for.
    let variables = walker
        .read
        .iter()
        .filter(|name| {
            !name.is_empty()
                && name.as_str() != "states"
                && !walker.bound.contains(*name)
                && !is_function(name)
        })
        .cloned()
        .collect();
    Analysis {
        variables,
        states_fields: walker.states_fields.into_iter().collect(),
        top_level_field: walker.top_level_field,
        reads_whole_states: walker.reads_whole_states,
        draws_randomness,
    }
}

impl Walker {
    /// `root`: the node is evaluated against the expression's own input (the top level),
    /// where a field name is a reference AWS refuses.
    fn node(&mut self, node: &AstNode, root: bool) {
        with_stack(|| self.node_inner(node, root));
    }

    fn node_inner(&mut self, node: &AstNode, root: bool) {
        match node {
            AstNode::String(_)
            | AstNode::Number(_)
            | AstNode::Boolean(_)
            | AstNode::Null
            | AstNode::Undefined
            | AstNode::Placeholder
            | AstNode::Regex { .. }
            | AstNode::ParentVariable(_)
            | AstNode::Wildcard
            | AstNode::Descendant
            | AstNode::Parent(_) => {}
            AstNode::Name(name) => {
                if root && self.top_level_field.is_none() {
                    self.top_level_field = Some(name.clone());
                }
            }
            AstNode::Variable(name) => {
                if name == "states" {
                    self.reads_whole_states = true;
                }
                self.read.insert(name.clone());
            }
            AstNode::Path { steps } => self.path(steps, root),
            AstNode::Binary { op, lhs, rhs } => {
                use jsonata_core::ast::BinaryOp;
                match (op, lhs.as_ref()) {
                    (BinaryOp::ColonEqual, AstNode::Variable(name)) => {
                        self.bound.insert(name.clone());
                    }
                    (BinaryOp::FocusBind | BinaryOp::IndexBind, _) => {
                        if let AstNode::Variable(name) = rhs.as_ref() {
                            self.bound.insert(name.clone());
                        }
                        self.node(lhs, root);
                        return;
                    }
                    _ => self.node(lhs, root),
                }
                self.node(rhs, root);
            }
            AstNode::Unary { operand, .. } => self.node(operand, root),
            AstNode::Function { name, args, .. } => {
                self.function_names.insert(name.clone());
                self.read.insert(name.clone());
                for arg in args {
                    self.node(arg, root);
                }
            }
            AstNode::Call { procedure, args } => {
                self.node(procedure, root);
                for arg in args {
                    self.node(arg, root);
                }
            }
            AstNode::Lambda { params, body, .. } => {
                self.bound.extend(params.iter().cloned());
                self.node(body, false);
            }
            AstNode::Array(items) | AstNode::ArrayGroup(items) | AstNode::Block(items) => {
                for item in items {
                    self.node(item, root);
                }
            }
            AstNode::Object(pairs) => {
                for (key, value) in pairs {
                    self.node(key, root);
                    self.node(value, root);
                }
            }
            AstNode::ObjectTransform { input, pattern } => {
                self.node(input, root);
                for (key, value) in pattern {
                    self.node(key, false);
                    self.node(value, false);
                }
            }
            AstNode::Conditional {
                condition,
                then_branch,
                else_branch,
            } => {
                self.node(condition, root);
                self.node(then_branch, root);
                if let Some(else_branch) = else_branch {
                    self.node(else_branch, root);
                }
            }
            AstNode::FunctionApplication(inner) => self.node(inner, false),
            AstNode::Sort { input, terms } => {
                self.node(input, root);
                for (term, _) in terms {
                    self.node(term, false);
                }
            }
            AstNode::Transform {
                location,
                update,
                delete,
            } => {
                self.node(location, false);
                self.node(update, false);
                if let Some(delete) = delete {
                    self.node(delete, false);
                }
            }
        }
    }

    fn path(&mut self, steps: &[PathStep], root: bool) {
        if let [first, second, ..] = steps
            && let (AstNode::Variable(var), AstNode::Name(field)) = (&first.node, &second.node)
            && var == "states"
            && first.stages.is_empty()
        {
            self.read.insert(var.clone());
            self.states_fields.insert(field.clone());
            self.step_extras(first);
            for step in &steps[1..] {
                self.step(step, false);
            }
            return;
        }
        for (i, step) in steps.iter().enumerate() {
            self.step(step, root && i == 0);
        }
    }

    fn step(&mut self, step: &PathStep, root: bool) {
        self.node(&step.node, root);
        self.step_extras(step);
    }

    fn step_extras(&mut self, step: &PathStep) {
        for stage in &step.stages {
            match stage {
                Stage::Filter(predicate) => self.node(predicate, false),
                Stage::Index(name) => {
                    self.bound.insert(name.clone());
                }
                Stage::KeepArray => {}
            }
        }
        self.bound.extend(step.focus.iter().cloned());
        self.bound.extend(step.index_var.iter().cloned());
    }
}

// ---------------------------------------------------------------------------------------
// Values

/// Bound values converted to the engine's representation, each at most once.
#[derive(Default)]
pub(super) struct Cache {
    input: OnceCell<JValue>,
    result: OnceCell<JValue>,
    error_output: OnceCell<JValue>,
    context: OnceCell<JValue>,
    variables: RefCell<Vec<(String, Option<JValue>)>>,
}

impl Cache {
    fn variable(&self, bindings: &Bindings<'_>, name: &str) -> Option<JValue> {
        let mut variables = self.variables.borrow_mut();
        if let Some((_, value)) = variables.iter().find(|(n, _)| n == name) {
            return value.clone();
        }
        let value = bindings.variables.get(name).map(to_engine);
        variables.push((name.to_string(), value.clone()));
        value
    }

    /// `$states`, with the fields the expression reads (all of them if it reads
    /// `$states` as a whole). Values are shared (`Rc`), so building it is cheap.
    fn states(&self, bindings: &Bindings<'_>, analysis: &Analysis) -> JValue {
        let wants = |field: &str| {
            analysis.reads_whole_states || analysis.states_fields.iter().any(|f| f == field)
        };
        let mut states = indexmap::IndexMap::with_capacity(4);
        if wants("input") {
            let v = self.input.get_or_init(|| to_engine(bindings.input));
            states.insert("input".to_string(), v.clone());
        }
        if let Some(result) = bindings.result
            && wants("result")
        {
            let v = self.result.get_or_init(|| to_engine(result));
            states.insert("result".to_string(), v.clone());
        }
        if let Some(error_output) = bindings.error_output
            && wants("errorOutput")
        {
            let v = self.error_output.get_or_init(|| to_engine(error_output));
            states.insert("errorOutput".to_string(), v.clone());
        }
        if wants("context") {
            let v = self.context.get_or_init(|| to_engine(bindings.context));
            states.insert("context".to_string(), v.clone());
        }
        JValue::object(states)
    }
}

/// serde_json to engine. Numbers become `f64`, JSONata's only number type: integers
/// beyond 2^53 lose precision, as in every JSONata implementation.
fn to_engine(value: &Value) -> JValue {
    with_stack(|| match value {
        Value::Null => JValue::Null,
        Value::Bool(b) => JValue::Bool(*b),
        Value::Number(n) => JValue::Number(n.as_f64().unwrap_or(f64::NAN)),
        Value::String(s) => JValue::string(s.as_str()),
        Value::Array(items) => {
            let mut flat = true;
            let items = items
                .iter()
                .map(|item| {
                    flat &= !item.is_array();
                    to_engine(item)
                })
                .collect();
            JValue::Array(JArray::new_flat(items, flat))
        }
        Value::Object(map) => {
            JValue::object(map.iter().map(|(k, v)| (k.clone(), to_engine(v))).collect())
        }
    })
}

/// Why a result cannot be JSON.
enum NotJson {
    Function,
    TooDeep,
    NotFinite,
}

/// Engine to serde_json, as `JSON.stringify` does it: integral numbers are JSON
/// integers (`1+1` is `2`, not `2.0`), an undefined or function field of an object is
/// left out, a function item of an array is `null`. A function as the whole result is
/// not JSON.
fn to_json(value: &JValue, depth: usize) -> Result<Option<Value>, NotJson> {
    with_stack(|| {
        Ok(Some(match value {
            JValue::Undefined => return Ok(None),
            JValue::Null => Value::Null,
            JValue::Bool(b) => Value::Bool(*b),
            JValue::Number(n) if n.is_finite() => functions::number_value(*n),
            JValue::Number(_) => return Err(NotJson::NotFinite),
            JValue::String(s) => Value::String(s.to_string()),
            JValue::Array(items) => {
                if depth >= MAX_RESULT_DEPTH {
                    return Err(NotJson::TooDeep);
                }
                let mut out = Vec::with_capacity(items.len());
                for item in items.iter() {
                    match to_json(item, depth + 1) {
                        Ok(Some(v)) => out.push(v),
                        Ok(None) => {}
                        Err(NotJson::Function) => out.push(Value::Null),
                        Err(e) => return Err(e),
                    }
                }
                Value::Array(out)
            }
            JValue::Object(map) => {
                if depth >= MAX_RESULT_DEPTH {
                    return Err(NotJson::TooDeep);
                }
                let mut out = serde_json::Map::with_capacity(map.len());
                for (k, v) in map.iter() {
                    match to_json(v, depth + 1) {
                        Ok(Some(v)) => {
                            out.insert(k.clone(), v);
                        }
                        Ok(None) | Err(NotJson::Function) => {}
                        Err(e) => return Err(e),
                    }
                }
                Value::Object(out)
            }
            _ => return Err(NotJson::Function),
        }))
    })
}

/// Arguments of a host function as JSON; a function argument has no JSON form.
fn args_to_json(name: &str, args: &[JValue]) -> Result<Vec<Arg>, EvaluatorError> {
    args.iter()
        .enumerate()
        .map(|(i, arg)| {
            to_json(arg, 0).map_err(|_| {
                EvaluatorError::TypeError(format!(
                    "T0410: Argument {} of function \"{name}\" does not match function signature",
                    i + 1
                ))
            })
        })
        .collect()
}

fn from_outcome(outcome: functions::Outcome) -> Result<JValue, EvaluatorError> {
    match outcome {
        Ok(Some(value)) => Ok(to_engine(&value)),
        Ok(None) => Ok(JValue::Undefined),
        Err(message) => Err(EvaluatorError::EvaluationError(message)),
    }
}

// ---------------------------------------------------------------------------------------
// Evaluation

/// Per-evaluation state the host functions share.
struct Session {
    rng: Option<SplitMix64>,
}

impl Session {
    fn rng(&mut self) -> Result<&mut SplitMix64, EvaluatorError> {
        // Seeded whenever the expression names a random function; `None` only if the
        // analysis missed a way to call one.
        self.rng.as_mut().ok_or_else(|| {
            EvaluatorError::EvaluationError("No randomness is available here".to_string())
        })
    }
}

pub(super) fn evaluate(
    program: &Program,
    analysis: &Analysis,
    source: &str,
    bindings: &Bindings<'_>,
    cache: &Cache,
    entropy: &mut dyn Entropy,
) -> Result<Option<Value>, EvalError> {
    let mut context = Context::new();
    if analysis.reads_whole_states || !analysis.states_fields.is_empty() {
        context.bind("states".to_string(), cache.states(bindings, analysis));
    }
    for name in &analysis.variables {
        if let Some(value) = cache.variable(bindings, name) {
            context.bind(name.clone(), value);
        }
    }
    let session = Rc::new(RefCell::new(Session {
        rng: analysis
            .draws_randomness
            .then(|| SplitMix64::new(entropy.next_u64())),
    }));
    let options = EvaluatorOptions {
        timeout_ms: Some(TIME_LIMIT_MS),
        max_stack_depth: Some(MAX_STACK_DEPTH),
        max_sequence_length: Some(MAX_SEQUENCE_LENGTH),
        cancel: None,
    };
    let mut evaluator = Evaluator::with_options(context, options);
    register(&mut evaluator, &session, bindings.now).map_err(|e| engine_error(&e, source))?;
    // `$` at the top level is refused by AWS; here it is simply null.
    let result = evaluator
        .evaluate(&program.ast, &JValue::Null)
        .map_err(|e| engine_error(&e, source))?;
    to_json(&result, 0).map_err(|e| {
        let message = match e {
            NotJson::Function => "The result is a function, which has no JSON form".to_string(),
            NotJson::TooDeep => {
                format!("The result is nested more than {MAX_RESULT_DEPTH} levels deep")
            }
            NotJson::NotFinite => "The result contains a number that is not finite".to_string(),
        };
        EvalError::new(EvalErrorKind::UnsupportedResult, None, message, source)
    })
}

fn engine_error(error: &EvaluatorError, source: &str) -> EvalError {
    let mut message = coded_message(error.message()).to_string();
    let code = code_of(&message);
    if code.as_deref() == Some("T1006") {
        // jsonata-js (and AWS, as recorded) say no more than this; jsonata-core adds
        // the name.
        message = "T1006: Attempted to invoke a non-function".to_string();
    }
    let kind = match code.as_deref() {
        Some("D1011" | "D1012" | "D2015" | "U1001") => EvalErrorKind::LimitExceeded,
        _ => EvalErrorKind::Failed,
    };
    EvalError::new(kind, code, message, source)
}

/// Registers the Step Functions functions and the deterministic `$now`, `$millis`,
/// `$random` and `$shuffle`.
fn register(
    evaluator: &mut Evaluator,
    session: &Rc<RefCell<Session>>,
    now: DateTime<Utc>,
) -> Result<(), EvaluatorError> {
    evaluator.register_fn("partition", |args: &[JValue]| {
        from_outcome(functions::partition(&args_to_json("partition", args)?))
    })?;
    evaluator.register_fn("range", |args: &[JValue]| {
        let items = functions::range(&args_to_json("range", args)?, MAX_SEQUENCE_LENGTH)
            .map_err(EvaluatorError::EvaluationError)?;
        Ok(JValue::sequence(items.iter().map(to_engine).collect()))
    })?;
    evaluator.register_fn("hash", |args: &[JValue]| {
        from_outcome(functions::hash(&args_to_json("hash", args)?))
    })?;
    evaluator.register_fn("parse", |args: &[JValue]| {
        from_outcome(functions::parse(&args_to_json("parse", args)?))
    })?;
    let s = Rc::clone(session);
    evaluator.register_fn("uuid", move |args: &[JValue]| {
        let args = args_to_json("uuid", args)?;
        from_outcome(functions::uuid(&args, s.borrow_mut().rng()?))
    })?;
    let s = Rc::clone(session);
    evaluator.register_fn_override("random", move |args: &[JValue]| {
        let args = args_to_json("random", args)?;
        let mut session = s.borrow_mut();
        if args.first().is_some_and(Option::is_some) {
            // A seeded number needs no entropy.
            return from_outcome(functions::random(&args, &mut SplitMix64::new(0)));
        }
        from_outcome(functions::random(&args, session.rng()?))
    })?;
    let s = Rc::clone(session);
    evaluator.register_fn_override("shuffle", move |args: &[JValue]| {
        let args = args_to_json("shuffle", args)?;
        from_outcome(functions::shuffle(&args, s.borrow_mut().rng()?))
    })?;
    let millis = now.timestamp_millis();
    evaluator.register_fn_override("millis", move |_args: &[JValue]| {
        Ok(JValue::Number(millis as f64))
    })?;
    evaluator.register_fn_override("now", move |args: &[JValue]| now_function(millis, args))?;
    Ok(())
}

/// `$now([picture [, timezone]])` at the decision's time. With arguments it formats like
/// `$fromMillis`, which is what JSONata defines it as.
fn now_function(millis: i64, args: &[JValue]) -> Result<JValue, EvaluatorError> {
    static FROM_MILLIS: LazyLock<Option<AstNode>> =
        LazyLock::new(|| parser::parse("$fromMillis($m, $p, $t)").ok());
    let Some(ast) = FROM_MILLIS.as_ref() else {
        return Err(EvaluatorError::EvaluationError(
            "$now is unavailable".to_string(),
        ));
    };
    let mut context = Context::new();
    context.bind("m".to_string(), JValue::Number(millis as f64));
    if let Some(picture) = args.first() {
        context.bind("p".to_string(), picture.clone());
    }
    if let Some(timezone) = args.get(1) {
        context.bind("t".to_string(), timezone.clone());
    }
    Evaluator::with_context(context).evaluate(ast, &JValue::Null)
}
