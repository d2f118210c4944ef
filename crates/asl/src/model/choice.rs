//! Choice rules: a top-level rule carries `Next` (and optionally `Assign`); nested rules
//! inside `And`/`Or`/`Not` are bare conditions.

use serde_json::Value;

use super::Payload;
use crate::jsonata;
use crate::path::Path;

#[derive(Debug, Clone)]
pub struct ChoiceRule {
    pub condition: Condition,
    pub next: String,
    pub assign: Option<Payload>,
    /// `Output` (JSONata): the Choice state's output when this rule matches.
    pub output: Option<jsonata::Template>,
}

#[derive(Debug, Clone)]
pub enum Condition {
    /// JSONata `Condition`: `true`, `false` or an expression that gives a boolean.
    Jsonata(jsonata::Template),
    And(Vec<Condition>),
    Or(Vec<Condition>),
    Not(Box<Condition>),
    Compare {
        variable: Path,
        op: CompareOp,
        operand: Operand,
    },
}

/// The right-hand side of a comparison: a literal from the definition, or a path for
/// the `…Path` operator variants.
#[derive(Debug, Clone)]
pub enum Operand {
    Literal(Value),
    Path(Path),
}

/// Every comparison operator and type test. The `…Path` variants are the same operator
/// with an [`Operand::Path`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    StringEquals,
    StringLessThan,
    StringGreaterThan,
    StringLessThanEquals,
    StringGreaterThanEquals,
    StringMatches,
    NumericEquals,
    NumericLessThan,
    NumericGreaterThan,
    NumericLessThanEquals,
    NumericGreaterThanEquals,
    BooleanEquals,
    TimestampEquals,
    TimestampLessThan,
    TimestampGreaterThan,
    TimestampLessThanEquals,
    TimestampGreaterThanEquals,
    IsNull,
    IsPresent,
    IsNumeric,
    IsString,
    IsBoolean,
    IsTimestamp,
}

impl CompareOp {
    /// Every operator name that may appear in a rule, with whether it is the `…Path`
    /// variant.
    pub const NAMES: &'static [(&'static str, CompareOp, bool)] = &[
        ("StringEquals", CompareOp::StringEquals, false),
        ("StringEqualsPath", CompareOp::StringEquals, true),
        ("StringLessThan", CompareOp::StringLessThan, false),
        ("StringLessThanPath", CompareOp::StringLessThan, true),
        ("StringGreaterThan", CompareOp::StringGreaterThan, false),
        ("StringGreaterThanPath", CompareOp::StringGreaterThan, true),
        (
            "StringLessThanEquals",
            CompareOp::StringLessThanEquals,
            false,
        ),
        (
            "StringLessThanEqualsPath",
            CompareOp::StringLessThanEquals,
            true,
        ),
        (
            "StringGreaterThanEquals",
            CompareOp::StringGreaterThanEquals,
            false,
        ),
        (
            "StringGreaterThanEqualsPath",
            CompareOp::StringGreaterThanEquals,
            true,
        ),
        ("StringMatches", CompareOp::StringMatches, false),
        ("NumericEquals", CompareOp::NumericEquals, false),
        ("NumericEqualsPath", CompareOp::NumericEquals, true),
        ("NumericLessThan", CompareOp::NumericLessThan, false),
        ("NumericLessThanPath", CompareOp::NumericLessThan, true),
        ("NumericGreaterThan", CompareOp::NumericGreaterThan, false),
        (
            "NumericGreaterThanPath",
            CompareOp::NumericGreaterThan,
            true,
        ),
        (
            "NumericLessThanEquals",
            CompareOp::NumericLessThanEquals,
            false,
        ),
        (
            "NumericLessThanEqualsPath",
            CompareOp::NumericLessThanEquals,
            true,
        ),
        (
            "NumericGreaterThanEquals",
            CompareOp::NumericGreaterThanEquals,
            false,
        ),
        (
            "NumericGreaterThanEqualsPath",
            CompareOp::NumericGreaterThanEquals,
            true,
        ),
        ("BooleanEquals", CompareOp::BooleanEquals, false),
        ("BooleanEqualsPath", CompareOp::BooleanEquals, true),
        ("TimestampEquals", CompareOp::TimestampEquals, false),
        ("TimestampEqualsPath", CompareOp::TimestampEquals, true),
        ("TimestampLessThan", CompareOp::TimestampLessThan, false),
        ("TimestampLessThanPath", CompareOp::TimestampLessThan, true),
        (
            "TimestampGreaterThan",
            CompareOp::TimestampGreaterThan,
            false,
        ),
        (
            "TimestampGreaterThanPath",
            CompareOp::TimestampGreaterThan,
            true,
        ),
        (
            "TimestampLessThanEquals",
            CompareOp::TimestampLessThanEquals,
            false,
        ),
        (
            "TimestampLessThanEqualsPath",
            CompareOp::TimestampLessThanEquals,
            true,
        ),
        (
            "TimestampGreaterThanEquals",
            CompareOp::TimestampGreaterThanEquals,
            false,
        ),
        (
            "TimestampGreaterThanEqualsPath",
            CompareOp::TimestampGreaterThanEquals,
            true,
        ),
        ("IsNull", CompareOp::IsNull, false),
        ("IsPresent", CompareOp::IsPresent, false),
        ("IsNumeric", CompareOp::IsNumeric, false),
        ("IsString", CompareOp::IsString, false),
        ("IsBoolean", CompareOp::IsBoolean, false),
        ("IsTimestamp", CompareOp::IsTimestamp, false),
    ];

    pub fn from_name(name: &str) -> Option<(CompareOp, bool)> {
        Self::NAMES
            .iter()
            .find(|(n, _, _)| *n == name)
            .map(|(_, op, path)| (*op, *path))
    }
}
