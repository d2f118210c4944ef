//! Arazzo workflows hosted as state machines: a definition whose root has `arazzo`
//! runs through the same durable engine as an ASL one.
//!
//! * `load.rs`: the definition's source descriptions loaded (relative references against
//!   the server's working directory), validated, with the `x-weft-workflow` and
//!   `x-weft-servers` extensions applied.
//! * `adapter.rs`: the Arazzo decider behind the ASL decider's inputs and commands, so
//!   that journals, replay, timers and task dispatch work unchanged.
//! * `history.rs`: the execution's events in the Step Functions vocabulary.
//! * `mask.rs`: credentials kept out of that history.

mod adapter;
mod history;
mod load;

pub use adapter::{ArazzoExecution, execution_status};
pub use load::{SERVERS_EXTENSION, Sources, WORKFLOW_EXTENSION, Workflow};
