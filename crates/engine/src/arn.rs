//! Amazon Resource Names of Step Functions resources, in AWS's formats.
//!
//! ```text
//! arn:aws:states:<region>:<account>:stateMachine:<machine>
//! arn:aws:states:<region>:<account>:execution:<machine>:<execution>
//! arn:aws:states:<region>:<account>:express:<machine>:<execution>:<id>
//! arn:aws:states:<region>:<account>:activity:<activity>
//! ```

/// Where resources live: the account and region every ARN names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    pub partition: String,
    pub region: String,
    pub account: String,
}

impl Scope {
    pub fn new(region: &str, account: &str) -> Scope {
        Scope {
            partition: "aws".into(),
            region: region.into(),
            account: account.into(),
        }
    }

    fn prefix(&self) -> String {
        format!(
            "arn:{}:states:{}:{}",
            self.partition, self.region, self.account
        )
    }

    pub fn state_machine(&self, name: &str) -> String {
        format!("{}:stateMachine:{name}", self.prefix())
    }

    pub fn execution(&self, machine: &str, name: &str) -> String {
        format!("{}:execution:{machine}:{name}", self.prefix())
    }

    pub fn express_execution(&self, machine: &str, name: &str, id: &str) -> String {
        format!("{}:express:{machine}:{name}:{id}", self.prefix())
    }

    pub fn activity(&self, name: &str) -> String {
        format!("{}:activity:{name}", self.prefix())
    }
}

/// A parsed Step Functions ARN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arn {
    StateMachine {
        name: String,
    },
    /// `stateMachine:<name>:<qualifier>`: a version number or an alias name.
    StateMachineQualified {
        name: String,
        qualifier: String,
    },
    Execution {
        machine: String,
        name: String,
    },
    ExpressExecution {
        machine: String,
        name: String,
        id: String,
    },
    Activity {
        name: String,
    },
    /// `mapRun:<machine>/<label>:<id>` and other types weft does not serve yet.
    Other {
        resource_type: String,
    },
}

/// Why a string is not a Step Functions ARN.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ArnError {
    #[error("Invalid ARN prefix: {0}")]
    Prefix(String),
    #[error("Invalid ARN resource: {0}")]
    Resource(String),
}

impl Arn {
    /// Parses an ARN of the `states` service, with its scope.
    pub fn parse(arn: &str) -> Result<(Scope, Arn), ArnError> {
        let parts: Vec<&str> = arn.splitn(6, ':').collect();
        if parts.len() < 6
            || parts[0] != "arn"
            || parts[1].is_empty()
            || parts[2] != "states"
            || parts[3].is_empty()
            || parts[4].is_empty()
        {
            return Err(ArnError::Prefix(arn.to_string()));
        }
        let scope = Scope {
            partition: parts[1].into(),
            region: parts[3].into(),
            account: parts[4].into(),
        };
        let resource: Vec<&str> = parts[5].split(':').collect();
        let nonempty = |s: &&str| !s.is_empty();
        let bad = || ArnError::Resource(arn.to_string());
        let parsed = match resource.as_slice() {
            ["stateMachine", name] if nonempty(name) => Arn::StateMachine {
                name: name.to_string(),
            },
            ["stateMachine", name, qualifier] if nonempty(name) && nonempty(qualifier) => {
                Arn::StateMachineQualified {
                    name: name.to_string(),
                    qualifier: qualifier.to_string(),
                }
            }
            ["execution", machine, name] if nonempty(machine) && nonempty(name) => Arn::Execution {
                machine: machine.to_string(),
                name: name.to_string(),
            },
            ["express", machine, name, id]
                if nonempty(machine) && nonempty(name) && nonempty(id) =>
            {
                Arn::ExpressExecution {
                    machine: machine.to_string(),
                    name: name.to_string(),
                    id: id.to_string(),
                }
            }
            ["activity", name] if nonempty(name) => Arn::Activity {
                name: name.to_string(),
            },
            [kind, rest @ ..]
                if !["stateMachine", "execution", "express", "activity"].contains(kind)
                    && !kind.is_empty()
                    && !rest.is_empty()
                    && rest.iter().all(nonempty) =>
            {
                Arn::Other {
                    resource_type: kind.to_string(),
                }
            }
            _ => return Err(bad()),
        };
        Ok((scope, parsed))
    }
}

/// The name of the state machine a state machine ARN names.
pub fn state_machine_name(arn: &str) -> Option<String> {
    match Arn::parse(arn) {
        Ok((_, Arn::StateMachine { name })) => Some(name),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_and_parses_every_kind() {
        let scope = Scope::new("us-east-1", "123456789012");
        let sm = scope.state_machine("hello");
        assert_eq!(
            sm,
            "arn:aws:states:us-east-1:123456789012:stateMachine:hello"
        );
        assert_eq!(
            Arn::parse(&sm).unwrap(),
            (
                scope.clone(),
                Arn::StateMachine {
                    name: "hello".into()
                }
            )
        );
        let ex = scope.execution("hello", "run-1");
        assert_eq!(
            ex,
            "arn:aws:states:us-east-1:123456789012:execution:hello:run-1"
        );
        assert_eq!(
            Arn::parse(&ex).unwrap().1,
            Arn::Execution {
                machine: "hello".into(),
                name: "run-1".into()
            }
        );
        let express = scope.express_execution("hello", "run-1", "abc");
        assert_eq!(
            express,
            "arn:aws:states:us-east-1:123456789012:express:hello:run-1:abc"
        );
        assert!(matches!(
            Arn::parse(&express).unwrap().1,
            Arn::ExpressExecution { .. }
        ));
        assert_eq!(
            Arn::parse(&format!("{sm}:3")).unwrap().1,
            Arn::StateMachineQualified {
                name: "hello".into(),
                qualifier: "3".into()
            }
        );
        assert_eq!(state_machine_name(&sm).as_deref(), Some("hello"));
        assert_eq!(state_machine_name(&ex), None);
        assert_eq!(
            Arn::parse(&scope.activity("a")).unwrap().1,
            Arn::Activity { name: "a".into() }
        );
    }

    #[test]
    fn rejects_what_is_not_a_states_arn() {
        for bad in [
            "",
            "hello",
            "arn:aws:lambda:us-east-1:123456789012:function:f",
            "arn:aws:states:us-east-1:123456789012",
            "arn:aws:states::123456789012:stateMachine:x",
            "arn:aws:states:us-east-1:123456789012:stateMachine:",
            "arn:aws:states:us-east-1:123456789012:execution:onlymachine",
        ] {
            assert!(Arn::parse(bad).is_err(), "{bad}");
        }
    }
}
