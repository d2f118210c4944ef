//! The service's own checks, made after the model's constraints pass: names and ARNs.
//!
//! * A name (1–80 characters, checked by the model) must not contain white space,
//!   `< > { } [ ] ? * " # % \ ^ | ~ ` $ & , ; : /`, control characters (U+0000–001F,
//!   U+007F–009F), U+FFFE, U+FFFF or U+10FFFF; otherwise `InvalidName`,
//!   `Invalid Name: '<name>'`.
//! * An ARN that is not a Step Functions ARN is `InvalidArn`,
//!   `Invalid Arn: 'Invalid ARN prefix: <arn>'` (recorded on AWS).
//! * An ARN of the wrong resource type for the operation (an execution ARN given to
//!   `DescribeStateMachine`, an EXPRESS execution to `DescribeExecution`) is
//!   `InvalidArn`, `Invalid Arn: 'Resource type not valid in this context: <type>'`
//!   (recorded on AWS for an execution ARN given to `StartExecution`).
//! * An ARN of another partition, region or account names nothing weft keeps: it is the
//!   operation's does-not-exist error (`StateMachineDoesNotExist`,
//!   `ExecutionDoesNotExist`, `ResourceNotFound`), checked by the handlers against the
//!   engine's scope.

use weft_engine::arn::{Arn, Scope};
use weft_engine::durable::EngineError;

use crate::protocol::ApiError;

/// Characters a name must not contain, besides white space and control characters.
const FORBIDDEN: &str = "<>{}[]?*\"#%\\^|~`$&,;:/";

/// Whether a name is one Step Functions accepts (its length is the model's concern).
pub fn valid_name(name: &str) -> bool {
    name.chars().all(|c| {
        !(c.is_whitespace()
            || FORBIDDEN.contains(c)
            || ('\u{0}'..='\u{1f}').contains(&c)
            || ('\u{7f}'..='\u{9f}').contains(&c)
            || c == '\u{fffe}'
            || c == '\u{ffff}'
            || c == '\u{10ffff}')
    })
}

/// `InvalidName` unless the name is valid.
pub fn check_name(name: &str) -> Result<(), ApiError> {
    if valid_name(name) {
        Ok(())
    } else {
        Err(ApiError::new(
            "InvalidName",
            format!("Invalid Name: '{name}'"),
        ))
    }
}

/// What kind of resource an operation takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expected {
    /// A state machine, or a version or alias of one.
    StateMachine,
    /// An execution of a STANDARD state machine.
    Execution,
    /// What tags attach to: state machines (and their versions and aliases) and
    /// activities.
    Taggable,
}

/// A checked ARN: its text and the scope it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub arn: String,
    pub scope: Scope,
    pub resource: Arn,
}

/// The resource type an ARN names, as it is written in it.
pub fn resource_type(arn: &Arn) -> &str {
    match arn {
        Arn::StateMachine { .. } | Arn::StateMachineQualified { .. } => "stateMachine",
        Arn::Execution { .. } => "execution",
        Arn::ExpressExecution { .. } => "express",
        Arn::Activity { .. } => "activity",
        Arn::Other { resource_type } => resource_type,
    }
}

/// Parses an ARN and checks that it names the kind of resource the operation takes.
pub fn check_arn(arn: &str, expected: Expected) -> Result<Target, ApiError> {
    let (scope, resource) =
        Arn::parse(arn).map_err(|e| ApiError::from(EngineError::InvalidArn(e.to_string())))?;
    let fits = matches!(
        (&resource, expected),
        (
            Arn::StateMachine { .. } | Arn::StateMachineQualified { .. },
            Expected::StateMachine
        ) | (Arn::Execution { .. }, Expected::Execution)
            | (
                Arn::StateMachine { .. } | Arn::StateMachineQualified { .. } | Arn::Activity { .. },
                Expected::Taggable
            )
    );
    if !fits {
        return Err(EngineError::InvalidArn(format!(
            "Resource type not valid in this context: {}",
            resource_type(&resource)
        ))
        .into());
    }
    Ok(Target {
        arn: arn.to_string(),
        scope,
        resource,
    })
}

impl Target {
    /// Whether the ARN lies in the engine's partition, region and account.
    pub fn is_in(&self, scope: &Scope) -> bool {
        &self.scope == scope
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_documented_rules() {
        for good in [
            "hello",
            "a-b_c.d",
            "état",
            "x".repeat(80).as_str(),
            "(parens)",
        ] {
            assert!(valid_name(good), "{good}");
        }
        for bad in [
            "a b",
            "a\tb",
            "a<b",
            "a>b",
            "a{b",
            "a}b",
            "a[b",
            "a]b",
            "a?b",
            "a*b",
            "a\"b",
            "a#b",
            "a%b",
            "a\\b",
            "a^b",
            "a|b",
            "a~b",
            "a`b",
            "a$b",
            "a&b",
            "a,b",
            "a;b",
            "a:b",
            "a/b",
            "a\u{0}b",
            "a\u{1f}b",
            "a\u{7f}b",
            "a\u{9f}b",
            "a\u{fffe}b",
            "a\u{ffff}b",
            "a\u{10ffff}b",
            "a\u{a0}b",
        ] {
            assert!(!valid_name(bad), "{bad:?}");
        }
    }
}
