//! Mocked service integrations: the `MockConfigFile.json` format of AWS Step Functions
//! Local ("Configuration file for mocked service integrations", `sfn-local-mock-cfg-file`).
//!
//! ```json
//! {
//!   "StateMachines": {
//!     "LambdaSQSIntegration": {
//!       "TestCases": {
//!         "HappyPath": { "LambdaState": "MockedLambdaSuccess", "SQSState": "MockedSQSSuccess" }
//!       }
//!     }
//!   },
//!   "MockedResponses": {
//!     "MockedLambdaSuccess": { "0": { "Return": { "StatusCode": 200 } } },
//!     "MockedSQSSuccess": {
//!       "0-1": { "Throw": { "Error": "SQS.ThrottlingException", "Cause": "Slow down." } },
//!       "2": { "Return": { "MessageId": "m-1" }, "Delay": 1.5 }
//!     }
//!   }
//! }
//! ```
//!
//! A test case maps Task state names to mocked responses. A mocked response maps invocation
//! numbers of that state (`"0"`, or an inclusive range such as `"1-2"`) to one step, which is
//! either `Return` (the raw service result, any JSON) or `Throw` (`Error` and `Cause`, both
//! strings). Retries are invocations too, so a `Throw` at `"0"` and a `Return` at `"1"`
//! exercises a `Retry` block.
//!
//! weft extension: a step may also carry `"Delay": <seconds>` (a non-negative number) next to
//! `Return` or `Throw`. The mocked task takes that long before it answers, which lets a test
//! reach `TimeoutSeconds` or `HeartbeatSeconds` without a real slow service.
//!
//! The whole file is validated when it is loaded, so a mistake is reported once, with the
//! JSON Pointer (RFC 6901) of the offending place, and never in the middle of an execution.

use std::collections::HashMap;
use std::time::Duration;

use serde_json::{Map, Value};
use weft_asl::error::StatesError;

const STATE_MACHINES: &str = "StateMachines";
const MOCKED_RESPONSES: &str = "MockedResponses";
const TEST_CASES: &str = "TestCases";
const RETURN: &str = "Return";
const THROW: &str = "Throw";
const DELAY: &str = "Delay";
const ERROR: &str = "Error";
const CAUSE: &str = "Cause";

/// A loaded and validated mock configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct MockConfig {
    /// state machine name → test case name → state name → mocked response name.
    state_machines: HashMap<String, HashMap<String, HashMap<String, String>>>,
    responses: HashMap<String, MockedResponse>,
}

/// The steps of one mocked response, one per invocation number.
#[derive(Debug, Clone, PartialEq)]
struct MockedResponse {
    /// Sorted, non-overlapping and gap-free from invocation 0 (checked at load time).
    ranges: Vec<InvocationRange>,
}

#[derive(Debug, Clone, PartialEq)]
struct InvocationRange {
    first: u32,
    last: u32,
    step: MockStep,
}

/// What a mocked Task does on one invocation.
#[derive(Debug, Clone, PartialEq)]
pub struct MockStep {
    pub outcome: MockOutcome,
    /// How long the mocked task takes before it answers (`Delay`, a weft extension); zero
    /// when the step has none.
    pub delay: Duration,
}

/// The answer of a mocked Task.
#[derive(Debug, Clone, PartialEq)]
pub enum MockOutcome {
    /// The raw service result, before `ResultSelector` and `ResultPath` apply.
    Return(Value),
    /// The task fails with this error and cause.
    Throw { error: String, cause: String },
}

impl MockStep {
    /// The task result this step stands for: the returned value, or the thrown error.
    pub fn result(&self) -> Result<Value, StatesError> {
        match &self.outcome {
            MockOutcome::Return(value) => Ok(value.clone()),
            MockOutcome::Throw { error, cause } => Err(StatesError::new(error, cause)),
        }
    }
}

/// One test case of one state machine: which states are mocked and with what.
#[derive(Debug, Clone, Copy)]
pub struct TestCase<'a> {
    name: &'a str,
    states: &'a HashMap<String, String>,
    responses: &'a HashMap<String, MockedResponse>,
}

impl<'a> TestCase<'a> {
    pub fn name(&self) -> &'a str {
        self.name
    }

    /// The mocked answer for invocation `attempt` (0-based, counting every invocation of
    /// `state` in the execution, retries included).
    ///
    /// `None` means the test case does not mock `state`: like Step Functions Local, the task
    /// then calls the real service. `Some(Err(..))` means the state is mocked but its
    /// mocked response has no step for this invocation. The AWS documentation says "When
    /// you mock a Task, you must specify a mocked response for every invocation ... If you do
    /// not specify a mocked response, the state machine execution will fail", so this is a
    /// `States.Runtime` error, which no `Catch` can intercept.
    pub fn response(&self, state: &str, attempt: u32) -> Option<Result<&'a MockStep, StatesError>> {
        let response_name = self.states.get(state)?;
        // Every referenced name was checked against MockedResponses when the file was loaded.
        let response = self.responses.get(response_name)?;
        let step = response
            .ranges
            .iter()
            .find(|range| range.first <= attempt && attempt <= range.last)
            .map(|range| &range.step);
        Some(step.ok_or_else(|| {
            StatesError::runtime(format!(
                "The mocked response '{response_name}' used for state '{state}' in test case '{}' has no response for invocation {attempt}",
                self.name
            ))
        }))
    }
}

impl MockConfig {
    /// Parses and validates a mock configuration file's text.
    pub fn from_json(text: &str) -> Result<MockConfig, MockConfigError> {
        let value: Value = serde_json::from_str(text)?;
        MockConfig::from_value(&value)
    }

    /// Validates an already parsed mock configuration.
    pub fn from_value(value: &Value) -> Result<MockConfig, MockConfigError> {
        let root = Pointer::root();
        let fields = expect_object(value, &root)?;
        reject_unknown_fields(fields, &[STATE_MACHINES, MOCKED_RESPONSES], &root)?;

        let responses_at = root.child(MOCKED_RESPONSES);
        let responses = expect_object(required(fields, MOCKED_RESPONSES, &root)?, &responses_at)?
            .iter()
            .map(|(name, value)| {
                let response = parse_mocked_response(value, &responses_at.child(name))?;
                Ok((name.clone(), response))
            })
            .collect::<Result<HashMap<_, _>, MockConfigError>>()?;

        let machines_at = root.child(STATE_MACHINES);
        let state_machines = expect_object(required(fields, STATE_MACHINES, &root)?, &machines_at)?
            .iter()
            .map(|(name, value)| {
                let cases = parse_state_machine(value, &machines_at.child(name), &responses)?;
                Ok((name.clone(), cases))
            })
            .collect::<Result<HashMap<_, _>, MockConfigError>>()?;

        Ok(MockConfig {
            state_machines,
            responses,
        })
    }

    /// The test case `case` of the state machine named `state_machine` (the name, not the
    /// ARN), if the file defines it.
    pub fn test_case(&self, state_machine: &str, case: &str) -> Option<TestCase<'_>> {
        let (name, states) = self
            .state_machines
            .get(state_machine)?
            .get_key_value(case)?;
        Some(TestCase {
            name,
            states,
            responses: &self.responses,
        })
    }
}

fn parse_state_machine(
    value: &Value,
    at: &Pointer,
    responses: &HashMap<String, MockedResponse>,
) -> Result<HashMap<String, HashMap<String, String>>, MockConfigError> {
    let fields = expect_object(value, at)?;
    reject_unknown_fields(fields, &[TEST_CASES], at)?;
    let cases_at = at.child(TEST_CASES);
    expect_object(required(fields, TEST_CASES, at)?, &cases_at)?
        .iter()
        .map(|(case_name, case)| {
            let case_at = cases_at.child(case_name);
            let states = expect_object(case, &case_at)?
                .iter()
                .map(|(state, response_name)| {
                    let state_at = case_at.child(state);
                    let Value::String(response_name) = response_name else {
                        return Err(state_at.invalid(MockConfigProblem::WrongType {
                            expected: "the name of a mocked response (a string)",
                        }));
                    };
                    if !responses.contains_key(response_name) {
                        return Err(state_at
                            .invalid(MockConfigProblem::UnknownResponse(response_name.clone())));
                    }
                    Ok((state.clone(), response_name.clone()))
                })
                .collect::<Result<HashMap<_, _>, MockConfigError>>()?;
            Ok((case_name.clone(), states))
        })
        .collect()
}

fn parse_mocked_response(value: &Value, at: &Pointer) -> Result<MockedResponse, MockConfigError> {
    let fields = expect_object(value, at)?;
    if fields.is_empty() {
        return Err(at.invalid(MockConfigProblem::NoSteps));
    }
    let mut ranges = Vec::with_capacity(fields.len());
    for (key, step) in fields {
        let step_at = at.child(key);
        let (first, last) = parse_range_key(key).map_err(|problem| step_at.invalid(problem))?;
        let step = parse_step(step, &step_at)?;
        ranges.push((key.as_str(), InvocationRange { first, last, step }));
    }
    ranges.sort_by_key(|(_, range)| range.first);

    // Every invocation from 0 up to the last one needs exactly one step.
    let mut next: u64 = 0;
    let mut previous_key = "";
    for (key, range) in &ranges {
        let first = u64::from(range.first);
        if first < next {
            return Err(at.invalid(MockConfigProblem::OverlappingRanges {
                first: previous_key.to_owned(),
                second: (*key).to_owned(),
            }));
        }
        if first > next {
            return Err(at.invalid(MockConfigProblem::MissingInvocation(next)));
        }
        next = u64::from(range.last) + 1;
        previous_key = key;
    }

    Ok(MockedResponse {
        ranges: ranges.into_iter().map(|(_, range)| range).collect(),
    })
}

/// `"3"` → (3, 3); `"1-2"` → (1, 2). Only ASCII digits are accepted, so signs, blanks and
/// fractions are rejected rather than silently read.
fn parse_range_key(key: &str) -> Result<(u32, u32), MockConfigProblem> {
    let bad = || MockConfigProblem::BadRangeKey(key.to_owned());
    let number = |text: &str| {
        if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        text.parse::<u32>().map_err(|_| bad())
    };
    match key.split_once('-') {
        None => number(key).map(|n| (n, n)),
        Some((first, last)) => {
            let (first, last) = (number(first)?, number(last)?);
            if last < first {
                return Err(MockConfigProblem::ReversedRange(key.to_owned()));
            }
            Ok((first, last))
        }
    }
}

fn parse_step(value: &Value, at: &Pointer) -> Result<MockStep, MockConfigError> {
    let fields = expect_object(value, at)?;
    reject_unknown_fields(fields, &[RETURN, THROW, DELAY], at)?;
    let outcome = match (fields.get(RETURN), fields.get(THROW)) {
        (Some(_), Some(_)) => return Err(at.invalid(MockConfigProblem::ReturnAndThrow)),
        (None, None) => return Err(at.invalid(MockConfigProblem::NeitherReturnNorThrow)),
        (Some(returned), None) => MockOutcome::Return(returned.clone()),
        (None, Some(thrown)) => parse_throw(thrown, &at.child(THROW))?,
    };
    let delay = match fields.get(DELAY) {
        None => Duration::ZERO,
        Some(delay) => parse_delay(delay)
            .ok_or_else(|| at.child(DELAY).invalid(MockConfigProblem::BadDelay))?,
    };
    Ok(MockStep { outcome, delay })
}

fn parse_throw(value: &Value, at: &Pointer) -> Result<MockOutcome, MockConfigError> {
    let fields = expect_object(value, at)?;
    reject_unknown_fields(fields, &[ERROR, CAUSE], at)?;
    let text = |name: &'static str| -> Result<String, MockConfigError> {
        match required(fields, name, at)? {
            Value::String(text) => Ok(text.clone()),
            _ => Err(at.child(name).invalid(MockConfigProblem::WrongType {
                expected: "a string",
            })),
        }
    };
    Ok(MockOutcome::Throw {
        error: text(ERROR)?,
        cause: text(CAUSE)?,
    })
}

fn parse_delay(value: &Value) -> Option<Duration> {
    let seconds = value.as_f64()?;
    if seconds < 0.0 {
        return None;
    }
    Duration::try_from_secs_f64(seconds).ok()
}

fn expect_object<'v>(
    value: &'v Value,
    at: &Pointer,
) -> Result<&'v Map<String, Value>, MockConfigError> {
    value.as_object().ok_or_else(|| {
        at.invalid(MockConfigProblem::WrongType {
            expected: "an object",
        })
    })
}

fn required<'v>(
    fields: &'v Map<String, Value>,
    name: &'static str,
    at: &Pointer,
) -> Result<&'v Value, MockConfigError> {
    fields
        .get(name)
        .ok_or_else(|| at.invalid(MockConfigProblem::MissingField(name)))
}

fn reject_unknown_fields(
    fields: &Map<String, Value>,
    known: &[&str],
    at: &Pointer,
) -> Result<(), MockConfigError> {
    match fields.keys().find(|name| !known.contains(&name.as_str())) {
        Some(unknown) => Err(at
            .child(unknown)
            .invalid(MockConfigProblem::UnknownField(unknown.clone()))),
        None => Ok(()),
    }
}

/// A JSON Pointer (RFC 6901) into the configuration file.
struct Pointer(String);

impl Pointer {
    fn root() -> Pointer {
        Pointer(String::new())
    }

    fn child(&self, token: &str) -> Pointer {
        let escaped = token.replace('~', "~0").replace('/', "~1");
        Pointer(format!("{}/{escaped}", self.0))
    }

    fn invalid(&self, problem: MockConfigProblem) -> MockConfigError {
        MockConfigError::Invalid {
            location: self.0.clone(),
            problem,
        }
    }
}

/// Why a mock configuration was rejected.
#[derive(Debug, thiserror::Error)]
pub enum MockConfigError {
    #[error("the mock configuration is not valid JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// `location` is the JSON Pointer of the offending value ("" for the whole document).
    #[error("invalid mock configuration at '{location}': {problem}")]
    Invalid {
        location: String,
        problem: MockConfigProblem,
    },
}

/// What is wrong at the location a [`MockConfigError::Invalid`] names.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MockConfigProblem {
    #[error("expected {expected}")]
    WrongType { expected: &'static str },
    #[error("the required field '{0}' is missing")]
    MissingField(&'static str),
    #[error("unknown field '{0}'")]
    UnknownField(String),
    #[error("'{0}' is not the name of an entry of MockedResponses")]
    UnknownResponse(String),
    #[error(
        "'{0}' is neither an invocation number (\"0\") nor an inclusive range of them (\"1-2\")"
    )]
    BadRangeKey(String),
    #[error("the range '{0}' ends before it starts")]
    ReversedRange(String),
    #[error("the invocations of '{first}' and '{second}' overlap")]
    OverlappingRanges { first: String, second: String },
    #[error("invocation {0} has no response; every invocation up to the last one needs one")]
    MissingInvocation(u64),
    #[error("a mocked response needs at least one invocation")]
    NoSteps,
    #[error("a response must contain only one of 'Return' and 'Throw', not both")]
    ReturnAndThrow,
    #[error("a response must contain 'Return' or 'Throw'")]
    NeitherReturnNorThrow,
    #[error("Delay must be a non-negative number of seconds")]
    BadDelay,
}
