//! One execution's decider, whatever the language of its definition: the ASL decider,
//! or the Arazzo decider behind the same inputs, commands and history vocabulary.

use chrono::{DateTime, Utc};
use weft_asl::decider::{Decider, Decision, ExecutionMeta, ExecutionStatus, Input};

use super::arazzo::ArazzoExecution;
use super::definition::Definition;

pub enum ExecutionDecider {
    Asl(Decider),
    Arazzo(ArazzoExecution),
}

impl ExecutionDecider {
    pub fn new(definition: &Definition, meta: ExecutionMeta) -> ExecutionDecider {
        match definition {
            Definition::Asl(machine) => ExecutionDecider::Asl(Decider::new(machine.clone(), meta)),
            Definition::Arazzo(workflow) => {
                ExecutionDecider::Arazzo(ArazzoExecution::new(workflow.clone(), &meta))
            }
            Definition::Unavailable(why) => {
                ExecutionDecider::Arazzo(ArazzoExecution::unavailable(why, &meta))
            }
        }
    }

    /// Handles one input; `seed` feeds the ASL decider's random choices (an Arazzo
    /// workflow makes none).
    pub fn handle(&mut self, now: DateTime<Utc>, seed: u64, input: Input) -> Decision {
        match self {
            ExecutionDecider::Asl(decider) => decider.handle(now, seed, input),
            ExecutionDecider::Arazzo(execution) => execution.handle(now, input),
        }
    }

    pub fn status(&self) -> &ExecutionStatus {
        match self {
            ExecutionDecider::Asl(decider) => decider.status(),
            ExecutionDecider::Arazzo(execution) => execution.status(),
        }
    }

    pub fn is_arazzo(&self) -> bool {
        matches!(self, ExecutionDecider::Arazzo(_))
    }
}
