//! Reading an operation's input the way the Step Functions front end does, from the
//! constraints of the botocore model (`stepfunctions/2016-11-23/service-2.json`).
//!
//! Two passes, as on AWS. A member of the wrong JSON type stops the request at once
//! with `SerializationException`. Constraint violations (a required member missing, a
//! length, a range, an enum) are collected over the whole input and reported together
//! as one `ValidationException`:
//!
//! ```text
//! 2 validation errors detected: Value null at 'name' failed to satisfy constraint: Member must not be null; Value '1001' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000
//! ```
//!
//! Members are checked in model order. Values of members the model marks `sensitive`
//! (definition, input, error, cause, version description) are left out of the message
//! (`Value at 'definition' …`), as AWS does for sensitive members. Nested members are
//! named `loggingConfiguration.level`, list elements `tags.1.member.key` (from 1).
//! String lengths count UTF-16 units (Java's `String.length`), except the execution
//! payloads, whose limit the model documents in UTF-8 bytes.

use serde_json::{Map, Value};

use crate::protocol::ApiError;

/// The constraints of a string shape.
#[derive(Debug, Clone, Copy)]
pub struct Str {
    pub min: Option<usize>,
    pub max: Option<usize>,
    pub required: bool,
    pub sensitive: bool,
    /// The length is counted in UTF-8 bytes.
    pub bytes: bool,
    /// The model's `\p{ASCII}*` pattern.
    pub ascii: bool,
}

impl Str {
    const fn new(min: Option<usize>, max: Option<usize>) -> Str {
        Str {
            min,
            max,
            required: false,
            sensitive: false,
            bytes: false,
            ascii: false,
        }
    }

    pub const fn required(self) -> Str {
        Str {
            required: true,
            ..self
        }
    }

    const fn sensitive(self) -> Str {
        Str {
            sensitive: true,
            ..self
        }
    }
}

/// `Name`: state machine and execution names.
pub const NAME: Str = Str::new(Some(1), Some(80));
/// `Arn`.
pub const ARN: Str = Str::new(Some(1), Some(256));
/// `LongArn` (Map Run ARNs).
pub const LONG_ARN: Str = Str::new(Some(1), Some(2000));
/// `Definition`.
pub const DEFINITION: Str = Str::new(Some(1), Some(1_048_576)).sensitive();
/// `SensitiveData`: execution input and output, 256 KiB of UTF-8.
pub const SENSITIVE_DATA: Str = Str {
    bytes: true,
    ..Str::new(None, Some(262_144)).sensitive()
};
/// `SensitiveError`.
pub const SENSITIVE_ERROR: Str = Str::new(Some(0), Some(256)).sensitive();
/// `SensitiveCause`.
pub const SENSITIVE_CAUSE: Str = Str::new(Some(0), Some(32_768)).sensitive();
/// `VersionDescription`.
pub const VERSION_DESCRIPTION: Str = Str::new(None, Some(256)).sensitive();
/// `TraceHeader`.
pub const TRACE_HEADER: Str = Str {
    ascii: true,
    ..Str::new(Some(0), Some(256))
};
/// `PageToken`.
pub const PAGE_TOKEN: Str = Str::new(Some(1), Some(1024));
/// `ListExecutionsPageToken`.
pub const LIST_EXECUTIONS_PAGE_TOKEN: Str = Str::new(Some(1), Some(3096));
/// `TagKey`.
pub const TAG_KEY: Str = Str::new(Some(1), Some(128));
/// `TagValue`.
pub const TAG_VALUE: Str = Str::new(Some(0), Some(256));
/// `KmsKeyId`.
pub const KMS_KEY_ID: Str = Str::new(Some(1), Some(2048));

/// `StateMachineType`.
pub const STATE_MACHINE_TYPES: &[&str] = &["STANDARD", "EXPRESS"];
/// `ExecutionStatus`, in the order AWS lists it in its validation message.
pub const EXECUTION_STATUSES: &[&str] = &[
    "SUCCEEDED",
    "TIMED_OUT",
    "PENDING_REDRIVE",
    "ABORTED",
    "FAILED",
    "RUNNING",
];
/// `ExecutionRedriveFilter`.
pub const REDRIVE_FILTERS: &[&str] = &["REDRIVEN", "NOT_REDRIVEN"];
/// `IncludedData`.
pub const INCLUDED_DATA: &[&str] = &["ALL_DATA", "METADATA_ONLY"];
/// `LogLevel`.
pub const LOG_LEVELS: &[&str] = &["ALL", "ERROR", "FATAL", "OFF"];
/// `EncryptionType`.
pub const ENCRYPTION_TYPES: &[&str] = &["AWS_OWNED_KEY", "CUSTOMER_MANAGED_KMS_KEY"];
/// `ValidateStateMachineDefinitionSeverity`.
pub const SEVERITIES: &[&str] = &["ERROR", "WARNING"];

/// Constraint violations found so far, in AWS's wording.
#[derive(Debug, Default)]
pub struct Problems(Vec<String>);

impl Problems {
    pub fn push(&mut self, problem: String) {
        self.0.push(problem);
    }

    /// `Ok` when nothing was found, else the `ValidationException` that lists it all.
    pub fn finish(self) -> Result<(), ApiError> {
        match self.0.len() {
            0 => Ok(()),
            1 => Err(ApiError::validation(format!(
                "1 validation error detected: {}",
                self.0[0]
            ))),
            n => Err(ApiError::validation(format!(
                "{n} validation errors detected: {}",
                self.0.join("; ")
            ))),
        }
    }
}

/// One structure of the input (the body itself, or a nested member).
#[derive(Debug, Clone)]
pub struct Input<'a> {
    members: &'a Map<String, Value>,
    /// `""` at the top, else the path of this structure followed by a dot.
    prefix: String,
}

/// What a value is, in the deserializer's words.
fn token(value: &Value) -> &'static str {
    match value {
        Value::Bool(true) => "TRUE_VALUE",
        Value::Bool(false) => "FALSE_VALUE",
        Value::Number(_) => "NUMBER_VALUE",
        Value::String(_) => "STRING_VALUE",
        Value::Null => "VALUE_NULL",
        Value::Array(_) => "START_ARRAY",
        Value::Object(_) => "START_OBJECT",
    }
}

/// The `SerializationException` for a value of the wrong JSON type.
fn wrong_type(value: &Value, expected: &str) -> ApiError {
    match value {
        Value::Array(_) => ApiError::serialization(Some("Start of list found where not expected")),
        Value::Object(_) => {
            ApiError::serialization(Some("Start of structure or map found where not expected."))
        }
        _ => ApiError::serialization(Some(&format!(
            "{} can not be converted to {expected}",
            token(value)
        ))),
    }
}

fn violation(shown: Option<String>, path: &str, constraint: &str) -> String {
    match shown {
        Some(value) => {
            format!("Value {value} at '{path}' failed to satisfy constraint: {constraint}")
        }
        None => format!("Value at '{path}' failed to satisfy constraint: {constraint}"),
    }
}

fn check_length(problems: &mut Problems, path: &str, text: &str, rule: Str) {
    let length = if rule.bytes {
        text.len()
    } else {
        text.encode_utf16().count()
    };
    let shown = || (!rule.sensitive).then(|| format!("'{text}'"));
    if let Some(max) = rule.max
        && length > max
    {
        problems.push(violation(
            shown(),
            path,
            &format!("Member must have length less than or equal to {max}"),
        ));
    }
    if let Some(min) = rule.min
        && length < min
    {
        problems.push(violation(
            shown(),
            path,
            &format!("Member must have length greater than or equal to {min}"),
        ));
    }
    if rule.ascii && !text.is_ascii() {
        problems.push(violation(
            shown(),
            path,
            "Member must satisfy regular expression pattern: \\p{ASCII}*",
        ));
    }
}

fn missing(problems: &mut Problems, path: &str, sensitive: bool) {
    let shown = (!sensitive).then(|| "null".to_string());
    problems.push(violation(shown, path, "Member must not be null"));
}

impl<'a> Input<'a> {
    pub fn new(members: &'a Map<String, Value>) -> Input<'a> {
        Input {
            members,
            prefix: String::new(),
        }
    }

    fn path(&self, name: &str) -> String {
        format!("{}{name}", self.prefix)
    }

    /// A member's value; `null` is the same as absent.
    fn get(&self, name: &str) -> Option<&'a Value> {
        self.members.get(name).filter(|v| !v.is_null())
    }

    /// A string member.
    pub fn string(
        &self,
        problems: &mut Problems,
        name: &str,
        rule: Str,
    ) -> Result<Option<&'a str>, ApiError> {
        let path = self.path(name);
        match self.get(name) {
            None => {
                if rule.required {
                    missing(problems, &path, rule.sensitive);
                }
                Ok(None)
            }
            Some(Value::String(text)) => {
                check_length(problems, &path, text, rule);
                Ok(Some(text.as_str()))
            }
            Some(other) => Err(wrong_type(other, "a String")),
        }
    }

    /// A string member whose value must be one of `values`.
    pub fn enumeration(
        &self,
        problems: &mut Problems,
        name: &str,
        values: &[&str],
        required: bool,
    ) -> Result<Option<&'a str>, ApiError> {
        let rule = Str {
            required,
            ..Str::new(None, None)
        };
        let value = self.string(problems, name, rule)?;
        if let Some(text) = value
            && !values.contains(&text)
        {
            problems.push(violation(
                Some(format!("'{text}'")),
                &self.path(name),
                &format!(
                    "Member must satisfy enum value set: [{}]",
                    values.join(", ")
                ),
            ));
        }
        Ok(value)
    }

    /// An integer member within `min..=max`.
    pub fn integer(
        &self,
        problems: &mut Problems,
        name: &str,
        min: i64,
        max: i64,
    ) -> Result<Option<i64>, ApiError> {
        let path = self.path(name);
        let value = match self.get(name) {
            None => return Ok(None),
            Some(Value::Number(n)) => match n.as_i64() {
                Some(i) => i,
                // Fractions are truncated, as a Java integer conversion does.
                None => n.as_f64().map_or(0, |f| f.trunc() as i64),
            },
            Some(other) => return Err(wrong_type(other, "an Integer")),
        };
        if value > max {
            problems.push(violation(
                Some(format!("'{value}'")),
                &path,
                &format!("Member must have value less than or equal to {max}"),
            ));
        }
        if value < min {
            problems.push(violation(
                Some(format!("'{value}'")),
                &path,
                &format!("Member must have value greater than or equal to {min}"),
            ));
        }
        Ok(Some(value))
    }

    /// A boolean member.
    pub fn boolean(&self, name: &str) -> Result<Option<bool>, ApiError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(other) => Err(wrong_type(other, "a Boolean")),
        }
    }

    /// A structure member, read through its own `Input`.
    pub fn structure(
        &self,
        problems: &mut Problems,
        name: &str,
        required: bool,
    ) -> Result<Option<Input<'a>>, ApiError> {
        match self.get(name) {
            None => {
                if required {
                    missing(problems, &self.path(name), false);
                }
                Ok(None)
            }
            Some(Value::Object(members)) => Ok(Some(Input {
                members,
                prefix: format!("{}{name}.", self.prefix),
            })),
            Some(Value::Array(_)) => Err(ApiError::serialization(Some(
                "Start of list found where not expected",
            ))),
            Some(_) => Err(ApiError::serialization(Some("Expected null"))),
        }
    }

    /// A list member: its elements with the path each is reported under.
    pub fn list(
        &self,
        problems: &mut Problems,
        name: &str,
        required: bool,
    ) -> Result<Option<Vec<(String, &'a Value)>>, ApiError> {
        let path = self.path(name);
        match self.get(name) {
            None => {
                if required {
                    missing(problems, &path, false);
                }
                Ok(None)
            }
            Some(Value::Array(items)) => Ok(Some(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| (format!("{path}.{}.member", i + 1), item))
                    .collect(),
            )),
            Some(Value::Object(_)) => Err(ApiError::serialization(Some(
                "Start of structure or map found where not expected.",
            ))),
            Some(_) => Err(ApiError::serialization(Some("Expected list or null"))),
        }
    }

    /// The raw JSON of a member (for configuration objects kept as given).
    pub fn raw(&self, name: &str) -> Option<&'a Value> {
        self.get(name)
    }
}

/// A string element of a list (`tagKeys`).
pub fn list_string<'v>(
    problems: &mut Problems,
    path: &str,
    value: &'v Value,
    rule: Str,
) -> Result<Option<&'v str>, ApiError> {
    match value {
        Value::Null => {
            missing(problems, path, rule.sensitive);
            Ok(None)
        }
        Value::String(text) => {
            check_length(problems, path, text, rule);
            Ok(Some(text))
        }
        other => Err(wrong_type(other, "a String")),
    }
}

/// A structure element of a list (`tags`), its members read under `tags.1.member.`.
pub fn list_structure<'v>(
    problems: &mut Problems,
    path: &str,
    value: &'v Value,
) -> Result<Option<Input<'v>>, ApiError> {
    match value {
        Value::Null => {
            missing(problems, path, false);
            Ok(None)
        }
        Value::Object(members) => Ok(Some(Input {
            members,
            prefix: format!("{path}."),
        })),
        Value::Array(_) => Err(ApiError::serialization(Some(
            "Start of list found where not expected",
        ))),
        _ => Err(ApiError::serialization(Some("Expected null"))),
    }
}
