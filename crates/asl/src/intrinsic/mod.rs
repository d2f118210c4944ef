//! Intrinsic functions (`States.Format`, `States.Array`, …): a parser for the call
//! syntax and an evaluator for every function.
//!
//! A call is parsed once, when the definition is compiled, so syntax errors, unknown
//! functions and wrong argument counts are reported before anything runs. Argument
//! types and values depend on the state input and are checked when the call runs;
//! misuse raises `States.IntrinsicFailure`.

mod array;
mod encoding;
mod format;
pub(crate) mod hash;
mod json;
mod math;
mod parser;
mod string;
mod uuid;

use std::borrow::Cow;

use serde_json::Value;

use crate::entropy::Entropy;
use crate::error::StatesError;
use crate::path::{Path, Root, Scope};

/// A parsed intrinsic function call, e.g. `States.Format('Hello {}', $.name)`.
#[derive(Debug, Clone)]
pub struct Intrinsic {
    text: String,
    call: Call,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct IntrinsicParseError {
    pub message: String,
}

/// One function call with its arguments.
#[derive(Debug, Clone)]
pub(crate) struct Call {
    function: Function,
    args: Vec<Arg>,
}

#[derive(Debug, Clone)]
pub(crate) enum Arg {
    /// A number, `true`, `false` or `null`.
    Literal(Value),
    /// A quoted string. `placeholders` holds the byte offsets (in the unescaped text) of
    /// every `{}` written without escapes, which is what `States.Format` substitutes.
    String {
        value: Value,
        placeholders: Vec<usize>,
    },
    Path(Path),
    Call(Call),
}

/// The intrinsic functions of the Amazon States Language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Function {
    Format,
    StringToJson,
    JsonToString,
    Array,
    ArrayPartition,
    ArrayContains,
    ArrayRange,
    ArrayGetItem,
    ArrayLength,
    ArrayUnique,
    Base64Encode,
    Base64Decode,
    Hash,
    JsonMerge,
    MathRandom,
    MathAdd,
    StringSplit,
    Uuid,
}

impl Function {
    const ALL: [Function; 18] = [
        Function::Format,
        Function::StringToJson,
        Function::JsonToString,
        Function::Array,
        Function::ArrayPartition,
        Function::ArrayContains,
        Function::ArrayRange,
        Function::ArrayGetItem,
        Function::ArrayLength,
        Function::ArrayUnique,
        Function::Base64Encode,
        Function::Base64Decode,
        Function::Hash,
        Function::JsonMerge,
        Function::MathRandom,
        Function::MathAdd,
        Function::StringSplit,
        Function::Uuid,
    ];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Function::Format => "States.Format",
            Function::StringToJson => "States.StringToJson",
            Function::JsonToString => "States.JsonToString",
            Function::Array => "States.Array",
            Function::ArrayPartition => "States.ArrayPartition",
            Function::ArrayContains => "States.ArrayContains",
            Function::ArrayRange => "States.ArrayRange",
            Function::ArrayGetItem => "States.ArrayGetItem",
            Function::ArrayLength => "States.ArrayLength",
            Function::ArrayUnique => "States.ArrayUnique",
            Function::Base64Encode => "States.Base64Encode",
            Function::Base64Decode => "States.Base64Decode",
            Function::Hash => "States.Hash",
            Function::JsonMerge => "States.JsonMerge",
            Function::MathRandom => "States.MathRandom",
            Function::MathAdd => "States.MathAdd",
            Function::StringSplit => "States.StringSplit",
            Function::Uuid => "States.UUID",
        }
    }

    pub(crate) fn from_name(name: &str) -> Option<Function> {
        Function::ALL.into_iter().find(|f| f.name() == name)
    }

    /// The allowed number of arguments: (minimum, maximum or `None` for unbounded).
    pub(crate) fn arity(self) -> (usize, Option<usize>) {
        match self {
            Function::Format => (1, None),
            Function::Array => (0, None),
            Function::Uuid => (0, Some(0)),
            Function::StringToJson
            | Function::JsonToString
            | Function::ArrayLength
            | Function::ArrayUnique
            | Function::Base64Encode
            | Function::Base64Decode => (1, Some(1)),
            Function::ArrayPartition
            | Function::ArrayContains
            | Function::ArrayGetItem
            | Function::Hash
            | Function::MathAdd
            | Function::StringSplit => (2, Some(2)),
            Function::MathRandom => (2, Some(3)),
            Function::ArrayRange | Function::JsonMerge => (3, Some(3)),
        }
    }
}

/// What a function body returns: its value, or why the arguments were not acceptable.
type Outcome = Result<Value, String>;

impl Intrinsic {
    /// True when a `.$` value should be read as a function call rather than a path.
    pub fn looks_like_call(text: &str) -> bool {
        text.trim_start().starts_with("States.")
    }

    pub fn parse(text: &str) -> Result<Intrinsic, IntrinsicParseError> {
        let call = parser::parse(text)?;
        Ok(Intrinsic {
            text: text.to_owned(),
            call,
        })
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// Evaluates the call; misuse raises `States.IntrinsicFailure`, a path argument that
    /// selects nothing raises `States.Runtime`.
    pub fn evaluate(
        &self,
        scope: &Scope<'_>,
        entropy: &mut dyn Entropy,
    ) -> Result<Value, StatesError> {
        self.evaluate_call(&self.call, scope, entropy)
    }

    fn evaluate_call<'x>(
        &'x self,
        call: &'x Call,
        scope: &Scope<'x>,
        entropy: &mut dyn Entropy,
    ) -> Result<Value, StatesError> {
        let mut values: Vec<Cow<'x, Value>> = Vec::with_capacity(call.args.len());
        for arg in &call.args {
            values.push(match arg {
                Arg::Literal(value) | Arg::String { value, .. } => Cow::Borrowed(value),
                Arg::Path(path) => match path.select(scope) {
                    Some(value) => value,
                    None => {
                        return Err(StatesError::runtime(format!(
                            "The function '{}' had the following error: The JsonPath argument for the field '{}' could not be found in {}",
                            self.text,
                            path.text(),
                            describe_path_source(path, scope)
                        )));
                    }
                },
                Arg::Call(inner) => Cow::Owned(self.evaluate_call(inner, scope, entropy)?),
            });
        }
        apply(call, values, entropy).map_err(|detail| {
            StatesError::intrinsic(format!(
                "The function '{}' had the following error: {}",
                self.text, detail
            ))
        })
    }
}

fn apply(call: &Call, args: Vec<Cow<'_, Value>>, entropy: &mut dyn Entropy) -> Outcome {
    let name = call.function.name();
    match call.function {
        Function::Format => format::format(&call.args, &args),
        Function::StringToJson => json::string_to_json(name, &args),
        Function::JsonToString => json::json_to_string(name, &args),
        Function::JsonMerge => json::json_merge(name, &args),
        Function::Array => Ok(array::array(args)),
        Function::ArrayPartition => array::partition(name, &args),
        Function::ArrayContains => array::contains(name, &args),
        Function::ArrayRange => array::range(name, &args),
        Function::ArrayGetItem => array::get_item(name, &args),
        Function::ArrayLength => array::length(name, &args),
        Function::ArrayUnique => array::unique(name, &args),
        Function::Base64Encode => encoding::base64_encode(name, &args),
        Function::Base64Decode => encoding::base64_decode(name, &args),
        Function::Hash => hash::hash(name, &args),
        Function::MathRandom => math::random(name, &args, entropy),
        Function::MathAdd => math::add(name, &args),
        Function::StringSplit => string::split(name, &args),
        Function::Uuid => Ok(uuid::uuid(entropy)),
    }
}

/// Describes the document a path was evaluated against, for "could not be found in …"
/// messages: `the input '<json>'`, `the context object '<json>'` or `the variable '$x'`.
pub(crate) fn describe_path_source(path: &Path, scope: &Scope<'_>) -> String {
    match path.root() {
        Root::Input => format!("the input '{}'", compact_json(scope.input)),
        Root::Context => format!("the context object '{}'", compact_json(scope.context)),
        Root::Variable(name) => format!("the variable '${name}'"),
    }
}

pub(crate) fn compact_json(value: &Value) -> String {
    // Serializing a `Value` cannot fail: its keys are always strings.
    serde_json::to_string(value).unwrap_or_default()
}

/// The JSON type of a value, for error messages.
fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn wrong_arity(function: &str, count: usize) -> String {
    format!("{function} was called with an unexpected number of arguments ({count})")
}

fn expect_string<'v>(function: &str, position: usize, value: &'v Value) -> Result<&'v str, String> {
    value
        .as_str()
        .ok_or_else(|| wrong_type(function, position, "a string", value))
}

fn expect_array<'v>(
    function: &str,
    position: usize,
    value: &'v Value,
) -> Result<&'v Vec<Value>, String> {
    value
        .as_array()
        .ok_or_else(|| wrong_type(function, position, "an array", value))
}

fn expect_object<'v>(
    function: &str,
    position: usize,
    value: &'v Value,
) -> Result<&'v serde_json::Map<String, Value>, String> {
    value
        .as_object()
        .ok_or_else(|| wrong_type(function, position, "a JSON object", value))
}

/// An argument that must be an integer: an integral number, however it is written
/// (`2` or `2.0`).
fn expect_integer(function: &str, position: usize, value: &Value) -> Result<i64, String> {
    let integer = match value {
        Value::Number(n) => n.as_i64().or_else(|| {
            n.as_f64()
                .filter(|f| f.fract() == 0.0 && *f >= i64::MIN as f64 && *f < i64::MAX as f64)
                .map(|f| f as i64)
        }),
        _ => None,
    };
    integer.ok_or_else(|| wrong_type(function, position, "an integer", value))
}

/// An argument that must be an integer, where a fractional number is rounded to the
/// nearest integer as Java's `Math.round` does (halves round up: 2.5 → 3, -2.5 → -2).
fn rounded_integer(function: &str, position: usize, value: &Value) -> Result<i64, String> {
    let integer = match value {
        Value::Number(n) => n.as_i64().or_else(|| {
            n.as_f64()
                .map(|f| (f + 0.5).floor())
                .filter(|f| f.is_finite() && *f >= i64::MIN as f64 && *f < i64::MAX as f64)
                .map(|f| f as i64)
        }),
        _ => None,
    };
    integer.ok_or_else(|| wrong_type(function, position, "an integer", value))
}

fn wrong_type(function: &str, position: usize, expected: &str, actual: &Value) -> String {
    format!(
        "The argument at position {position} of {function} must be {expected}, but it is {}",
        type_name(actual)
    )
}
