//! The typed model of an Amazon States Language definition.
//!
//! A model is only ever built by [`crate::validate::compile`], which checks the raw JSON
//! first and reports every problem as a [`crate::validate::Diagnostic`]. Everything the
//! decider evaluates at run time (paths, templates, intrinsic functions) is parsed here
//! once, so executing a state never re-parses definition text.

mod choice;

pub use choice::{ChoiceRule, CompareOp, Condition, Operand};

use indexmap::IndexMap;
use serde_json::Value;

use crate::jsonata;
use crate::path::{Path, ReferencePath};
use crate::template::Template;

/// Which expression language a state's fields are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum QueryLanguage {
    #[default]
    JsonPath,
    Jsonata,
}

/// A whole state machine: the top-level graph plus machine-wide settings.
#[derive(Debug, Clone)]
pub struct StateMachine {
    pub comment: Option<String>,
    pub version: Option<String>,
    pub timeout_seconds: Option<u64>,
    pub query_language: QueryLanguage,
    pub graph: Graph,
}

/// A set of states with an entry point: the machine itself, a Parallel branch or a Map
/// item processor.
#[derive(Debug, Clone)]
pub struct Graph {
    pub start_at: String,
    pub states: IndexMap<String, State>,
}

impl Graph {
    pub fn state(&self, name: &str) -> Option<&State> {
        self.states.get(name)
    }
}

#[derive(Debug, Clone)]
pub struct State {
    pub name: String,
    pub comment: Option<String>,
    /// The language of this state's fields (its own `QueryLanguage`, or inherited).
    pub query_language: QueryLanguage,
    pub kind: StateKind,
}

/// A payload template in its state's query language: `Parameters` (JSONPath) or
/// `Arguments` (JSONata), `Assign`, `ItemSelector`, `Credentials`.
#[derive(Debug, Clone)]
pub enum Payload {
    JsonPath(Template),
    Jsonata(jsonata::Template),
}

/// Where a state goes when it completes normally.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transition {
    Next(String),
    End,
}

#[derive(Debug, Clone)]
pub enum StateKind {
    Pass(Pass),
    Task(Task),
    Choice(Choice),
    Wait(Wait),
    Succeed(Succeed),
    Fail(Fail),
    Parallel(Parallel),
    // Boxed: a Map state carries the most fields by far.
    Map(Box<Map>),
}

impl StateKind {
    /// The `Type` name as written in the definition and used in history event names.
    pub fn type_name(&self) -> &'static str {
        match self {
            StateKind::Pass(_) => "Pass",
            StateKind::Task(_) => "Task",
            StateKind::Choice(_) => "Choice",
            StateKind::Wait(_) => "Wait",
            StateKind::Succeed(_) => "Succeed",
            StateKind::Fail(_) => "Fail",
            StateKind::Parallel(_) => "Parallel",
            StateKind::Map(_) => "Map",
        }
    }
}

/// The fields Task, Parallel and Map share for what follows their work: the result
/// goes through `ResultSelector`, `Assign`, `ResultPath` and `OutputPath`, errors
/// through `Retry` and `Catch`.
#[derive(Debug, Clone, Copy)]
pub struct ResultHandling<'a> {
    pub result_selector: Option<&'a Template>,
    pub result_path: &'a ResultPathSpec,
    pub output_path: &'a IoPath,
    pub assign: Option<&'a Payload>,
    /// `Output` (JSONata): the state output, from `$states.result` by default.
    pub output: Option<&'a jsonata::Template>,
    pub retry: &'a [Retrier],
    pub catch: &'a [Catcher],
    pub transition: &'a Transition,
}

impl StateKind {
    /// The result and error handling of a Task, Parallel or Map state.
    pub fn result_handling(&self) -> Option<ResultHandling<'_>> {
        macro_rules! view {
            ($s:expr) => {
                ResultHandling {
                    result_selector: $s.result_selector.as_ref(),
                    result_path: &$s.result_path,
                    output_path: &$s.output_path,
                    assign: $s.assign.as_ref(),
                    output: $s.output.as_ref(),
                    retry: &$s.retry,
                    catch: &$s.catch,
                    transition: &$s.transition,
                }
            };
        }
        match self {
            StateKind::Task(t) => Some(view!(t)),
            StateKind::Parallel(p) => Some(view!(p)),
            StateKind::Map(m) => Some(view!(m)),
            _ => None,
        }
    }
}

/// `InputPath` / `OutputPath`: absent means `$` (everything); JSON `null` means `{}`.
#[derive(Debug, Clone, Default)]
pub enum IoPath {
    #[default]
    Whole,
    Null,
    Path(Path),
}

/// `ResultPath`: absent means `$` (the result replaces the input); `null` keeps the input.
#[derive(Debug, Clone, Default)]
pub enum ResultPathSpec {
    #[default]
    Replace,
    Discard,
    Path(ReferencePath),
}

/// A number given directly, read from the input with a `…Path` field, or computed by a
/// JSONata expression.
#[derive(Debug, Clone)]
pub enum NumberOrPath<T> {
    Value(T),
    Path(Path),
    Expression(jsonata::Expression),
}

/// A string given directly, read with a `…Path` field (which may also hold an
/// intrinsic function, as Fail's `ErrorPath`/`CausePath` allow), or computed by a
/// JSONata expression.
#[derive(Debug, Clone)]
pub enum StringOrPath {
    Value(String),
    Path(Template),
    Expression(jsonata::Expression),
}

#[derive(Debug, Clone)]
pub struct Pass {
    pub input_path: IoPath,
    pub parameters: Option<Template>,
    pub result: Option<Value>,
    pub result_path: ResultPathSpec,
    pub output_path: IoPath,
    pub assign: Option<Payload>,
    pub output: Option<jsonata::Template>,
    pub transition: Transition,
}

#[derive(Debug, Clone)]
pub struct Task {
    pub resource: String,
    pub input_path: IoPath,
    /// `Parameters`, or `Arguments` in JSONata.
    pub parameters: Option<Payload>,
    pub result_selector: Option<Template>,
    pub result_path: ResultPathSpec,
    pub output_path: IoPath,
    pub assign: Option<Payload>,
    pub output: Option<jsonata::Template>,
    pub retry: Vec<Retrier>,
    pub catch: Vec<Catcher>,
    pub timeout_seconds: Option<NumberOrPath<u64>>,
    pub heartbeat_seconds: Option<NumberOrPath<u64>>,
    pub credentials: Option<Payload>,
    pub transition: Transition,
}

#[derive(Debug, Clone)]
pub struct Choice {
    pub input_path: IoPath,
    pub output_path: IoPath,
    pub choices: Vec<ChoiceRule>,
    pub default: Option<String>,
    pub assign: Option<Payload>,
    pub output: Option<jsonata::Template>,
}

#[derive(Debug, Clone)]
pub enum WaitFor {
    Seconds(u64),
    Timestamp(String),
    SecondsPath(Path),
    TimestampPath(Path),
    /// `Seconds` as a JSONata expression.
    SecondsExpression(jsonata::Expression),
    /// `Timestamp` as a JSONata expression.
    TimestampExpression(jsonata::Expression),
}

#[derive(Debug, Clone)]
pub struct Wait {
    pub wait_for: WaitFor,
    pub input_path: IoPath,
    pub output_path: IoPath,
    pub assign: Option<Payload>,
    pub output: Option<jsonata::Template>,
    pub transition: Transition,
}

#[derive(Debug, Clone)]
pub struct Succeed {
    pub input_path: IoPath,
    pub output_path: IoPath,
    pub output: Option<jsonata::Template>,
}

#[derive(Debug, Clone)]
pub struct Fail {
    pub error: Option<StringOrPath>,
    pub cause: Option<StringOrPath>,
}

#[derive(Debug, Clone)]
pub struct Parallel {
    pub branches: Vec<Graph>,
    pub input_path: IoPath,
    /// `Parameters`, or `Arguments` in JSONata.
    pub parameters: Option<Payload>,
    pub result_selector: Option<Template>,
    pub result_path: ResultPathSpec,
    pub output_path: IoPath,
    pub assign: Option<Payload>,
    pub output: Option<jsonata::Template>,
    pub retry: Vec<Retrier>,
    pub catch: Vec<Catcher>,
    pub transition: Transition,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ProcessorMode {
    #[default]
    Inline,
    Distributed,
}

#[derive(Debug, Clone)]
pub struct Map {
    pub processor: Graph,
    pub mode: ProcessorMode,
    pub input_path: IoPath,
    /// `ItemsPath`; absent means `$`.
    pub items_path: Option<Path>,
    /// `Items` (JSONata): an array or an expression; absent means `$states.input`.
    pub items: Option<jsonata::Template>,
    /// `ItemSelector`, or the legacy `Parameters` of a Map state.
    pub item_selector: Option<Payload>,
    /// 0 means no limit, as in ASL.
    pub max_concurrency: NumberOrPath<u64>,
    pub tolerated_failure_count: Option<NumberOrPath<u64>>,
    pub tolerated_failure_percentage: Option<NumberOrPath<f64>>,
    pub label: Option<String>,
    pub result_selector: Option<Template>,
    pub result_path: ResultPathSpec,
    pub output_path: IoPath,
    pub assign: Option<Payload>,
    pub output: Option<jsonata::Template>,
    pub retry: Vec<Retrier>,
    pub catch: Vec<Catcher>,
    pub transition: Transition,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum JitterStrategy {
    #[default]
    None,
    Full,
}

#[derive(Debug, Clone)]
pub struct Retrier {
    pub error_equals: Vec<String>,
    /// Default 1.
    pub interval_seconds: u64,
    /// Default 3; 0 means never retry.
    pub max_attempts: u64,
    /// Default 2.0.
    pub backoff_rate: f64,
    pub max_delay_seconds: Option<u64>,
    pub jitter_strategy: JitterStrategy,
}

#[derive(Debug, Clone)]
pub struct Catcher {
    pub error_equals: Vec<String>,
    pub next: String,
    pub result_path: ResultPathSpec,
    pub assign: Option<Payload>,
    /// `Output` (JSONata): the state output, `$states.errorOutput` by default.
    pub output: Option<jsonata::Template>,
}
