//! Walks the raw definition, reports every problem and builds the typed model.
//!
//! Each check reports into [`Diagnostics`] and carries on with a neutral value, so one
//! pass finds every problem; the model built along the way is only handed out when no
//! error was reported.

use std::collections::HashMap;

use indexmap::IndexMap;
use serde_json::{Map as JsonMap, Value};

use super::diagnostic::{
    self, DUPLICATE_STATE_NAME, Diagnostics, INVALID_JSONATA_EXPRESSION, INVALID_LABEL_NAME,
    INVALID_RESOURCE, INVALID_STATE_NAME, NO_DOLLAR, NO_PATH, PASS_RESULT_IS_STATIC,
    TOO_DEEPLY_NESTED, UNSUPPORTED_JSONATA_EXPRESSION, child, element,
};
use super::fields;
use super::graph::{self, GraphOutline, StateOutline};
use super::variables;
use crate::error::names as error_names;
use crate::jsonata;
use crate::model::{
    Catcher, Choice, ChoiceRule, CompareOp, Condition, Fail, Graph, IoPath, JitterStrategy, Map,
    NumberOrPath, Operand, Parallel, Pass, Payload, ProcessorMode, QueryLanguage, ResultPathSpec,
    Retrier, State, StateKind, StateMachine, StringOrPath, Succeed, Task, Transition, Wait,
    WaitFor,
};
use crate::path::{Path, ReferencePath};
use crate::template::Template;

/// Deepest nesting of objects and arrays accepted in a definition. It keeps every
/// recursive walk over the definition (here and in template compilation) shallow.
pub(crate) const MAX_NESTING: usize = 100;

/// State names are 1 to 80 characters long.
const MAX_STATE_NAME: usize = 80;

/// Map run labels are at most 40 characters long.
const MAX_LABEL: usize = 40;

/// Characters a Map `Label` may not contain, besides whitespace and control characters
/// (the same rule as state machine and execution names).
const LABEL_FORBIDDEN: &str = "<>{}[]?*\"#%\\^|~`$&,;:/";

/// Validates `definition` and builds its model; `None` when anything is wrong.
pub(crate) fn machine(definition: &Value, diags: &mut Diagnostics) -> Option<StateMachine> {
    let mut builder = Builder {
        diags,
        state_names: HashMap::new(),
        language: QueryLanguage::JsonPath,
    };
    builder.machine(definition)
}

struct Builder<'d> {
    diags: &'d mut Diagnostics,
    /// Every state name seen so far, in any graph, with where it was first defined.
    state_names: HashMap<String, String>,
    /// The query language of the state being built.
    language: QueryLanguage,
}

/// Which `$states` fields an expression may read, by the field it is in (the AWS
/// guide's table "$states reserved variable" availability).
#[derive(Clone, Copy)]
enum StatesAvailable {
    /// `input` and `context`: fields evaluated before the state's work.
    Input,
    /// Also `result`: `Output` and `Assign` of Task, Parallel and Map.
    Result,
    /// Also `errorOutput`: `Output` and `Assign` of a catcher.
    ErrorOutput,
}

impl StatesAvailable {
    fn allows(self, field: &str) -> bool {
        match field {
            "input" | "context" => true,
            "result" => matches!(self, StatesAvailable::Result),
            "errorOutput" => matches!(self, StatesAvailable::ErrorOutput),
            _ => false,
        }
    }
}

/// An object of the definition and where it is.
struct Obj<'a> {
    map: &'a JsonMap<String, Value>,
    loc: String,
}

impl<'a> Obj<'a> {
    fn get(&self, field: &str) -> Option<&'a Value> {
        self.map.get(field)
    }

    fn has(&self, field: &str) -> bool {
        self.map.contains_key(field)
    }

    fn at(&self, field: &str) -> String {
        child(&self.loc, field)
    }
}

/// The kind of value a field takes, for type errors.
#[derive(Clone, Copy)]
enum Kind {
    String,
    Integer,
    Number,
    Boolean,
    Object,
    Array,
    Timestamp,
}

impl Kind {
    fn describe(self) -> &'static str {
        match self {
            Kind::String => "a string",
            Kind::Integer => "an integer",
            Kind::Number => "a number",
            Kind::Boolean => "a boolean",
            Kind::Object => "an object",
            Kind::Array => "an array",
            Kind::Timestamp => "a timestamp string in RFC 3339 format (e.g. 2016-03-14T01:59:00Z)",
        }
    }
}

impl<'d> Builder<'d> {
    fn machine(&mut self, definition: &Value) -> Option<StateMachine> {
        if nesting_depth(definition) > MAX_NESTING {
            self.diags.error(
                TOO_DEEPLY_NESTED,
                format!("The definition is nested more than {MAX_NESTING} levels deep"),
                "",
            );
            return None;
        }
        let Value::Object(map) = definition else {
            self.diags
                .schema("Definition must be a valid JSON object", "");
            return None;
        };
        let top = Obj {
            map,
            loc: String::new(),
        };
        self.unknown_fields(&top, fields::TOP_LEVEL);
        let comment = self.string(&top, "Comment").map(str::to_string);
        let version = self.string(&top, "Version").map(str::to_string);
        if let Some(v) = &version
            && v != "1.0"
        {
            self.diags.schema(
                "The value of field 'Version' must be \"1.0\"",
                top.at("Version"),
            );
        }
        let timeout_seconds = self.uint(&top, "TimeoutSeconds", 1);
        let query_language = self.query_language(&top, QueryLanguage::JsonPath);
        let graph = self.graph(&top, fields::TOP_LEVEL, query_language, true);
        variables::check_scopes(&graph, self.diags);
        Some(StateMachine {
            comment,
            version,
            timeout_seconds,
            query_language,
            graph,
        })
    }

    /// Reads a `QueryLanguage` field; `inherited` is the language of the enclosing scope.
    fn query_language(&mut self, o: &Obj<'_>, inherited: QueryLanguage) -> QueryLanguage {
        let Some(value) = self.string(o, "QueryLanguage") else {
            return inherited;
        };
        let declared = match value {
            "JSONPath" => QueryLanguage::JsonPath,
            "JSONata" => QueryLanguage::Jsonata,
            _ => {
                self.enum_error(o, "QueryLanguage", &["JSONPath", "JSONata"]);
                return inherited;
            }
        };
        if inherited == QueryLanguage::Jsonata && declared == QueryLanguage::JsonPath {
            self.diags.schema(
                "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine",
                o.at("QueryLanguage"),
            );
        }
        declared
    }

    /// A graph: the machine, a Parallel branch or a Map item processor. `allowed` lists
    /// the fields its object may carry.
    fn graph(
        &mut self,
        o: &Obj<'_>,
        allowed: &[&str],
        language: QueryLanguage,
        top_level: bool,
    ) -> Graph {
        if !top_level {
            self.unknown_fields(o, allowed);
        }
        let mut outline = GraphOutline::default();
        let start_at = match o.get("StartAt") {
            None => {
                self.diags
                    .schema(diagnostic::required(&["StartAt"]), o.loc.clone());
                String::new()
            }
            Some(Value::String(s)) => {
                outline.start_at = Some((s.clone(), o.at("StartAt")));
                s.clone()
            }
            Some(_) => {
                self.type_error(o, "StartAt", Kind::String);
                String::new()
            }
        };
        let mut states = IndexMap::new();
        match o.get("States") {
            None => self
                .diags
                .schema(diagnostic::required(&["States"]), o.loc.clone()),
            Some(Value::Object(raw_states)) => {
                let states_loc = o.at("States");
                for (name, raw) in raw_states {
                    let loc = child(&states_loc, name);
                    let mut state_outline = StateOutline {
                        name: name.clone(),
                        location: loc.clone(),
                        ..StateOutline::default()
                    };
                    if let Some(state) = self.state(name, raw, &loc, language, &mut state_outline) {
                        states.insert(name.clone(), state);
                    }
                    outline.states.push(state_outline);
                }
                graph::check(&outline, top_level, self.diags);
            }
            Some(_) => self.type_error(o, "States", Kind::Object),
        }
        Graph { start_at, states }
    }

    fn state(
        &mut self,
        name: &str,
        raw: &Value,
        loc: &str,
        language: QueryLanguage,
        outline: &mut StateOutline,
    ) -> Option<State> {
        self.state_name(name, loc);
        let Value::Object(map) = raw else {
            self.diags.schema("A state must be a JSON object", loc);
            return None;
        };
        let o = Obj {
            map,
            loc: loc.to_string(),
        };
        let state_type = match o.get("Type") {
            None => {
                self.diags.schema(diagnostic::required(&["Type"]), loc);
                None
            }
            Some(Value::String(t)) if fields::STATE_TYPES.contains(&t.as_str()) => Some(t.as_str()),
            Some(Value::String(t)) => {
                self.diags.schema(
                    format!(
                        "'{t}' is not a valid state type; expected one of [{}]",
                        fields::STATE_TYPES.join(", ")
                    ),
                    o.at("Type"),
                );
                None
            }
            Some(_) => {
                self.type_error(&o, "Type", Kind::String);
                None
            }
        };
        let language = self.query_language(&o, language);
        let Some(state_type) = state_type else {
            // Without a type the fields cannot be checked, but the transitions still
            // count for the graph checks.
            self.outline_only(&o, outline);
            return None;
        };
        let enclosing = std::mem::replace(&mut self.language, language);
        let state = self.typed_state(name, state_type, &o, outline);
        self.language = enclosing;
        Some(state)
    }

    fn typed_state(
        &mut self,
        name: &str,
        state_type: &str,
        o: &Obj<'_>,
        outline: &mut StateOutline,
    ) -> State {
        let jsonata = self.language == QueryLanguage::Jsonata;
        for field in o.map.keys() {
            let allowed = if jsonata {
                fields::allowed_in_jsonata_state(state_type, field)
            } else {
                fields::allowed_in_state(state_type, field)
            };
            if allowed {
                continue;
            }
            let message = if !jsonata && fields::JSONATA_ONLY.contains(&field.as_str()) {
                diagnostic::jsonata_only(field)
            } else if jsonata && fields::JSONPATH_ONLY.contains(&field.as_str()) {
                diagnostic::jsonpath_only(field)
            } else if state_type == "Map" && fields::MAP_NOT_YET_SUPPORTED.contains(&field.as_str())
            {
                format!("Field '{field}' is not supported yet")
            } else {
                diagnostic::not_supported(field)
            };
            self.diags.schema(message, o.loc.clone());
        }
        let comment = self.string(o, "Comment").map(str::to_string);
        let kind = match state_type {
            "Pass" => StateKind::Pass(self.pass(o, outline)),
            "Task" => StateKind::Task(self.task(o, outline)),
            "Choice" => StateKind::Choice(self.choice(o, outline)),
            "Wait" => StateKind::Wait(self.wait(o, outline)),
            "Succeed" => {
                outline.terminal = true;
                StateKind::Succeed(Succeed {
                    input_path: self.io_path(o, "InputPath"),
                    output_path: self.io_path(o, "OutputPath"),
                    output: self.output(o, StatesAvailable::Input),
                })
            }
            "Fail" => {
                outline.terminal = true;
                StateKind::Fail(self.fail(o))
            }
            "Parallel" => StateKind::Parallel(self.parallel(o, outline)),
            _ => StateKind::Map(Box::new(self.map(o, outline))),
        };
        State {
            name: name.to_string(),
            comment,
            query_language: self.language,
            kind,
        }
    }

    fn state_name(&mut self, name: &str, loc: &str) {
        let length = name.chars().count();
        if length == 0 || length > MAX_STATE_NAME {
            self.diags.error(
                INVALID_STATE_NAME,
                format!(
                    "State name must be 1 to {MAX_STATE_NAME} characters long, but it is {length}"
                ),
                loc,
            );
        }
        if self.state_names.contains_key(name) {
            self.diags.error(
                DUPLICATE_STATE_NAME,
                format!("Duplicate State name: {name}"),
                loc,
            );
        } else {
            self.state_names.insert(name.to_string(), loc.to_string());
        }
    }

    /// Records the transitions of a state whose fields are not checked, so that the graph
    /// checks do not report its targets as unreachable.
    fn outline_only(&mut self, o: &Obj<'_>, outline: &mut StateOutline) {
        if let Some(Value::String(next)) = o.get("Next") {
            outline.transitions.push((next.clone(), o.at("Next")));
        }
        if let Some(Value::String(default)) = o.get("Default") {
            outline.transitions.push((default.clone(), o.at("Default")));
        }
        for list in ["Choices", "Catch"] {
            if let Some(Value::Array(items)) = o.get(list) {
                for (i, item) in items.iter().enumerate() {
                    if let Some(Value::String(next)) = item.get("Next") {
                        let loc = child(&element(&o.at(list), i), "Next");
                        outline.transitions.push((next.clone(), loc));
                    }
                }
            }
        }
        outline.terminal = o.get("End") == Some(&Value::Bool(true))
            || matches!(o.get("Type"), Some(Value::String(t)) if t == "Succeed" || t == "Fail");
    }

    fn pass(&mut self, o: &Obj<'_>, outline: &mut StateOutline) -> Pass {
        let result = o.get("Result").cloned();
        if let Some(result) = &result
            && let Some(key) = first_dynamic_key(result)
        {
            self.diags.warning(
                PASS_RESULT_IS_STATIC,
                format!(
                    "The field '{key}' in 'Result' ends with '.$', but the Result of a Pass state is static and is not evaluated; use 'Parameters' to select data"
                ),
                o.at("Result"),
            );
        }
        Pass {
            input_path: self.io_path(o, "InputPath"),
            parameters: self.template(o, "Parameters"),
            result,
            result_path: self.result_path(o),
            output_path: self.io_path(o, "OutputPath"),
            assign: self.assign(o, StatesAvailable::Input),
            output: self.output(o, StatesAvailable::Input),
            transition: self.transition(o, outline),
        }
    }

    fn task(&mut self, o: &Obj<'_>, outline: &mut StateOutline) -> Task {
        let resource = match o.get("Resource") {
            None => {
                self.diags
                    .schema(diagnostic::required(&["Resource"]), o.loc.clone());
                String::new()
            }
            Some(Value::String(r)) => {
                if !is_arn(r) {
                    self.diags.error(
                        INVALID_RESOURCE,
                        format!("The resource '{r}' is not a valid ARN"),
                        o.at("Resource"),
                    );
                }
                r.clone()
            }
            Some(_) => {
                self.type_error(o, "Resource", Kind::String);
                String::new()
            }
        };
        let timeout_seconds = self.number_or_path(o, "TimeoutSeconds", "TimeoutSecondsPath", 1);
        let heartbeat_seconds =
            self.number_or_path(o, "HeartbeatSeconds", "HeartbeatSecondsPath", 1);
        if let (Some(NumberOrPath::Value(timeout)), Some(NumberOrPath::Value(heartbeat))) =
            (&timeout_seconds, &heartbeat_seconds)
            && heartbeat >= timeout
        {
            self.diags.schema(
                "The value of field 'HeartbeatSeconds' must be smaller than the value of field 'TimeoutSeconds'",
                o.at("HeartbeatSeconds"),
            );
        }
        let retry = self.retriers(o);
        let catch = self.catchers(o, outline);
        Task {
            resource,
            input_path: self.io_path(o, "InputPath"),
            parameters: self.arguments(o),
            result_selector: self.template(o, "ResultSelector"),
            result_path: self.result_path(o),
            output_path: self.io_path(o, "OutputPath"),
            assign: self.assign(o, StatesAvailable::Result),
            output: self.output(o, StatesAvailable::Result),
            retry,
            catch,
            timeout_seconds,
            heartbeat_seconds,
            credentials: self.payload(o, "Credentials", StatesAvailable::Input),
            transition: self.transition(o, outline),
        }
    }

    fn choice(&mut self, o: &Obj<'_>, outline: &mut StateOutline) -> Choice {
        let mut choices = Vec::new();
        match o.get("Choices") {
            None => self
                .diags
                .schema(diagnostic::required(&["Choices"]), o.loc.clone()),
            Some(Value::Array(rules)) if rules.is_empty() => self
                .diags
                .schema("The field 'Choices' must not be empty", o.at("Choices")),
            Some(Value::Array(rules)) => {
                for (i, rule) in rules.iter().enumerate() {
                    let loc = element(&o.at("Choices"), i);
                    let Value::Object(map) = rule else {
                        self.diags
                            .schema("A choice rule must be a JSON object", loc);
                        continue;
                    };
                    let rule = Obj { map, loc };
                    let condition = if self.language == QueryLanguage::Jsonata {
                        self.jsonata_condition(&rule)
                    } else {
                        self.condition(&rule, true)
                    };
                    let next = self.rule_next(&rule, outline);
                    let assign = self.assign(&rule, StatesAvailable::Input);
                    let output = self.output(&rule, StatesAvailable::Input);
                    choices.push(ChoiceRule {
                        condition,
                        next,
                        assign,
                        output,
                    });
                }
            }
            Some(_) => self.type_error(o, "Choices", Kind::Array),
        }
        let default = self.string(o, "Default").map(str::to_string);
        if let Some(default) = &default {
            outline.transitions.push((default.clone(), o.at("Default")));
        }
        Choice {
            input_path: self.io_path(o, "InputPath"),
            output_path: self.io_path(o, "OutputPath"),
            choices,
            default,
            assign: self.assign(o, StatesAvailable::Input),
            output: self.output(o, StatesAvailable::Input),
        }
    }

    /// A JSONata choice rule: `Condition` (a boolean or an expression), `Next`, and
    /// optionally `Output`, `Assign` and `Comment`.
    fn jsonata_condition(&mut self, rule: &Obj<'_>) -> Condition {
        for field in rule.map.keys() {
            if !matches!(
                field.as_str(),
                "Condition" | "Next" | "Output" | "Assign" | "Comment"
            ) {
                let message = if fields::JSONPATH_ONLY.contains(&field.as_str())
                    || CompareOp::from_name(field).is_some()
                    || matches!(field.as_str(), "And" | "Or" | "Not")
                {
                    diagnostic::jsonpath_only(field)
                } else {
                    diagnostic::not_supported(field)
                };
                self.diags.schema(message, rule.loc.clone());
            }
        }
        let placeholder = Condition::Jsonata(jsonata::Template::Literal(Value::Bool(false)));
        match rule.get("Condition") {
            None => {
                self.diags
                    .schema(diagnostic::required(&["Condition"]), rule.loc.clone());
                placeholder
            }
            Some(Value::Bool(_)) | Some(Value::String(_)) => self
                .jsonata_template(rule, "Condition", StatesAvailable::Input)
                .map_or(placeholder, Condition::Jsonata),
            Some(_) => {
                self.type_error(rule, "Condition", Kind::Boolean);
                placeholder
            }
        }
    }

    fn rule_next(&mut self, rule: &Obj<'_>, outline: &mut StateOutline) -> String {
        match rule.get("Next") {
            None => {
                self.diags
                    .schema(diagnostic::required(&["Next"]), rule.loc.clone());
                String::new()
            }
            Some(Value::String(next)) => {
                outline.transitions.push((next.clone(), rule.at("Next")));
                next.clone()
            }
            Some(_) => {
                self.type_error(rule, "Next", Kind::String);
                String::new()
            }
        }
    }

    /// A choice rule's condition. `top_level` rules carry `Next` (and may carry
    /// `Assign`); rules nested in `And`/`Or`/`Not` are bare conditions.
    fn condition(&mut self, rule: &Obj<'_>, top_level: bool) -> Condition {
        let mut operators = Vec::new();
        for field in rule.map.keys() {
            let field = field.as_str();
            let known = match field {
                "Variable" | "Comment" => true,
                "And" | "Or" | "Not" => {
                    operators.push(field);
                    true
                }
                "Next" | "Assign" => top_level,
                _ if CompareOp::from_name(field).is_some() => {
                    operators.push(field);
                    true
                }
                _ => false,
            };
            if known {
                continue;
            }
            let message = if fields::JSONATA_ONLY.contains(&field) {
                diagnostic::jsonata_only(field)
            } else {
                diagnostic::not_supported(field)
            };
            self.diags.schema(message, rule.loc.clone());
        }
        let placeholder = Condition::And(Vec::new());
        let operator = match operators.as_slice() {
            [] => {
                self.diags.schema(
                    "A choice rule must contain exactly one comparison operator, or one of 'And', 'Or', 'Not'",
                    rule.loc.clone(),
                );
                return placeholder;
            }
            [operator] => *operator,
            several => {
                self.diags
                    .schema(diagnostic::only_one_of(several), rule.loc.clone());
                return placeholder;
            }
        };
        match operator {
            "And" | "Or" => {
                if rule.has("Variable") {
                    self.diags
                        .schema(diagnostic::not_supported("Variable"), rule.loc.clone());
                }
                let mut conditions = Vec::new();
                match rule.get(operator) {
                    Some(Value::Array(items)) if !items.is_empty() => {
                        for (i, item) in items.iter().enumerate() {
                            let loc = element(&rule.at(operator), i);
                            match item {
                                Value::Object(map) => {
                                    conditions.push(self.condition(&Obj { map, loc }, false));
                                }
                                _ => self.diags.schema("A choice rule must be a JSON object", loc),
                            }
                        }
                    }
                    _ => self.diags.schema(
                        format!("The value of field '{operator}' must be a non-empty array of choice rules"),
                        rule.at(operator),
                    ),
                }
                if operator == "And" {
                    Condition::And(conditions)
                } else {
                    Condition::Or(conditions)
                }
            }
            "Not" => {
                if rule.has("Variable") {
                    self.diags
                        .schema(diagnostic::not_supported("Variable"), rule.loc.clone());
                }
                match rule.get("Not") {
                    Some(Value::Object(map)) => {
                        let inner = Obj {
                            map,
                            loc: rule.at("Not"),
                        };
                        Condition::Not(Box::new(self.condition(&inner, false)))
                    }
                    _ => {
                        self.diags.schema(
                            "The value of field 'Not' must be a choice rule object",
                            rule.at("Not"),
                        );
                        placeholder
                    }
                }
            }
            comparison => self.comparison(rule, comparison).unwrap_or(placeholder),
        }
    }

    fn comparison(&mut self, rule: &Obj<'_>, name: &str) -> Option<Condition> {
        let (op, is_path) = CompareOp::from_name(name)?;
        let variable = match rule.get("Variable") {
            None => {
                self.diags
                    .schema(diagnostic::required(&["Variable"]), rule.loc.clone());
                None
            }
            Some(_) => self.path(rule, "Variable"),
        };
        let operand = rule.get(name)?;
        let operand = if is_path {
            Operand::Path(self.path(rule, name)?)
        } else {
            let kind = match op {
                CompareOp::StringEquals
                | CompareOp::StringLessThan
                | CompareOp::StringGreaterThan
                | CompareOp::StringLessThanEquals
                | CompareOp::StringGreaterThanEquals
                | CompareOp::StringMatches => Kind::String,
                CompareOp::NumericEquals
                | CompareOp::NumericLessThan
                | CompareOp::NumericGreaterThan
                | CompareOp::NumericLessThanEquals
                | CompareOp::NumericGreaterThanEquals => Kind::Number,
                CompareOp::TimestampEquals
                | CompareOp::TimestampLessThan
                | CompareOp::TimestampGreaterThan
                | CompareOp::TimestampLessThanEquals
                | CompareOp::TimestampGreaterThanEquals => Kind::Timestamp,
                CompareOp::BooleanEquals
                | CompareOp::IsNull
                | CompareOp::IsPresent
                | CompareOp::IsNumeric
                | CompareOp::IsString
                | CompareOp::IsBoolean
                | CompareOp::IsTimestamp => Kind::Boolean,
            };
            let fits = match (kind, operand) {
                (Kind::String, Value::String(s)) => {
                    if op != CompareOp::StringMatches {
                        self.no_path_warning(rule, name, s);
                    }
                    true
                }
                (Kind::Number, Value::Number(_)) | (Kind::Boolean, Value::Bool(_)) => true,
                (Kind::Timestamp, Value::String(s)) => is_timestamp(s),
                _ => false,
            };
            if !fits {
                self.type_error(rule, name, kind);
                return None;
            }
            Operand::Literal(operand.clone())
        };
        Some(Condition::Compare {
            variable: variable?,
            op,
            operand,
        })
    }

    fn wait(&mut self, o: &Obj<'_>, outline: &mut StateOutline) -> Wait {
        const CHOICES: &[&str] = &["Seconds", "Timestamp", "SecondsPath", "TimestampPath"];
        let present: Vec<&str> = CHOICES.iter().copied().filter(|f| o.has(f)).collect();
        let wait_for = match present.as_slice() {
            [] => {
                self.diags
                    .schema(diagnostic::exactly_one_of(CHOICES), o.loc.clone());
                None
            }
            ["Seconds"] => match self.expression(o, "Seconds", StatesAvailable::Input) {
                Some(expression) => expression.map(WaitFor::SecondsExpression),
                None => self.uint(o, "Seconds", 0).map(WaitFor::Seconds),
            },
            ["Timestamp"]
                if self.language == QueryLanguage::Jsonata
                    && matches!(o.get("Timestamp"), Some(Value::String(t)) if jsonata::Expression::is_expression(t)) =>
            {
                self.expression(o, "Timestamp", StatesAvailable::Input)
                    .flatten()
                    .map(WaitFor::TimestampExpression)
            }
            ["Timestamp"] => match o.get("Timestamp") {
                Some(Value::String(t)) if is_timestamp(t) => Some(WaitFor::Timestamp(t.clone())),
                _ => {
                    self.type_error(o, "Timestamp", Kind::Timestamp);
                    None
                }
            },
            ["SecondsPath"] => self
                .definite_path(o, "SecondsPath")
                .map(WaitFor::SecondsPath),
            ["TimestampPath"] => self
                .definite_path(o, "TimestampPath")
                .map(WaitFor::TimestampPath),
            _ => {
                self.diags
                    .schema(diagnostic::only_one_of(CHOICES), o.loc.clone());
                None
            }
        };
        Wait {
            wait_for: wait_for.unwrap_or(WaitFor::Seconds(0)),
            input_path: self.io_path(o, "InputPath"),
            output_path: self.io_path(o, "OutputPath"),
            assign: self.assign(o, StatesAvailable::Input),
            output: self.output(o, StatesAvailable::Input),
            transition: self.transition(o, outline),
        }
    }

    fn fail(&mut self, o: &Obj<'_>) -> Fail {
        Fail {
            error: self.string_or_path(o, "Error", "ErrorPath"),
            cause: self.string_or_path(o, "Cause", "CausePath"),
        }
    }

    /// Fail's `Error`/`ErrorPath` and `Cause`/`CausePath`: a literal, or a path or
    /// intrinsic function evaluated at run time.
    fn string_or_path(
        &mut self,
        o: &Obj<'_>,
        field: &str,
        path_field: &str,
    ) -> Option<StringOrPath> {
        if o.has(field) && o.has(path_field) {
            self.diags
                .schema(diagnostic::only_one_of(&[field, path_field]), o.loc.clone());
            return None;
        }
        if let Some(expression) = self.expression(o, field, StatesAvailable::Input) {
            return expression.map(StringOrPath::Expression);
        }
        if let Some(value) = self.string(o, field) {
            self.no_path_warning(o, field, value);
            return Some(StringOrPath::Value(value.to_string()));
        }
        let text = self.string(o, path_field)?;
        match Template::compile_dynamic(text) {
            Ok(template) => Some(StringOrPath::Path(template)),
            Err(e) => {
                self.diags.schema(
                    format!(
                        "The value for the field '{path_field}' is not valid: {}",
                        e.message
                    ),
                    format!("{}{}", o.at(path_field), e.location),
                );
                None
            }
        }
    }

    fn parallel(&mut self, o: &Obj<'_>, outline: &mut StateOutline) -> Parallel {
        let mut branches = Vec::new();
        match o.get("Branches") {
            None => self
                .diags
                .schema(diagnostic::required(&["Branches"]), o.loc.clone()),
            Some(Value::Array(items)) if !items.is_empty() => {
                for (i, item) in items.iter().enumerate() {
                    let loc = element(&o.at("Branches"), i);
                    match item {
                        Value::Object(map) => {
                            let branch = Obj { map, loc };
                            let graph = self.graph(&branch, fields::GRAPH, self.language, false);
                            branches.push(graph);
                        }
                        _ => self.diags.schema("A branch must be a JSON object", loc),
                    }
                }
            }
            Some(_) => self.diags.schema(
                "The value of field 'Branches' must be a non-empty array of branches",
                o.at("Branches"),
            ),
        }
        let retry = self.retriers(o);
        let catch = self.catchers(o, outline);
        Parallel {
            branches,
            input_path: self.io_path(o, "InputPath"),
            parameters: self.arguments(o),
            result_selector: self.template(o, "ResultSelector"),
            result_path: self.result_path(o),
            output_path: self.io_path(o, "OutputPath"),
            assign: self.assign(o, StatesAvailable::Result),
            output: self.output(o, StatesAvailable::Result),
            retry,
            catch,
            transition: self.transition(o, outline),
        }
    }

    fn map(&mut self, o: &Obj<'_>, outline: &mut StateOutline) -> Map {
        let (processor, mode) = self.item_processor(o);
        let item_selector = if o.has("ItemSelector") && o.has("Parameters") {
            self.diags.schema(
                diagnostic::only_one_of(&["ItemSelector", "Parameters"]),
                o.loc.clone(),
            );
            None
        } else if o.has("Parameters") {
            self.template(o, "Parameters").map(Payload::JsonPath)
        } else {
            self.payload(o, "ItemSelector", StatesAvailable::Input)
        };
        let max_concurrency = self
            .number_or_path(o, "MaxConcurrency", "MaxConcurrencyPath", 0)
            .unwrap_or(NumberOrPath::Value(0));
        let tolerated_failure_count =
            self.number_or_path(o, "ToleratedFailureCount", "ToleratedFailureCountPath", 0);
        let tolerated_failure_percentage = self.percentage(o);
        let label = self.label(o);
        let items_path = match o.get("ItemsPath") {
            None => None,
            Some(_) => self.path(o, "ItemsPath"),
        };
        let items = match o.get("Items") {
            Some(Value::Array(_)) | Some(Value::String(_)) => {
                self.jsonata_template(o, "Items", StatesAvailable::Input)
            }
            Some(_) => {
                self.type_error(o, "Items", Kind::Array);
                None
            }
            None => None,
        };
        let retry = self.retriers(o);
        let catch = self.catchers(o, outline);
        Map {
            processor,
            mode,
            input_path: self.io_path(o, "InputPath"),
            items_path,
            items,
            item_selector,
            max_concurrency,
            tolerated_failure_count,
            tolerated_failure_percentage,
            label,
            result_selector: self.template(o, "ResultSelector"),
            result_path: self.result_path(o),
            output_path: self.io_path(o, "OutputPath"),
            assign: self.assign(o, StatesAvailable::Result),
            output: self.output(o, StatesAvailable::Result),
            retry,
            catch,
            transition: self.transition(o, outline),
        }
    }

    /// `ItemProcessor` (with its optional `ProcessorConfig`) or the legacy `Iterator`.
    fn item_processor(&mut self, o: &Obj<'_>) -> (Graph, ProcessorMode) {
        let empty = || Graph {
            start_at: String::new(),
            states: IndexMap::new(),
        };
        let field = match (o.has("ItemProcessor"), o.has("Iterator")) {
            (true, true) => {
                self.diags.schema(
                    diagnostic::only_one_of(&["ItemProcessor", "Iterator"]),
                    o.loc.clone(),
                );
                return (empty(), ProcessorMode::Inline);
            }
            (false, false) => {
                self.diags
                    .schema(diagnostic::required(&["ItemProcessor"]), o.loc.clone());
                return (empty(), ProcessorMode::Inline);
            }
            (true, false) => "ItemProcessor",
            (false, true) => "Iterator",
        };
        let Some(Value::Object(map)) = o.get(field) else {
            self.type_error(o, field, Kind::Object);
            return (empty(), ProcessorMode::Inline);
        };
        let processor = Obj {
            map,
            loc: o.at(field),
        };
        let mut mode = ProcessorMode::Inline;
        let allowed = if field == "ItemProcessor" {
            mode = self.processor_config(&processor);
            PROCESSOR
        } else {
            fields::GRAPH
        };
        let graph = self.graph(&processor, allowed, self.language, false);
        (graph, mode)
    }

    fn processor_config(&mut self, processor: &Obj<'_>) -> ProcessorMode {
        let Some(config) = processor.get("ProcessorConfig") else {
            return ProcessorMode::Inline;
        };
        let Value::Object(map) = config else {
            self.type_error(processor, "ProcessorConfig", Kind::Object);
            return ProcessorMode::Inline;
        };
        let config = Obj {
            map,
            loc: processor.at("ProcessorConfig"),
        };
        self.unknown_fields(&config, fields::PROCESSOR_CONFIG);
        if let Some(execution_type) = self.string(&config, "ExecutionType")
            && !matches!(execution_type, "STANDARD" | "EXPRESS")
        {
            self.enum_error(&config, "ExecutionType", &["STANDARD", "EXPRESS"]);
        }
        match self.string(&config, "Mode") {
            None | Some("INLINE") => ProcessorMode::Inline,
            Some("DISTRIBUTED") => ProcessorMode::Distributed,
            Some(_) => {
                self.enum_error(&config, "Mode", &["INLINE", "DISTRIBUTED"]);
                ProcessorMode::Inline
            }
        }
    }

    fn percentage(&mut self, o: &Obj<'_>) -> Option<NumberOrPath<f64>> {
        const FIELD: &str = "ToleratedFailurePercentage";
        const PATH_FIELD: &str = "ToleratedFailurePercentagePath";
        if o.has(FIELD) && o.has(PATH_FIELD) {
            self.diags
                .schema(diagnostic::only_one_of(&[FIELD, PATH_FIELD]), o.loc.clone());
            return None;
        }
        if o.has(PATH_FIELD) {
            return self.definite_path(o, PATH_FIELD).map(NumberOrPath::Path);
        }
        if let Some(expression) = self.expression(o, FIELD, StatesAvailable::Input) {
            return expression.map(NumberOrPath::Expression);
        }
        let value = o.get(FIELD)?;
        let Some(percentage) = value.as_f64() else {
            self.type_error(o, FIELD, Kind::Number);
            return None;
        };
        if percentage < 0.0 {
            self.diags.schema("Minimum value is 0.0", o.at(FIELD));
            None
        } else if percentage > 100.0 {
            self.diags.schema("Maximum value is 100.0", o.at(FIELD));
            None
        } else {
            Some(NumberOrPath::Value(percentage))
        }
    }

    fn label(&mut self, o: &Obj<'_>) -> Option<String> {
        let label = self.string(o, "Label")?;
        let length = label.chars().count();
        if length == 0 || length > MAX_LABEL {
            self.diags.error(
                INVALID_LABEL_NAME,
                format!("Label must be 1 to {MAX_LABEL} characters long, but it is {length}"),
                o.at("Label"),
            );
        } else if let Some(c) = label
            .chars()
            .find(|c| c.is_whitespace() || c.is_control() || LABEL_FORBIDDEN.contains(*c))
        {
            self.diags.error(
                INVALID_LABEL_NAME,
                format!("Label must not contain the character {c:?}"),
                o.at("Label"),
            );
        }
        Some(label.to_string())
    }

    fn retriers(&mut self, o: &Obj<'_>) -> Vec<Retrier> {
        let items = self.object_list(o, "Retry");
        let count = items.len();
        let mut retriers = Vec::new();
        for (i, retrier) in items.into_iter().enumerate() {
            self.unknown_fields(&retrier, fields::RETRIER);
            let error_equals = self.error_equals(&retrier, i + 1 == count, "retrier");
            let jitter_strategy = match self.string(&retrier, "JitterStrategy") {
                None | Some("NONE") => JitterStrategy::None,
                Some("FULL") => JitterStrategy::Full,
                Some(_) => {
                    self.enum_error(&retrier, "JitterStrategy", &["FULL", "NONE"]);
                    JitterStrategy::None
                }
            };
            let backoff_rate = match retrier.get("BackoffRate") {
                None => 2.0,
                Some(value) => match value.as_f64() {
                    Some(rate) if rate >= 1.0 => rate,
                    Some(_) => {
                        self.diags
                            .schema("Minimum value is 1.0", retrier.at("BackoffRate"));
                        2.0
                    }
                    None => {
                        self.type_error(&retrier, "BackoffRate", Kind::Number);
                        2.0
                    }
                },
            };
            retriers.push(Retrier {
                error_equals,
                interval_seconds: self.uint(&retrier, "IntervalSeconds", 1).unwrap_or(1),
                max_attempts: self.uint(&retrier, "MaxAttempts", 0).unwrap_or(3),
                backoff_rate,
                max_delay_seconds: self.uint(&retrier, "MaxDelaySeconds", 1),
                jitter_strategy,
            });
        }
        retriers
    }

    fn catchers(&mut self, o: &Obj<'_>, outline: &mut StateOutline) -> Vec<Catcher> {
        let items = self.object_list(o, "Catch");
        let count = items.len();
        let mut catchers = Vec::new();
        let jsonata = self.language == QueryLanguage::Jsonata;
        for (i, catcher) in items.into_iter().enumerate() {
            for field in catcher.map.keys() {
                let field = field.as_str();
                let allowed = if jsonata {
                    fields::JSONATA_CATCHER
                } else {
                    fields::CATCHER
                };
                if allowed.contains(&field) {
                    continue;
                }
                let message = if !jsonata && fields::JSONATA_ONLY.contains(&field) {
                    diagnostic::jsonata_only(field)
                } else if jsonata && fields::JSONPATH_ONLY.contains(&field) {
                    diagnostic::jsonpath_only(field)
                } else {
                    diagnostic::not_supported(field)
                };
                self.diags.schema(message, catcher.loc.clone());
            }
            let error_equals = self.error_equals(&catcher, i + 1 == count, "catcher");
            let next = self.rule_next(&catcher, outline);
            catchers.push(Catcher {
                error_equals,
                next,
                result_path: self.result_path(&catcher),
                assign: self.assign(&catcher, StatesAvailable::ErrorOutput),
                output: self.output(&catcher, StatesAvailable::ErrorOutput),
            });
        }
        catchers
    }

    /// `Retry` or `Catch`: an array of objects.
    fn object_list<'a>(&mut self, o: &Obj<'a>, field: &str) -> Vec<Obj<'a>> {
        let Some(value) = o.get(field) else {
            return Vec::new();
        };
        let Value::Array(items) = value else {
            self.type_error(o, field, Kind::Array);
            return Vec::new();
        };
        let mut objects = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let loc = element(&o.at(field), i);
            match item {
                Value::Object(map) => objects.push(Obj { map, loc }),
                _ => self
                    .diags
                    .schema(format!("Each element of '{field}' must be an object"), loc),
            }
        }
        objects
    }

    fn error_equals(&mut self, o: &Obj<'_>, last: bool, what: &str) -> Vec<String> {
        let names = match o.get("ErrorEquals") {
            None => {
                self.diags
                    .schema(diagnostic::required(&["ErrorEquals"]), o.loc.clone());
                return Vec::new();
            }
            Some(Value::Array(items)) if !items.is_empty() => {
                let names: Vec<String> = items
                    .iter()
                    .filter_map(|item| item.as_str().map(str::to_string))
                    .collect();
                if names.len() != items.len() {
                    self.type_error(o, "ErrorEquals", Kind::Array);
                    return names;
                }
                names
            }
            Some(_) => {
                self.diags.schema(
                    "The value of field 'ErrorEquals' must be a non-empty array of strings",
                    o.at("ErrorEquals"),
                );
                return Vec::new();
            }
        };
        if names.iter().any(|n| n == error_names::ALL) {
            if names.len() > 1 {
                self.diags.schema(
                    format!("'{}' must appear alone in 'ErrorEquals'", error_names::ALL),
                    o.at("ErrorEquals"),
                );
            }
            if !last {
                self.diags.schema(
                    format!("'{}' must appear only in the last {what}", error_names::ALL),
                    o.at("ErrorEquals"),
                );
            }
        }
        names
    }

    /// `Next` or `End: true`, exactly one of them.
    fn transition(&mut self, o: &Obj<'_>, outline: &mut StateOutline) -> Transition {
        let next = match o.get("Next") {
            None => None,
            Some(Value::String(next)) => {
                outline.transitions.push((next.clone(), o.at("Next")));
                Some(next.clone())
            }
            Some(_) => {
                self.type_error(o, "Next", Kind::String);
                Some(String::new())
            }
        };
        let end = match o.get("End") {
            None => false,
            Some(Value::Bool(true)) => true,
            Some(Value::Bool(false)) => {
                self.diags
                    .schema("The value of field 'End' must be true", o.at("End"));
                false
            }
            Some(_) => {
                self.type_error(o, "End", Kind::Boolean);
                false
            }
        };
        match (next, end) {
            (Some(_), _) if o.has("End") => {
                self.diags
                    .schema(diagnostic::only_one_of(&["Next", "End"]), o.loc.clone());
                Transition::End
            }
            (Some(next), _) => Transition::Next(next),
            (None, true) => {
                outline.terminal = true;
                Transition::End
            }
            (None, false) => {
                if !o.has("End") {
                    self.diags
                        .schema(diagnostic::exactly_one_of(&["Next", "End"]), o.loc.clone());
                }
                Transition::End
            }
        }
    }

    /// A number given directly (at least `min`) or by its `…Path` field, not both.
    fn number_or_path(
        &mut self,
        o: &Obj<'_>,
        field: &str,
        path_field: &str,
        min: u64,
    ) -> Option<NumberOrPath<u64>> {
        if o.has(field) && o.has(path_field) {
            self.diags
                .schema(diagnostic::only_one_of(&[field, path_field]), o.loc.clone());
            return None;
        }
        if o.has(path_field) {
            return self.definite_path(o, path_field).map(NumberOrPath::Path);
        }
        if let Some(expression) = self.expression(o, field, StatesAvailable::Input) {
            return expression.map(NumberOrPath::Expression);
        }
        self.uint(o, field, min).map(NumberOrPath::Value)
    }

    /// `Parameters` in JSONPath, `Arguments` in JSONata.
    fn arguments(&mut self, o: &Obj<'_>) -> Option<Payload> {
        match self.language {
            QueryLanguage::JsonPath => self.template(o, "Parameters").map(Payload::JsonPath),
            QueryLanguage::Jsonata => match o.get("Arguments")? {
                Value::Object(_) | Value::String(_) => self
                    .jsonata_template(o, "Arguments", StatesAvailable::Input)
                    .map(Payload::Jsonata),
                _ => {
                    self.type_error(o, "Arguments", Kind::Object);
                    None
                }
            },
        }
    }

    /// `Assign`: an object of variables, with JSONPath `.$` fields or JSONata
    /// expressions by the state's language.
    fn assign(&mut self, o: &Obj<'_>, available: StatesAvailable) -> Option<Payload> {
        let assign = self.payload(o, "Assign", available)?;
        for name in variables::assigned_names(&assign) {
            if let Some(problem) = variables::name_problem(name) {
                self.diags.schema(problem, o.at("Assign"));
            }
        }
        Some(assign)
    }

    /// An object-valued template field in the state's language.
    fn payload(&mut self, o: &Obj<'_>, field: &str, available: StatesAvailable) -> Option<Payload> {
        match self.language {
            QueryLanguage::JsonPath => self.template(o, field).map(Payload::JsonPath),
            QueryLanguage::Jsonata => {
                let value = o.get(field)?;
                if !value.is_object() {
                    self.type_error(o, field, Kind::Object);
                    return None;
                }
                self.jsonata_template(o, field, available)
                    .map(Payload::Jsonata)
            }
        }
    }

    /// `Output` of a JSONata state (any JSON value, with expressions inside).
    fn output(&mut self, o: &Obj<'_>, available: StatesAvailable) -> Option<jsonata::Template> {
        if self.language != QueryLanguage::Jsonata {
            return None;
        }
        o.get("Output")?;
        self.jsonata_template(o, "Output", available)
    }

    /// A JSONata state's field that holds either a literal or one expression:
    /// `None` when it is not an expression (the caller reads the literal), `Some(None)`
    /// when it is one that does not compile.
    fn expression(
        &mut self,
        o: &Obj<'_>,
        field: &str,
        available: StatesAvailable,
    ) -> Option<Option<jsonata::Expression>> {
        if self.language != QueryLanguage::Jsonata {
            return None;
        }
        let Some(Value::String(text)) = o.get(field) else {
            return None;
        };
        if !jsonata::Expression::is_expression(text) {
            return None;
        }
        match jsonata::Expression::parse_field(text) {
            Ok(expression) => {
                self.check_expression(&expression, &o.at(field), field, available);
                Some(Some(expression))
            }
            Err(e) => {
                self.diags
                    .error(INVALID_JSONATA_EXPRESSION, e.to_string(), o.at(field));
                Some(None)
            }
        }
    }

    /// Compiles a JSONata template field and checks each of its expressions.
    fn jsonata_template(
        &mut self,
        o: &Obj<'_>,
        field: &str,
        available: StatesAvailable,
    ) -> Option<jsonata::Template> {
        let value = o.get(field)?;
        match jsonata::Template::compile(value) {
            Ok(template) => {
                let loc = o.at(field);
                for (at, expression) in template.expressions() {
                    self.check_expression(expression, &format!("{loc}{at}"), field, available);
                }
                Some(template)
            }
            Err(e) => {
                self.diags.error(
                    INVALID_JSONATA_EXPRESSION,
                    e.message,
                    format!("{}{}", o.at(field), e.location),
                );
                None
            }
        }
    }

    /// What Step Functions refuses in an expression that parses: a field reference at
    /// the top level (there is no input document in scope, only `$states`), and
    /// `$states` fields that do not exist or are not available in `field`.
    fn check_expression(
        &mut self,
        expression: &jsonata::Expression,
        loc: &str,
        field: &str,
        available: StatesAvailable,
    ) {
        if let Some(name) = expression.top_level_field() {
            self.diags.error(
                UNSUPPORTED_JSONATA_EXPRESSION,
                format!("Reference to '{name}' at the top level is not supported."),
                loc,
            );
        }
        for states_field in expression.states_fields() {
            if !available.allows(states_field) {
                self.diags.error(
                    INVALID_JSONATA_EXPRESSION,
                    format!("'$states.{states_field}' is not available in the field '{field}'"),
                    loc,
                );
            }
        }
    }

    fn io_path(&mut self, o: &Obj<'_>, field: &str) -> IoPath {
        match o.get(field) {
            None => IoPath::Whole,
            Some(Value::Null) => IoPath::Null,
            Some(_) => self.path(o, field).map_or(IoPath::Whole, IoPath::Path),
        }
    }

    fn result_path(&mut self, o: &Obj<'_>) -> ResultPathSpec {
        const FIELD: &str = "ResultPath";
        match o.get(FIELD) {
            None => ResultPathSpec::Replace,
            Some(Value::Null) => ResultPathSpec::Discard,
            Some(Value::String(text)) if text == "$" => ResultPathSpec::Replace,
            Some(Value::String(text)) => match ReferencePath::parse(text) {
                Ok(path) => ResultPathSpec::Path(path),
                Err(_) => {
                    self.diags
                        .schema("Value is not a Reference Path", o.at(FIELD));
                    ResultPathSpec::Replace
                }
            },
            Some(_) => {
                self.type_error(o, FIELD, Kind::String);
                ResultPathSpec::Replace
            }
        }
    }

    fn path(&mut self, o: &Obj<'_>, field: &str) -> Option<Path> {
        let Some(Value::String(text)) = o.get(field) else {
            self.type_error(o, field, Kind::String);
            return None;
        };
        match Path::parse(text) {
            Ok(path) => Some(path),
            Err(e) => {
                self.diags.schema(
                    format!("The value for the field '{field}' must be a valid JSONPath: {e}"),
                    o.at(field),
                );
                None
            }
        }
    }

    /// A path that must select a single value (`SecondsPath`, `TimeoutSecondsPath`, …).
    fn definite_path(&mut self, o: &Obj<'_>, field: &str) -> Option<Path> {
        let path = self.path(o, field)?;
        if path.is_definite() {
            Some(path)
        } else {
            self.diags
                .schema("Value is not a Reference Path", o.at(field));
            None
        }
    }

    fn template(&mut self, o: &Obj<'_>, field: &str) -> Option<Template> {
        let value = o.get(field)?;
        if !value.is_object() {
            self.type_error(o, field, Kind::Object);
            return None;
        }
        self.no_dollar_warnings(value, &o.at(field));
        match Template::compile(value) {
            Ok(template) => Some(template),
            Err(e) => {
                self.diags
                    .schema(e.message, format!("{}{}", o.at(field), e.location));
                None
            }
        }
    }

    /// Warns about template fields whose value looks dynamic but whose name lacks `.$`.
    fn no_dollar_warnings(&mut self, value: &Value, loc: &str) {
        match value {
            Value::Object(map) => {
                for (key, item) in map {
                    let item_loc = child(loc, key);
                    if let Value::String(text) = item
                        && !key.ends_with(".$")
                        && looks_dynamic(text)
                    {
                        self.diags.warning(
                            NO_DOLLAR,
                            format!(
                                "The value of field '{key}' looks like a JSONPath or an intrinsic function, but the field name does not end with '.$'"
                            ),
                            item_loc.clone(),
                        );
                    }
                    self.no_dollar_warnings(item, &item_loc);
                }
            }
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    self.no_dollar_warnings(item, &element(loc, i));
                }
            }
            _ => {}
        }
    }

    fn no_path_warning(&mut self, o: &Obj<'_>, field: &str, value: &str) {
        if looks_like_path(value) {
            self.diags.warning(
                NO_PATH,
                format!(
                    "The value of field '{field}' looks like a path, but the field name does not end with 'Path'"
                ),
                o.at(field),
            );
        }
    }

    fn string<'a>(&mut self, o: &Obj<'a>, field: &str) -> Option<&'a str> {
        match o.get(field)? {
            Value::String(s) => Some(s),
            _ => {
                self.type_error(o, field, Kind::String);
                None
            }
        }
    }

    /// A non-negative integer field of at least `min`.
    fn uint(&mut self, o: &Obj<'_>, field: &str, min: u64) -> Option<u64> {
        let value = o.get(field)?;
        match value {
            Value::Number(n) => match n.as_u64() {
                Some(v) if v >= min => Some(v),
                Some(_) => {
                    self.diags
                        .schema(format!("Minimum value is {min}"), o.at(field));
                    None
                }
                None if n.is_i64() => {
                    self.diags
                        .schema(format!("Minimum value is {min}"), o.at(field));
                    None
                }
                None => {
                    self.type_error(o, field, Kind::Integer);
                    None
                }
            },
            _ => {
                self.type_error(o, field, Kind::Integer);
                None
            }
        }
    }

    fn unknown_fields(&mut self, o: &Obj<'_>, allowed: &[&str]) {
        for field in o.map.keys() {
            if !allowed.contains(&field.as_str()) {
                self.diags
                    .schema(diagnostic::not_supported(field), o.loc.clone());
            }
        }
    }

    fn type_error(&mut self, o: &Obj<'_>, field: &str, kind: Kind) {
        self.diags.schema(
            diagnostic::expected_type(field, kind.describe()),
            o.at(field),
        );
    }

    fn enum_error(&mut self, o: &Obj<'_>, field: &str, values: &[&str]) {
        self.diags.schema(
            format!(
                "The value of field '{field}' must be one of [{}]",
                values.join(", ")
            ),
            o.at(field),
        );
    }
}

/// The fields of an `ItemProcessor`.
const PROCESSOR: &[&str] = &["ProcessorConfig", "StartAt", "States", "Comment"];

/// How deeply objects and arrays nest in `value`, counted without recursion so that any
/// value can be measured.
fn nesting_depth(value: &Value) -> usize {
    let mut deepest = 0;
    let mut pending = vec![(value, 0usize)];
    while let Some((value, depth)) = pending.pop() {
        let children: Box<dyn Iterator<Item = &Value>> = match value {
            Value::Object(map) => Box::new(map.values()),
            Value::Array(items) => Box::new(items.iter()),
            _ => continue,
        };
        let depth = depth + 1;
        deepest = deepest.max(depth);
        if depth > MAX_NESTING {
            break;
        }
        pending.extend(children.map(|child| (child, depth)));
    }
    deepest
}

/// The first key ending in `.$` anywhere in `value`.
fn first_dynamic_key(value: &Value) -> Option<&str> {
    match value {
        Value::Object(map) => map.iter().find_map(|(key, item)| {
            if key.ends_with(".$") {
                Some(key.as_str())
            } else {
                first_dynamic_key(item)
            }
        }),
        Value::Array(items) => items.iter().find_map(first_dynamic_key),
        _ => None,
    }
}

fn looks_like_path(text: &str) -> bool {
    text == "$" || text.starts_with("$.") || text.starts_with("$$.") || text.starts_with("$[")
}

fn looks_dynamic(text: &str) -> bool {
    looks_like_path(text) || (text.starts_with("States.") && text.ends_with(')'))
}

/// An ARN: `arn:partition:service:region:account:resource`, with region and account
/// possibly empty (as in `arn:aws:states:::lambda:invoke`).
fn is_arn(text: &str) -> bool {
    let parts: Vec<&str> = text.splitn(6, ':').collect();
    matches!(parts.as_slice(), ["arn", partition, service, _, _, resource]
        if !partition.is_empty() && !service.is_empty() && !resource.is_empty())
}

/// An RFC 3339 timestamp in the profile ASL requires: uppercase `T` between date and
/// time, and an uppercase `Z` when the offset is UTC.
fn is_timestamp(text: &str) -> bool {
    text.as_bytes().get(10) == Some(&b'T')
        && !text.contains('z')
        && chrono::DateTime::parse_from_rfc3339(text).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arns() {
        assert!(is_arn("arn:aws:states:::lambda:invoke"));
        assert!(is_arn("arn:aws:lambda:us-east-1:123456789012:function:f"));
        assert!(is_arn("arn:aws:states:us-east-1:123456789012:activity:a"));
        assert!(!is_arn("arn:aws:states"));
        assert!(!is_arn("createToken"));
        assert!(!is_arn("arn::states:::x"));
    }

    #[test]
    fn timestamps() {
        assert!(is_timestamp("2016-03-14T01:59:00Z"));
        assert!(is_timestamp("2016-03-14T01:59:00.123+02:00"));
        assert!(!is_timestamp("2016-03-14t01:59:00Z"));
        assert!(!is_timestamp("2016-03-14T01:59:00z"));
        assert!(!is_timestamp("2016-03-14 01:59:00Z"));
        assert!(!is_timestamp("2016-03-14"));
        assert!(!is_timestamp("yesterday"));
    }

    #[test]
    fn depth_is_measured_without_recursion() {
        let mut value = Value::Null;
        for _ in 0..10_000 {
            value = Value::Array(vec![value]);
        }
        assert!(nesting_depth(&value) > MAX_NESTING);
        // Dropping a deeply nested value recurses; unwrap it level by level instead.
        while let Value::Array(mut items) = value {
            value = items.pop().unwrap_or(Value::Null);
        }
        assert_eq!(nesting_depth(&serde_json::json!({"a": [1, {"b": 2}]})), 3);
    }
}
