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
use super::{Bindings, EvalError, EvalErrorKind, ParseError, QueryEngine};
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

/// Names whose use makes an evaluation draw from the entropy.
const RANDOM_FUNCTIONS: &[&str] = &["random", "uuid", "shuffle"];

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
    /// The parts of `$states` the expression can reach.
    states: Need,
    /// The parts of each variable in `variables` the expression can reach.
    variable_needs: Vec<Need>,
    /// Names the expression may call or read as functions.
    names: BTreeSet<String>,
    pub draws_randomness: bool,
    /// `$var` or `$var.a.b` with plain field names only: read straight from the bound
    /// JSON when it holds only objects on the way ([`direct`]).
    direct: Option<(String, Vec<String>)>,
}

/// The part of a bound value an expression can reach. Converting a value for the engine
/// costs more than most evaluations, so only the fields a plain path such as
/// `$states.input.a.b` names are converted, unless the expression may look further.
#[derive(Debug, Clone, PartialEq)]
enum Need {
    All,
    /// Only these fields of an object (of each object, in an array).
    Fields(std::collections::BTreeMap<String, Need>),
}

impl Default for Need {
    fn default() -> Self {
        Need::Fields(Default::default())
    }
}

impl Need {
    /// Adds the path `names`, beyond which everything is needed.
    fn add(&mut self, names: &[String]) {
        let Need::Fields(fields) = self else {
            return;
        };
        match names.split_first() {
            None => *self = Need::All,
            Some((first, rest)) => fields.entry(first.clone()).or_default().add(rest),
        }
    }
}

/// [`QueryEngine`] on `jsonata-core`.
pub(super) struct JsonataCore;

impl QueryEngine for JsonataCore {
    type Program = Program;
    type Cache = Cache;

    fn compile(source: &str) -> Result<(Program, Analysis), ParseError> {
        compile(source)
    }

    fn evaluate(
        program: &Program,
        analysis: &Analysis,
        source: &str,
        bindings: &Bindings<'_>,
        cache: &Cache,
        entropy: &mut dyn Entropy,
    ) -> Result<Option<Value>, EvalError> {
        if let Some((root, fields)) = &analysis.direct
            && let Some(value) = direct(root, fields, bindings)
        {
            return Ok(value);
        }
        let mut context = Context::new();
        if analysis.names.contains("states") {
            context.bind(
                "states".to_string(),
                cache.states(bindings, &analysis.states),
            );
        }
        for (name, need) in analysis.variables.iter().zip(&analysis.variable_needs) {
            if let Some(value) = bindings.variables.get(name) {
                context.bind(name.clone(), cache.variable(value, name, need));
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
        register(&mut evaluator, &analysis.names, &session, bindings.now)
            .map_err(|e| engine_error(&e, source))?;
        // `$` at the top level is refused by AWS; here it is simply null.
        // jsonata-core can panic on odd input (an integer overflow in `a..b` with huge
        // bounds, found by fuzzing): that is an internal error of this evaluation, never of
        // the process.
        let evaluated = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            evaluator.evaluate(&program.ast, &JValue::Null)
        }));
        let result = match evaluated {
            Ok(result) => result.map_err(|e| engine_error(&e, source))?,
            Err(_) => {
                return Err(EvalError::new(
                    EvalErrorKind::Internal,
                    None,
                    "The JSONata implementation failed on this expression".to_string(),
                    source,
                ));
            }
        };
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
}

fn compile(source: &str) -> Result<(Program, Analysis), ParseError> {
    let parsed = std::panic::catch_unwind(|| parser::parse(source)).map_err(|_| ParseError {
        code: None,
        position: None,
        message: "The expression could not be parsed".to_string(),
    })?;
    let ast = parsed.map_err(|e| {
        let coded = coded_message(&e.to_string()).to_string();
        let code = code_of(&coded);
        let message = match &code {
            Some(code) => coded
                .strip_prefix(code.as_str())
                .map(|rest| rest.trim_start_matches(':').trim_start())
                .unwrap_or(&coded),
            None => &coded,
        };
        ParseError {
            message: jsonata_js_wording(message),
            code,
            position: None,
        }
    })?;
    let analysis = analyse(&ast);
    Ok((Program { ast }, analysis))
}

/// A parse message as jsonata-js (and so Step Functions) words it: tokens by their text
/// in quotes (`Expected "]", got ","`) where jsonata-core names them
/// (`Expected RightBracket, got Comma`).
fn jsonata_js_wording(message: &str) -> String {
    const TOKENS: &[(&str, &str)] = &[
        ("RightBracket", "]"),
        ("LeftBracket", "["),
        ("RightParen", ")"),
        ("LeftParen", "("),
        ("RightBrace", "}"),
        ("LeftBrace", "{"),
        ("Comma", ","),
        ("Semicolon", ";"),
        ("ColonEqual", ":="),
        ("Colon", ":"),
        ("DotDot", ".."),
        ("Dot", "."),
        ("QuestionColon", "?:"),
        ("QuestionQuestion", "??"),
        ("Question", "?"),
        ("TildeArrow", "~>"),
    ];
    let Some(rest) = message.strip_prefix("Expected ") else {
        return message.to_string();
    };
    let quote = |word: &str| {
        TOKENS
            .iter()
            .find(|(name, _)| *name == word)
            .map_or_else(|| word.to_string(), |(_, text)| format!("\"{text}\""))
    };
    if let Some((expected, found)) = rest.split_once(", got ") {
        return format!("Expected {}, got {}", quote(expected), quote(found));
    }
    if let Some(expected) = rest.strip_suffix(" before end of expression") {
        return format!("Expected {} before end of expression", quote(expected));
    }
    message.to_string()
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
    /// Names read as values (`$count`), not only called (`$count(x)`).
    values: BTreeSet<String>,
    bound: BTreeSet<String>,
    /// Paths read from each variable (`states` included).
    needs: std::collections::BTreeMap<String, Need>,
    /// `%` refers to the parent of a value, which a pruned value would lack.
    uses_parent: bool,
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
    // same name in one expression is too rare to track scopes for. A function's name
    // read as a value may be a workflow variable of that name, which hides the
    // function as any JSONata binding does (`$count` after `"Assign": {"count": 42}`).
    let variables: Vec<String> = walker
        .read
        .iter()
        .filter(|name| {
            !name.is_empty()
                && name.as_str() != "states"
                && !walker.bound.contains(*name)
                && (!is_function(name) || walker.values.contains(*name))
        })
        .cloned()
        .collect();
    let need_of = |name: &str| {
        if walker.uses_parent {
            return Need::All;
        }
        walker.needs.get(name).cloned().unwrap_or(Need::All)
    };
    let states = if walker.read.contains("states") {
        need_of("states")
    } else {
        Need::default()
    };
    let states_fields = match walker.needs.get("states") {
        Some(Need::Fields(fields)) => fields.keys().cloned().collect(),
        _ => Vec::new(),
    };
    let variable_needs = variables.iter().map(|name| need_of(name)).collect();
    let mut names = walker.function_names;
    names.extend(walker.read);
    Analysis {
        variables,
        states_fields,
        top_level_field: walker.top_level_field,
        states,
        variable_needs,
        names,
        draws_randomness,
        direct: direct_path(ast),
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
            | AstNode::Descendant => {}
            AstNode::Parent(_) => self.uses_parent = true,
            AstNode::Name(name) => {
                if root && self.top_level_field.is_none() {
                    self.top_level_field = Some(name.clone());
                }
            }
            AstNode::Variable(name) => {
                self.read.insert(name.clone());
                self.values.insert(name.clone());
                self.needs.entry(name.clone()).or_default().add(&[]);
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
        if let [first, rest @ ..] = steps
            && let AstNode::Variable(var) = &first.node
            && is_plain(first)
        {
            // `$var.a.b…`: the fields named until the first step that is not a plain
            // field name (that one included when it has a filter) are what is read.
            let mut names = Vec::new();
            for step in rest {
                let AstNode::Name(name) = &step.node else {
                    break;
                };
                names.push(name.clone());
                if !is_plain(step) {
                    break;
                }
            }
            self.read.insert(var.clone());
            self.needs.entry(var.clone()).or_default().add(&names);
            for step in steps {
                if step.ancestor_label.is_some() {
                    self.uses_parent = true;
                }
            }
            for step in rest {
                self.step(step, false);
            }
            return;
        }
        for (i, step) in steps.iter().enumerate() {
            if step.ancestor_label.is_some() {
                self.uses_parent = true;
            }
            self.step(step, root && i == 0);
        }
    }

    fn step(&mut self, step: &PathStep, root: bool) {
        // A field name after the first step reads from the previous step's value.
        if !root && let AstNode::Name(_) = step.node {
            self.step_extras(step);
            return;
        }
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

/// A step that only selects: no filter, binding or index.
fn is_plain(step: &PathStep) -> bool {
    step.stages.is_empty()
        && step.focus.is_none()
        && step.index_var.is_none()
        && step.ancestor_label.is_none()
        && !step.is_tuple
}

// ---------------------------------------------------------------------------------------
// Values

/// Bound values converted to the engine's representation. A value an expression needs
/// whole is converted at most once per [`Cache`]; a part of one (see [`Need`]) is
/// converted per evaluation, unless the whole is already there.
#[derive(Default)]
pub(super) struct Cache {
    input: OnceCell<JValue>,
    result: OnceCell<JValue>,
    error_output: OnceCell<JValue>,
    context: OnceCell<JValue>,
    variables: RefCell<Vec<(String, JValue)>>,
}

impl Cache {
    fn variable(&self, value: &Value, name: &str, need: &Need) -> JValue {
        let mut variables = self.variables.borrow_mut();
        if let Some((_, converted)) = variables.iter().find(|(n, _)| n == name) {
            return converted.clone();
        }
        if *need != Need::All {
            return prune(value, need);
        }
        let converted = to_engine(value);
        variables.push((name.to_string(), converted.clone()));
        converted
    }

    /// `$states` with what the expression can reach of it. Whole values are shared
    /// (`Rc`), so building it is cheap.
    fn states(&self, bindings: &Bindings<'_>, need: &Need) -> JValue {
        let field = |name: &str, value: Option<&Value>, cell: &OnceCell<JValue>| {
            let value = value?;
            let need = match need {
                Need::All => &Need::All,
                Need::Fields(fields) => fields.get(name)?,
            };
            Some(match (need, cell.get()) {
                (_, Some(converted)) => converted.clone(),
                (Need::All, None) => cell.get_or_init(|| to_engine(value)).clone(),
                (need, None) => prune(value, need),
            })
        };
        let mut states = indexmap::IndexMap::with_capacity(4);
        let fields = [
            ("input", Some(bindings.input), &self.input),
            ("result", bindings.result, &self.result),
            ("errorOutput", bindings.error_output, &self.error_output),
            ("context", Some(bindings.context), &self.context),
        ];
        for (name, value, cell) in fields {
            if let Some(converted) = field(name, value, cell) {
                states.insert(name.to_string(), converted);
            }
        }
        JValue::object(states)
    }
}

/// The part of `value` an expression can reach: the named fields of objects, kept
/// through arrays (a field step maps over an array's items).
fn prune(value: &Value, need: &Need) -> JValue {
    let Need::Fields(fields) = need else {
        return to_engine(value);
    };
    with_stack(|| match value {
        Value::Object(map) => JValue::object(
            fields
                .iter()
                .filter_map(|(name, need)| Some((name.clone(), prune(map.get(name)?, need))))
                .collect(),
        ),
        Value::Array(items) => {
            let flat = items.iter().all(|item| !item.is_array());
            JValue::Array(JArray::new_flat(
                items.iter().map(|item| prune(item, need)).collect(),
                flat,
            ))
        }
        scalar => to_engine(scalar),
    })
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

/// The variable and field names of an expression that is only `$var` or `$var.a.b`.
fn direct_path(ast: &AstNode) -> Option<(String, Vec<String>)> {
    match ast {
        AstNode::Variable(name) => Some((name.clone(), Vec::new())),
        AstNode::Path { steps } => {
            let (first, rest) = steps.split_first()?;
            let AstNode::Variable(name) = &first.node else {
                return None;
            };
            if !is_plain(first) {
                return None;
            }
            let mut fields = Vec::with_capacity(rest.len());
            for step in rest {
                match &step.node {
                    AstNode::Name(field) if is_plain(step) => fields.push(field.clone()),
                    _ => return None,
                }
            }
            Some((name.clone(), fields))
        }
        _ => None,
    }
}

/// Evaluates `$var.a.b` on the bound JSON itself, without converting it for the engine:
/// `None` when the engine must decide, that is when the variable is not bound (it may
/// name a function) or an array is met (a field step maps over arrays and a path's
/// result sequence has its own rules). Through objects only, JSONata's answer is the
/// value reached, or `undefined` for a missing field or a step into a scalar.
fn direct(root: &str, fields: &[String], bindings: &Bindings<'_>) -> Option<Option<Value>> {
    let (start, rest) = if root == "states" {
        let (first, rest) = fields.split_first()?;
        let start = match first.as_str() {
            "input" => Some(bindings.input),
            "result" => bindings.result,
            "errorOutput" => bindings.error_output,
            "context" => Some(bindings.context),
            _ => None,
        };
        match start {
            Some(value) => (value, rest),
            None => return Some(None),
        }
    } else {
        (bindings.variables.get(root)?, fields)
    };
    let mut current = start;
    for field in rest {
        match current {
            Value::Object(map) => match map.get(field) {
                Some(next) => current = next,
                None => return Some(None),
            },
            Value::Array(_) => return None,
            _ => return Some(None),
        }
    }
    if current.is_array() {
        return None;
    }
    Some(Some(current.clone()))
}

fn engine_error(error: &EvaluatorError, source: &str) -> EvalError {
    let mut message = coded_message(error.message()).to_string();
    let code = code_of(&message);
    match code.as_deref() {
        // jsonata-js (and AWS, as recorded) say no more than this; jsonata-core adds
        // the name.
        Some("T1006") => message = "T1006: Attempted to invoke a non-function".to_string(),
        // jsonata-js's wording, recorded on AWS for `$formatNumber(1, "x")` (TestState,
        // floci-io/floci issue #2786); jsonata-core words it differently.
        Some("D3086") => {
            message = "D3086: The sub-picture must not contain a passive character that is preceded by an active character and that is followed by another active character".to_string()
        }
        _ => {}
    }
    // An exceeded limit is Step Functions' own error, worded without a JSONata code
    // (recorded on AWS with TestState: `[1..900000] ~> $count()` and a 200-term sum,
    // floci-io/floci issue #2786).
    let limit = match code.as_deref() {
        Some("D2015") => {
            Some("Expression evaluation memory limit exceeded: Check for excessive memory usage")
        }
        Some("D1011" | "U1001") => Some(
            "Stack overflow error: Check for non-terminating recursive function. Consider rewriting as tail-recursive.",
        ),
        Some("D1012") => Some("Expression evaluation timeout: Check for infinite loop"),
        _ => None,
    };
    match limit {
        Some(text) => EvalError::new(EvalErrorKind::LimitExceeded, code, text.to_string(), source),
        None => EvalError::new(EvalErrorKind::Failed, code, message, source),
    }
}

/// Registers the Step Functions functions and the deterministic `$now`, `$millis`,
/// `$random` and `$shuffle`, those the expression names. `$eval` is not there: Step
/// Functions offers `$parse` instead, and `$eval("1+1")` fails with T1006 (recorded on
/// AWS with TestState, floci-io/floci issue #2786).
fn register(
    evaluator: &mut Evaluator,
    names: &BTreeSet<String>,
    session: &Rc<RefCell<Session>>,
    now: DateTime<Utc>,
) -> Result<(), EvaluatorError> {
    let named = |name: &str| names.contains(name);
    if named("eval") {
        evaluator.register_fn_override("eval", |_args: &[JValue]| {
            Err(EvaluatorError::EvaluationError(
                "T1006: Attempted to invoke a non-function".to_string(),
            ))
        })?;
    }
    if named("partition") {
        evaluator.register_fn("partition", |args: &[JValue]| {
            from_outcome(functions::partition(&args_to_json("partition", args)?))
        })?;
    }
    if named("range") {
        register_range(evaluator)?;
    }
    if named("hash") {
        evaluator.register_fn("hash", |args: &[JValue]| {
            from_outcome(functions::hash(&args_to_json("hash", args)?))
        })?;
    }
    if named("parse") {
        evaluator.register_fn("parse", |args: &[JValue]| {
            from_outcome(functions::parse(&args_to_json("parse", args)?))
        })?;
    }
    if named("uuid") {
        let s = Rc::clone(session);
        evaluator.register_fn("uuid", move |args: &[JValue]| {
            let args = args_to_json("uuid", args)?;
            from_outcome(functions::uuid(&args, s.borrow_mut().rng()?))
        })?;
    }
    if named("random") {
        let s = Rc::clone(session);
        evaluator.register_fn_override("random", move |args: &[JValue]| {
            let args = args_to_json("random", args)?;
            if args.first().is_some_and(Option::is_some) {
                // A seeded number needs no entropy.
                return from_outcome(functions::random(&args, &mut SplitMix64::new(0)));
            }
            from_outcome(functions::random(&args, s.borrow_mut().rng()?))
        })?;
    }
    if named("shuffle") {
        let s = Rc::clone(session);
        evaluator.register_fn_override("shuffle", move |args: &[JValue]| {
            let args = args_to_json("shuffle", args)?;
            from_outcome(functions::shuffle(&args, s.borrow_mut().rng()?))
        })?;
    }
    let millis = now.timestamp_millis();
    if named("millis") {
        evaluator.register_fn_override("millis", move |_args: &[JValue]| {
            Ok(JValue::Number(millis as f64))
        })?;
    }
    if named("now") {
        evaluator.register_fn_override("now", move |args: &[JValue]| now_function(millis, args))?;
    }
    Ok(())
}

fn register_range(evaluator: &mut Evaluator) -> Result<(), EvaluatorError> {
    evaluator.register_fn("range", |args: &[JValue]| {
        let items = functions::range(&args_to_json("range", args)?, MAX_SEQUENCE_LENGTH)
            .map_err(EvaluatorError::EvaluationError)?;
        Ok(JValue::sequence(items.iter().map(to_engine).collect()))
    })
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
